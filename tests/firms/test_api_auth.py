"""The API's front door: tokens, /api/me/, and clear errors for every bad request."""

import pytest

from audit.models import AuditEntry
from tests.conftest import DEMO_PASSWORD, token_for

TOKEN_URL = "/api/auth/token/"


def test_a_token_is_issued_for_the_right_password_and_works(api_client, firm_a):
    response = api_client.post(TOKEN_URL, {"email": "partner@alpha.test", "password": DEMO_PASSWORD},
                               format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = api_client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    body = me.json()
    assert body["person"]["email"] == "partner@alpha.test"
    assert body["firm"]["slug"] == "alpha"
    assert body["role"] == "partner"
    with firm_a.scope():
        assert AuditEntry.objects.filter(action="auth.sign_in", changes__method="api_token").count() == 1


def test_a_wrong_password_gets_401_with_a_message(api_client, firm_a):
    response = api_client.post(TOKEN_URL, {"email": "partner@alpha.test", "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "The e-mail address or password is not right.",
                               "code": "authentication_failed"}
    with firm_a.scope():
        assert AuditEntry.objects.filter(action="auth.sign_in_failed").count() == 1


def test_an_unknown_email_gets_the_same_401(api_client, db):
    response = api_client.post(TOKEN_URL, {"email": "ghost@alpha.test", "password": "x"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_locked_account_gets_429_and_retry_after(api_client, firm_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(TOKEN_URL, {"email": "trainee@alpha.test", "password": "no"}, format="json")
    response = api_client.post(TOKEN_URL, {"email": "trainee@alpha.test", "password": DEMO_PASSWORD},
                               format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "account_locked"
    assert int(response["Retry-After"]) == 15 * 60


def test_missing_fields_are_named(api_client, db):
    response = api_client.post(TOKEN_URL, {"email": "partner@alpha.test"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["password"] == ["This field is required."]


def test_a_malformed_json_body_gets_400_saying_so(api_client, db):
    response = api_client.generic("POST", TOKEN_URL, '{"email": "partner@alpha.test", ',
                                  content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"].startswith("The request body is not valid JSON")


@pytest.mark.parametrize("header", [None, "Token not-a-real-token", "Bearer abc", "Token"])
def test_a_missing_or_bad_token_gets_401(api_client, db, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = api_client.get("/api/me/", **extra)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_two_factor_firm_requires_the_code_for_a_token(api_client, firm_a):
    with firm_a.scope():
        firm_a.firm.require_two_factor = True
        firm_a.firm.save(update_fields=["require_two_factor"])
    response = api_client.post(TOKEN_URL, {"email": "partner@alpha.test", "password": DEMO_PASSWORD},
                               format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"


def test_me_works_with_a_session_too(client, firm_b):
    client.force_login(firm_b.user("trainee"))
    body = client.get("/api/me/").json()
    assert (body["firm"]["slug"], body["role"]) == ("bravo", "trainee")


def test_unknown_api_paths_answer_json_404(api_client, firm_a):
    response = api_client.get("/api/nothing-here/",
                              HTTP_AUTHORIZATION=f"Token {token_for(firm_a.user('partner'))}")
    assert response.status_code == 404
    assert response.json()["code"] == "page_not_found"


def test_the_openapi_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/auth/token/" in schema.content and b"/api/me/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_a_two_factor_firm_issues_a_token_for_the_right_code(api_client, firm_a):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with firm_a.scope():
        firm_a.firm.require_two_factor = True
        firm_a.firm.save(update_fields=["require_two_factor"])
    device = TOTPDevice.objects.create(user=firm_a.user("partner"), name="phone", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    wrong = api_client.post(TOKEN_URL, {"email": "partner@alpha.test", "password": DEMO_PASSWORD,
                                        "otp": "000000"}, format="json")
    assert wrong.status_code == 401
    throttled = api_client.post(TOKEN_URL, {"email": "partner@alpha.test", "password": DEMO_PASSWORD,
                                            "otp": code}, format="json")
    assert (throttled.status_code, throttled.json()["code"]) == (401, "otp_throttled")
    device.refresh_from_db()
    device.throttle_reset()  # as if the wait had passed
    right = api_client.post(TOKEN_URL, {"email": "partner@alpha.test", "password": DEMO_PASSWORD,
                                        "otp": code}, format="json")
    assert right.status_code == 200 and right.json()["token"]
