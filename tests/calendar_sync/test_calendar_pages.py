"""The calendar's pages: month, week, day and list; event pages and forms (conflicts shown
before saving); 404 across firms for every page; query counts that do not grow with events."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from calendar_sync.models import Event
from calendar_sync.selectors import events_for_case
from tests.calendar_sync.test_events import HK, at, count_events, make

CALENDAR = "/calendar/"
MARCH = {"date": "2026-03-10"}


@pytest.fixture
def signed_in(client, firm_a):
    def sign_in(role="associate", world=firm_a):
        client.force_login(world.user(role))
        return client
    return sign_in


def shown(response) -> list[str]:
    return [o.title for o in response.context["occurrences"]]


# --- The views -----------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["month", "week", "day", "list"])
def test_each_view_shows_the_persons_own_events_by_default(signed_in, firm_a, view):
    make(firm_a, title="Drafting the defence", start=at(10, 9), end=at(10, 11))
    make(firm_a, "partner", title="Partners' meeting", start=at(10, 12), end=at(10, 13))
    response = signed_in().get(CALENDAR, {**MARCH, "view": view})
    assert response.status_code == 200
    assert shown(response) == ["Drafting the defence"]
    assert "Drafting the defence" in response.content.decode()


def test_the_month_shows_a_repeating_event_on_every_occurrence(signed_in, firm_a):
    make(firm_a, title="Weekly team meeting", rrule="FREQ=WEEKLY;BYDAY=MO", start=at(2, 9), end=at(2, 10))
    response = signed_in().get(CALENDAR, {**MARCH, "view": "month"})
    mondays = [day.date for week in response.context["weeks"] for day in week
               if any(o.title == "Weekly team meeting" for o in day.occurrences)]
    assert mondays == [date(2026, 3, d) for d in (2, 9, 16, 23, 30)]
    assert response.content.decode().count("Weekly team meeting") >= 5


def test_the_whole_firm_a_team_and_a_person_can_be_chosen(signed_in, firm_a):
    make(firm_a, "associate", title="Associate's drafting", start=at(10, 9), end=at(10, 10))
    make(firm_a, "partner", title="Partners' meeting", start=at(10, 12), end=at(10, 13))
    client = signed_in("trainee")
    assert shown(client.get(CALENDAR, {**MARCH, "person": "all"})) == ["Associate's drafting", "Partners' meeting"]
    assert shown(client.get(CALENDAR, {**MARCH, "cal": f"team:{firm_a.team.pk}"})) == ["Associate's drafting"]
    assert shown(client.get(CALENDAR, {**MARCH, "person": firm_a.members["partner"].pk})) == ["Partners' meeting"]
    assert shown(client.get(CALENDAR, {**MARCH, "cal": "all", "kind": "client_meeting"})) == []


def test_the_filters_stay_in_the_links_to_move_and_switch_views(signed_in, firm_a):
    response = signed_in().get(CALENDAR, {**MARCH, "view": "week", "team": firm_a.team.pk, "kind": "hearing"})
    links = response.context["links"]
    assert f"team={firm_a.team.pk}" in links["next"] and "kind=hearing" in links["next"]
    assert "date=2026-03-17" in links["next"] and "date=2026-03-03" in links["previous"]


def test_htmx_gets_only_the_calendar_and_the_url_is_kept(signed_in, firm_a):
    response = signed_in().get(CALENDAR, {**MARCH, "view": "list"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="calendar"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_a_case_events_are_hidden_from_those_off_the_case(signed_in, firm_a, case_a):
    make(firm_a, kind="hearing", title="Alpha v Omega: CMC", case=case_a, start=at(10, 10), end=at(10, 11))
    make(firm_a, title="Firm training", start=at(11, 10), end=at(11, 11))
    assert shown(signed_in("trainee").get(CALENDAR, {**MARCH, "person": "all"})) == ["Firm training"]
    assert shown(signed_in("partner").get(CALENDAR, {**MARCH, "person": "all"})) == [
        "Alpha v Omega: CMC", "Firm training"]


def test_a_colleagues_leave_shows_as_leave_with_their_name(signed_in, firm_a):
    make(firm_a, kind="leave", title="Surgery at Queen Mary", all_day=True, start=at(10, 0))
    body = signed_in("partner").get(CALENDAR, {**MARCH, "person": "all"}).content.decode()
    assert "Surgery" not in body
    assert "Leave · Associate of Alpha &amp; Co" in body


def test_the_month_shows_the_kinds_with_marks_and_words_not_colour_alone(signed_in, firm_a):
    make(firm_a, kind="hearing", title="CMC", start=at(10, 10), end=at(10, 11))
    body = signed_in().get(CALENDAR, MARCH).content.decode()
    assert 'class="chip chip--hearing' in body
    assert '<span class="visually-hidden">Court hearing:</span>' in body
    for label in ("Court hearing", "Filing deadline", "Limitation date", "Client meeting", "Internal", "Leave"):
        assert label in body  # the legend


def test_dates_read_as_people_read_them_in_chinese(signed_in, firm_a):
    make(firm_a, title="Drafting", start=at(10, 9), end=at(10, 10))
    client = signed_in()
    client.cookies["django_language"] = "zh-hant"
    body = client.get(CALENDAR, {**MARCH, "view": "list"}, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "2026年3月10日（星期二）" in body
    day = client.get(CALENDAR, {**MARCH, "view": "month"}, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert day.context["title"] == "2026年3月"


def test_a_bad_date_or_view_falls_back_to_this_month(signed_in, firm_a):
    response = signed_in().get(CALENDAR, {"date": "2026-02-30", "view": "year"})
    assert response.status_code == 200 and response.context["view"] == "month"


def test_the_month_view_takes_the_same_queries_for_5_or_40_events(signed_in, firm_a, case_a):
    client = signed_in()

    def queries_with(n: int) -> int:
        with firm_a.scope():
            Event.objects.all().delete()
        for i in range(n):
            make(firm_a, kind=["internal", "hearing", "client_meeting"][i % 3], case=case_a if i % 2 else None,
                 title=f"Event {i}", start=at(1 + i % 28, 8 + i % 9), end=at(1 + i % 28, 9 + i % 9),
                 attendees=[firm_a.members["partner"]], rrule="FREQ=WEEKLY;COUNT=3" if i % 3 == 0 else "")
        client.get(CALENDAR, MARCH)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CALENDAR, MARCH).status_code == 200
        return len(captured)

    assert queries_with(5) == queries_with(40)


# --- 404 across firms, for every page ---------------------------------------------------------


@pytest.fixture
def their_event(firm_a, case_a):
    return make(firm_a, kind="hearing", title="Alpha v Omega: CMC", case=case_a, start=at(10, 10), end=at(10, 11))


@pytest.mark.parametrize(("method", "url"), [
    ("get", "/calendar/events/{id}/"),
    ("get", "/calendar/events/{id}/edit/"),
    ("post", "/calendar/events/{id}/edit/"),
    ("post", "/calendar/events/{id}/cancel/"),
    ("get", "/calendar/events/new/?case={case}"),
    ("get", "/calendar/?case={case}"),
    ("get", "/calendar/?person={person}"),
    ("get", "/calendar/?team={team}"),
    ("post", "/calendar/events/check/"),
])
def test_another_firms_event_case_person_or_team_is_404(signed_in, firm_a, firm_b, their_event, case_a,
                                                        method, url):
    url = url.format(id=their_event.pk, case=case_a.pk, person=firm_a.members["associate"].pk, team=firm_a.team.pk)
    client = signed_in("partner", firm_b)
    data = {"event": their_event.pk, "title": "Mine now"} if method == "post" else None
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == 404
    assert "Alpha v Omega" not in response.content.decode()
    with firm_a.scope():
        their_event.refresh_from_db()
    assert their_event.status == "confirmed" and their_event.title == "Alpha v Omega: CMC"


def test_someone_off_the_case_team_gets_404_for_its_event(signed_in, their_event):
    assert signed_in("trainee").get(f"/calendar/events/{their_event.pk}/").status_code == 404


def test_pages_are_for_members_only(client, db):
    from firms import services

    with acting_as(system_actor("tests")):
        outsider = services.person_create(email="client@example.test", password="x" * 12, name_en="Client")
    client.force_login(outsider)
    for url in (CALENDAR, "/calendar/events/new/", "/calendar/import/"):
        assert client.get(url).status_code == 404


# --- Making and changing an event through the form -------------------------------------------------


def form(firm_a, **fields):
    data = {"kind": "internal", "title": "Knowledge lunch", "owner": firm_a.members["associate"].pk,
            "start_date": "2026-03-10", "start_time": "12:00", "end_time": "13:00", "repeat": ""}
    data.update(fields)
    return data


def test_the_form_makes_an_event_in_hong_kong_time(signed_in, firm_a):
    response = signed_in().post("/calendar/events/new/", form(firm_a))
    assert response.status_code == 302
    with firm_a.scope():
        event = Event.objects.get()
    assert (event.start, event.end) == (at(10, 12), at(10, 13))


def test_the_form_refuses_an_end_before_the_start_and_keeps_what_was_typed(signed_in, firm_a):
    response = signed_in().post("/calendar/events/new/", form(firm_a, end_time="11:00"))
    assert response.status_code == 400
    assert response.context["form"].errors["end_date"] == ["The end must be after the start."]
    assert 'value="Knowledge lunch"' in response.content.decode()
    assert count_events(firm_a) == 0


def test_a_repeat_is_for_internal_events_only(signed_in, firm_a):
    response = signed_in().post("/calendar/events/new/", form(firm_a, kind="client_meeting", repeat="FREQ=WEEKLY"))
    assert response.status_code == 400 and "rrule" in response.context["form"].errors
    response = signed_in().post("/calendar/events/new/", form(firm_a, repeat="custom", rrule="FREQ=NEVER"))
    assert response.status_code == 400 and "rrule" in response.context["form"].errors
    assert count_events(firm_a) == 0


def test_conflicts_are_shown_before_saving_and_saved_only_when_accepted(signed_in, firm_a):
    make(firm_a, title="Client call", start=at(10, 12), end=at(10, 13))
    client = signed_in()
    shown_first = client.post("/calendar/events/new/", form(firm_a))
    assert shown_first.status_code == 409
    body = shown_first.content.decode()
    assert "Client call" in body and "Save anyway" in body
    assert count_events(firm_a) == 1

    seen = shown_first.context["conflicts_seen"]
    not_ticked = client.post("/calendar/events/new/", form(firm_a, conflicts_seen=seen))
    assert not_ticked.status_code == 409 and count_events(firm_a) == 1

    accepted = client.post("/calendar/events/new/", form(firm_a, conflicts_seen=seen, accept_conflicts="on"))
    assert accepted.status_code == 302
    with firm_a.scope():
        event = Event.objects.get(title="Knowledge lunch")
        entry = AuditEntry.objects.get(action="event.create", object_id=str(event.pk))
    assert [c["type"] for c in event.accepted_conflicts] == ["double_booked"]
    assert entry.changes["accepted_conflicts"][1][0]["accepted_by"] == firm_a.members["associate"].pk
    page = client.get(f"/calendar/events/{event.pk}/").content.decode()
    assert "Conflicts accepted when it was saved" in page and "Client call" in page


def test_save_anyway_does_not_accept_a_conflict_that_was_not_shown(signed_in, firm_a):
    make(firm_a, title="Client call", start=at(10, 12), end=at(10, 13))
    client = signed_in()
    seen = client.post("/calendar/events/new/", form(firm_a)).context["conflicts_seen"]
    make(firm_a, title="New clash", start=at(10, 12, 30), end=at(10, 13))
    again = client.post("/calendar/events/new/", form(firm_a, conflicts_seen=seen, accept_conflicts="on"))
    assert again.status_code == 409 and "New clash" in again.content.decode()
    assert count_events(firm_a) == 2


def test_a_hearing_on_a_day_of_leave_is_shown_in_the_form(signed_in, firm_a):
    make(firm_a, kind="leave", title="Annual leave", all_day=True, start=at(10, 0))
    response = signed_in().post("/calendar/events/new/", form(firm_a, kind="hearing", title="CMC"))
    assert response.status_code == 409
    assert "is on leave on Tue 10 Mar 2026" in response.content.decode()


def test_the_live_check_shows_conflicts_without_saving(signed_in, firm_a):
    make(firm_a, title="Client call", start=at(10, 12), end=at(10, 13))
    response = signed_in().post("/calendar/events/check/", form(firm_a), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Client call" in response.content.decode()
    assert count_events(firm_a) == 1


def test_moving_an_event_in_the_form_is_checked_too(signed_in, firm_a):
    make(firm_a, title="Client call", start=at(10, 15), end=at(10, 16))
    event = make(firm_a, title="Drafting", start=at(10, 9), end=at(10, 10))
    client = signed_in()
    moved = form(firm_a, title="Drafting", start_time="15:00", end_time="16:00")
    response = client.post(f"/calendar/events/{event.pk}/edit/", moved)
    assert response.status_code == 409
    seen = response.context["conflicts_seen"]
    assert client.post(f"/calendar/events/{event.pk}/edit/",
                       {**moved, "conflicts_seen": seen, "accept_conflicts": "on"}).status_code == 302
    with firm_a.scope():
        event.refresh_from_db()
    assert event.start == at(10, 15) and event.accepted_conflicts


def test_the_edit_form_starts_from_the_event(signed_in, firm_a):
    event = make(firm_a, title="Weekly meeting", rrule="FREQ=WEEKLY", start=at(2, 9), end=at(2, 10),
                 attendees=[firm_a.members["partner"]])
    initial = signed_in().get(f"/calendar/events/{event.pk}/edit/").context["form"].initial
    assert initial["repeat"] == "FREQ=WEEKLY" and initial["start_time"].hour == 9
    assert initial["attendees"] == [str(firm_a.members["partner"].pk)]


def test_cancelling_from_the_page(signed_in, firm_a):
    event = make(firm_a)
    response = signed_in().post(f"/calendar/events/{event.pk}/cancel/")
    assert response.status_code == 302
    with firm_a.scope():
        event.refresh_from_db()
    assert event.status == "cancelled"


def test_a_colleague_cannot_change_someone_elses_leave_from_the_page(signed_in, firm_a):
    leave = make(firm_a, kind="leave", title="Leave", all_day=True, start=at(20, 0))
    client = signed_in("trainee")
    assert client.get(f"/calendar/events/{leave.pk}/edit/").status_code == 403
    assert client.post(f"/calendar/events/{leave.pk}/cancel/").status_code == 403


def test_leave_for_someone_else_is_for_admins_to_enter(signed_in, firm_a):
    data = form(firm_a, kind="leave", all_day="on", owner=firm_a.members["partner"].pk)
    response = signed_in("associate").post("/calendar/events/new/", data)
    assert response.status_code == 400 and "owner" in response.context["form"].errors
    assert signed_in("admin").post("/calendar/events/new/", data).status_code == 302


# --- A case's calendar tab ----------------------------------------------------------------------------


def test_a_cases_calendar_lists_its_coming_and_latest_events(firm_a, case_a, rf):
    make(firm_a, kind="hearing", title="Old hearing", case=case_a, start=datetime(2024, 5, 2, 10, tzinfo=HK),
         end=datetime(2024, 5, 2, 11, tzinfo=HK))
    make(firm_a, kind="hearing", title="Trial", case=case_a, start=datetime(2099, 5, 2, 10, tzinfo=HK),
         end=datetime(2099, 5, 2, 17, tzinfo=HK))
    make(firm_a, title="Not this case", start=datetime(2099, 5, 2, 10, tzinfo=HK),
         end=datetime(2099, 5, 2, 11, tzinfo=HK))
    with firm_a.scope():
        events = events_for_case(case=case_a, membership=firm_a.members["associate"])
        assert [o.title for o in events] == ["Old hearing", "Trial"]
        assert events_for_case(case=case_a, membership=firm_a.members["trainee"]) == []
        html = render_to_string("calendar_sync/_case_calendar.html", {"case": case_a, "events": events})
    assert "Trial" in html and "Sat 2 May 2099" in html and f"?case={case_a.pk}" in html


# --- Pages of the import ------------------------------------------------------------------------------


def test_the_import_page_offers_colleagues_only_to_those_who_keep_diaries(signed_in, firm_a):
    secretary = signed_in("secretary").get("/calendar/import/").context["form"]
    assert len(secretary.fields["owner"].choices) == len(firm_a.members)
    trainee = signed_in("trainee").get("/calendar/import/").context["form"]
    assert [pk for pk, _label in trainee.fields["owner"].choices] == [str(firm_a.members["trainee"].pk)]
