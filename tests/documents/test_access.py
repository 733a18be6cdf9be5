"""Documents are seen through their case: another firm's person, and a trainee who is not on
the case team, get 404 from every endpoint and page, exactly as for a missing document."""

import pytest

from audit.models import AuditEntry
from documents.models import DocumentVersion
from tests.documents import files
from tests.documents.conftest import auth, stored_files

ENDPOINTS = [
    ("get", "/api/cases/{case}/documents/"),
    ("post", "/api/cases/{case}/documents/"),
    ("get", "/api/documents/{document}/"),
    ("post", "/api/documents/{document}/versions/"),
    ("get", "/api/documents/{document}/versions/1/download/"),
    ("post", "/documents/cases/{case}/upload/"),
    ("post", "/documents/{document}/versions/"),
    ("get", "/documents/{document}/versions/1/download/"),
]


def _call(client, method, path, case, document):
    url = path.format(case=case.pk, document=document.pk)
    if method == "get":
        return client.get(url)
    return client.post(url, {"title": "Smuggled", "file": files.upload("x.pdf", files.text_pdf("Smuggled"))})


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("who", ["another firm's partner", "a trainee off the case team"])
def test_people_who_cannot_see_the_case_get_404_from_every_endpoint(client, firm_a, firm_b, case_a,
                                                                    document_a, media_root, method, path, who):
    client.force_login(firm_b.user("partner") if who.startswith("another") else firm_a.user("trainee"))

    response = _call(client, method, path, case_a, document_a)

    assert response.status_code == 404
    assert b"Statement of Claim" not in response.content
    with firm_a.scope():
        assert DocumentVersion.objects.count() == 1
        assert not AuditEntry.objects.filter(action__in=["document.download", "document.version_add"]).exists()
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize(("method", "path"), [e for e in ENDPOINTS if e[1].startswith("/api/")])
def test_another_firms_document_looks_exactly_like_a_missing_one(api_client, firm_a, firm_b, case_a,
                                                                 document_a, method, path):
    headers = auth(firm_b.user("admin"))
    theirs = getattr(api_client, method)(path.format(case=case_a.pk, document=document_a.pk), **headers)
    missing = getattr(api_client, method)(path.format(case=999999999, document=999999999), **headers)

    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json()) == (
        404, {"detail": "Not found.", "code": "not_found"})


def test_the_case_team_and_partners_see_the_documents(api_client, firm_a, case_a, document_a):
    for role in ("associate", "partner", "admin"):
        response = api_client.get(f"/api/cases/{case_a.pk}/documents/", **auth(firm_a.user(role)))
        assert [d["title"] for d in response.json()["results"]] == ["Statement of Claim"], role


def test_signed_out_visitors_get_nothing(client, api_client, case_a, document_a):
    assert api_client.get(f"/api/documents/{document_a.pk}/").status_code in {401, 403}
    response = client.get(f"/documents/{document_a.pk}/versions/1/download/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
