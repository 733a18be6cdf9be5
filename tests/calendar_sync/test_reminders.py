"""Reminders: what the scan records (once), escalation of missed deadlines, the sweep, and
sends through a real Celery worker on Redis (not eager)."""

from __future__ import annotations

import os
import smtplib
import threading
import time as clock
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.context import acting_as, system_actor
from calendar_sync import tasks
from calendar_sync.models import (
    Event,
    EventAttendee,
    NotificationPreference,
    ReminderDelivery,
    ReminderSetting,
)
from calendar_sync.reminders import rules, services
from cases.models import CaseTeamMember
from config.celery import app as celery_app
from firms.models import Notification

HK = rules.HONG_KONG
DAY = 24 * 60


# --- Helpers ---------------------------------------------------------------------------------


def hk_day(days_from_today: int) -> date:
    return timezone.localdate(timezone=HK) + timedelta(days=days_from_today)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HK)


def make_event(world, *, kind=Event.Kind.HEARING, start: datetime | None = None, day: date | None = None,
               case=None, owner="associate", attendees=(), **extra) -> Event:
    """An event made directly (the reminders read the model; the event services are tested
    on their own). A day makes it all-day, HK midnight to midnight."""
    all_day = day is not None
    if all_day:
        start = datetime.combine(day, time.min, tzinfo=HK)
    end = start + (timedelta(days=1) if all_day else timedelta(hours=2))
    with world.scope():
        event = Event.objects.create(firm=world.firm, kind=kind, title=f"{kind} of {world.firm.slug}",
                                     case=case, owner=world.members[owner], all_day=all_day, start=start,
                                     end=end, uid=f"{clock.monotonic_ns()}@test", **extra)
        for role in {owner, *attendees}:
            EventAttendee.objects.create(firm=world.firm, event=event, membership=world.members[role])
    return event


def deliveries(world, **filters) -> list[ReminderDelivery]:
    with world.scope():
        return list(ReminderDelivery.objects.filter(firm=world.firm, **filters).order_by("pk"))


def notifications(world, **filters) -> list[Notification]:
    with world.scope():
        return list(Notification.objects.filter(firm=world.firm, **filters).order_by("pk"))


def scan(now: datetime) -> int:
    with acting_as(system_actor("tests")):
        return services.reminders_scan(now=now)


def wait_for(condition, *, timeout: float = 20.0, what: str = "condition"):
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        value = condition()
        if value:
            return value
        clock.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@contextmanager
def queue_of_this_test() -> Iterator[str]:
    """A Celery queue of this test's own. The session's queue (tests/conftest.py) is named
    per xdist worker, not per run, so two runs on one Redis (two engineers, or CI and a
    developer) would take each other's tasks and run them against the wrong database."""
    name = f"caseroom-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    queues = celery_app.amqp.queues
    before = celery_app.conf.task_default_queue, queues._consume_from
    celery_app.conf.task_default_queue = name
    try:
        yield name
    finally:
        # A worker's choice of queues sticks to the app's queue table: put both back.
        celery_app.conf.task_default_queue, queues._consume_from = before
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(name)


@pytest.fixture
def own_queue():
    with queue_of_this_test() as name:
        yield name


@pytest.fixture
def hearing_day_after_tomorrow(firm_a):
    """A hearing at 10:00 HKT the day after tomorrow, owner the associate, the trainee attending."""
    return make_event(firm_a, start=at(hk_day(2), 10), attendees=("trainee",))


@pytest.fixture
def worker(transactional_db, own_queue):
    """A real Celery worker (solo pool, in this process) on the test's own Redis queue."""
    celery_app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                      queues=[own_queue]) as running:
        yield running


# --- What the scan records ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_due_reminder_is_recorded_once_for_the_owner_and_each_attendee(firm_a, hearing_day_after_tomorrow):
    event = hearing_day_after_tomorrow
    one_day_before = event.start - timedelta(days=1)

    assert scan(one_day_before - timedelta(minutes=1)) == 0
    assert scan(one_day_before + timedelta(minutes=1)) == 2
    assert scan(one_day_before + timedelta(minutes=2)) == 0
    assert scan(one_day_before + timedelta(minutes=30)) == 0

    rows = deliveries(firm_a)
    assert {row.recipient_id for row in rows} == {firm_a.members["associate"].pk, firm_a.members["trainee"].pk}
    assert {(row.offset_minutes, row.due_at, row.status) for row in rows} == {(DAY, one_day_before, "pending")}


