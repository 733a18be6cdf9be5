"""The calendar in a real browser (Chromium), at desktop and phone width, in English and
Chinese: every view lays out without sideways scrolling, HTMX moves through it and keeps
the URL. With CALENDAR_SCREENSHOTS=<dir>, screenshots of each view are saved there (and
with CALENDAR_EXTRA_LOCALE=<dir>, a locale directory read before the project's, to see
Chinese text not yet in the catalogue)."""

import os
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit.context import acting_as, system_actor
from calendar_sync.services.events import event_create
from tests.calendar_sync.test_events import HK
from tests.conftest import DEMO_PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CALENDAR_SCREENSHOTS")
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run"]}


@pytest.fixture(autouse=True)
def _extra_locale(settings):
    extra = os.environ.get("CALENDAR_EXTRA_LOCALE")
    if extra:
        settings.LOCALE_PATHS = [extra, *settings.LOCALE_PATHS]


def when(day, hour=9, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=HK)


@pytest.fixture
def case_e2e(firm_a):
    """Like ``case_a``; the court prefixes are reference data that a transactional test's flush
    empties, so the number's prefix is accepted as it stands."""
    from cases.services import case_create

    with acting_as(system_actor("tests")), firm_a.scope():
        return case_create(membership=firm_a.members["associate"], reference="A-1", title_en="Alpha v Omega",
                           title_zh="阿爾法 訴 奧米加", case_number="HCA 1234/2024", unlisted_prefix_ok=True,
                           court="CFI", responsible_partner=firm_a.members["partner"])


@pytest.fixture
def busy_month(firm_a, case_e2e):
    """A litigator's March: hearings, deadlines, meetings, leave, a weekly meeting, clashes."""
    m, case_a = firm_a.members, case_e2e
    events = [
        (m["associate"], dict(kind="hearing", title="HCA 1234/2024 Case management conference", case=case_a,
                              start=when(10, 9, 30), end=when(10, 11), court="High Court", courtroom="Court 21, 7/F"),
         [m["partner"]]),
        (m["associate"], dict(kind="filing_deadline", title="File defence 送交抗辯書", case=case_a, all_day=True,
                              start=when(12, 0)), []),
        (m["associate"], dict(kind="limitation", title="Limitation: contract claim (6 years)", case=case_a,
                              all_day=True, start=when(27, 0)), []),
        (m["associate"], dict(kind="client_meeting", title="陳大文 CHAN Tai Man — witness statement", start=when(10, 14),
                              end=when(10, 15, 30), location="Meeting room 3"), []),
        (m["associate"], dict(kind="internal", title="Litigation team meeting", rrule="FREQ=WEEKLY;BYDAY=MO",
                              start=when(2, 9), end=when(2, 9, 45)), [m["trainee"]]),
        (m["associate"], dict(kind="internal", title="Knowledge lunch: PD 5.2 e-filing", start=when(10, 12, 30),
                              end=when(10, 13, 30)), []),
        (m["associate"], dict(kind="client_meeting", title="Call with Alpha Trading's CFO", start=when(10, 10, 30),
                              end=when(10, 11, 30)), []),
        (m["associate"], dict(kind="leave", title="Annual leave (Japan)", all_day=True, start=when(18, 0),
                              end=when(21, 0)), []),
        (m["associate"], dict(kind="internal", title="Billing review", start=when(11, 17), end=when(11, 18, 30)), []),
        (m["associate"], dict(kind="hearing", title="DCCJ 567/2025 Pre-trial review", start=when(13, 14, 30),
                              end=when(13, 16)), []),
        (m["associate"], dict(kind="client_meeting", title="Omega Shipping settlement meeting", start=when(10, 16),
                              end=when(10, 17)), []),
        (m["associate"], dict(kind="internal", title="Early training", start=when(12, 7, 30), end=when(12, 8, 30)), []),
    ]
    with acting_as(system_actor("tests")), firm_a.scope():
        for owner, fields, attendees in events:
            event_create(owner=owner, attendees=attendees, **fields)


