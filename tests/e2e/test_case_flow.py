"""A case from intake to work, in a real browser: a new case hits a conflict, a partner clears it,
the lawyer lays out tasks and finishes a subtask inline, and the timeline tells all of it."""

import re

import pytest
from playwright.sync_api import expect

from audit.context import acting_as, system_actor
from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _load_court_prefixes():
    from cases.data.court_prefixes import COURT_PREFIXES
    from cases.models import CourtPrefix

    CourtPrefix.objects.bulk_create(
        [CourtPrefix(prefix=p, court=c, description_en=en, description_zh=zh) for p, c, en, zh in COURT_PREFIXES],
        ignore_conflicts=True)


@pytest.fixture
def court_prefixes(db):
    """Reference data loaded by a migration, which a transactional test's flush empties: put it
    back before this test (an earlier module may have flushed it)."""
    _load_court_prefixes()


@pytest.fixture(scope="module", autouse=True)
def _court_prefixes_back_afterwards(django_db_blocker):
    """…and after this module's last flush, for the modules that run later."""
    yield
    with django_db_blocker.unblock():
        _load_court_prefixes()


@pytest.fixture
def other_associate(firm_a):
    """An associate of the firm who is on another team, not this case's."""
    from firms import services

    with acting_as(system_actor("tests")), firm_a.scope():
        user = services.person_create(email="associate2@alpha.test", password=DEMO_PASSWORD,
                                      name_en="Second Associate")
        membership = services.member_add(firm=firm_a.firm, user=user, role="associate", office=firm_a.office)
        other_team = services.team_create(firm=firm_a.firm, name="Corporate", office=firm_a.office)
        services.team_member_add(team=other_team, membership=membership)
    return user


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_conflicted_case_is_cleared_and_worked_on(page, live_server, sign_in, court_prefixes, firm_a, case_a,
                                                    other_associate):
    # The lawyer opens a case whose defendant is already a party of the firm's case A-1.
    sign_in("associate@alpha.test", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name="New case").click()
    page.get_by_label("Our reference").fill("A-77")
    page.get_by_label("Title in English").fill("Beta Holdings v Alpha Trading")
    page.get_by_label("Court case number (optional)").fill("hca 55/2025")
    party = page.locator("[data-party-row]").first
    party.get_by_label("Name in English").fill("Alpha Trading Ltd")
    party.get_by_label("Name in Chinese").fill("阿爾法貿易有限公司")
    party.get_by_label("Role").select_option("defendant")
    party.get_by_label("Individual or company").select_option("company")
    second = page.locator("[data-party-row]").nth(1)
    second.get_by_label("Name in English").fill("Beta Holdings Limited")
    second.get_by_label("Role").select_option("plaintiff")
    second.get_by_label("Our client").check()
    page.get_by_role("button", name="Save and check for conflicts").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/conflicts/$"))
    case_url = re.sub(r"conflicts/$", "", page.url)
    expect(page.get_by_text("Awaiting conflict clearance: no work should start yet")).to_be_visible()
    hits = page.locator("table.table--hits")
    expect(hits).to_contain_text("阿爾法貿易有限公司")
    expect(hits).to_contain_text("A-1")
    expect(hits).to_contain_text("Alpha v Omega")
    expect(hits).to_contain_text("100%")
    expect(page.get_by_role("button", name="Clear and open the case")).to_have_count(0)
    expect(page.locator(".case-header")).to_contain_text("HCA 55/2025")
    expect(page.locator(".case-header")).to_contain_text("Beta Holdings Limited")  # the client
    sign_out(page)

    # A partner clears it with a reason; the case opens.
    sign_in("partner@alpha.test", DEMO_PASSWORD)
    page.goto(f"{case_url}conflicts/")
    page.get_by_label("Why these hits are not a conflict").fill("too short")
    page.get_by_role("button", name="Clear and open the case").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 10 characters")
    expect(page.get_by_label("Why these hits are not a conflict")).to_have_value("too short")
    page.get_by_label("Why these hits are not a conflict").fill(
        "Alpha Trading is our client in A-1 and consents in writing; no conflict.")
    page.get_by_role("button", name="Clear and open the case").click()
    expect(page.get_by_text("The conflict check is cleared and the case is open for work.")).to_be_visible()
    expect(page.locator(".case-header .status")).to_have_text("Open")
    sign_out(page)

    # The lawyer adds a task and a subtask, and finishes the subtask inline.
    sign_in("associate@alpha.test", DEMO_PASSWORD)
    page.goto(f"{case_url}tasks/")
    form = page.locator("form", has=page.get_by_role("button", name="Add task"))
    form.get_by_label("What needs doing").fill("Prepare the writ")
    form.get_by_label("Due date").fill("2030-01-31")
    form.get_by_label("Priority").select_option("high")
    form.get_by_label("Estimate").fill("1h 30m")
    form.get_by_role("button", name="Add task").click()
    expect(page.get_by_text("“Prepare the writ” is added.")).to_be_visible()
    page.get_by_role("link", name="Add subtask to Prepare the writ").click()
    expect(page.get_by_role("heading", name="Add a subtask to “Prepare the writ”")).to_be_visible()
    page.get_by_label("What needs doing").fill("Check the indorsement of claim")
    page.get_by_role("button", name="Add subtask").click()
    row = page.locator("tr", has=page.get_by_text("Prepare the writ", exact=True))
    expect(row).to_contain_text("0 of 1 done")

    page.get_by_label("Status of Check the indorsement of claim").select_option("done")
    subtask_row = page.locator("tr", has=page.get_by_text("Check the indorsement of claim", exact=True))
    expect(subtask_row).to_contain_text("Saved.")  # swapped in by htmx, no page load
    expect(row).to_contain_text("1 of 1 done")
    expect(page.get_by_label("Status of Check the indorsement of claim")).to_have_value("done")

    # The parent cannot be done while a subtask is open: the reason shows on its row.
    page.get_by_label("Status of Check the indorsement of claim").select_option("in_progress")
    expect(row).to_contain_text("0 of 1 done")  # the server's answer is in
    page.get_by_label("Status of Prepare the writ").select_option("done")
    expect(row).to_contain_text("Finish or cancel its subtasks first.")
    expect(page.get_by_label("Status of Prepare the writ")).to_have_value("todo")
    page.get_by_label("Status of Check the indorsement of claim").select_option("done")
    expect(row).to_contain_text("1 of 1 done")

    if page.locator(".tabs").get_by_role("link", name="Documents", exact=True).count():
        _upload_a_document_and_a_version(page, case_url)

    # Everything is on the timeline, newest first.
    page.goto(f"{case_url}timeline/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("moved “Check the indorsement of claim” to Done")
    expect(timeline).to_contain_text("added the task “Check the indorsement of claim”")
    expect(timeline).to_contain_text("added the task “Prepare the writ”")
    expect(timeline).to_contain_text("cleared the conflict check")
    expect(timeline).to_contain_text("ran the conflict check: 1 possible conflict(s)")
    expect(timeline).to_contain_text("created the case")
    text = timeline.inner_text()
    assert text.index("moved “Check the indorsement of claim” to Done") < text.index("created the case")
    page.get_by_label("What").select_option("task")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"kind=task"))
    expect(page.locator("#timeline")).not_to_contain_text("cleared the conflict check")
    sign_out(page)

    # An associate of another team cannot open the case.
    sign_in("associate2@alpha.test", DEMO_PASSWORD)
    response = page.goto(case_url)
    assert response.status == 404
    expect(page.get_by_text("Beta Holdings v Alpha Trading")).to_have_count(0)
    response = page.goto(f"{case_url}timeline/")
    assert response.status == 404


def _png(colour) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload_a_document_and_a_version(page, case_url):
    """Only when the documents part of the product is there (its own tests cover the details)."""
    page.goto(f"{case_url}documents/")
    documents = page.locator("#case-documents")
    documents.locator("#id_new_document_title").fill("Sketch of the quay")
    documents.locator("#id_new_document_file").set_input_files(
        {"name": "quay.png", "mimeType": "image/png", "buffer": _png("navy")})
    documents.get_by_role("button", name="Upload", exact=True).click()
    expect(documents).to_contain_text("quay.png")
    documents.locator("summary", has_text="Upload a new version").first.click()
    version = documents.locator("form", has=page.locator("input[type=file][id^=id_document_]")).first
    version.locator("input[type=file]").set_input_files(
        {"name": "quay-v2.png", "mimeType": "image/png", "buffer": _png("teal")})
    version.get_by_role("button", name="Upload version").click()
    expect(documents).to_contain_text("quay-v2.png")
    page.goto(f"{case_url}timeline/")
    expect(page.locator("#timeline")).to_contain_text("uploaded version 2 of “Sketch of the quay”")
    expect(page.locator("#timeline")).to_contain_text("uploaded “Sketch of the quay”")
