"""Private ICS feeds: valid RFC 5545 (checked by icalendar and by the stricter `ical` parser),
stable UIDs and SEQUENCE, cancellations, reminders, revocation, firm and case-team walls,
and a query count that does not grow with the number of events."""

import hashlib
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from audit.context import acting_as, system_actor
from calendar_sync.feeds import ics, tokens
from calendar_sync.models import Event, FeedToken, ReminderSetting
from calendar_sync.services.events import event_cancel, event_create, event_update
from cases.services import case_team_remove
from firms.tenancy import Tenant, set_tenant
from tests.conftest import token_for

HK = timezone.get_default_timezone()


def auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {token_for(user)}"}


def soon(days: int, hour: int = 10) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour), tzinfo=HK)


def make_event(world, *, owner_role="associate", attendees=(), **fields) -> Event:
    fields = {"kind": Event.Kind.HEARING, "title": "Hearing", "start": soon(10), **fields}
    with acting_as(system_actor("tests")), world.scope():
        return event_create(owner=world.members[owner_role],
                            attendees=[world.members[r] for r in attendees], **fields)


def feed_url_of(api_client, user, case=None) -> str:
    query = {"case": case.pk} if case else {}
    response = api_client.get("/api/calendar/feed-url/", query, **auth(user))
    assert response.status_code == 200, response.content
    return response.json()["url"]


def fetch(client, url):
    return client.get(url.removeprefix("http://testserver"))


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents(calendar: Calendar) -> dict:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


# --- Getting a URL ------------------------------------------------------------------------


def test_the_feed_url_stays_the_same_and_only_its_hash_is_stored(api_client, firm_a):
    user = firm_a.user("associate")
    first, again = feed_url_of(api_client, user), feed_url_of(api_client, user)
    assert first == again
    secret = re.fullmatch(r"http://testserver/calendar/sync/feed/([A-Za-z0-9_-]{43})\.ics", first).group(1)
    with firm_a.scope():
        [token] = FeedToken.objects.all()
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in repr(list(FeedToken.objects.values()))


def test_the_feed_needs_no_session_and_an_unknown_secret_is_404(client, api_client, firm_a):
    make_event(firm_a)
    url = feed_url_of(api_client, firm_a.user("associate"))
    assert fetch(client, url).status_code == 200
    assert client.get("/calendar/sync/feed/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/sync/feed/short.ics").status_code == 404


def test_revoking_gives_a_new_url_and_the_old_one_404s(client, api_client, firm_a):
    user = firm_a.user("associate")
    old = feed_url_of(api_client, user)
    response = api_client.post("/api/calendar/feed-url/revoke/", {}, format="json", **auth(user))
    assert response.status_code == 200
    new = response.json()["url"]
    assert new != old
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200
    assert feed_url_of(api_client, user) == new


def test_revoking_from_the_sync_page(client, firm_a):
    client.force_login(firm_a.user("associate"))
    page = client.get("/calendar/sync/")
    assert page.status_code == 200
    old = page.context["feed_url"]
    response = client.post("/calendar/sync/feed/revoke/")
    assert response.status_code == 302
    page = client.get("/calendar/sync/")
    assert page.context["feed_url"] != old
    assert fetch(client, old).status_code == 404


# --- What the feed holds, in valid RFC 5545 ----------------------------------------------


@pytest.fixture
def three_events(firm_a, case_a):
    hearing = make_event(firm_a, case=case_a, title="Case management conference", court="High Court",
                         courtroom="Court 12", start=soon(10, 10), end=soon(10, 11))
    deadline = make_event(firm_a, case=case_a, kind=Event.Kind.FILING_DEADLINE, title="File defence",
                          all_day=True, start=datetime.combine(timezone.localdate() + timedelta(days=20),
                                                               time.min, tzinfo=HK))
    meeting = make_event(firm_a, kind=Event.Kind.CLIENT_MEETING, title="Client meeting", start=soon(3))
    with acting_as(system_actor("tests")), firm_a.scope():
        hearing = event_update(event=hearing, membership=firm_a.members["associate"], courtroom="Court 14")
        meeting = event_cancel(event=meeting, membership=firm_a.members["associate"])
    return hearing, deadline, meeting