@pytest.mark.django_db
def test_an_all_day_deadline_is_reminded_at_8am_hong_kong_7_days_1_day_and_on_the_day(firm_a):
    deadline = make_event(firm_a, kind=Event.Kind.FILING_DEADLINE, day=hk_day(10))
    expected = {7 * DAY: at(hk_day(3), 8), DAY: at(hk_day(9), 8), 0: at(hk_day(10), 8)}

    for offset, due in expected.items():
        assert scan(due - timedelta(seconds=1)) == 0
        assert scan(due) == 1
        assert deliveries(firm_a, event=deadline, offset_minutes=offset)[0].due_at == due
    assert len(deliveries(firm_a)) == 3


@pytest.mark.django_db
def test_the_morning_of_a_hearing_is_0800_that_day(firm_a):
    hearing = make_event(firm_a, start=at(hk_day(5), 14, 30))
    assert scan(at(hk_day(5), 7, 59)) == 0
    scan(at(hk_day(5), 8))
    assert [(d.event_id, d.offset_minutes, d.due_at) for d in deliveries(firm_a)] == [
        (hearing.pk, 0, at(hk_day(5), 8))]


@pytest.mark.django_db
def test_the_firms_own_offsets_replace_the_defaults(firm_a):
    with firm_a.scope():
        ReminderSetting.objects.create(firm=firm_a.firm, offsets_minutes=[3 * DAY, 120])
    hearing = make_event(firm_a, start=at(hk_day(6), 10))

    assert scan(hearing.start - timedelta(days=1) + timedelta(minutes=1)) == 0  # no 1-day reminder
    assert scan(hearing.start - timedelta(days=3)) == 1
    assert scan(hearing.start - timedelta(minutes=120)) == 1
    assert sorted(d.offset_minutes for d in deliveries(firm_a)) == [120, 3 * DAY]


@pytest.mark.django_db
def test_an_event_made_late_gets_only_its_latest_due_reminder(firm_a, settings):
    # Made at 09:00 for a hearing at 15:00, with a day's look-back: "1 day before" (yesterday
    # 15:00) and "the morning of" (08:00) are both due; only the morning one goes, ever.
    settings.REMINDER_SCAN_LOOKBACK_MINUTES = 24 * 60
    hearing = make_event(firm_a, start=at(hk_day(4), 15))
    assert scan(at(hk_day(4), 9)) == 1
    assert scan(at(hk_day(4), 9, 5)) == 0
    assert [d.offset_minutes for d in deliveries(firm_a, event=hearing)] == [0]


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["cancelled", "done", "begun", "not_reminded_kind"])
def test_no_reminder_for_an_event_cancelled_done_begun_or_of_another_kind(firm_a, change):
    kind = Event.Kind.CLIENT_MEETING if change == "not_reminded_kind" else Event.Kind.FILING_DEADLINE
    start = at(hk_day(3), 7) if change == "begun" else at(hk_day(3), 10)
    event = make_event(firm_a, kind=kind, start=start,
                       status=Event.Status.CANCELLED if change == "cancelled" else Event.Status.CONFIRMED,
                       is_done=change == "done")
    assert scan(at(hk_day(3), 8)) == 0  # the morning-of reminder, 08:00: after a 07:00 start
    assert scan(event.start - timedelta(days=1)) == (0 if change != "begun" else 1)


@pytest.mark.django_db
def test_an_inactive_member_gets_no_reminder(firm_a, hearing_day_after_tomorrow):
    with firm_a.scope():
        firm_a.members["trainee"].is_active = False
        firm_a.members["trainee"].save(update_fields=["is_active"])
    scan(hearing_day_after_tomorrow.start - timedelta(days=1))
    assert [d.recipient_id for d in deliveries(firm_a)] == [firm_a.members["associate"].pk]


@pytest.mark.django_db
def test_a_firm_never_gets_another_firms_reminders(firm_a, firm_b):
    make_event(firm_a, start=at(hk_day(2), 10))
    theirs = make_event(firm_b, start=at(hk_day(2), 10))
    scan(at(hk_day(1), 10))
    assert [d.event_id for d in deliveries(firm_b)] == [theirs.pk]
    assert all(d.firm_id == firm_a.firm.pk for d in deliveries(firm_a))


