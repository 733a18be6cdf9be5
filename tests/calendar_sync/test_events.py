"""Events: the services (times, kinds, repeats, conflicts, audit) and the events API
(who sees what, 404 across firms, 400 for bad input with nothing half-saved, 409 for conflicts)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from calendar_sync.models import Event, EventAttendee
from calendar_sync.selectors.recurrence import BadRule, normalise_rrule, occurrences
from calendar_sync.services.events import ConflictsFound, event_cancel, event_create, event_update
from config.errors import ValidationFailed
from tests.conftest import token_for

HK = ZoneInfo("Asia/Hong_Kong")
EVENTS = "/api/events/"


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=HK)


def make(world, role="associate", **fields) -> Event:
    """An event made through the service, as the firm's own code would."""
    values = {"kind": "internal", "title": "Team meeting", "start": at(2), "end": at(2, 10)}
    values.update(fields)
    with acting_as(system_actor("tests")), world.scope():
        return event_create(owner=world.members[role], **values)


def as_member(api_client, world, role="associate"):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.user(role))}")
    return api_client


def count_events(world) -> int:
    with world.scope():
        return Event.objects.count()


# --- The service: times, kinds, repeats -----------------------------------------------------


def test_an_event_is_stored_with_its_owner_as_attendee_and_audited(firm_a):
    event = make(firm_a, title="Conference with counsel")
    with firm_a.scope():
        assert list(EventAttendee.objects.filter(event=event).values_list("membership_id", flat=True)) == [
            firm_a.members["associate"].pk]
        entry = AuditEntry.objects.get(action="event.create", object_id=str(event.pk))
        assert entry.changes["title"] == [None, "Conference with counsel"]
    assert event.start == at(2) and event.uid.endswith("@caseroom")


def test_times_without_a_zone_are_hong_kong_time(firm_a):
    event = make(firm_a, start=datetime(2026, 3, 2, 9, 30), end=datetime(2026, 3, 2, 10, 30))
    assert event.start == at(2, 9, 30)
    assert event.start.utcoffset() is None or event.start.astimezone(HK).hour == 9


def test_an_all_day_event_runs_from_hong_kong_midnight_to_the_midnight_after_its_last_day(firm_a):
    event = make(firm_a, kind="leave", title="Annual leave", all_day=True, start=at(2, 15), end=at(4, 11))
    assert (event.start, event.end) == (at(2, 0), at(5, 0))


def test_the_end_before_the_start_is_refused(firm_a):
    with pytest.raises(ValidationFailed) as refused:
        make(firm_a, start=at(2, 10), end=at(2, 9))
    assert "end" in refused.value.fields
    assert count_events(firm_a) == 0


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "party"}, "kind"),
    ({"kind": "hearing", "rrule": "FREQ=WEEKLY"}, "rrule"),
    ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
    ({"rrule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),
    ({"title": "  "}, "title"),
    ({"title": "x" * 301}, "title"),
])
def test_bad_details_are_refused_by_field_and_nothing_is_saved(firm_a, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        make(firm_a, **fields)
    assert field in refused.value.fields
    assert count_events(firm_a) == 0


def test_a_repeat_rule_is_stored_plainly_with_its_until_in_utc(firm_a):
    event = make(firm_a, rrule="RRULE:freq=weekly;until=20260330")
    assert event.rrule == "FREQ=WEEKLY;UNTIL=20260330T155959Z"


def test_a_weekly_rule_expands_within_the_window_only():
    shown = occurrences(start=at(2), end=at(2, 10), rrule_text="FREQ=WEEKLY",
                        window_start=at(1, 0), window_end=datetime(2026, 4, 1, tzinfo=HK))
    assert [s.day for s, _e in shown] == [2, 9, 16, 23, 30]


def test_a_counted_rule_stops_after_its_count_even_far_from_the_window():
    shown = occurrences(start=at(2), end=at(2, 10), rrule_text="FREQ=DAILY;COUNT=3",
                        window_start=at(1, 0), window_end=datetime(2027, 1, 1, tzinfo=HK))
    assert len(shown) == 3


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=MONTHLY;BYDAY=6MO", "FREQ=WEEKLY;BYMONTHDAY=3",
                                  "FREQ=DAILY;COUNT=2;UNTIL=20260101", "FREQ=DAILY\nEXDATE:20260303",
                                  "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6", "FREQ=DAILY;BYHOUR=1,2"])
