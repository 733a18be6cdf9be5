"""Importing an ICS file into a person's calendar: times moved to Hong Kong, all-day kept,
duplicates skipped and reported, a malformed file refused with nothing saved."""

import threading
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from calendar_sync import ics_import as ics_import_module
from calendar_sync.ics_import import MalformedCalendar, ics_import
from calendar_sync.models import Event
from config.errors import ValidationFailed
from tests.calendar_sync.test_events import HK, as_member, at, count_events, make

DIARY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Chambers//Diary//EN
BEGIN:VTIMEZONE
TZID:China Standard Time
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+0800
TZOFFSETTO:+0800
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:con-1@chambers
SUMMARY:Conference with instructing solicitors
DTSTART;TZID=China Standard Time:20260302T093000
DTEND;TZID=China Standard Time:20260302T103000
LOCATION:Chambers\\, 9/F
DESCRIPTION:Bring the bundle
END:VEVENT
BEGIN:VEVENT
UID:london-call@chambers
SUMMARY:Call with London
DTSTART:20260303T090000Z
DURATION:PT1H
END:VEVENT
BEGIN:VEVENT
UID:ny@chambers
SUMMARY:Call with New York
DTSTART;TZID=America/New_York:20260303T200000
DTEND;TZID=America/New_York:20260303T210000
END:VEVENT
BEGIN:VEVENT
UID:retreat@chambers
SUMMARY:Chambers retreat
DTSTART;VALUE=DATE:20260305
DTEND;VALUE=DATE:20260307
END:VEVENT
BEGIN:VEVENT
UID:floating@chambers
SUMMARY:Reading day
DTSTART:20260309T140000
DTEND:20260309T170000
END:VEVENT
BEGIN:VEVENT
UID:weekly@chambers
SUMMARY:Pupils' seminar
DTSTART;TZID=China Standard Time:20260304T180000
DTEND;TZID=China Standard Time:20260304T190000
RRULE:FREQ=WEEKLY;COUNT=4
END:VEVENT
BEGIN:VEVENT
UID:weekly@chambers
RECURRENCE-ID;TZID=China Standard Time:20260311T180000
SUMMARY:Pupils' seminar (moved)
DTSTART;TZID=China Standard Time:20260312T180000
DTEND;TZID=China Standard Time:20260312T190000
END:VEVENT
BEGIN:VEVENT
UID:dropped@chambers
SUMMARY:Dropped mention
STATUS:CANCELLED
DTSTART;TZID=China Standard Time:20260310T100000
DTEND;TZID=China Standard Time:20260310T110000
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n").encode()


def run(world, data=DIARY, kind="internal", role="associate", owner=None):
    with acting_as(system_actor("tests")), world.scope():
        return ics_import(membership=world.members[role], owner=world.members[owner or role], data=data, kind=kind)


def imported(world) -> dict[str, Event]:
    with world.scope():
        return {e.title: e for e in Event.objects.filter(source="ics-import")}


def test_each_event_is_imported_in_hong_kong_time(firm_a):
    result = run(firm_a)
    events = imported(firm_a)
    assert len(result.created) == 7 and [s["title"] for s in result.skipped] == ["Dropped mention"]
    assert (events["Conference with instructing solicitors"].start, events["Conference with instructing solicitors"].end) \
        == (at(2, 9, 30), at(2, 10, 30))
    assert events["Conference with instructing solicitors"].location == "Chambers, 9/F"
    assert events["Conference with instructing solicitors"].notes == "Bring the bundle"
    assert (events["Call with London"].start, events["Call with London"].end) == (at(3, 17), at(3, 18))
    assert events["Call with New York"].start == at(4, 9)  # 20:00 EST is 09:00 the next day in HK
    assert events["Reading day"].start == at(9, 14)  # a floating time is HK wall-clock time
    for event in events.values():
        assert event.owner_id == firm_a.members["associate"].pk and event.kind == "internal"