@pytest.mark.django_db
def test_the_scan_takes_as_many_queries_for_eight_events_as_for_one(firm_a, settings):
    settings.REMINDER_SCAN_LOOKBACK_MINUTES = 24 * 60
    def queries_of_a_scan(now) -> int:
        with CaptureQueriesContext(connection) as executed:
            scan(now)
        return len(executed)

    scan(at(hk_day(1), 8))  # prepares the scan's statement on this connection
    make_event(firm_a, start=at(hk_day(2), 9), attendees=("trainee", "partner"))
    one = queries_of_a_scan(at(hk_day(1), 9))
    for hour in range(10, 18):
        make_event(firm_a, start=at(hk_day(3), hour), attendees=("trainee", "partner"))
    eight = queries_of_a_scan(at(hk_day(2), 18))
    assert one == eight
    assert len(deliveries(firm_a)) == 9 * 3


# --- Moved events -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_event_moved_after_its_reminder_went_is_reminded_again_once(firm_a, hearing_day_after_tomorrow):
    event = hearing_day_after_tomorrow
    scan(event.start - timedelta(days=1))
    with firm_a.scope():
        ReminderDelivery.objects.filter(firm=firm_a.firm).update(status=rules.SENT)
        Event.objects.filter(pk=event.pk).update(start=event.start + timedelta(days=7),
                                                 end=event.end + timedelta(days=7))

    new_due = event.start + timedelta(days=6)
    assert scan(new_due - timedelta(minutes=1)) == 0
    assert scan(new_due) == 2
    assert scan(new_due + timedelta(minutes=1)) == 0
    assert {(d.due_at, d.status) for d in deliveries(firm_a)} == {(new_due, "pending")}


# --- Escalation ---------------------------------------------------------------------------------


@pytest.fixture
def missed_deadline(firm_a, case_a):
    """A filing deadline yesterday on case A-1, not marked done."""
    return make_event(firm_a, kind=Event.Kind.FILING_DEADLINE, day=hk_day(-1), case=case_a)


@pytest.mark.django_db
def test_a_missed_deadline_escalates_once_to_the_supervising_partner(firm_a, missed_deadline):
    assert scan(timezone.now()) == 1
    assert scan(timezone.now()) == 0
    (row,) = deliveries(firm_a)
    assert (row.recipient_id, row.offset_minutes) == (firm_a.members["partner"].pk, rules.ESCALATION_OFFSET)
    assert row.due_at == at(hk_day(0), 0)


@pytest.mark.django_db
def test_escalation_goes_to_every_supervisor_not_the_responsible_partner(firm_a, case_a, missed_deadline):
    with firm_a.scope():
        CaseTeamMember.objects.filter(case=case_a).update(is_supervisor=False)
        CaseTeamMember.objects.create(firm=firm_a.firm, case=case_a, membership=firm_a.members["admin"],
                                      is_supervisor=True)
    scan(timezone.now())
    assert [d.recipient_id for d in deliveries(firm_a)] == [firm_a.members["admin"].pk]


@pytest.mark.django_db
def test_without_a_supervisor_escalation_goes_to_the_responsible_partner(firm_a, case_a, missed_deadline):
    with firm_a.scope():
        CaseTeamMember.objects.filter(case=case_a).update(is_supervisor=False)
    scan(timezone.now())
    assert [d.recipient_id for d in deliveries(firm_a)] == [firm_a.members["partner"].pk]


@pytest.mark.django_db
def test_when_the_only_supervisor_has_left_escalation_goes_to_the_responsible_partner(firm_a, case_a,
                                                                                      missed_deadline):
    with firm_a.scope():
        CaseTeamMember.objects.filter(case=case_a).update(is_supervisor=False)
        CaseTeamMember.objects.create(firm=firm_a.firm, case=case_a, membership=firm_a.members["admin"],
                                      is_supervisor=True)
        firm_a.members["admin"].is_active = False
        firm_a.members["admin"].save(update_fields=["is_active"])
    scan(timezone.now())
    assert [d.recipient_id for d in deliveries(firm_a)] == [firm_a.members["partner"].pk]


@pytest.mark.django_db
def test_a_deadline_done_in_time_or_still_today_does_not_escalate(firm_a, case_a, missed_deadline):
    with firm_a.scope():
        Event.objects.filter(pk=missed_deadline.pk).update(is_done=True)
    make_event(firm_a, kind=Event.Kind.FILING_DEADLINE, day=hk_day(0), case=case_a)
    make_event(firm_a, kind=Event.Kind.HEARING, day=hk_day(-1), case=case_a)
    assert scan(timezone.now()) == 0