def test_rules_that_could_not_happen_or_would_run_away_are_refused(rule):
    with pytest.raises(BadRule):
        normalise_rrule(rule, start=at(2), all_day=False)


def test_a_change_bumps_the_sequence_and_is_audited_with_before_and_after(firm_a):
    event = make(firm_a)
    with acting_as(system_actor("tests")), firm_a.scope():
        changed = event_update(event=event, membership=firm_a.members["associate"], start=at(3), end=at(3, 10))
        entry = AuditEntry.objects.filter(action="event.update", object_id=str(event.pk)).get()
    assert changed.sequence == 1
    assert entry.changes["start"] == [at(2).isoformat(), at(3).isoformat()]


def test_cancelling_keeps_the_event_for_subscribed_calendars(firm_a):
    event = make(firm_a)
    with acting_as(system_actor("tests")), firm_a.scope():
        event_cancel(event=event, membership=firm_a.members["associate"])
        event.refresh_from_db()
    assert event.status == "cancelled" and event.sequence == 1


# --- Conflicts --------------------------------------------------------------------------------


def check(world, role="associate", **fields):
    return make(world, role, check_conflicts=True, **fields)


def test_a_person_double_booked_is_a_conflict_and_nothing_is_saved(firm_a):
    meeting = make(firm_a, title="Client call", kind="client_meeting", start=at(2, 9), end=at(2, 10))
    with pytest.raises(ConflictsFound) as found:
        check(firm_a, title="Team meeting", start=at(2, 9, 30), end=at(2, 11))
    [conflict] = found.value.conflicts
    assert (conflict.type, conflict.event_id, conflict.membership_id) == (
        "double_booked", meeting.pk, firm_a.members["associate"].pk)
    assert count_events(firm_a) == 1


def test_an_attendee_double_booked_is_a_conflict_too(firm_a):
    make(firm_a, "partner", title="Partners' lunch", start=at(2, 12), end=at(2, 14))
    with acting_as(system_actor("tests")), firm_a.scope(), pytest.raises(ConflictsFound) as found:
        event_create(owner=firm_a.members["associate"], attendees=[firm_a.members["partner"]], kind="internal",
                     title="File review", start=at(2, 13), end=at(2, 15), check_conflicts=True)
    assert [c.membership_id for c in found.value.conflicts] == [firm_a.members["partner"].pk]


def test_touching_events_cancelled_events_and_all_day_deadlines_are_no_conflict(firm_a):
    make(firm_a, start=at(2, 8), end=at(2, 9))
    cancelled = make(firm_a, title="Dropped", start=at(2, 9), end=at(2, 10))
    with acting_as(system_actor("tests")), firm_a.scope():
        event_cancel(event=cancelled, membership=firm_a.members["associate"])
    make(firm_a, kind="filing_deadline", title="Defence due", all_day=True, start=at(2, 0))
    make(firm_a, kind="limitation", title="Limitation", all_day=True, start=at(2, 0))
    event = check(firm_a, title="Drafting", start=at(2, 9), end=at(2, 10))
    assert event.accepted_conflicts == []


def test_a_hearing_on_a_day_of_leave_is_a_conflict_even_at_another_hour(firm_a):
    leave = make(firm_a, kind="leave", title="Half day off", start=at(5, 14), end=at(5, 18))
    with pytest.raises(ConflictsFound) as found:
        check(firm_a, kind="hearing", title="CMC", start=at(5, 9, 30), end=at(5, 10, 30))
    assert [(c.type, c.event_id) for c in found.value.conflicts] == [("on_leave", leave.pk)]


