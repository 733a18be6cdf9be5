"""Uploading documents and versions: numbered, hashed, audited, never overwritten; refused
files leave nothing behind."""

import hashlib
import io
import os
import threading

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from audit.models import AuditEntry
from documents import services
from documents.models import Document, DocumentVersion
from tests.documents import files
from tests.documents.conftest import auth, stored_files


def _upload(api_client, case, user, *, title="Witness statement of Chan Tai Man", name="statement.pdf",
            content=None):
    content = files.text_pdf("I, CHAN Tai Man, say as follows") if content is None else content
    return api_client.post(f"/api/cases/{case.pk}/documents/",
                           {"title": title, "file": files.upload(name, content)},
                           format="multipart", **auth(user))


def test_an_upload_makes_a_document_with_version_1(api_client, firm_a, case_a, media_root):
    content = files.text_pdf("I, CHAN Tai Man, say as follows")
    response = _upload(api_client, case_a, firm_a.user("associate"), content=content)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Witness statement of Chan Tai Man"
    assert body["case_id"] == case_a.pk
    [version] = body["versions"]
    assert version["number"] == 1
    assert version["sha256"] == hashlib.sha256(content).hexdigest()
    assert version["size"] == len(content)
    assert version["content_type"] == "application/pdf"
    assert version["original_name"] == "statement.pdf"
    assert version["uploaded_by"]["membership_id"] == firm_a.members["associate"].pk
    assert version["text_status"] == "pending"
    assert version["download_url"].endswith(f"/api/documents/{body['id']}/versions/1/download/")
    sha = version["sha256"]
    assert stored_files(media_root) == [f"firms/{firm_a.firm.pk}/documents/{body['id']}/1-{sha[:16]}"]


def test_a_second_version_is_numbered_2_and_both_stay_readable(api_client, firm_a, document_a):
    second = files.docx()
    response = api_client.post(f"/api/documents/{document_a.pk}/versions/",
                               {"file": files.upload("claim-amended.docx", second)},
                               format="multipart", **auth(firm_a.user("partner")))

    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2
    assert response.json()["text_status"] == "not_applicable"
    detail = api_client.get(f"/api/documents/{document_a.pk}/", **auth(firm_a.user("associate"))).json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    with firm_a.scope():
        first_version, second_version = DocumentVersion.objects.filter(document=document_a).order_by("number")
    with default_storage.open(first_version.storage_name) as f:
        assert f.read() == files.text_pdf("Claim")
    with default_storage.open(second_version.storage_name) as f:
        assert f.read() == second
    assert second_version.sha256 == hashlib.sha256(second).hexdigest()
    assert first_version.storage_name != second_version.storage_name


def test_the_same_bytes_uploaded_again_are_a_new_version_not_an_overwrite(firm_a, document_a, media_root):
    with firm_a.scope():
        again = services.document_version_add(document=document_a, membership=firm_a.members["associate"],
                                              uploaded_file=files.upload("claim.pdf", files.text_pdf("Claim")))
        first = DocumentVersion.objects.get(document=document_a, number=1)
    assert again.number == 2 and again.sha256 == first.sha256
    assert len(stored_files(media_root)) == 2


def test_uploads_are_audited_with_the_case(api_client, firm_a, case_a, document_a):
    api_client.post(f"/api/documents/{document_a.pk}/versions/", {"file": files.upload("v2.pdf", files.text_pdf("v2"))},
                    format="multipart", **auth(firm_a.user("associate")))
    with firm_a.scope():
        entries = list(AuditEntry.objects.filter(action__startswith="document.").order_by("seq"))
    assert [(e.action, e.object_id, e.case_id) for e in entries] == [
        ("document.create", str(document_a.pk), case_a.pk),
        ("document.version_add", str(document_a.pk), case_a.pk),
    ]
    assert entries[1].changes["version"] == [None, 2]
    assert entries[1].actor_user_id == firm_a.user("associate").pk
    assert "v2.pdf" not in str(entries[1].changes)  # file names may hold personal data


REFUSED = [
    pytest.param("contract.pdf", files.WINDOWS_PROGRAM, "program", id="renamed-windows-program"),
    pytest.param("notes.docx", files.LINUX_PROGRAM, "program", id="renamed-linux-program"),
    pytest.param("bundle.pdf", files.broken_pdf(), "damaged", id="broken-pdf"),
    pytest.param("secret.pdf", files.encrypted_pdf(), "password", id="encrypted-pdf"),
    pytest.param("bomb.pdf", files.bomb_pdf(200 * 1024 * 1024), "decompression bomb", id="pdf-bomb"),
    pytest.param("archive.docx", files.plain_zip(), "zip archive", id="zip-not-docx"),
    pytest.param("macros.docx", files.docm(), "macros", id="macro-enabled-word"),
    pytest.param("empty.pdf", b"", "empty", id="empty-file"),
]


