"""A person signs in, moves around, switches language, and signs out, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_partner_signs_in_sees_the_firms_case_and_switches_to_chinese(page, live_server, sign_in,
                                                                      firm_a, case_a):
    sign_in("partner@alpha.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Alpha & Co").first).to_be_visible()

    page.get_by_role("link", name="Cases").first.click()
    expect(page.get_by_role("link", name=re.compile("Alpha v Omega"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Alpha v Omega")).click()
    expect(page.get_by_text("HCA 1234/2024").first).to_be_visible()

    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.get_by_role("link", name="案件").first).to_be_visible()


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_email(page, sign_in, firm_a):
    sign_in("associate@alpha.test", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("The e-mail address or password is not right.")
    expect(page.get_by_label("E-mail address")).to_have_value("associate@alpha.test")


def test_another_firms_person_cannot_open_the_case(page, live_server, sign_in, firm_a, firm_b, case_a):
    sign_in("partner@bravo.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    response = page.goto(f"{live_server.url}/cases/{case_a.pk}/")
    assert response.status == 404
    expect(page.get_by_text("Alpha v Omega")).to_have_count(0)