def test_leave_over_a_booked_hearing_is_a_conflict(firm_a):
    hearing = make(firm_a, kind="hearing", title="Trial", start=at(9, 10), end=at(9, 17))
    with pytest.raises(ConflictsFound) as found:
        check(firm_a, kind="leave", title="Holiday", all_day=True, start=at(9, 0), end=at(13, 0))
    assert [(c.type, c.event_id) for c in found.value.conflicts] == [("on_leave", hearing.pk)]


def test_counsel_at_two_hearings_at_once_is_its_own_conflict(firm_a):
    counsel = firm_a.members["partner"]
    with acting_as(system_actor("tests")), firm_a.scope():
        first = event_create(owner=firm_a.members["associate"], counsel=[counsel], kind="hearing",
                             title="HCA 1/2026 hearing", start=at(10, 10), end=at(10, 12))
        with pytest.raises(ConflictsFound) as found:
            event_create(owner=firm_a.members["trainee"], counsel=[counsel], kind="hearing",
                         title="DCCJ 5/2026 hearing", start=at(10, 11), end=at(10, 13), check_conflicts=True)
    assert [(c.type, c.membership_id, c.event_id) for c in found.value.conflicts] == [
        ("counsel_hearings", counsel.pk, first.pk)]


def test_a_repeating_event_clashes_on_a_later_occurrence(firm_a):
    weekly = make(firm_a, title="Weekly team meeting", rrule="FREQ=WEEKLY", start=at(2, 9), end=at(2, 10))
    with pytest.raises(ConflictsFound) as found:
        check(firm_a, title="Client call", kind="client_meeting", start=at(23, 9, 15), end=at(23, 9, 45))
    assert [(c.event_id, c.start) for c in found.value.conflicts] == [(weekly.pk, at(23, 9))]


def test_accepted_conflicts_are_kept_with_the_event_and_in_the_audit_entry(firm_a):
    other = make(firm_a, title="Client call", start=at(2, 9), end=at(2, 10))
    event = check(firm_a, title="Drafting", start=at(2, 9), end=at(2, 10), accept_conflicts=True,
                  acting=firm_a.members["secretary"])
    [kept] = event.accepted_conflicts
    assert kept["type"] == "double_booked" and kept["event_id"] == other.pk
    assert kept["accepted_by"] == firm_a.members["secretary"].pk
    with firm_a.scope():
        entry = AuditEntry.objects.get(action="event.create", object_id=str(event.pk))
    assert entry.changes["accepted_conflicts"][1] == [{
        "type": "double_booked", "membership_id": firm_a.members["associate"].pk, "event_id": other.pk,
        "accepted_by": firm_a.members["secretary"].pk}]


def test_moving_an_event_onto_another_is_checked_and_the_event_itself_is_not_a_conflict(firm_a):
    make(firm_a, title="Client call", start=at(2, 14), end=at(2, 15))
    event = make(firm_a, title="Drafting", start=at(2, 9), end=at(2, 10))
    with acting_as(system_actor("tests")), firm_a.scope():
        event_update(event=event, membership=firm_a.members["associate"], check_conflicts=True,
                     start=at(2, 9, 30), end=at(2, 10, 30))
        with pytest.raises(ConflictsFound):
            event_update(event=event, membership=firm_a.members["associate"], check_conflicts=True,
                         start=at(2, 14), end=at(2, 15))
        event.refresh_from_db()
    assert event.start == at(2, 9, 30)


# --- The API: who sees what ----------------------------------------------------------------------