def test_an_all_day_event_stays_all_day_over_its_days(firm_a):
    run(firm_a)
    retreat = imported(firm_a)["Chambers retreat"]
    assert retreat.all_day and (retreat.start, retreat.end) == (at(5, 0), at(7, 0))


def test_a_repeat_is_kept_for_internal_events_and_a_moved_occurrence_has_its_own_uid(firm_a):
    run(firm_a)
    events = imported(firm_a)
    assert events["Pupils' seminar"].rrule == "FREQ=WEEKLY;COUNT=4"
    assert events["Pupils' seminar"].source_uid == "weekly@chambers"
    assert events["Pupils' seminar (moved)"].source_uid == "weekly@chambers/20260311T180000"


def test_a_repeating_event_is_skipped_with_its_reason_when_imported_as_client_meetings(firm_a):
    result = run(firm_a, kind="client_meeting")
    assert "Pupils' seminar" not in imported(firm_a)
    [reason] = [s["reason"] for s in result.skipped if s["title"] == "Pupils' seminar"]
    assert "only internal events can repeat" in reason


def test_a_repeat_rule_caseroom_does_not_keep_is_skipped_with_the_reason(firm_a):
    result = run(firm_a, data=DIARY.replace(b"RRULE:FREQ=WEEKLY;COUNT=4", b"RRULE:FREQ=DAILY;BYHOUR=9,15"))
    [reason] = [s["reason"] for s in result.skipped if s["title"] == "Pupils' seminar"]
    assert reason.startswith("Its repeat rule cannot be kept")
    assert len(result.created) == 6


def test_importing_the_same_file_again_skips_every_event_and_says_why(firm_a):
    run(firm_a)
    again = run(firm_a)
    assert again.created == []
    reasons = {s["title"]: s["reason"] for s in again.skipped}
    assert reasons["Call with London"] == "Imported before (same UID)."
    assert reasons["Dropped mention"] == "Cancelled in the file."
    assert count_events(firm_a) == 7


def test_an_event_already_in_the_calendar_with_that_title_and_start_is_skipped(firm_a):
    make(firm_a, title="Call with London", start=at(3, 17), end=at(3, 18))
    result = run(firm_a)
    assert {"title": "Call with London", "reason": "Already in the calendar (same title and start)."}.items() <= \
        next(s for s in result.skipped if s["title"] == "Call with London").items()


def test_the_same_uid_in_another_persons_calendar_is_not_a_duplicate(firm_a):
    run(firm_a, role="associate")
    result = run(firm_a, role="partner")
    assert len(result.created) == 7


@pytest.mark.parametrize("data", [
    b"this is not a calendar",
    b"\xff\xfe\x00garbage",
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Half\r\n",
    DIARY.replace(b"DTSTART:20260309T140000", b"DTSTART:2026-03-09 2pm"),
    DIARY.replace(b"DTEND:20260309T170000", b"DTEND:20260308T170000"),
    DIARY.replace(b"RRULE:FREQ=WEEKLY;COUNT=4", b"RRULE:FREQ=FORTNIGHTLY"),
    DIARY.replace(b"DTSTART:20260303T090000Z\r\n", b""),
])
def test_a_malformed_file_is_refused_and_nothing_is_saved(firm_a, data):
    with pytest.raises(MalformedCalendar) as refused:
        run(firm_a, data=data)
    assert refused.value.fields["file"]
    assert count_events(firm_a) == 0
    with firm_a.scope():
        assert not AuditEntry.objects.filter(action__in=["event.create", "event.import"]).exists()


def test_a_bad_event_in_the_middle_names_the_event(firm_a):
    with pytest.raises(MalformedCalendar) as refused:
        run(firm_a, data=DIARY.replace(b"DTEND:20260309T170000", b"DTEND:20260308T170000"))
    assert "Event 5 (“Reading day”)" in str(refused.value.message)
    assert "Nothing was imported" in str(refused.value.message)