def test_the_feed_is_a_valid_publishing_calendar_in_hong_kong_time(client, api_client, firm_a, three_events):
    response = fetch(client, feed_url_of(api_client, firm_a.user("associate")))
    calendar = parsed(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == ics.PRODID
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "Associate of Alpha" in str(calendar["X-WR-CALNAME"])
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Hong_Kong"
    assert calendar.get_missing_tzids() == set()
    # Round trip, and a second, stricter parser.
    assert Calendar.from_ical(calendar.to_ical()) == calendar
    strict = IcsCalendarStream.calendar_from_ics(response.content.decode())
    assert {e.uid for e in strict.events} == {e.uid for e in three_events}


def test_each_event_keeps_its_uid_and_carries_its_sequence(client, api_client, firm_a, case_a, three_events):
    hearing, deadline, meeting = three_events
    found = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))
    assert set(found) == {hearing.uid, deadline.uid, meeting.uid}
    assert hearing.sequence == 1
    item = found[hearing.uid]
    assert item["SEQUENCE"] == 1
    assert item["SUMMARY"] == "Case management conference · A-1"
    assert str(item["LOCATION"]) == "High Court, Court 14"
    assert item["URL"] == f"http://testserver/cases/{case_a.pk}/"
    assert item["STATUS"] == "CONFIRMED"
    assert item.decoded("DTSTART") == hearing.start.astimezone(HK)
    assert item["DTSTART"].params["TZID"] == "Asia/Hong_Kong"
    assert item.decoded("DTSTAMP") == hearing.updated_at.replace(microsecond=0)  # iCalendar counts seconds
    assert item.decoded("LAST-MODIFIED") == hearing.updated_at.replace(microsecond=0)
    assert "Notes" not in item.to_ical().decode()


def test_a_cancelled_event_stays_in_the_feed_as_cancelled_without_reminders(client, api_client, firm_a,
                                                                             three_events):
    meeting = three_events[2]
    item = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))[meeting.uid]
    assert item["STATUS"] == "CANCELLED"
    assert item["SEQUENCE"] == 1
    assert str(item["SUMMARY"]).startswith("Cancelled: ")
    assert item.walk("VALARM") == []


def test_an_all_day_deadline_has_date_values_and_morning_reminders(client, api_client, firm_a, three_events):
    deadline = three_events[1]
    item = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))[deadline.uid]
    day = timezone.localdate() + timedelta(days=20)
    assert item.to_ical().decode().count("DTSTART;VALUE=DATE:") == 1
    assert item.decoded("DTSTART") == day
    assert item.decoded("DTEND") == day + timedelta(days=1)
    assert item["TRANSP"] == "TRANSPARENT"
    # The firm's defaults: 7 days, 1 day and the morning of, each at 08:00.
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in item.walk("VALARM"))
    assert triggers == [timedelta(hours=8) - timedelta(days=7), timedelta(hours=8) - timedelta(days=1),
                        timedelta(hours=8)]
    assert all(str(alarm["ACTION"]) == "DISPLAY" for alarm in item.walk("VALARM"))


def test_reminders_follow_the_firms_offsets(client, api_client, firm_a, three_events):
    with firm_a.scope():
        ReminderSetting.objects.create(firm=firm_a.firm, offsets_minutes=[120])
    hearing = three_events[0]
    item = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))[hearing.uid]
    assert [alarm.decoded("TRIGGER") for alarm in item.walk("VALARM")] == [-timedelta(hours=2)]


def test_reminder_triggers_drop_what_has_passed_and_ring_on_the_morning_of():
    event = Event(kind=Event.Kind.HEARING, status=Event.Status.CONFIRMED, all_day=False,
                  start=datetime(2026, 3, 10, 9, 30, tzinfo=HK))
    offsets = [7 * 24 * 60, 24 * 60, 0]
    assert ics.reminder_triggers(event, offsets, now=datetime(2026, 3, 1, tzinfo=HK)) == [
        -timedelta(days=7), -timedelta(days=1), -timedelta(hours=1, minutes=30)]
    assert ics.reminder_triggers(event, offsets, now=datetime(2026, 3, 5, tzinfo=HK)) == [
        -timedelta(days=1), -timedelta(hours=1, minutes=30)]
    meeting = Event(kind=Event.Kind.CLIENT_MEETING, status=Event.Status.CONFIRMED, all_day=False,
                    start=event.start)
    assert ics.reminder_triggers(meeting, offsets, now=datetime(2026, 3, 1, tzinfo=HK)) == []


