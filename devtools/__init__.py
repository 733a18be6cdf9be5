"""Developer tooling for Caseroom: local services, translations and the run/test commands.

Not a Django app: it must work before Django's settings can be imported, because it
is what provides the database and Redis those settings point at.
Entry point: ``python -m devtools run|test|env-exec|stop|i18n``.
"""
