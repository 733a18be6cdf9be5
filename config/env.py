"""Typed readers for settings that come from the environment.

Each reader fails loudly on a value it cannot understand, so a typo in a
deployment stops the process at start-up instead of quietly using a default.
A secret may also be given as ``NAME_FILE`` pointing at a file that holds it.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Django DATABASES entry from a postgresql:// URL.

    A unix-socket server is written ``postgresql://user:pw@/db?host=/socket/dir``
    (the form the embedded PostgreSQL reports), so ``host`` may come from the
    query string.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"Database URL must start with postgresql://, not {parts.scheme}://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("The database URL names no database.")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.pop("host", None) or unquote(parts.hostname or ""),
        "PORT": query.pop("port", None) or (str(parts.port) if parts.port else ""),
        "OPTIONS": query,
    }


def redis_sibling_db(url: str, offset: int = 1) -> str:
    """The same Redis server, another database: the cache must not share the broker's, since
    clearing a cache (FLUSHDB) would delete queued and unacknowledged Celery messages."""
    parts = urlsplit(redis_py_url(url))
    if parts.scheme == "unix":
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        query["db"] = str(int(query.get("db", "0")) + offset)
        return f"unix://{parts.path}?" + "&".join(f"{k}={v}" for k, v in query.items())
    db = int(parts.path.lstrip("/") or "0")
    return parts._replace(path=f"/{db + offset}").geturl()


def redis_py_url(url: str) -> str:
    """redis-py's form of a Celery broker URL (Celery writes sockets as redis+socket://)."""
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url