def test_the_feed_keeps_a_year_each_way_and_drops_long_cancelled_events(client, api_client, firm_a):
    within = make_event(firm_a, kind=Event.Kind.INTERNAL, title="Within", start=soon(-300))
    too_old = make_event(firm_a, kind=Event.Kind.INTERNAL, title="Too old", start=soon(-400))
    too_far = make_event(firm_a, kind=Event.Kind.INTERNAL, title="Too far", start=soon(400))
    cancelled_long_ago = make_event(firm_a, kind=Event.Kind.INTERNAL, title="Off", start=soon(30))
    with acting_as(system_actor("tests")), firm_a.scope():
        event_cancel(event=cancelled_long_ago, membership=firm_a.members["associate"])
        Event.objects.filter(pk=cancelled_long_ago.pk).update(updated_at=timezone.now() - timedelta(days=90))
    found = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))
    assert within.uid in found
    assert not {too_old.uid, too_far.uid, cancelled_long_ago.uid} & set(found)


def test_a_repeating_event_carries_its_rule(client, api_client, firm_a):
    weekly = make_event(firm_a, kind=Event.Kind.INTERNAL, title="Team meeting", start=soon(-500),
                        rrule="FREQ=WEEKLY;BYDAY=MO")
    item = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))[weekly.uid]
    assert item["RRULE"]["FREQ"] == ["WEEKLY"]


def test_someone_elses_leave_is_not_in_a_feed_even_as_attendee(client, api_client, firm_a):
    leave = make_event(firm_a, owner_role="partner", attendees=["associate"], kind=Event.Kind.LEAVE,
                       title="Holiday in Kyoto", all_day=True, start=soon(5, 0))
    assert leave.uid not in vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))
    assert leave.uid in vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("partner")))))


# --- Who sees what -------------------------------------------------------------------------


def test_a_person_taken_off_the_case_team_no_longer_gets_its_events(client, api_client, firm_a, case_a):
    event = make_event(firm_a, case=case_a)
    url = feed_url_of(api_client, firm_a.user("associate"))
    assert event.uid in vevents(parsed(fetch(client, url)))
    with acting_as(system_actor("tests")), firm_a.scope():
        case_team_remove(case=case_a, membership=firm_a.members["associate"], by=firm_a.members["partner"])
    assert event.uid not in vevents(parsed(fetch(client, url)))


def test_only_events_the_person_owns_or_attends(client, api_client, firm_a, case_a):
    mine = make_event(firm_a, case=case_a, title="Mine")
    invited = make_event(firm_a, owner_role="partner", attendees=["associate"], title="Invited")
    others = make_event(firm_a, owner_role="partner", title="Partner only")
    found = vevents(parsed(fetch(client, feed_url_of(api_client, firm_a.user("associate")))))
    assert {mine.uid, invited.uid} <= set(found)
    assert others.uid not in found


def test_a_case_feed_holds_the_case_events_for_someone_who_can_see_the_case(client, api_client, firm_a, case_a):
    theirs = make_event(firm_a, owner_role="partner", case=case_a, title="Partner's hearing")
    unrelated = make_event(firm_a, title="Not this case")
    url = feed_url_of(api_client, firm_a.user("associate"), case=case_a)
    assert url != feed_url_of(api_client, firm_a.user("associate"))
    calendar = parsed(fetch(client, url))
    assert set(vevents(calendar)) == {theirs.uid}
    assert "A-1 HCA 1234/2024" in str(calendar["X-WR-CALNAME"])
    assert unrelated.uid not in vevents(calendar)