@pytest.fixture
def case_event(firm_a, case_a):
    return make(firm_a, kind="hearing", title="Alpha v Omega: CMC", case=case_a, start=at(12, 10), end=at(12, 11))


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_firms_event_is_404_like_a_missing_one(api_client, firm_a, firm_b, case_event, method):
    client = as_member(api_client, firm_b, "partner")
    theirs = getattr(client, method)(f"{EVENTS}{case_event.pk}/", {"title": "Mine now"}, format="json")
    missing = getattr(client, method)(f"{EVENTS}999999999/", {"title": "Mine now"}, format="json")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    with firm_a.scope():
        case_event.refresh_from_db()
    assert case_event.title == "Alpha v Omega: CMC" and case_event.status == "confirmed"


def test_another_firm_lists_none_of_the_events(api_client, firm_a, firm_b, case_event):
    make(firm_a, title="Firm-wide training")
    assert as_member(api_client, firm_b, "partner").get(EVENTS).json()["results"] == []


def test_someone_off_the_case_team_does_not_see_its_events(api_client, firm_a, case_event):
    make(firm_a, title="Firm-wide training")
    client = as_member(api_client, firm_a, "trainee")
    assert [e["title"] for e in client.get(EVENTS).json()["results"]] == ["Firm-wide training"]
    assert client.get(f"{EVENTS}{case_event.pk}/").status_code == 404


def test_the_case_team_and_partners_see_the_case_events(api_client, firm_a, case_event):
    for role in ("associate", "partner"):
        response = as_member(api_client, firm_a, role).get(f"{EVENTS}{case_event.pk}/")
        assert response.json()["case"]["reference"] == "A-1", role


def test_someone_elses_leave_shows_only_as_leave(api_client, firm_a):
    leave = make(firm_a, kind="leave", title="Surgery — hospital", notes="Ward 7", all_day=True, start=at(20, 0))
    colleague = as_member(api_client, firm_a, "partner").get(f"{EVENTS}{leave.pk}/").json()
    assert (colleague["title"], colleague["notes"]) == ("Leave", "")
    assert colleague["owner"]["membership_id"] == firm_a.members["associate"].pk
    own = as_member(api_client, firm_a, "associate").get(f"{EVENTS}{leave.pk}/").json()
    assert own["title"] == "Surgery — hospital"