# --- Two scans at once --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_record_each_reminder_once(firm_a):
    for hour in range(9, 13):
        make_event(firm_a, start=at(hk_day(2), hour), attendees=("trainee",))
    now = at(hk_day(1), 13)
    start_together = threading.Barrier(2)
    recorded, errors = [], []

    def beat():
        try:
            start_together.wait(timeout=10)
            recorded.append(scan(now))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sum(recorded) == 8  # 4 events × 2 people, recorded by one scan or the other
    assert len(deliveries(firm_a)) == 8


# --- The sweep ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_queues_again_only_deliveries_stuck_for_a_while(firm_a, hearing_day_after_tomorrow, monkeypatch):
    now = hearing_day_after_tomorrow.start - timedelta(days=1)
    scan(now)
    queued = []
    monkeypatch.setattr(services, "queue_sends", lambda *, firm_id, delivery_ids: queued.extend(delivery_ids))
    pending, half_sent = deliveries(firm_a)
    with firm_a.scope():
        ReminderDelivery.objects.filter(pk=half_sent.pk).update(status=rules.SENDING, attempts=2)

    with acting_as(system_actor("tests")):
        assert services.reminders_sweep(now=now + timedelta(minutes=4)) == 0
        assert services.reminders_sweep(now=now + timedelta(minutes=6)) == 1  # pending: 5 min
        assert queued == [pending.pk]
        assert services.reminders_sweep(now=now + timedelta(minutes=44)) == 1
        assert services.reminders_sweep(now=now + timedelta(minutes=46)) == 2  # 2 failed: 3² × 5 min
        assert queued[2:] == [pending.pk, half_sent.pk]


# --- Sending (the service, directly) -----------------------------------------------------------


def deliver_all(world) -> list[str]:
    with acting_as(system_actor("tests")):
        return [services.reminder_deliver(firm_id=world.firm.pk, delivery_id=d.pk) for d in deliveries(world)]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_sends_once_however_often_it_is_delivered(firm_a, mailoutbox):
    hearing = make_event(firm_a, start=at(hk_day(2), 10))
    scan(hearing.start - timedelta(days=1))

    assert deliver_all(firm_a) == [services.EMAILED]
    assert deliver_all(firm_a) == [services.NOTHING]
    assert len(notifications(firm_a, kind="reminder")) == 1
    assert len(mailoutbox) == 1
    assert deliveries(firm_a)[0].status == rules.SENT


