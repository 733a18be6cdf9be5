"""Where the benchmark database lives: the configured server, another database name.

The bench scripts never touch the development or test databases. They take the
server, roles and passwords from DATABASE_URL / DATABASE_OWNER_URL (as
``python -m devtools env-exec`` or your shell sets them) and replace only the
database name with the bench database (``caseroom_bench``, or ``--database`` /
``BENCH_DATABASE``). A name without "bench" in it is refused, so a typo cannot
point ``generate.py --recreate`` at real data.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE = "caseroom_bench"
DEFAULT_APP_URL = "postgresql://caseroom_app@127.0.0.1:5432/caseroom"
DEFAULT_OWNER_URL = "postgresql://caseroom_owner@127.0.0.1:5432/caseroom"

# The generated firm the benchmarks sign in to, and the two people they sign in as.
BIG_FIRM_SLUG = "bench-big"
ASSOCIATE_EMAIL = "bench.associate@bench-big.example.hk"
PARTNER_EMAIL = "bench.partner@bench-big.example.hk"


def database_name(explicit: str | None = None) -> str:
    name = explicit or os.environ.get("BENCH_DATABASE") or DEFAULT_DATABASE
    if "bench" not in name:
        raise SystemExit(f"refusing database {name!r}: the bench database's name must contain 'bench'")
    return name


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def bench_urls(name: str) -> tuple[str, str]:
    """(app URL, owner URL) of the bench database on the configured server."""
    app = os.environ.get("DATABASE_URL") or DEFAULT_APP_URL
    owner = os.environ.get("DATABASE_OWNER_URL") or DEFAULT_OWNER_URL
    return with_database(app, name), with_database(owner, name)


def point_django_at(name: str) -> tuple[str, str]:
    """Set the environment so that django.setup() connects to the bench database."""
    app, owner = bench_urls(name)
    os.environ["DATABASE_URL"] = app
    os.environ["DATABASE_OWNER_URL"] = owner
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return app, owner
