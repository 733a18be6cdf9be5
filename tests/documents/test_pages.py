"""The documents section of the case page: upload, new version, refusals beside the field."""

from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory

from documents import services
from documents.models import Document, DocumentVersion
from documents.selectors import documents_for_case
from tests.documents import files
from tests.documents.conftest import stored_files

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_uploading_on_the_page_goes_back_to_the_case_with_a_message(client, firm_a, case_a):
    client.force_login(firm_a.user("associate"))

    response = client.post(f"/documents/cases/{case_a.pk}/upload/", {
        "title": "Defence", "file": files.upload("defence.pdf", files.text_pdf("Defence"))})

    assert response.status_code == 302
    assert response["Location"] in {f"/cases/{case_a.pk}/documents/", f"/cases/{case_a.pk}/#case-documents"}
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["“Defence” is uploaded."]
    with firm_a.scope():
        assert Document.objects.get().title == "Defence"


def test_a_refused_upload_shows_why_beside_the_file_and_keeps_the_title(client, firm_a, case_a, media_root):
    client.force_login(firm_a.user("associate"))

    response = client.post(f"/documents/cases/{case_a.pk}/upload/", {
        "title": "Defence", "file": files.upload("defence.pdf", files.WINDOWS_PROGRAM)})

    assert response.status_code == 400
    page = response.content.decode()
    assert "<html" in page and "There is a problem" in page
    assert 'id="id_new_document_file_error"' in page
    assert "This file is a program, not a document." in page
    assert 'value="Defence"' in page
    assert stored_files(media_root) == []


def test_with_htmx_the_section_comes_back_alone(client, firm_a, case_a):
    client.force_login(firm_a.user("associate"))

    refused = client.post(f"/documents/cases/{case_a.pk}/upload/",
                          {"title": "", "file": files.upload("defence.pdf", files.text_pdf("Defence"))}, **HTMX)
    uploaded = client.post(f"/documents/cases/{case_a.pk}/upload/",
                           {"title": "Defence", "file": files.upload("defence.pdf", files.text_pdf("Defence"))},
                           **HTMX)

    assert refused.status_code == 400
    assert "<html" not in refused.content.decode()
    assert 'id="id_new_document_title_error"' in refused.content.decode()
    assert uploaded.status_code == 200
    section = uploaded.content.decode()
    assert section.lstrip().startswith('<section class="section" id="case-documents"')
    assert "“Defence” is uploaded." in section and "defence.pdf" in section


def test_a_new_version_from_the_page(client, firm_a, case_a, document_a):
    client.force_login(firm_a.user("partner"))

    response = client.post(f"/documents/{document_a.pk}/versions/",
                           {"file": files.upload("claim-v2.pdf", files.text_pdf("Claim, amended"))})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Version 2 of “Statement of Claim” is uploaded."]
    with firm_a.scope():
        assert list(DocumentVersion.objects.values_list("number", flat=True)) == [2, 1]


def test_a_refused_new_version_opens_that_documents_form_with_the_error(client, firm_a, case_a, document_a):
    client.force_login(firm_a.user("partner"))

    response = client.post(f"/documents/{document_a.pk}/versions/",
                           {"file": files.upload("claim-v2.pdf", files.encrypted_pdf())}, **HTMX)

    assert response.status_code == 400
    section = response.content.decode()
    assert f'id="id_document_{document_a.pk}_file_error"' in section
    assert "protected by a password" in section
    assert '<details class="details" open>' in section


def test_the_section_lists_each_document_with_its_versions_newest_first(firm_a, case_a, document_a):
    with firm_a.scope():
        version_2 = services.document_version_add(document=document_a, membership=firm_a.members["partner"],
                                                  uploaded_file=files.upload("claim.docx", files.docx()))
        request = RequestFactory().get(f"/cases/{case_a.pk}/")
        request.user = firm_a.user("associate")
        html = render_to_string("documents/_case_documents.html",
                                {"case": case_a, "documents": documents_for_case(case=case_a)}, request=request)

    assert "Statement of Claim" in html
    assert html.index("claim.docx") < html.index("claim.pdf")
    assert version_2.sha256[:12] in html
    assert f'href="/documents/{document_a.pk}/versions/2/download/"' in html
    assert f'href="/documents/{document_a.pk}/versions/1/download/"' in html
    assert f'action="/documents/{document_a.pk}/versions/"' in html
    assert f'action="/documents/cases/{case_a.pk}/upload/"' in html
    assert "Partner of Alpha &amp; Co" in html


def test_an_empty_section_says_what_to_do(firm_a, case_a):
    with firm_a.scope():
        html = render_to_string("documents/_case_documents.html",
                                {"case": case_a, "documents": documents_for_case(case=case_a)})
    assert "No documents yet." in html
    assert "<details class=\"details section\" open>" in html
