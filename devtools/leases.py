"""Which devtools processes are using an embedded server, shared across processes.

`make run` and `make test` may share one embedded server. Each devtools process
records itself as a holder; the last holder to leave stops the server. A holder that
was killed (SIGKILL, crash) cannot remove itself, so dead holders are forgotten on
every read: a pid alone could be reused by an unrelated process, so each holder is
recorded as (pid, process start time).
"""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil


@contextmanager
def services_lock(data_dir: Path) -> Iterator[None]:
    """Serialise start/stop decisions of all devtools processes on this data dir."""
    with open(data_dir / "services.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lease_file(data_dir: Path, service: str) -> Path:
    return data_dir / f"{service}.holders.json"


def _this_process() -> list:
    return [os.getpid(), psutil.Process().create_time()]


def _is_alive(holder: list) -> bool:
    """A zombie is dead: here PID 1 takes seconds to reap an orphan."""
    pid, started = holder
    try:
        process = psutil.Process(pid)
        return process.create_time() == started and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def live_holders(data_dir: Path, service: str) -> list[list]:
    """Holders still running; call under services_lock."""
    path = _lease_file(data_dir, service)
    try:
        holders = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):  # none yet, or cut short by a crash
        holders = []
    return [holder for holder in holders if _is_alive(holder)]


def _write(data_dir: Path, service: str, holders: list[list]) -> None:
    _lease_file(data_dir, service).write_text(json.dumps(holders))


def add_this_process(data_dir: Path, service: str) -> None:
    """Record this process as a holder (and forget dead ones); call under services_lock."""
    holders = [h for h in live_holders(data_dir, service) if h != _this_process()]
    _write(data_dir, service, [*holders, _this_process()])


def remove_this_process(data_dir: Path, service: str) -> list[list]:
    """Forget this process as a holder; returns the holders left. Call under services_lock."""
    holders = [h for h in live_holders(data_dir, service) if h != _this_process()]
    _write(data_dir, service, holders)
    return holders