def test_a_case_feed_stops_when_its_reader_leaves_the_case_team(client, api_client, firm_a, case_a):
    make_event(firm_a, case=case_a)
    url = feed_url_of(api_client, firm_a.user("associate"), case=case_a)
    with acting_as(system_actor("tests")), firm_a.scope():
        case_team_remove(case=case_a, membership=firm_a.members["associate"], by=firm_a.members["partner"])
    assert fetch(client, url).status_code == 404


def test_no_case_feed_for_a_case_one_cannot_see(api_client, firm_a, firm_b, case_a):
    trainee = api_client.get("/api/calendar/feed-url/", {"case": case_a.pk}, **auth(firm_a.user("trainee")))
    other_firm = api_client.get("/api/calendar/feed-url/", {"case": case_a.pk}, **auth(firm_b.user("partner")))
    missing = api_client.get("/api/calendar/feed-url/", {"case": 999999999}, **auth(firm_b.user("partner")))
    assert trainee.status_code == other_firm.status_code == missing.status_code == 404
    assert other_firm.json() == missing.json() == {"detail": "Not found.", "code": "not_found"}
    revoke = api_client.post("/api/calendar/feed-url/revoke/", {"case": case_a.pk}, format="json",
                             **auth(firm_b.user("partner")))
    assert revoke.status_code == 404


def test_another_firms_feed_shows_nothing_of_ours(client, api_client, firm_a, firm_b, case_a):
    ours = make_event(firm_a, case=case_a)
    theirs = make_event(firm_b)
    found = vevents(parsed(fetch(client, feed_url_of(api_client, firm_b.user("associate")))))
    assert set(found) == {theirs.uid}
    assert ours.uid not in found


def test_the_sync_page_is_404_for_another_firms_case(client, firm_a, firm_b, case_a):
    client.force_login(firm_b.user("partner"))
    assert client.get(f"/calendar/sync/?case={case_a.pk}").status_code == 404
    client.force_login(firm_a.user("associate"))
    page = client.get(f"/calendar/sync/?case={case_a.pk}")
    assert page.status_code == 200
    assert page.context["feed_url"].startswith("http://testserver/calendar/sync/feed/")


def test_a_person_who_left_the_firm_gets_404(client, api_client, firm_a):
    url = feed_url_of(api_client, firm_a.user("associate"))
    with firm_a.scope():
        type(firm_a.members["associate"]).objects.filter(pk=firm_a.members["associate"].pk).update(is_active=False)
    assert fetch(client, url).status_code == 404


def test_the_lookup_policy_shows_only_the_token_asked_for(api_client, firm_a, firm_b):
    feed_url_of(api_client, firm_a.user("associate"))
    feed_url_of(api_client, firm_b.user("associate"))
    with firm_b.scope():
        [theirs] = FeedToken.objects.all()
    with transaction.atomic(), connection.cursor() as cursor:
        set_tenant(Tenant())
        assert FeedToken.objects.count() == 0
        cursor.execute("SELECT set_config('app.feed_token', %s, true)", [theirs.token_hash])
        assert list(FeedToken.objects.values_list("pk", flat=True)) == [theirs.pk]
        # SELECT only: the row cannot be changed through it.
        assert FeedToken.objects.filter(pk=theirs.pk).update(revoked_at=timezone.now()) == 0


def test_the_lookup_leaves_no_token_setting_behind(api_client, firm_a):
    url = feed_url_of(api_client, firm_a.user("associate"))
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    with transaction.atomic(), connection.cursor() as cursor:
        set_tenant(Tenant())
        assert tokens.feed_token_find(secret) is not None
        cursor.execute("SELECT current_setting('app.feed_token', true)")
        assert cursor.fetchone()[0] == ""
        assert FeedToken.objects.count() == 0


# --- Speed and caching ---------------------------------------------------------------------


def _queries_for_feed(client, url, *, cached: bool) -> int:
    if not cached:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert fetch(client, url).status_code == 200
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])