@pytest.mark.parametrize(("name", "content", "says"), REFUSED)
def test_a_bad_file_is_refused_saying_why_and_nothing_is_stored(api_client, firm_a, case_a, media_root,
                                                                 name, content, says):
    response = _upload(api_client, case_a, firm_a.user("associate"), name=name, content=content)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert says in body["fields"]["file"][0]
    assert body["detail"] == body["fields"]["file"][0]
    with firm_a.scope():
        assert not Document.objects.exists() and not DocumentVersion.objects.exists()
        assert not AuditEntry.objects.filter(action__startswith="document.").exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(api_client, firm_a, case_a, media_root,
                                                                      settings):
    settings.CASEROOM_MAX_UPLOAD_BYTES = 100
    response = _upload(api_client, case_a, firm_a.user("associate"), content=files.text_pdf("Claim"))

    assert response.status_code == 400
    assert "the largest file Caseroom accepts is 100\xa0bytes" in response.json()["fields"]["file"][0]
    with firm_a.scope():
        assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_refused_new_version_leaves_the_document_as_it_was(api_client, firm_a, document_a, media_root):
    response = api_client.post(f"/api/documents/{document_a.pk}/versions/",
                               {"file": files.upload("v2.pdf", files.WINDOWS_PROGRAM)},
                               format="multipart", **auth(firm_a.user("associate")))

    assert response.status_code == 400
    assert "program" in response.json()["fields"]["file"][0]
    with firm_a.scope():
        assert list(DocumentVersion.objects.values_list("number", flat=True)) == [1]
    assert len(stored_files(media_root)) == 1


def test_a_database_failure_after_the_file_is_written_removes_the_file(firm_a, case_a, media_root, monkeypatch):
    def audit_fails(**kwargs):
        assert stored_files(media_root), "the file should be written before the rows"
        raise RuntimeError("database went away")

    monkeypatch.setattr("documents.services.audit_record", audit_fails)
    with pytest.raises(RuntimeError), firm_a.scope():
        services.document_upload(case=case_a, membership=firm_a.members["associate"], title="Claim",
                                 uploaded_file=files.upload("claim.pdf", files.text_pdf("Claim")))

    assert stored_files(media_root) == []
    with firm_a.scope():
        assert not Document.objects.exists()


def test_a_title_is_required(api_client, firm_a, case_a, media_root):
    response = _upload(api_client, case_a, firm_a.user("associate"), title="  ")

    assert response.status_code == 400
    assert "title" in response.json()["fields"]
    assert stored_files(media_root) == []


def test_the_file_name_is_kept_for_showing_but_never_used_as_a_path(api_client, firm_a, case_a, media_root):
    response = _upload(api_client, case_a, firm_a.user("associate"), name="../../../etc/陳大文 證人陳述書.eml",
                       content=files.EML)

    assert response.status_code == 201, response.json()
    version = response.json()["versions"][0]
    assert version["original_name"] == "陳大文 證人陳述書.eml"
    assert version["content_type"] == "message/rfc822"
    assert all(path.startswith(f"firms/{firm_a.firm.pk}/documents/") for path in stored_files(media_root))


def test_a_large_upload_that_django_spools_to_disk_is_stored_whole(api_client, firm_a, case_a, media_root):
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buffer, format="PNG")
    content = buffer.getvalue()
    assert len(content) > 2_621_440  # above FILE_UPLOAD_MAX_MEMORY_SIZE: a temporary file

    response = _upload(api_client, case_a, firm_a.user("associate"), name="scan.png", content=content)

    assert response.status_code == 201, response.json()
    assert response.json()["versions"][0]["sha256"] == hashlib.sha256(content).hexdigest()
    [stored] = stored_files(media_root)
    assert (media_root / stored).read_bytes() == content


@pytest.mark.django_db(transaction=True)  # two connections, each committing
def test_two_versions_uploaded_at_once_get_numbers_2_and_3(firm_a, plain_case):
    from django.db import connection

    with firm_a.scope():
        document = services.document_upload(case=plain_case, membership=firm_a.members["partner"],
                                            title="Claim", uploaded_file=files.upload("v1.eml", files.EML))
    start, errors = threading.Barrier(2), []

    def add_version(n):
        try:
            start.wait()
            with firm_a.scope():
                services.document_version_add(document=document, membership=firm_a.members["partner"],
                                              uploaded_file=files.upload(f"v{n}.png", files.image("PNG")))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add_version, args=(n,)) for n in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with firm_a.scope():
        assert sorted(DocumentVersion.objects.values_list("number", flat=True)) == [1, 2, 3]
