"""Every version can be downloaded by those who may see the case, and each download is audited."""

from audit.models import AuditEntry
from documents import services
from tests.documents import files
from tests.documents.conftest import auth


def _downloads(firm):
    with firm.scope():
        return list(AuditEntry.objects.filter(action="document.download").values_list(
            "object_id", "case_id", "changes", "actor_user_id"))


def test_the_api_streams_the_version_as_an_attachment_and_audits_it(api_client, firm_a, case_a, document_a):
    partner = firm_a.user("partner")
    response = api_client.get(f"/api/documents/{document_a.pk}/versions/1/download/",
                              HTTP_ACCEPT="application/pdf", **auth(partner))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.text_pdf("Claim")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="claim.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    [(object_id, case_id, changes, actor)] = _downloads(firm_a)
    assert (object_id, case_id, changes["version"], actor) == (str(document_a.pk), case_a.pk, 1, partner.pk)


def test_the_page_downloads_any_version_and_audits_each_download(client, firm_a, document_a):
    with firm_a.scope():
        services.document_version_add(document=document_a, membership=firm_a.members["partner"],
                                      uploaded_file=files.upload("claim v2.eml", files.EML))
    client.force_login(firm_a.user("associate"))

    first = client.get(f"/documents/{document_a.pk}/versions/1/download/")
    second = client.get(f"/documents/{document_a.pk}/versions/2/download/")

    assert b"".join(first.streaming_content) == files.text_pdf("Claim")
    assert b"".join(second.streaming_content) == files.EML
    assert second["Content-Type"] == "message/rfc822"
    assert second["Content-Disposition"] == 'attachment; filename="claim v2.eml"'
    assert [changes["version"] for _, _, changes, _ in _downloads(firm_a)] == [1, 2]


def test_a_file_named_for_another_type_downloads_with_its_real_extension(api_client, firm_a, case_a):
    with firm_a.scope():
        document = services.document_upload(case=case_a, membership=firm_a.members["associate"],
                                            title="Site photo", uploaded_file=files.upload(
                                                "現場照片.pdf", files.image("PNG")))
    response = api_client.get(f"/api/documents/{document.pk}/versions/1/download/",
                              **auth(firm_a.user("associate")))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%8F%BE%E5%A0%B4%E7%85%A7%E7%89%87.pdf.png")


def test_a_version_that_does_not_exist_is_404_and_not_audited(api_client, firm_a, document_a):
    response = api_client.get(f"/api/documents/{document_a.pk}/versions/9/download/",
                              **auth(firm_a.user("associate")))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert _downloads(firm_a) == []
