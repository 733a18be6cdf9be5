"""The feed's VEVENTs written as text (calendar_sync.feeds.vevent_text) say exactly what
ics.vevent (built with icalendar) says: both are parsed back with icalendar and compared
property by property, and the text is checked against RFC 5545 itself (folding at 75
octets, TEXT escaping, CRLF, time zones, all-day dates, alarms, cancellations)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import translation
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from icalendar import Event as VEvent

from calendar_sync.feeds import ics, vevent_text
from calendar_sync.models import Event
from cases.models import Case

HK = ics.HONG_KONG
CHANGED = datetime(2026, 11, 20, 3, 4, 5, 678901, tzinfo=UTC)
MADE = datetime(2026, 10, 1, 1, 2, 3, tzinfo=UTC)
CASE = Case(pk=7, reference="CL-2026-0042", case_number="HCA 1234/2026")
WEEK, DAY = -timedelta(days=7), -timedelta(days=1)


def event(**fields) -> Event:
    values = {"uid": "0b8e2f0c-1111-4c2d-9e0f-123456789abc@caseroom", "sequence": 3, "kind": Event.Kind.HEARING,
              "status": Event.Status.CONFIRMED, "title": "Case management conference", "all_day": False,
              "start": datetime(2027, 3, 2, 9, 30, tzinfo=HK), "end": datetime(2027, 3, 2, 10, 30, tzinfo=HK),
              "court": "High Court", "courtroom": "Court 12", "location": "", "rrule": "",
              "created_at": MADE, "updated_at": CHANGED, **fields}
    case = values.pop("case", None)
    made = Event(**values)
    if case is not None:
        made.case = case
    return made


CASES = {
    "hearing on a case, with reminders": (event(case=CASE), [WEEK, DAY, -timedelta(hours=1, minutes=30)],
                                          "https://caseroom.example/cases/7/"),
    "all-day deadline": (event(kind=Event.Kind.FILING_DEADLINE, all_day=True, title="Defence", court="", courtroom="",
                               start=datetime(2027, 3, 4, tzinfo=HK), end=datetime(2027, 3, 5, tzinfo=HK), case=CASE),
                         [timedelta(hours=8) + WEEK, timedelta(hours=8) + DAY, timedelta(hours=8)],
                         "https://caseroom.example/cases/7/"),
    "leave over several days": (event(kind=Event.Kind.LEAVE, all_day=True, title="Annual leave", court="",
                                      courtroom="", start=datetime(2027, 4, 1, tzinfo=HK),
                                      end=datetime(2027, 4, 8, tzinfo=HK)), [], None),
    "cancelled meeting": (event(kind=Event.Kind.CLIENT_MEETING, status=Event.Status.CANCELLED, court="",
                                courtroom="", location="Client's office, 18/F; Tower 2", case=CASE), [],
                          "https://caseroom.example/cases/7/"),
    "tentative, no length": (event(status=Event.Status.TENTATIVE, end=datetime(2027, 3, 2, 9, 30, tzinfo=HK)),
                             [DAY], None),
    "text to escape and fold": (event(
        title='Mention; "urgent", re: A\\B\nsecond line, and a very long title that goes on past the fold',
        location="Room 3, 5/F; High Court Building, 38 Queensway\\Admiralty", case=CASE),
        [WEEK], "https://caseroom.example/cases/7/?with=a,very;long&query=string-that-needs-folding-too"),
    "Chinese, folded inside no character": (event(
        title="就原訴傳票進行聆訊（第二天）：與大律師會面及準備文件冊，" * 3, court="高等法院", courtroom="第十二號法庭",
        case=Case(pk=8, reference="民-2026-0001", case_number="")), [WEEK], None),
}


@pytest.mark.parametrize("language", ["en", "zh-hant"])
@pytest.mark.parametrize("name", list(CASES))
def test_the_text_says_what_icalendar_says(name, language):
    instance, triggers, url = CASES[name]
    with translation.override(language):
        fast = vevent_text.vevent_bytes(instance, triggers=triggers, url=url)
        slow = ics.vevent(instance, triggers=triggers, url=url).to_ical()
    ours, theirs = VEvent.from_ical(fast), VEvent.from_ical(slow)
    assert _decoded(ours) == _decoded(theirs)
    assert [_decoded(a) for a in ours.walk("VALARM")] == [_decoded(a) for a in theirs.walk("VALARM")]
    assert len(ours.walk("VALARM")) == len(triggers)


def _decoded(component) -> dict:
    values = {}
    for name in component:
        value = component[name]
        decoded = component.decoded(name)
        if isinstance(decoded, list):
            decoded = tuple(str(v) for v in decoded)
        elif isinstance(decoded, bytes):
            decoded = decoded.decode()
        values[name] = (decoded, dict(getattr(value, "params", {}) or {}))
    return values


@pytest.mark.parametrize("name", list(CASES))
def test_the_text_is_rfc_5545(name):
    instance, triggers, url = CASES[name]
    data = vevent_text.vevent_bytes(instance, triggers=triggers, url=url)
    assert data.endswith(b"END:VEVENT\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    for number, line in enumerate(lines):
        assert len(line) <= 75, line
        line.decode()  # a fold never splits a UTF-8 character
        if line.startswith(b" "):
            previous = lines[number - 1].decode()
            run = len(previous) - len(previous.rstrip("\\"))
            assert run % 2 == 0, "an escape split over a fold"
    # Inside a feed: both parsers take it, and what was escaped comes back as written.
    document = ics.feed_document(name="Test", vevents=[data])
    strict = IcsCalendarStream.calendar_from_ics(document.decode())
    [item] = strict.events
    [component] = Calendar.from_ical(document).walk("VEVENT")
    assert item.uid == str(component["UID"]) == instance.uid
    assert str(component["SUMMARY"]) == ics._summary(instance)
    assert str(component["DESCRIPTION"]) == ics._description(instance, url)


def test_escaping_and_folding_of_awkward_text():
    assert vevent_text.text('a,b;c\\d\ne\r\nf') == "a\\,b\\;c\\\\d\\ne\\nf"
    folded = vevent_text.fold("SUMMARY:" + "x" * 66 + "\\," + "y" * 10)
    first, second = folded.split("\r\n ")
    assert first.endswith("x") and second.startswith("\\,")  # the escape moved whole to the next line
    assert vevent_text.fold("SUMMARY:short") == "SUMMARY:short"
    long = "DESCRIPTION:" + "é" * 200
    long_parts = vevent_text.fold(long).split("\r\n ")
    assert all(len(part.encode()) <= 75 - (index > 0) for index, part in enumerate(long_parts))
    assert "".join(long_parts) == long


def test_times_are_in_hong_kong_with_tzid_and_stamps_in_utc():
    instance, triggers, url = CASES["hearing on a case, with reminders"]
    data = vevent_text.vevent_bytes(instance, triggers=triggers, url=url).decode()
    assert "DTSTART;TZID=Asia/Hong_Kong:20270302T093000\r\n" in data
    assert "DTEND;TZID=Asia/Hong_Kong:20270302T103000\r\n" in data
    assert "DTSTAMP:20261120T030405Z\r\n" in data and "LAST-MODIFIED:20261120T030405Z\r\n" in data
    assert "TRIGGER:-P7D\r\n" in data and "TRIGGER:-PT1H30M\r\n" in data
    component = VEvent.from_ical(data)
    assert component.decoded("DTSTART") == datetime(2027, 3, 2, 9, 30, tzinfo=HK)


def test_all_day_events_have_dates_and_the_day_after_as_end():
    instance, triggers, url = CASES["leave over several days"]
    component = VEvent.from_ical(vevent_text.vevent_bytes(instance, triggers=triggers, url=url))
    assert component.decoded("DTSTART") == date(2027, 4, 1)
    assert component.decoded("DTEND") == date(2027, 4, 8)
    assert component["TRANSP"] == "OPAQUE"
    deadline = VEvent.from_ical(vevent_text.vevent_bytes(*CASES["all-day deadline"][:1], triggers=[], url=None))
    assert deadline.decoded("DTEND") == date(2027, 3, 5)
    assert deadline["TRANSP"] == "TRANSPARENT"


def test_a_cancelled_event_says_so_and_is_free():
    instance, triggers, url = CASES["cancelled meeting"]
    component = VEvent.from_ical(vevent_text.vevent_bytes(instance, triggers=triggers, url=url))
    assert component["STATUS"] == "CANCELLED"
    assert str(component["SUMMARY"]).startswith("Cancelled: ")
    assert component["TRANSP"] == "TRANSPARENT"
    assert component.walk("VALARM") == []


def test_a_repeating_event_is_built_by_icalendar_with_its_rule_and_exdates():
    start = datetime(2026, 1, 5, 9, tzinfo=HK)
    instance = event(kind=Event.Kind.INTERNAL, rrule="FREQ=WEEKLY;BYDAY=MO", start=start,
                     end=start + timedelta(hours=1), court="", courtroom="",
                     exdates=[start + timedelta(days=7)])
    data = vevent_text.vevent_bytes(instance, triggers=[], url=None)
    assert data == ics.vevent(instance, triggers=[], url=None).to_ical()
    component = VEvent.from_ical(data)
    assert component["RRULE"]["FREQ"] == ["WEEKLY"]
    assert component["EXDATE"].dts[0].dt == start + timedelta(days=7)


# Every column of Event, and whether a VEVENT shows it. A new column fails this test until it
# is placed: if a VEVENT should show it, ics.vevent and vevent_text.vevent_bytes both must.
IN_VEVENT = {"uid", "sequence", "updated_at", "created_at", "start", "end", "all_day", "title", "case", "status",
             "kind", "court", "courtroom", "location", "rrule", "exdates"}
NOT_IN_VEVENT = {"id", "firm", "owner", "notes", "rule", "trigger_date", "computed_date", "computation",
                 "override_reason", "is_done", "accepted_conflicts", "source", "source_uid",
                 "reminder_offsets_minutes"}  # reminders reach the VEVENT as its triggers


def test_every_event_column_is_placed_in_or_out_of_the_vevent():
    columns = {f.name for f in Event._meta.concrete_fields}
    assert columns - IN_VEVENT - NOT_IN_VEVENT == set(), "place the new column (see the comment above)"


def test_the_morning_of_an_all_day_event_rings_at_eight():
    instance, triggers, url = CASES["all-day deadline"]
    component = VEvent.from_ical(vevent_text.vevent_bytes(instance, triggers=triggers, url=url))
    start = datetime.combine(component.decoded("DTSTART"), time.min, tzinfo=HK)
    rings = sorted(start + alarm.decoded("TRIGGER") for alarm in component.walk("VALARM"))
    assert [moment.time() for moment in rings] == [time(8)] * 3


@pytest.mark.parametrize("line", [
    "SUMMARY:" + "x" * 66 + "\\," + "y" * 100,
    "SUMMARY:" + "x" * 66 + "\\\\" + "y" * 100,  # an escaped backslash: the pair stays together
    "SUMMARY:" + "x" * 67 + "\\\\" + "\\," * 60,
    "DESCRIPTION:" + "a\\nb" * 90,
    "URL:https://caseroom.example/" + "p" * 300,
])
def test_ascii_and_general_folding_agree_and_keep_escapes_whole(line):
    folded = vevent_text.fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert len(parts[0]) <= 75 and all(len(part) <= 74 for part in parts[1:])
    for part in parts[:-1]:
        run = len(part) - len(part.rstrip("\\"))
        assert run % 2 == 0
    assert VEvent.from_ical(f"BEGIN:VEVENT\r\n{folded}\r\nEND:VEVENT\r\n")  # icalendar unfolds it


def test_a_feed_document_splits_back_into_its_vevents():
    from calendar_sync.feeds.rendering import split_vevents

    parts = [vevent_text.vevent_bytes(instance, triggers=triggers, url=url)
             for instance, triggers, url in CASES.values()]
    parts.append(ics.vevent(event(rrule="FREQ=DAILY;COUNT=3", kind=Event.Kind.INTERNAL), triggers=[],
                            url=None).to_ical())
    document = ics.feed_document(name="Caseroom · BEGIN:VEVENT", vevents=parts)
    assert split_vevents(document) == parts
    assert split_vevents(ics.feed_document(name="empty", vevents=[])) == []