@pytest.mark.django_db(transaction=True)
def test_a_reminder_for_an_event_cancelled_since_the_scan_is_skipped(firm_a, mailoutbox):
    hearing = make_event(firm_a, start=at(hk_day(2), 10))
    scan(hearing.start - timedelta(days=1))
    with firm_a.scope():
        Event.objects.filter(pk=hearing.pk).update(status=Event.Status.CANCELLED)

    assert deliver_all(firm_a) == [services.SKIPPED]
    assert (deliveries(firm_a)[0].status, deliveries(firm_a)[0].last_error) == (rules.SKIPPED, "event cancelled")
    assert notifications(firm_a) == [] and mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_a_reminder_for_an_event_moved_since_the_scan_is_skipped_then_re_armed(firm_a, mailoutbox):
    hearing = make_event(firm_a, start=at(hk_day(2), 10))
    scan(hearing.start - timedelta(days=1))
    with firm_a.scope():
        Event.objects.filter(pk=hearing.pk).update(start=hearing.start + timedelta(hours=1),
                                                   end=hearing.end + timedelta(hours=1))
    assert deliver_all(firm_a) == [services.SKIPPED]
    assert scan(hearing.start - timedelta(days=1) + timedelta(hours=1)) == 1
    assert deliver_all(firm_a) == [services.EMAILED]
    assert len(mailoutbox) == 1


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down (temporary) or refuses the address (permanent)."""

    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, messages):
        raise type(self).error


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_keeps_the_email_owed_then_gives_up(firm_a, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.REMINDER_MAX_EMAIL_ATTEMPTS = 2
    hearing = make_event(firm_a, start=at(hk_day(2), 10))
    scan(hearing.start - timedelta(days=1))

    assert deliver_all(firm_a) == [services.EMAIL_FAILED]
    row = deliveries(firm_a)[0]
    assert (row.status, row.attempts) == (rules.SENDING, 1)
    assert "Connection unexpectedly closed" in row.last_error
    assert len(notifications(firm_a)) == 1  # in the app it went, once

    assert deliver_all(firm_a) == [services.EMAIL_FAILED]
    assert (deliveries(firm_a)[0].status, deliveries(firm_a)[0].attempts) == (rules.FAILED, 2)
    assert len(notifications(firm_a)) == 1


@pytest.mark.django_db(transaction=True)
def test_an_address_refused_for_good_fails_at_once(firm_a, settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "error", smtplib.SMTPRecipientsRefused({"x@y": (550, b"no")}))
    hearing = make_event(firm_a, start=at(hk_day(2), 10))
    scan(hearing.start - timedelta(days=1))
    deliver_all(firm_a)
    assert deliveries(firm_a)[0].status == rules.FAILED


@pytest.mark.django_db
def test_the_send_refuses_to_run_inside_a_transaction(firm_a):
    with pytest.raises(services.NeedsOwnTransactions):
        services.reminder_deliver(firm_id=firm_a.firm.pk, delivery_id=1)


# --- Through a real worker on Redis -------------------------------------------------------------


def sent(world, count: int):
    return lambda: len(deliveries(world, status=rules.SENT)) == count


@pytest.mark.django_db(transaction=True)
def test_repeated_scans_and_repeated_messages_send_one_notification_and_one_email(
        firm_a, worker, mailoutbox):
    hearing = make_event(firm_a, start=at(hk_day(2), 10))
    due = hearing.start - timedelta(days=1)
    for minute in range(3):
        scan(due + timedelta(minutes=minute))
    wait_for(sent(firm_a, 1), what="the reminder to be sent")

    (row,) = deliveries(firm_a)
    for _ in range(3):  # what a redelivery, the sweep or a second beat would queue
        tasks.reminder_send.delay(firm_a.firm.pk, [row.pk]).get(timeout=20)

    (notification,) = notifications(firm_a)
    assert notification.kind == "reminder"
    assert notification.recipient_id == firm_a.members["associate"].pk
    assert hearing.title in notification.title
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [firm_a.user("associate").email]
    assert mailoutbox[0].extra_headers["Message-ID"].startswith(f"<reminder.{firm_a.firm.pk}.{row.pk}.")


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_scans_and_the_worker_sends(firm_a, worker, mailoutbox):
    make_event(firm_a, kind=Event.Kind.FILING_DEADLINE, start=timezone.now() + timedelta(days=1, minutes=-5),
               attendees=("trainee",))
    assert tasks.reminders_scan.delay().get(timeout=20) == 2
    wait_for(sent(firm_a, 2), what="both reminders to be sent")
    assert len(notifications(firm_a)) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([firm_a.user("associate").email,
                                                          firm_a.user("trainee").email])


@pytest.mark.django_db(transaction=True)
def test_a_missed_deadline_reaches_the_supervising_partner_once(firm_a, missed_deadline, worker, mailoutbox):
    scan(timezone.now())
    scan(timezone.now())
    wait_for(sent(firm_a, 1), what="the escalation to be sent")
    tasks.reminders_sweep.delay().get(timeout=20)
    tasks.reminder_send.delay(firm_a.firm.pk, [deliveries(firm_a)[0].pk]).get(timeout=20)

    (notification,) = notifications(firm_a)
    assert (notification.recipient_id, notification.kind) == (firm_a.members["partner"].pk, "deadline_missed")
    assert notification.case_id == missed_deadline.case_id
    assert "A-1" in notification.title
    assert [m.to for m in mailoutbox] == [[firm_a.user("partner").email]]
    assert "supervising partner" in mailoutbox[0].body


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("in_app", "by_email"), [(True, False), (False, True), (False, False)])
def test_reminders_follow_each_persons_preferences(firm_a, worker, mailoutbox, in_app, by_email):
    with firm_a.scope():
        NotificationPreference.objects.create(firm=firm_a.firm, membership=firm_a.members["associate"],
                                              kind="reminder", in_app=in_app, by_email=by_email)
    hearing = make_event(firm_a, start=at(hk_day(2), 10), attendees=("trainee",))
    scan(hearing.start - timedelta(days=1))
    wait_for(sent(firm_a, 2), what="both reminders to be handled")

    associate, trainee = firm_a.members["associate"], firm_a.members["trainee"]
    assert len(notifications(firm_a, recipient=associate)) == (1 if in_app else 0)
    assert len(notifications(firm_a, recipient=trainee)) == 1  # defaults: both
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [trainee.user.email] + ([associate.user.email] if by_email else []))