def test_a_colleague_cannot_change_someone_elses_leave(api_client, firm_a):
    leave = make(firm_a, kind="leave", title="Leave", all_day=True, start=at(20, 0))
    response = as_member(api_client, firm_a, "trainee").patch(f"{EVENTS}{leave.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 403


def test_a_colleague_cannot_turn_someone_elses_event_into_leave(api_client, firm_a):
    meeting = make(firm_a, title="Training")
    response = as_member(api_client, firm_a, "partner").patch(f"{EVENTS}{meeting.pk}/", {"kind": "leave"},
                                                              format="json")
    assert response.status_code == 403


# --- The API: making, changing, cancelling --------------------------------------------------------


def body(**fields):
    return {"kind": "internal", "title": "Knowledge lunch", "start": "2026-03-02T12:00:00+08:00",
            "end": "2026-03-02T13:00:00+08:00", **fields}


def test_an_event_is_made_through_the_api_in_hong_kong_time(api_client, firm_a):
    response = as_member(api_client, firm_a).post(EVENTS, body(start="2026-03-02T04:00:00Z", end=None),
                                                  format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["start"] == "2026-03-02T12:00:00+08:00"
    assert response.json()["end"] == "2026-03-02T13:00:00+08:00"


@pytest.mark.parametrize(("fields", "field"), [
    ({"end": "2026-03-02T11:00:00+08:00"}, "end"),
    ({"kind": "cocktails"}, "kind"),
    ({"kind": "hearing", "rrule": "FREQ=WEEKLY"}, "rrule"),
    ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule"),
    ({"start": "next tuesday"}, "start"),
    ({"attendees": [999999]}, "attendees"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_is_400_by_field_and_nothing_is_half_saved(api_client, firm_a, fields, field):
    response = as_member(api_client, firm_a).post(EVENTS, body(**fields), format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert count_events(firm_a) == 0
    with firm_a.scope():
        assert not EventAttendee.objects.exists()


def test_another_firms_case_and_people_cannot_be_used(api_client, firm_a, firm_b, case_a):
    client = as_member(api_client, firm_b, "partner")
    assert client.post(EVENTS, body(case=case_a.pk), format="json").json()["fields"].keys() == {"case"}
    response = client.post(EVENTS, body(attendees=[firm_a.members["associate"].pk]), format="json")
    assert response.json()["fields"].keys() == {"attendees"}
    assert count_events(firm_b) == 0


def test_a_clash_is_409_with_the_conflicts_until_accepted(api_client, firm_a):
    other = make(firm_a, title="Client call", start=at(2, 12), end=at(2, 13))
    client = as_member(api_client, firm_a)
    refused = client.post(EVENTS, body(), format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "conflicts"
    [conflict] = refused.json()["conflicts"]
    assert (conflict["type"], conflict["event_id"]) == ("double_booked", other.pk)
    assert "Client call" in conflict["message"]
    assert count_events(firm_a) == 1
    accepted = client.post(EVENTS, body(accept_conflicts=True), format="json")
    assert accepted.status_code == 201
    assert accepted.json()["accepted_conflicts"][0]["event_id"] == other.pk


def test_a_clash_with_an_event_the_asker_cannot_see_names_no_title(api_client, firm_a, case_a):
    make(firm_a, "trainee", kind="hearing", title="Secret hearing", case=case_a, start=at(2, 12), end=at(2, 13))
    response = as_member(api_client, firm_a, "trainee").post(EVENTS, body(), format="json")
    assert response.status_code == 409
    assert "Secret hearing" not in response.content.decode()


def test_moving_an_event_by_patch_into_a_clash_is_409(api_client, firm_a):
    make(firm_a, title="Client call", start=at(2, 15), end=at(2, 16))
    event = make(firm_a, title="Drafting", start=at(2, 9), end=at(2, 10))
    client = as_member(api_client, firm_a)
    moved = {"start": "2026-03-02T15:30:00+08:00", "end": "2026-03-02T16:30:00+08:00"}
    assert client.patch(f"{EVENTS}{event.pk}/", moved, format="json").status_code == 409
    response = client.patch(f"{EVENTS}{event.pk}/", {**moved, "accept_conflicts": True}, format="json")
    assert response.status_code == 200
    assert response.json()["start"] == "2026-03-02T15:30:00+08:00"
    assert response.json()["sequence"] == 1


def test_patching_the_end_before_the_start_is_400_and_changes_nothing(api_client, firm_a):
    event = make(firm_a)
    response = as_member(api_client, firm_a).patch(f"{EVENTS}{event.pk}/", {"end": "2026-03-01T09:00:00+08:00"},
                                                   format="json")
    assert response.status_code == 400 and "end" in response.json()["fields"]
    with firm_a.scope():
        event.refresh_from_db()
    assert event.end == at(2, 10) and event.sequence == 0


def test_a_computed_deadline_is_not_moved_by_patch(api_client, firm_a, case_a):
    from calendar_sync.deadlines.selectors import deadline_rule_by_code
    from calendar_sync.deadlines.services import deadline_create, deadline_rules_install_defaults

    with acting_as(system_actor("tests")), firm_a.scope():
        deadline_rules_install_defaults(firm_id=firm_a.firm.pk)
        rule = deadline_rule_by_code(firm_id=firm_a.firm.pk, code="acknowledgment-of-service")
        deadline = deadline_create(case=case_a, membership=firm_a.members["associate"], rule=rule,
                                   trigger_date=at(2).date())
    response = as_member(api_client, firm_a).patch(f"{EVENTS}{deadline.pk}/", {"start": "2026-04-01"},
                                                   format="json")
    assert response.status_code == 400 and response.json()["code"] == "computed_deadline"
    renamed = as_member(api_client, firm_a).patch(f"{EVENTS}{deadline.pk}/", {"title": "AoS due"}, format="json")
    assert renamed.status_code == 200


def test_delete_cancels_and_keeps_the_event(api_client, firm_a):
    event = make(firm_a)
    response = as_member(api_client, firm_a).delete(f"{EVENTS}{event.pk}/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert as_member(api_client, firm_a).get(EVENTS).json()["results"] == []
    listed = as_member(api_client, firm_a).get(EVENTS, {"include_cancelled": "true"}).json()["results"]
    assert [e["id"] for e in listed] == [event.pk]


# --- The API: filters -------------------------------------------------------------------------------


def titles(response) -> list[str]:
    return [e["title"] for e in response.json()["results"]]


def test_the_list_filters_by_range_person_team_case_and_kind(api_client, firm_a, case_event):
    make(firm_a, "partner", title="Partners' meeting", start=at(3, 9), end=at(3, 10))
    make(firm_a, "associate", kind="client_meeting", title="Client call", start=at(4, 9), end=at(4, 10))
    make(firm_a, "associate", title="April drafting", start=at(2, 9, month=4), end=at(2, 10, month=4))
    client = as_member(api_client, firm_a, "partner")
    march = {"start": "2026-03-01", "end": "2026-04-01"}
    assert titles(client.get(EVENTS, march)) == ["Partners' meeting", "Client call", "Alpha v Omega: CMC"]
    assert titles(client.get(EVENTS, {**march, "person": firm_a.members["partner"].pk})) == ["Partners' meeting"]
    assert titles(client.get(EVENTS, {**march, "team": firm_a.team.pk})) == ["Client call", "Alpha v Omega: CMC"]
    assert titles(client.get(EVENTS, {"case": case_event.case_id})) == ["Alpha v Omega: CMC"]
    assert titles(client.get(EVENTS, {"kind": "client_meeting,hearing", **march})) == [
        "Client call", "Alpha v Omega: CMC"]


def test_a_bad_range_is_400(api_client, firm_a):
    client = as_member(api_client, firm_a)
    assert client.get(EVENTS, {"start": "soon"}).json()["fields"].keys() == {"start"}
    assert client.get(EVENTS, {"start": "2026-03-02", "end": "2026-03-01"}).json()["fields"].keys() == {"end"}


def test_a_repeating_event_lists_its_occurrences_in_the_range(api_client, firm_a):
    make(firm_a, title="Weekly team meeting", rrule="FREQ=WEEKLY;COUNT=10", start=at(2, 9), end=at(2, 10))
    [listed] = as_member(api_client, firm_a).get(EVENTS, {"start": "2026-03-10", "end": "2026-03-24"}).json()[
        "results"]
    assert [o["start"][:10] for o in listed["occurrences"]] == ["2026-03-16", "2026-03-23"]


def test_outsiders_with_no_firm_are_refused(api_client, db):
    from firms import services

    with acting_as(system_actor("tests")):
        outsider = services.person_create(email="client@example.test", password="x" * 12, name_en="Client")
    api_client.force_authenticate(outsider)
    assert api_client.get(EVENTS).status_code == 403


def test_the_api_schema_describes_the_events_endpoints(api_client, firm_a):
    schema = as_member(api_client, firm_a).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert {"/api/events/", "/api/events/{event_id}/", "/api/events/import/"} <= set(schema.json()["paths"])


def test_times_in_the_list_are_hong_kong_time(api_client, firm_a):
    make(firm_a, start=at(2, 23, 30), end=at(2, 23, 30) + timedelta(hours=1))
    [event] = as_member(api_client, firm_a).get(EVENTS).json()["results"]
    assert event["start"].endswith("+08:00") and event["start"].startswith("2026-03-02T23:30")