def test_the_import_is_audited_once_with_its_counts(firm_a):
    result = run(firm_a)
    with firm_a.scope():
        entry = AuditEntry.objects.get(action="event.import")
    assert entry.changes["created"] == 7 and entry.changes["skipped"] == 1
    assert entry.changes["event_ids"] == [e.pk for e in result.created]


def test_only_diary_keepers_import_into_a_colleagues_calendar(firm_a):
    with pytest.raises(ValidationFailed) as refused:
        run(firm_a, role="trainee", owner="partner")
    assert "owner" in refused.value.fields
    assert len(run(firm_a, role="secretary", owner="partner").created) == 7
    assert all(e.owner_id == firm_a.members["partner"].pk for e in imported(firm_a).values())


def test_another_firms_member_cannot_be_the_owner(firm_a, firm_b):
    with acting_as(system_actor("tests")), firm_b.scope(), pytest.raises(ValidationFailed) as refused:
        ics_import(membership=firm_b.members["secretary"], owner=firm_a.members["partner"], data=DIARY,
                   kind="internal")
    assert "owner" in refused.value.fields


# --- The API and the page ---------------------------------------------------------------------------


def upload(data=DIARY, name="diary.ics"):
    return SimpleUploadedFile(name, data, content_type="text/calendar")


def test_the_api_imports_a_file_and_answers_with_a_summary(api_client, firm_a):
    response = as_member(api_client, firm_a).post("/api/events/import/", {"file": upload(), "kind": "internal"},
                                                  format="multipart")
    assert response.status_code == 201
    assert response.json()["created"] == 7 and response.json()["skipped"][0]["title"] == "Dropped mention"
    assert response.json()["skipped"][0]["start"] == "2026-03-10T10:00:00+08:00"