def test_the_number_of_queries_does_not_grow_with_the_events(client, api_client, firm_a, case_a):
    url = feed_url_of(api_client, firm_a.user("associate"))
    make_event(firm_a, case=case_a)
    fetch(client, url)  # the first fetch also records when the feed was last used
    few = _queries_for_feed(client, url, cached=False), _queries_for_feed(client, url, cached=True)
    for day in range(1, 16):
        make_event(firm_a, case=case_a if day % 2 else None, start=soon(day), title=f"Hearing {day}",
                   all_day=day % 3 == 0)
    many = _queries_for_feed(client, url, cached=False), _queries_for_feed(client, url, cached=True)
    assert many == few
    # Uncached: the events' versions, then the missing ones in full; cached: the versions only.
    assert few[0] == few[1] + 1
    # The firm unset and set, the token found, the person, the firm's reminders: 8 statements.
    assert few[1] == 9


def test_the_feed_is_the_same_from_the_cache_and_without_it(client, api_client, firm_a, three_events, monkeypatch):
    url = feed_url_of(api_client, firm_a.user("associate"))
    first = fetch(client, url).content
    assert fetch(client, url).content == first

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("calendar_sync.feeds.rendering.cache.get_many", broken)
    monkeypatch.setattr("calendar_sync.feeds.rendering.cache.set_many", broken)
    assert fetch(client, url).content == first


def test_after_a_change_the_feed_from_the_cache_is_the_feed_rendered_afresh(client, api_client, firm_a,
                                                                            three_events, monkeypatch):
    url = feed_url_of(api_client, firm_a.user("associate"))
    fetch(client, url)  # cached
    with acting_as(system_actor("tests")), firm_a.scope():
        event_update(event=three_events[0], membership=firm_a.members["associate"], title="Moved, again; twice")
    incremental = fetch(client, url).content  # the unchanged VEVENTs from the cache, the changed one new
    assert b"SUMMARY:Moved\\, again\\; twice" in incremental

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("calendar_sync.feeds.rendering.cache.get_many", broken)
    monkeypatch.setattr("calendar_sync.feeds.rendering.cache.set_many", broken)
    assert fetch(client, url).content == incremental


def test_a_cached_feed_drops_an_alarm_once_it_has_passed(client, api_client, firm_a, case_a, monkeypatch):
    hearing = make_event(firm_a, case=case_a, start=soon(10, 10), end=soon(10, 11))
    url = feed_url_of(api_client, firm_a.user("associate"))
    alarms = vevents(parsed(fetch(client, url)))[hearing.uid].walk("VALARM")
    assert len(alarms) == 3  # 7 days, 1 day, the morning of
    later = timezone.now() + timedelta(days=4)  # past the 7-day alarm; no event changed
    monkeypatch.setattr("calendar_sync.feeds.views.timezone.now", lambda: later)
    alarms = vevents(parsed(fetch(client, url)))[hearing.uid].walk("VALARM")
    assert sorted(alarm.decoded("TRIGGER") for alarm in alarms) == [-timedelta(days=1), -timedelta(hours=2)]


def test_an_unchanged_feed_answers_304_to_its_etag(client, api_client, firm_a, three_events):
    url = feed_url_of(api_client, firm_a.user("associate"))
    first = fetch(client, url)
    again = client.get(url.removeprefix("http://testserver"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    with acting_as(system_actor("tests")), firm_a.scope():
        event_update(event=three_events[0], membership=firm_a.members["associate"], title="Moved")
    changed = client.get(url.removeprefix("http://testserver"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200


def test_the_feed_url_api_is_for_firm_members(api_client, firm_a):
    assert api_client.get("/api/calendar/feed-url/").status_code in (401, 403)


def test_an_all_day_event_of_several_days_ends_the_day_after(firm_a):
    first = date(2026, 5, 4)
    event = Event(uid="x@caseroom", sequence=0, status=Event.Status.CONFIRMED, kind=Event.Kind.LEAVE,
                  title="Leave", all_day=True, start=datetime.combine(first, time.min, tzinfo=HK),
                  end=datetime.combine(first + timedelta(days=3), time.min, tzinfo=HK),
                  created_at=timezone.now(), updated_at=timezone.now())
    component = ics.vevent(event, triggers=[], url=None)
    assert component.decoded("DTSTART") == first
    assert component.decoded("DTEND") == first + timedelta(days=3)
    assert component["TRANSP"] == "OPAQUE"
