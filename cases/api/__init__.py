"""The cases REST API: thin views over cases.services and cases.selectors (routes in cases/api_urls.py).

- ``base``: the scoped base views (who asks, which case or task) every view stands on;
- ``inputs`` / ``serializers``: what is accepted / what is answered;
- ``cases``, ``tasks``, ``notes``, ``notifications``: the views.
"""