def test_the_api_refuses_a_malformed_file_with_a_clear_error(api_client, firm_a):
    response = as_member(api_client, firm_a).post("/api/events/import/", {"file": upload(b"nonsense")},
                                                  format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_ics"
    assert "iCalendar" in response.json()["fields"]["file"][0]
    assert count_events(firm_a) == 0


def test_the_api_cannot_import_into_another_firms_calendar(api_client, firm_a, firm_b):
    response = as_member(api_client, firm_b, "secretary").post(
        "/api/events/import/", {"file": upload(), "owner": firm_a.members["partner"].pk}, format="multipart")
    assert response.status_code == 400 and "owner" in response.json()["fields"]
    assert count_events(firm_a) == count_events(firm_b) == 0


def test_the_page_shows_what_was_imported_and_what_was_skipped(client, firm_a):
    client.force_login(firm_a.user("associate"))
    response = client.post("/calendar/import/", {"file": upload(), "kind": "internal",
                                                  "owner": firm_a.members["associate"].pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "7 events imported." in body and "Dropped mention" in body and "Cancelled in the file." in body


def test_the_page_shows_a_malformed_file_beside_the_field(client, firm_a):
    client.force_login(firm_a.user("associate"))
    response = client.post("/calendar/import/", {"file": upload(b"nonsense"), "kind": "internal",
                                                  "owner": firm_a.members["associate"].pk})
    assert response.status_code == 400
    assert response.context["form"].errors["file"][0].startswith("This is not a readable iCalendar")
    assert count_events(firm_a) == 0


def test_times_near_midnight_land_on_the_hong_kong_day(firm_a):
    data = DIARY.replace(b"DTSTART:20260303T090000Z", b"DTSTART:20260303T170000Z")
    run(firm_a, data=data)
    assert imported(firm_a)["Call with London"].start == datetime(2026, 3, 4, 1, 0, tzinfo=HK)


def test_the_page_cannot_import_into_another_firms_calendar(client, firm_a, firm_b):
    client.force_login(firm_b.user("secretary"))
    response = client.post("/calendar/import/", {"file": upload(), "kind": "internal",
                                                  "owner": firm_a.members["partner"].pk})
    assert response.status_code == 400 and "owner" in response.context["form"].errors
    assert count_events(firm_a) == count_events(firm_b) == 0


# --- Two imports of one file at once ------------------------------------------------------------


def test_the_database_refuses_a_uid_imported_twice_into_one_calendar(firm_a):
    run(firm_a)
    with firm_a.scope():
        first = Event.objects.get(source_uid="london-call@chambers")
        with pytest.raises(IntegrityError), transaction.atomic():
            Event.objects.create(firm=firm_a.firm, owner=first.owner, kind="internal", title="Copy",
                                 start=first.start, end=first.end, uid="copy@test", source="ics-import",
                                 source_uid=first.source_uid)
        # Another calendar, or another source, may hold the same UID.
        Event.objects.create(firm=firm_a.firm, owner=firm_a.members["partner"], kind="internal", title="Copy",
                             start=first.start, end=first.end, uid="copy-2@test", source="ics-import",
                             source_uid=first.source_uid)
        Event.objects.create(firm=firm_a.firm, owner=first.owner, kind="internal", title="Copy",
                             start=first.start, end=first.end, uid="copy-3@test", source="clio",
                             source_uid=first.source_uid)


def test_an_import_that_finds_the_uid_taken_when_saving_skips_it_and_keeps_the_rest(firm_a, monkeypatch):
    run(firm_a)
    with firm_a.scope():
        Event.objects.filter(source_uid__in=["con-1@chambers", "ny@chambers"]).delete()
    # As if another import saved the rest between this one's check and its inserts.
    monkeypatch.setattr(ics_import_module, "_already_there", lambda owner, items: (set(), set()))
    result = run(firm_a)
    assert sorted(e.source_uid for e in result.created) == ["con-1@chambers", "ny@chambers"]
    skipped = {s["title"]: s["reason"] for s in result.skipped}
    assert skipped["Call with London"] == "Imported before (same UID)."
    assert count_events(firm_a) == 7
    with firm_a.scope():
        entry = AuditEntry.objects.filter(action="event.import").latest("seq")
        assert entry.changes["created"] == 2 and entry.changes["event_ids"] == [e.pk for e in result.created]
        assert AuditEntry.objects.filter(action="event.create").count() == 7 + 2  # none for the refused


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_save_each_event_once(firm_a, monkeypatch):
    both_checked = threading.Barrier(2, timeout=20)
    checked = ics_import_module._already_there

    def check_then_wait(owner, items):
        found = checked(owner, items)
        both_checked.wait()  # both have read "not there" before either saves
        return found

    monkeypatch.setattr(ics_import_module, "_already_there", check_then_wait)
    results, errors = [], []

    def importer():
        try:
            results.append(run(firm_a))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=importer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(len(r.created) for r in results) == [0, 7]
    loser = next(r for r in results if not r.created)
    assert {s["reason"] for s in loser.skipped if s["title"] != "Dropped mention"} == {"Imported before (same UID)."}
    assert count_events(firm_a) == 7


def test_the_migration_keeps_copies_made_before_the_constraint_and_frees_the_uid(firm_a, firm_b):
    from importlib import import_module
    from types import SimpleNamespace

    migration = import_module("calendar_sync.migrations.0008_event_imported_once")
    made = {}
    for world in (firm_a, firm_b):
        with world.scope():
            owner = world.members["associate"]
            made[world] = [Event.objects.create(firm=world.firm, owner=owner, kind="internal", title=f"Copy {n}",
                                                start=at(2), end=at(2, 10), uid=f"{world.firm.slug}-{n}@test",
                                                source="older-import", source_uid="same@chambers")
                           for n in range(3)]
    migration.mark_duplicate_imports(None, SimpleNamespace(connection=connection), source="older-import")
    for world in (firm_a, firm_b):
        with world.scope():
            uids = dict(Event.objects.filter(source="older-import").values_list("pk", "source_uid"))
        first, *later = made[world]
        assert uids == {first.pk: "same@chambers",
                        **{copy.pk: f"same@chambers#duplicate-{copy.pk}" for copy in later}}
