"""An event's own reminder offsets (Event.reminder_offsets_minutes): the scan uses them instead
of the firm's, a reminder for an offset dropped since the scan is not sent, bad input is
refused by the service, the API and the form with nothing saved, and the VALARMs of the feed
and of the CalDAV push follow them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from calendar_sync.caldav_push.services import _document
from calendar_sync.forms import format_reminders, parse_reminders
from calendar_sync.models import CalDAVConnection, Event, ReminderSetting
from calendar_sync.reminders import rules, services
from calendar_sync.services.events import event_update
from config.errors import ValidationFailed
from tests.calendar_sync.test_events import EVENTS, as_member, body, count_events, make
from tests.calendar_sync.test_feeds import feed_url_of, fetch, parsed, soon, vevents
from tests.calendar_sync.test_reminders import (
    DAY,
    at,
    deliver_all,
    deliveries,
    hk_day,
    make_event,
    notifications,
    scan,
)

FIELD = "reminder_offsets_minutes"


def change(world, event: Event, role="associate", **changes) -> Event:
    with acting_as(system_actor("tests")), world.scope():
        return event_update(event=event, membership=world.members[role], **changes)


def stored(world, event: Event) -> Event:
    with world.scope():
        return Event.objects.get(pk=event.pk)


# --- The scan --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_events_own_offsets_replace_the_firms_in_the_scan(firm_a):
    own = make_event(firm_a, start=at(hk_day(6), 10), reminder_offsets_minutes=[3 * DAY, 60])
    firms = make_event(firm_a, start=at(hk_day(6), 10))

    assert scan(own.start - timedelta(days=3)) == 1
    assert scan(own.start - timedelta(days=1)) == 1  # the firm's "1 day before", for the other only
    assert scan(at(hk_day(6), 8)) == 1  # the firm's "morning of", for the other only
    assert scan(own.start - timedelta(minutes=61)) == 0
    assert scan(own.start - timedelta(minutes=60)) == 1
    assert scan(own.start - timedelta(minutes=59)) == 0
    assert sorted(d.offset_minutes for d in deliveries(firm_a, event=own)) == [60, 3 * DAY]
    assert sorted(d.offset_minutes for d in deliveries(firm_a, event=firms)) == [0, DAY]


@pytest.mark.django_db
def test_own_offsets_of_an_all_day_deadline_count_from_8am_and_reach_each_person_once(firm_a):
    deadline = make_event(firm_a, kind=Event.Kind.FILING_DEADLINE, day=hk_day(10), attendees=("trainee",),
                          reminder_offsets_minutes=[2 * DAY, 0])
    for due in (at(hk_day(8), 8), at(hk_day(10), 8)):
        assert scan(due - timedelta(seconds=1)) == 0
        assert scan(due) == 2
        assert scan(due + timedelta(minutes=1)) == 0
    rows = deliveries(firm_a, event=deadline)
    assert sorted((d.offset_minutes, d.due_at) for d in rows if d.recipient_id == firm_a.members["trainee"].pk) == [
        (0, at(hk_day(10), 8)), (2 * DAY, at(hk_day(8), 8))]
    assert len(rows) == 4


@pytest.mark.django_db
def test_own_offsets_far_ahead_and_a_cancelled_event_with_own_offsets(firm_a):
    far = make_event(firm_a, start=at(hk_day(300), 10), reminder_offsets_minutes=[rules.MAX_OFFSET_MINUTES - DAY])
    cancelled = make_event(firm_a, start=at(hk_day(300), 10), reminder_offsets_minutes=[rules.MAX_OFFSET_MINUTES - DAY],
                           status=Event.Status.CANCELLED)
    due = far.start - timedelta(minutes=rules.MAX_OFFSET_MINUTES - DAY)
    assert scan(due) == 1
    assert [d.event_id for d in deliveries(firm_a)] == [far.pk]
    assert cancelled.pk not in {d.event_id for d in deliveries(firm_a)}


# --- Changing the offsets ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_pending_reminder_for_an_offset_dropped_since_the_scan_is_not_sent(firm_a, mailoutbox):
    hearing = make_event(firm_a, start=at(hk_day(2), 10), reminder_offsets_minutes=[DAY, 120])
    scan(hearing.start - timedelta(days=1))
    (pending,) = deliveries(firm_a)
    assert (pending.offset_minutes, pending.status) == (DAY, rules.PENDING)

    change(firm_a, hearing, reminder_offsets_minutes=[120, 30])

    assert deliver_all(firm_a) == [services.SKIPPED]
    skipped = deliveries(firm_a)[0]
    assert (skipped.status, skipped.last_error) == (rules.SKIPPED, "reminder no longer set for this event")
    assert notifications(firm_a) == [] and mailoutbox == []

    # The offsets kept still go out, once each.
    assert scan(hearing.start - timedelta(minutes=120)) == 1
    assert scan(hearing.start - timedelta(minutes=30)) == 1
    with acting_as(system_actor("tests")):
        sent = [services.reminder_deliver(firm_id=firm_a.firm.pk, delivery_id=d.pk)
                for d in deliveries(firm_a, status=rules.PENDING)]
    assert sent == [services.EMAILED, services.EMAILED]
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True)
def test_an_offset_given_back_is_armed_again(firm_a, mailoutbox):
    hearing = make_event(firm_a, start=at(hk_day(2), 10), reminder_offsets_minutes=[DAY])
    due = hearing.start - timedelta(days=1)
    scan(due)
    change(firm_a, hearing, reminder_offsets_minutes=[120])
    assert deliver_all(firm_a) == [services.SKIPPED]
    change(firm_a, hearing, reminder_offsets_minutes=[DAY, 120])
    assert scan(due + timedelta(minutes=5)) == 1
    assert deliver_all(firm_a) == [services.EMAILED]
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_firm_offset_dropped_since_the_scan_is_not_sent_either(firm_a, mailoutbox):
    hearing = make_event(firm_a, start=at(hk_day(2), 10))
    scan(hearing.start - timedelta(days=1))
    with firm_a.scope():
        ReminderSetting.objects.create(firm=firm_a.firm, offsets_minutes=[120])
    assert deliver_all(firm_a) == [services.SKIPPED]
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_back_to_the_firms_offsets_with_none(firm_a):
    hearing = make_event(firm_a, start=at(hk_day(2), 10), reminder_offsets_minutes=[120])
    change(firm_a, hearing, reminder_offsets_minutes=None)
    assert stored(firm_a, hearing).reminder_offsets_minutes is None
    assert scan(hearing.start - timedelta(days=1)) == 1
    assert deliveries(firm_a)[0].offset_minutes == DAY


@pytest.mark.django_db
def test_a_change_of_offsets_is_audited_with_the_change_and_bumps_the_sequence(firm_a):
    event = make(firm_a, kind="hearing", title="Trial", reminder_offsets_minutes=[60, 2 * DAY])
    assert event.reminder_offsets_minutes == [2 * DAY, 60]  # stored largest first
    changed = change(firm_a, event, reminder_offsets_minutes=[DAY])
    assert changed.sequence == event.sequence + 1
    with firm_a.scope():
        created = AuditEntry.objects.get(action="event.create", object_id=str(event.pk))
        updated = AuditEntry.objects.get(action="event.update", object_id=str(event.pk))
    assert created.changes[FIELD] == [None, [2 * DAY, 60]]
    assert updated.changes[FIELD] == [[2 * DAY, 60], [DAY]]
    # The same offsets in another order change nothing.
    again = change(firm_a, changed, reminder_offsets_minutes=[DAY])
    assert again.sequence == changed.sequence


# --- Bad input: the service, the API, the form ------------------------------------------------------


BAD_OFFSETS = [
    ([-1], "Reminders come before the event"),
    ([DAY, DAY], "given twice"),
    ([rules.MAX_OFFSET_MINUTES + 1], "at most a year"),
    ([1, 2, 3, 4, 5, 6], "at most 5"),
    ([], "at least one"),
    (["soon"], "whole number"),
    ([1.5], "whole number"),
    ([True], "whole number"),
    ("1440", "a list"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("offsets", "message"), BAD_OFFSETS)
def test_the_service_refuses_bad_offsets_and_saves_nothing(firm_a, offsets, message):
    with pytest.raises(ValidationFailed) as refused:
        make(firm_a, kind="hearing", reminder_offsets_minutes=offsets)
    assert message in str(refused.value.fields[FIELD][0])
    assert count_events(firm_a) == 0

    event = make(firm_a, kind="hearing", reminder_offsets_minutes=[DAY])
    with pytest.raises(ValidationFailed) as refused:
        change(firm_a, event, title="Moved", reminder_offsets_minutes=offsets)
    assert message in str(refused.value.fields[FIELD][0])
    kept = stored(firm_a, event)
    assert (kept.reminder_offsets_minutes, kept.title, kept.sequence) == ([DAY], event.title, event.sequence)
    with firm_a.scope():
        assert not AuditEntry.objects.filter(action="event.update", object_id=str(event.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("offsets", "message"), BAD_OFFSETS[:5])
def test_the_api_refuses_bad_offsets_by_field_and_saves_nothing(api_client, firm_a, offsets, message):
    client = as_member(api_client, firm_a)
    response = client.post(EVENTS, body(kind="hearing", reminder_offsets_minutes=offsets), format="json")
    assert response.status_code == 400
    assert message in response.json()["fields"][FIELD][0]
    assert count_events(firm_a) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("offsets", [["soon"], [True], "1440", {"a": 1}])
def test_the_api_refuses_offsets_that_are_not_a_list_of_numbers(api_client, firm_a, offsets):
    response = as_member(api_client, firm_a).post(EVENTS, body(kind="hearing", reminder_offsets_minutes=offsets),
                                                  format="json")
    assert response.status_code == 400
    assert FIELD in response.json()["fields"]
    assert count_events(firm_a) == 0


@pytest.mark.django_db
def test_the_api_sets_changes_and_clears_an_events_offsets(api_client, firm_a):
    client = as_member(api_client, firm_a)
    response = client.post(EVENTS, body(kind="hearing", reminder_offsets_minutes=[30, DAY]), format="json")
    assert response.status_code == 201, response.json()
    event_id = response.json()["id"]
    assert response.json()[FIELD] == [DAY, 30]

    refused = client.patch(f"{EVENTS}{event_id}/", {FIELD: [30, 30], "title": "Renamed"}, format="json")
    assert refused.status_code == 400
    assert "given twice" in refused.json()["fields"][FIELD][0]
    unchanged = client.get(f"{EVENTS}{event_id}/").json()
    assert (unchanged[FIELD], unchanged["title"], unchanged["sequence"]) == ([DAY, 30], "Knowledge lunch", 0)

    assert client.patch(f"{EVENTS}{event_id}/", {FIELD: [120]}, format="json").json()[FIELD] == [120]
    cleared = client.patch(f"{EVENTS}{event_id}/", {FIELD: None}, format="json").json()
    assert (cleared[FIELD], cleared["sequence"]) == (None, 2)


def form_data(firm_a, **fields):
    data = {"kind": "hearing", "title": "Trial", "owner": firm_a.members["associate"].pk,
            "start_date": "2026-03-10", "start_time": "10:00", "end_time": "13:00", "repeat": ""}
    data.update(fields)
    return data


@pytest.mark.django_db
def test_the_form_reads_reminders_as_typed_and_shows_them_again(client, firm_a):
    client.force_login(firm_a.user("associate"))
    response = client.post("/calendar/events/new/", form_data(firm_a, reminders="2d, 3 h，30m"))
    assert response.status_code == 302
    with firm_a.scope():
        event = Event.objects.get()
    assert event.reminder_offsets_minutes == [2 * DAY, 180, 30]
    edit = client.get(f"/calendar/events/{event.pk}/edit/")
    assert edit.context["form"].initial["reminders"] == "2d, 3h, 30m"
    assert "2d, 3h, 30m" in client.get(f"/calendar/events/{event.pk}/").content.decode()

    response = client.post(f"/calendar/events/{event.pk}/edit/", form_data(firm_a, reminders=""))
    assert response.status_code == 302
    assert stored(firm_a, event).reminder_offsets_minutes is None


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "message"), [
    ("2x", "is not a reminder"),
    ("tomorrow", "is not a reminder"),
    ("1d, 24h", "given twice"),
    ("400d", "at most a year"),
    ("1d, 2d, 3d, 4d, 5d, 6d", "at most 5"),
])
def test_the_form_refuses_bad_reminders_beside_the_field_and_saves_nothing(client, firm_a, typed, message):
    client.force_login(firm_a.user("associate"))
    response = client.post("/calendar/events/new/", form_data(firm_a, reminders=typed))
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors["reminders"])
    assert count_events(firm_a) == 0


def test_reminders_typed_in_english_or_chinese_units():
    assert parse_reminders("1w, 2 days, 3小時, 45分鐘, 0") == [7 * DAY, 2 * DAY, 180, 45, 0]
    assert parse_reminders(" , ") is None
    assert format_reminders([7 * DAY, 90, 0]) == "7d, 90m, 0"
    assert format_reminders(None) == ""


# --- The VALARMs of the feed and of the CalDAV push ----------------------------------------------------


@pytest.mark.django_db
def test_the_feed_rings_at_the_events_own_offsets(client, api_client, firm_a):
    own = make(firm_a, kind="hearing", title="Own", start=soon(10), end=soon(10, 11),
               reminder_offsets_minutes=[2 * DAY, 30])
    firms = make(firm_a, kind="hearing", title="Firm's", start=soon(11), end=soon(11, 11))
    items = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))

    assert [a.decoded("TRIGGER") for a in items[own.uid].walk("VALARM")] == [-timedelta(days=2),
                                                                            -timedelta(minutes=30)]
    assert [a.decoded("TRIGGER") for a in items[firms.uid].walk("VALARM")] == [
        -timedelta(days=7), -timedelta(days=1), -timedelta(hours=2)]  # 10:00: the morning of is 08:00

    change(firm_a, own, reminder_offsets_minutes=[DAY])
    items = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))
    assert [a.decoded("TRIGGER") for a in items[own.uid].walk("VALARM")] == [-timedelta(days=1)]


@pytest.mark.django_db
def test_the_caldav_event_rings_at_the_events_own_offsets(firm_a):
    event = make(firm_a, kind="filing_deadline", title="File", all_day=True, start=soon(10, 0),
                 reminder_offsets_minutes=[3 * DAY, 0])
    connection = CalDAVConnection(firm_id=firm_a.firm.pk, membership=firm_a.members["associate"])
    with firm_a.scope():
        document = Calendar.from_ical(_document(connection, event))
    (item,) = document.walk("VEVENT")
    assert [a.decoded("TRIGGER") for a in item.walk("VALARM")] == [timedelta(hours=8) - timedelta(days=3),
                                                                   timedelta(hours=8)]


def test_own_offsets_replace_the_firms_in_the_triggers():
    from calendar_sync.feeds import ics

    event = Event(kind=Event.Kind.HEARING, status=Event.Status.CONFIRMED, all_day=False,
                  start=datetime(2026, 3, 10, 9, 30, tzinfo=rules.HONG_KONG), reminder_offsets_minutes=[45])
    assert ics.reminder_triggers(event, [DAY, 0], now=datetime(2026, 3, 1, tzinfo=rules.HONG_KONG)) == [
        -timedelta(minutes=45)]
