"""Caseroom's developer commands.

python -m devtools run                  services + migrate + demo data + web, worker, beat
python -m devtools test [pytest args]   services + pytest (-n auto unless you choose)
python -m devtools env-exec -- CMD...   services + run CMD with their environment
python -m devtools stop [--force]       stop the embedded servers of this data dir
python -m devtools i18n                 compile locale/*.po to .mo
"""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from devtools import leases, postgres, processes, redis_service
from devtools.i18n import compile_translations
from devtools.paths import REPO_ROOT, data_dir
from devtools.services import ensure_services, say

DEMO_PASSWORD = "caseroom-demo"  # noqa: S105 (public demo data, printed on purpose)
DEMO_ROLES = ("partner", "associate", "trainee", "paralegal", "secretary", "compliance", "admin")
DEMO_FIRM_DOMAINS = ("chan-lau.example", "harbour.example")
DEMO_CLIENT = "client@example.com"
CHROMIUM = Path("/usr/bin/chromium")
STARTUP_TIMEOUT_SECONDS = 90
# Celery's threads pool runs two tasks at once without prefork's extra processes;
# mingle and gossip only matter with several workers, and slow the start.
WORKER_OPTIONS = (
    "-A config worker --pool=threads --concurrency=2 -l info --without-mingle --without-gossip"
)
BEAT_OPTIONS = "-A config beat -l info --schedule"
# No control socket: its default path in ~ would clash between two clones.
GUNICORN_OPTIONS = "--workers=2 --threads=4 --access-logfile=- --no-control-socket config.wsgi"
# Celery prints its banner a moment after the site answers: wait, so that the logins
# are not buried under it.
WELCOME_DELAY_SECONDS = 2


# --- shared steps -------------------------------------------------------------------


def prepared_environment() -> dict[str, str]:
    """Services up, translations compiled; the environment every child gets."""
    env = {**os.environ, **ensure_services(), "PYTHONUNBUFFERED": "1"}
    written = compile_translations()
    if written:
        say(f"translations: compiled {len(written)} .mo file(s)")
    return env


def manage(env: dict[str, str], *arguments: str) -> int:
    return processes.run_to_end(
        f"manage.py {arguments[0]}", [sys.executable, "manage.py", *arguments], env
    )


# --- run ------------------------------------------------------------------------------