def sign_in(page, live_server, email, language="en"):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.locator("input[name=username], input[type=email]").first.fill(email)
    page.locator("input[type=password]").first.fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def styled(page):
    """The calendar's stylesheet is linked from base.html (after caseroom.css)."""
    assert page.locator("link[href$='css/calendar.css']").count() == 1, \
        "base.html must link static/css/calendar.css"


def no_sideways_scroll(page):
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, wide
    return fits


@pytest.mark.parametrize("language", ["en", "zh-hant"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_view_fits_the_screen(page, live_server, busy_month, language, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server, "associate@alpha.test", language)
    for view in ("month", "week", "day", "list"):
        page.goto(f"{live_server.url}/calendar/?view={view}&date=2026-03-10")
        expect(page.locator("#calendar")).to_be_visible()
        styled(page)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{view}-{width}-{language}.png", full_page=True)
        assert no_sideways_scroll(page), f"{view} scrolls sideways at {width} in {language}"


def test_htmx_moves_to_the_next_week_and_keeps_the_url(page, live_server, busy_month):
    sign_in(page, live_server, "associate@alpha.test")
    page.goto(f"{live_server.url}/calendar/?view=week&date=2026-03-10")
    expect(page.locator("#cal-title")).to_have_text("9 – 15 Mar 2026")
    page.locator("#cal-next").click()
    expect(page.locator("#cal-title")).to_have_text("16 – 22 Mar 2026")
    assert "date=2026-03-17" in page.url and "view=week" in page.url
    expect(page.locator("#cal-next")).to_be_focused()
    page.get_by_label("Whose calendar").select_option("all")
    expect(page.locator(".cal-scope")).to_contain_text("The whole firm's calendar")
    assert "cal=all" in page.url and "date=2026-03-17" in page.url
    page.get_by_text("Court hearing", exact=True).click()  # unticks hearings: the rest stay
    expect(page.locator(".cal-scope")).to_contain_text("only Filing deadline")
    assert "kind=hearing" not in page.url


def test_the_form_shows_conflicts_before_saving(page, live_server, busy_month):
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in(page, live_server, "associate@alpha.test")
    page.goto(f"{live_server.url}/calendar/events/new/?date=2026-03-10")
    page.get_by_label("Title").fill("Draft the witness statement")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time (optional)").fill("11:00")
    page.get_by_label("End time (optional)").blur()
    expect(page.locator("#event-conflicts")).to_contain_text("HCA 1234/2024 Case management conference")
    page.get_by_role("button", name="Save the event").click()
    expect(page.get_by_label("Save anyway")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/form-conflicts-desktop-en.png", full_page=True)
    page.get_by_label("Save anyway").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Conflicts accepted when it was saved")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/event-detail-desktop-en.png", full_page=True)


def test_a_diary_is_imported_from_the_page(page, live_server, firm_a, tmp_path):
    diary = tmp_path / "diary.ics"
    diary.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:1@t\r\n"
                      b"SUMMARY:Conference with counsel\r\nDTSTART:20260302T013000Z\r\nDTEND:20260302T023000Z\r\n"
                      b"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:2@t\r\nSUMMARY:Gone\r\nSTATUS:CANCELLED\r\n"
                      b"DTSTART:20260303T013000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, live_server, "secretary@alpha.test")
    page.goto(f"{live_server.url}/calendar/import/")
    page.get_by_label("ICS file").set_input_files(str(diary))
    page.get_by_label("Into whose calendar").select_option(label="Partner of Alpha & Co (Partner)")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="1 event imported.")).to_be_visible()
    expect(page.get_by_text("Cancelled in the file.")).to_be_visible()
    styled(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/import-phone-en.png", full_page=True)
    assert no_sideways_scroll(page)
