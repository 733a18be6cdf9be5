"""A worker killed in the middle of sending a reminder: exactly one Notification and one
e-mail in the end.

Each test starts a real ``celery worker`` in a subprocess (prefork pool, one child) on
this test process's database and its own Redis queue, with the file e-mail backend
writing into tmp_path so e-mails can be counted across processes. The worker is
test_reminders_worker.py run as a program: it wraps one function of the send so that the first call
writes a marker (with the pool child's pid) and sleeps; the test waits for the marker,
checks the state the kill will interrupt, and SIGKILLs the pool child or the whole
worker. Nothing else of the worker is changed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time as clock
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connections

from audit.context import acting_as, system_actor
from calendar_sync import tasks
from calendar_sync.models import ReminderDelivery
from calendar_sync.reminders import rules, services
from firms.models import Notification
from tests.calendar_sync.test_reminders import (
    at,
    deliveries,
    hk_day,
    make_event,
    notifications,
    queue_of_this_test,
    scan,
    wait_for,
)

REPO = Path(__file__).resolve().parents[2]
WORKER_PROGRAM = "tests.calendar_sync.test_reminders_worker"
PAUSE_POINTS = ["in_app", "email"]  # see test_reminders_worker.py


# --- Driving it from the test ------------------------------------------------------------------


def _database_url(alias: str) -> str:
    """The URL of the database this test process uses (test_<name>_<pid>), for the worker."""
    db = connections[alias].settings_dict
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@/{quote(db['NAME'])}?host={quote(db['HOST'] or '')}&port={db['PORT'] or 5432}"


class WorkerProcess:
    def __init__(self, tmp_path: Path, point: str, number: int, queue: str):
        self.log_path = tmp_path / f"worker-{number}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": _database_url("default"),
            "DATABASE_OWNER_URL": _database_url("owner"),
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "CELERY_QUEUE": queue,
            "CASEROOM_DATA_DIR": str(tmp_path / "data"),  # e-mail files go to <data>/mail
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "REMINDER_TEST_PAUSE_AT": point,
            "REMINDER_TEST_MARKER": str(tmp_path / "paused.pid"),
        }
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", WORKER_PROGRAM], cwd=REPO, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: " ready." in self.log() or self.process.poll() is not None, timeout=60,
                 what="the worker to be ready")
        assert self.process.poll() is None, self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill_everything(self) -> None:
        """SIGKILL the worker and its pool: the whole process group, as a crashed machine."""
        os.killpg(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _is_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}  # a zombie is dead; its parent has not reaped it yet


def _emails(tmp_path: Path) -> list[str]:
    """Message-IDs of every e-mail the file backend wrote, from any process."""
    mail_dir = tmp_path / "data" / "mail"
    files = sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []
    return [line.split(":", 1)[1].strip() for path in files for line in path.read_text().splitlines()
            if line.startswith("Message-ID:")]


@pytest.fixture
def own_queue():
    with queue_of_this_test() as name:
        yield name


@pytest.fixture
def workers(transactional_db, tmp_path, own_queue):
    """Start subprocess workers on demand; stop them all before the database is emptied."""
    started: list[WorkerProcess] = []

    def start(point: str) -> WorkerProcess:
        started.append(WorkerProcess(tmp_path, point, len(started) + 1, own_queue))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def _due_reminder(firm_a):
    """A hearing the day after tomorrow; its 1-day reminder recorded and queued."""
    hearing = make_event(firm_a, start=at(hk_day(2), 10))
    assert scan(hearing.start - timedelta(days=1)) == 1  # commits; queues the send after commit
    return deliveries(firm_a)[0]


def _paused_pid(tmp_path: Path) -> int:
    marker = tmp_path / "paused.pid"
    wait_for(lambda: marker.exists() and marker.read_text(), timeout=30, what="the send to pause")
    return int(marker.read_text())


def _status(firm_a, delivery) -> str:
    with firm_a.scope():
        return ReminderDelivery.objects.get(pk=delivery.pk).status


def _assert_state_at_the_pause(firm_a, delivery, point, tmp_path):
    """What the kill interrupts: in phase 1 nothing is committed yet; in phase 2 the
    Notification is, and the e-mail is not."""
    if point == "in_app":
        assert _status(firm_a, delivery) == rules.PENDING
        assert notifications(firm_a) == []
    else:
        assert _status(firm_a, delivery) == rules.SENDING
        assert len(notifications(firm_a)) == 1
    assert _emails(tmp_path) == []


def _assert_exactly_once(firm_a, delivery, tmp_path):
    (notification,) = notifications(firm_a)
    assert notification.kind == "reminder"
    assert notification.recipient_id == firm_a.members["associate"].pk
    (message_id,) = _emails(tmp_path)
    assert message_id.startswith(f"<reminder.{firm_a.firm.pk}.{delivery.pk}.")
    with firm_a.scope():
        row = ReminderDelivery.objects.get(pk=delivery.pk)
    assert (row.status, row.sent_at is not None) == (rules.SENT, True)
    with firm_a.scope():
        assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", PAUSE_POINTS)
def test_a_pool_child_killed_mid_send_leaves_one_notification_and_one_email(firm_a, workers, tmp_path, point):
    worker = workers(point)
    delivery = _due_reminder(firm_a)
    child = _paused_pid(tmp_path)
    assert child != worker.process.pid and _parent_of(child) == worker.process.pid  # the pool child
    _assert_state_at_the_pause(firm_a, delivery, point, tmp_path)

    os.kill(child, signal.SIGKILL)
    wait_for(lambda: _is_gone(child), timeout=10, what="the pool child to die")

    # acks_late + reject_on_worker_lost: the message goes back to the queue at once and the
    # worker's new pool child takes it: redelivered, it finds the row half done or not done.
    wait_for(lambda: _status(firm_a, delivery) == rules.SENT, timeout=30, what="the redelivered send")
    assert "signal 9 (SIGKILL)" in worker.log()
    assert "WorkerLostError" in worker.log()
    _assert_exactly_once(firm_a, delivery, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_a_whole_worker_killed_mid_send_is_finished_by_the_sweep_once(firm_a, workers, tmp_path):
    first = workers("email")
    delivery = _due_reminder(firm_a)
    child = _paused_pid(tmp_path)
    _assert_state_at_the_pause(firm_a, delivery, "email", tmp_path)

    first.kill_everything()
    wait_for(lambda: _is_gone(child), timeout=10, what="the pool child to die with its worker")

    # Its message stays unacknowledged in Redis until visibility_timeout (an hour): a new
    # worker does not get it. The row in the database is what is owed.
    workers("email")
    clock.sleep(2)
    assert _status(firm_a, delivery) == rules.SENDING
    with acting_as(system_actor("tests")):
        assert services.reminders_sweep(now=delivery.created_at + timedelta(minutes=10)) == 1
    wait_for(lambda: _status(firm_a, delivery) == rules.SENT, timeout=30, what="the swept send")
    _assert_exactly_once(firm_a, delivery, tmp_path)

    # The lost message, when Redis restores it after visibility_timeout, is one more
    # delivery of the same task: it finds the row sent and does nothing.
    outcome = tasks.reminder_send.delay(firm_a.firm.pk, [delivery.pk]).get(timeout=30)
    assert outcome == {str(delivery.pk): services.NOTHING}
    _assert_exactly_once(firm_a, delivery, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_a_kill_after_the_mail_server_took_the_email_sends_it_twice_under_one_message_id(
        firm_a, workers, tmp_path):
    """The window docs/calendar.md owns up to: e-mail is at least once, not exactly once."""
    worker = workers("after_email")
    delivery = _due_reminder(firm_a)
    child = _paused_pid(tmp_path)
    assert len(_emails(tmp_path)) == 1 and _status(firm_a, delivery) == rules.SENDING

    os.kill(child, signal.SIGKILL)
    wait_for(lambda: _status(firm_a, delivery) == rules.SENT, timeout=30, what="the redelivered send")
    assert "signal 9 (SIGKILL)" in worker.log()
    first, second = _emails(tmp_path)
    assert first == second  # the same Message-ID: mail programs that de-duplicate show one
    assert len(notifications(firm_a)) == 1  # in the app, still exactly once
