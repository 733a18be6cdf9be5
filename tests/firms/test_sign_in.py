"""Signing in on the web: success, failure, lock-out, two-factor, sign-out, passwords."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from firms.tenancy import tenant_scope
from tests.conftest import DEMO_PASSWORD

SIGN_IN = "/accounts/sign-in/"


def _actions(world, since=0):
    with world.scope():
        return list(AuditEntry.objects.filter(firm=world.firm, seq__gt=since)
                    .order_by("seq").values_list("action", flat=True))


def _last_seq(world):
    with world.scope():
        return AuditEntry.objects.filter(firm=world.firm).order_by("-seq").values_list("seq", flat=True)[0]


def _platform_actions():
    with tenant_scope(None, platform=True):
        return list(AuditEntry.objects.filter(firm=None).order_by("seq").values_list("action", "changes"))


def test_a_member_signs_in_and_lands_on_home(client, firm_a):
    since = _last_seq(firm_a)
    response = client.post(SIGN_IN, {"email": "Associate@Alpha.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get("/")
    assert home.status_code == 200
    assert "Alpha &amp; Co" in home.content.decode()
    assert _actions(firm_a, since) == ["auth.sign_in"]


def test_a_wrong_password_is_refused_clearly_and_audited(client, firm_a):
    since = _last_seq(firm_a)
    response = client.post(SIGN_IN, {"email": "associate@alpha.test", "password": "wrong"})
    assert response.status_code == 401
    assert "The e-mail address or password is not right." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _actions(firm_a, since) == ["auth.sign_in_failed"]


def test_an_unknown_email_gets_the_same_answer_and_a_platform_entry_without_the_address(client, db):
    response = client.post(SIGN_IN, {"email": "nobody@nowhere.test", "password": "whatever"})
    assert response.status_code == 401
    assert "The e-mail address or password is not right." in response.content.decode()
    (action, changes), = _platform_actions()
    assert action == "auth.sign_in_failed"
    assert changes["email"].startswith("sha256:") and "nowhere" not in str(changes)


def test_an_empty_form_says_what_is_missing(client, db):
    response = client.post(SIGN_IN, {"email": "", "password": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert page.count("Enter the e-mail address") == 2  # in the summary and beside the field
    assert page.count("Enter the password") == 2


def test_repeated_failures_lock_the_account_even_against_the_right_password(client, firm_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(SIGN_IN, {"email": "trainee@alpha.test", "password": "nope"}).status_code == 401
    locked = client.post(SIGN_IN, {"email": "trainee@alpha.test", "password": "nope"})
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.content.decode()
    again = client.post(SIGN_IN, {"email": "trainee@alpha.test", "password": DEMO_PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert _actions(firm_a).count("auth.locked_out") == 2
    # Another person of the same office is not locked out.
    assert client.post(SIGN_IN, {"email": "partner@alpha.test", "password": DEMO_PASSWORD}).status_code == 302


def test_sign_out_is_recorded_and_ends_the_session(client, firm_a):
    client.force_login(firm_a.user("partner"))
    since = _last_seq(firm_a)
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to sign-in
    assert _actions(firm_a, since) == ["auth.sign_out"]


def test_pages_need_a_signed_in_person(client, db):
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def test_a_redirect_after_sign_in_stays_on_this_site(client, firm_a):
    response = client.post(SIGN_IN + "?next=https://evil.example/", {
        "email": "partner@alpha.test", "password": DEMO_PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


# --- Two-factor ----------------------------------------------------------------------------


@pytest.fixture
def firm_with_two_factor(firm_a):
    with firm_a.scope():
        firm_a.firm.require_two_factor = True
        firm_a.firm.save(update_fields=["require_two_factor"])
    return firm_a


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_two_factor_firm_makes_a_member_enrol_then_verify(client, firm_with_two_factor):
    response = client.post(SIGN_IN, {"email": "associate@alpha.test", "password": DEMO_PASSWORD})
    assert response["Location"].startswith("/accounts/two-factor/")
    assert client.get("/cases/")["Location"].startswith("/accounts/two-factor/")  # nothing else yet

    enrol = client.get("/accounts/two-factor/")
    assert enrol.status_code == 200 and "<svg" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=firm_with_two_factor.user("associate"), confirmed=False)
    assert client.post("/accounts/two-factor/", {"code": "000000"}).status_code == 400
    assert client.post("/accounts/two-factor/", {"code": _code(device)}).status_code == 302
    assert client.get("/cases/").status_code == 200
    assert "auth.two_factor_enrolled" in _actions(firm_with_two_factor)


def test_a_wrong_second_factor_code_is_refused_and_audited(client, firm_with_two_factor):
    user = firm_with_two_factor.user("partner")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post(SIGN_IN, {"email": "partner@alpha.test", "password": DEMO_PASSWORD})
    response = client.post("/accounts/two-factor/", {"code": "123456"})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert client.get("/cases/").status_code == 302
    api = client.get("/api/me/")
    assert (api.status_code, api.json()["code"]) == (403, "otp_required")
    assert _actions(firm_with_two_factor)[-1] == "auth.two_factor_failed"


# --- Passwords -------------------------------------------------------------------------------


def test_password_change_is_recorded(client, firm_a):
    client.force_login(firm_a.user("associate"))
    response = client.post("/accounts/password/", {
        "old_password": DEMO_PASSWORD, "new_password1": "a-much-longer-secret-42",
        "new_password2": "a-much-longer-secret-42"})
    assert response.status_code == 302
    assert _actions(firm_a)[-1] == "auth.password_changed"


def test_password_reset_by_email_sets_a_new_password(client, firm_a):
    response = client.post("/accounts/password/reset/", {"email": "associate@alpha.test"})
    assert response.status_code == 302
    assert _actions(firm_a)[-1] == "auth.password_reset_requested"
    message, = mail.outbox
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    done = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "reset-to-this-secret-7", "new_password2": "reset-to-this-secret-7"})
    assert done.status_code == 302
    assert _actions(firm_a)[-1] == "auth.password_reset"
    assert client.post(SIGN_IN, {"email": "associate@alpha.test",
                                 "password": "reset-to-this-secret-7"}).status_code == 302


def test_the_firm_admin_turns_on_two_factor_and_it_is_audited(client, firm_a):
    client.force_login(firm_a.user("admin"))
    assert client.post("/accounts/firm/", {"require_two_factor": "on"}).status_code == 302
    with firm_a.scope():
        firm_a.firm.refresh_from_db()
        assert firm_a.firm.require_two_factor
        entry = AuditEntry.objects.filter(action="firm.settings_update").get()
    assert entry.changes == {"require_two_factor": [False, True]}


def test_an_associate_cannot_change_the_firms_settings(client, firm_a):
    client.force_login(firm_a.user("associate"))
    assert client.post("/accounts/firm/", {"require_two_factor": "on"}).status_code == 403
    with firm_a.scope():
        firm_a.firm.refresh_from_db()
        assert not firm_a.firm.require_two_factor


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.test"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


@pytest.mark.parametrize("path", ["/accounts/firm/", "/accounts/password/", "/audit/", "/"])
def test_a_password_alone_reaches_nothing_but_the_second_factor(client, firm_with_two_factor, path):
    client.post(SIGN_IN, {"email": "admin@alpha.test", "password": DEMO_PASSWORD})
    assert client.get(path)["Location"].startswith("/accounts/two-factor/")
    response = client.post("/accounts/firm/", {})  # would switch two-factor off
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    with firm_with_two_factor.scope():
        firm_with_two_factor.firm.refresh_from_db()
        assert firm_with_two_factor.firm.require_two_factor