def port_is_taken(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def app_commands(env: dict[str, str], port: int) -> dict[str, list[str]]:
    python = sys.executable
    schedule = str(Path(env["CASEROOM_DATA_DIR"]) / "celerybeat-schedule")
    return {
        "celery worker": [python, "-m", "celery", *WORKER_OPTIONS.split()],
        "celery beat": [python, "-m", "celery", *BEAT_OPTIONS.split(), schedule],
        "gunicorn": [
            python,
            "-m",
            "gunicorn",
            f"--bind=127.0.0.1:{port}",
            *GUNICORN_OPTIONS.split(),
        ],
    }


def answers(port: int) -> bool:
    """Any HTTP response counts: the page may redirect to the login."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/")
        connection.getresponse()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_until_answering(port: int, children: list[processes.Child]) -> str | None:
    """None once the site answers, else what went wrong."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not answers(port):
        dead = [c for c in children if c.process.poll() is not None]
        if dead:
            return f"{processes.how_it_ended(dead[0])} while starting"
        if time.monotonic() > deadline:
            return f"no answer on port {port} after {STARTUP_TIMEOUT_SECONDS} s"
        time.sleep(0.25)
    return None


def print_welcome(url: str) -> None:
    logins = [f"{role}@{domain}" for role in DEMO_ROLES for domain in DEMO_FIRM_DOMAINS]
    lines = [
        "",
        f"Caseroom is running at {url}",
        f"Demo logins, all with password {DEMO_PASSWORD}:",
        *(f"  {left:<32}{right}" for left, right in zip(logins[::2], logins[1::2], strict=True)),
        f"  {DEMO_CLIENT}",
        "Press Ctrl-C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)


def supervise(children: list[processes.Child], port: int) -> int:
    """Until a stop signal (exit 0) or a child's death (everything stops, exit 1)."""
    try:
        problem = wait_until_answering(port, children)
        if problem is None:
            time.sleep(WELCOME_DELAY_SECONDS)
            print_welcome(f"http://127.0.0.1:{port}/")
            dead = processes.first_to_exit(children)
            problem = processes.how_it_ended(dead)
        say(f"{problem}; stopping everything")
        processes.stop_children(children)
        return 1
    except processes.StopRequested as stop:
        say(f"{stop} received: stopping web, worker and beat")
        processes.stop_children(children, stop.signum)
        say("stopped")
        return 0


def command_run(arguments: list[str]) -> int:
    if arguments:
        return usage(f"run takes no arguments (got {' '.join(arguments)})")
    port = int(os.environ.get("PORT") or 8000)
    if port_is_taken(port):
        say(f"port {port} is already in use: stop what uses it, or set PORT")
        return 1
    env = {**prepared_environment(), "PORT": str(port)}
    steps = (
        ["migrate", "--database=owner", "--noinput"],
        ["seed_demo"],
        ["collectstatic", "--noinput"],
    )
    for step in steps:
        code = manage(env, *step)
        if processes.stop_was_requested():
            return 0
        if code:
            say(f"manage.py {' '.join(step)} failed (exit {code})")
            return code
    children = [
        processes.spawn(name, command, env) for name, command in app_commands(env, port).items()
    ]
    return supervise(children, port)


# --- test -------------------------------------------------------------------------------


def has_e2e_tests() -> bool:
    return any((REPO_ROOT / "tests" / "e2e").rglob("test_*.py"))


def install_chromium() -> None:
    """Debian's chromium; Playwright's own browser download cannot work offline."""
    if os.geteuid() != 0:
        raise SystemExit(
            f"devtools: browser tests need {CHROMIUM}, and installing it needs root: "
            "run `sudo apt-get install chromium`, then try again"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        say(f"browser tests need {CHROMIUM}: running {' '.join(command)}")
        if subprocess.run(command, env=env, check=False).returncode:
            raise SystemExit(f"devtools: `{' '.join(command)}` failed; cannot run browser tests")


def chooses_parallelism(pytest_arguments: list[str]) -> bool:
    """-n/--numprocesses given, xdist disabled, or a debugger (which xdist refuses)."""
    return any(
        argument.startswith(("-n", "--numprocesses"))
        or argument in {"no:xdist", "--pdb", "--trace"}
        for argument in pytest_arguments
    )


def command_test(pytest_arguments: list[str]) -> int:
    if has_e2e_tests() and not CHROMIUM.exists():
        install_chromium()
    env = prepared_environment()
    # Tests use their own Redis database, so they never touch a running `make run`'s.
    env["REDIS_URL"] = env["CASEROOM_TEST_REDIS_URL"]
    parallel = [] if chooses_parallelism(pytest_arguments) else ["-n", "auto"]
    return processes.run_to_end(
        "pytest", [sys.executable, "-m", "pytest", *parallel, *pytest_arguments], env
    )


# --- env-exec, stop, i18n ----------------------------------------------------------------


def command_env_exec(arguments: list[str]) -> int:
    """Run a command (a child, not exec: the embedded services must be stopped after)."""
    command = arguments[1:] if arguments[:1] == ["--"] else arguments
    if not command:
        return usage("env-exec needs a command: python -m devtools env-exec -- CMD [ARGS...]")
    if shutil.which(command[0]) is None:
        say(f"env-exec: command not found: {command[0]}")
        return 127
    return processes.run_to_end(command[0], command, prepared_environment())


def command_stop(arguments: list[str]) -> int:
    """Stop this data dir's embedded servers; refuses while a devtools process uses them."""
    data = data_dir()
    with leases.services_lock(data):
        holders = leases.live_holders(data, "postgres") + leases.live_holders(data, "redis")
        if holders and "--force" not in arguments:
            pids = sorted({str(pid) for pid, _started in holders})
            say(
                f"embedded services are in use by devtools pid(s) {', '.join(pids)}: stop those "
                "first, or pass --force"
            )
            return 1
        postgres.stop_embedded(data)
        redis_service.stop_embedded(data)
    say(f"embedded services of {data} stopped (if any were running)")
    return 0


def command_i18n(arguments: list[str]) -> int:
    written = compile_translations()
    say(f"translations: compiled {len(written)} .mo file(s)")
    return 0


COMMANDS = {
    "run": command_run,
    "test": command_test,
    "env-exec": command_env_exec,
    "stop": command_stop,
    "i18n": command_i18n,
}


def usage(problem: str = "") -> int:
    if problem:
        print(f"devtools: {problem}", file=sys.stderr)
    print(__doc__, file=sys.stderr)
    return 2


def main(argv: list[str]) -> int:
    """Arguments after the command go through untouched (pytest's own options included)."""
    if argv[:1] in (["-h"], ["--help"], ["help"]):
        print(__doc__)
        return 0
    if not argv or argv[0] not in COMMANDS:
        return usage(f"unknown command {argv[0]!r}" if argv else "")
    os.chdir(REPO_ROOT)  # manage.py, pytest's configuration and relative paths
    processes.stop_on_signals()
    try:
        return COMMANDS[argv[0]](argv[1:])
    except processes.StopRequested as stop:
        say(f"{stop} received: stopped")
        return 0 if argv[0] == "run" else 128 + stop.signum


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
