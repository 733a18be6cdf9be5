"""Child processes and stop signals.

SIGINT, SIGTERM and SIGHUP all become StopRequested in the main thread, so that
`finally` blocks and atexit handlers (which stop the embedded services) run; Python's
default for SIGTERM/SIGHUP is to die without running either.
"""

import ctypes
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_AFTER_TERMINAL_INTERRUPT = 5  # seconds for children to act on their own Ctrl-C
GRACE_AFTER_TERM = 20


class StopRequested(BaseException):
    """BaseException, like KeyboardInterrupt, so no `except Exception` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: list[int] = []


def stop_was_requested() -> bool:
    return bool(_received)


def _raise_stop(signum, _frame):
    # Only the first signal interrupts; later ones must not abort the clean-up.
    _received.append(signum)
    for sig in STOP_SIGNALS:
        signal.signal(sig, _note_repeat)
    raise StopRequested(signum)


def _note_repeat(signum, _frame):
    print(f"devtools: {signal.Signals(signum).name} again: already stopping", flush=True)


def stop_on_signals() -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, _raise_stop)


def _die_with_parent() -> None:
    """Children get SIGTERM if devtools itself is SIGKILLed, instead of lingering
    (a stray gunicorn would keep port 8000 busy). Linux only; elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    process: subprocess.Popen


def spawn(name: str, command: list[str], env: dict[str, str]) -> Child:
    """Same process group as devtools, so a terminal's Ctrl-C reaches it directly."""
    return Child(name, subprocess.Popen(command, env=env, preexec_fn=_die_with_parent))


def wait_all(children: list[Child], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(c.process.poll() is None for c in children):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def signal_alive(children: list[Child], signum: int) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signum)


def stop_children(children: list[Child], signum: int = signal.SIGTERM) -> None:
    """A terminal's Ctrl-C already reached the children (same process group): give them
    time to finish on their own, since a second SIGINT makes Celery and pytest abort
    harder. Any other signal reached only us: pass SIGTERM on. SIGKILL as last resort."""
    if signum == signal.SIGINT and wait_all(children, GRACE_AFTER_TERMINAL_INTERRUPT):
        return
    signal_alive(children, signal.SIGTERM)
    if not wait_all(children, GRACE_AFTER_TERM):
        signal_alive(children, signal.SIGKILL)
        wait_all(children, 5)


def first_to_exit(children: list[Child]) -> Child:
    while True:
        for child in children:
            if child.process.poll() is not None:
                return child
        time.sleep(0.2)


def exit_code(process: subprocess.Popen) -> int:
    """The shell's convention: 128 + N for a child killed by signal N (Popen says -N)."""
    code = process.returncode
    return 128 - code if code < 0 else code


def how_it_ended(child: Child) -> str:
    code = child.process.returncode
    if code < 0:
        return f"{child.name} was killed by {signal.Signals(-code).name}"
    return f"{child.name} exited with code {code}"


def run_to_end(name: str, command: list[str], env: dict[str, str]) -> int:
    """Run one child to completion and return its exit code; on a stop signal, stop it
    first (callers can tell by stop_was_requested())."""
    child = spawn(name, command, env)
    try:
        child.process.wait()
    except StopRequested as stop:
        stop_children([child], stop.signum)
    return exit_code(child.process)
