"""Text of PDFs is read in the background, once, after the upload commits."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import default_storage
from django.utils import timezone

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from config.celery import app as celery_app
from documents import services
from documents.models import DocumentVersion
from documents.tasks import extract_text, requeue_text_extraction
from tests.documents import files
from tests.documents.conftest import auth


def _extract(firm, version_id):
    with acting_as(system_actor("extract_text")), firm.scope():
        services.document_version_extract_text(version_id=version_id)


def _version(firm, document):
    with firm.scope():
        return DocumentVersion.objects.get(document=document, number=1)


def _extraction_entries(firm):
    with firm.scope():
        return list(AuditEntry.objects.filter(action="document.text_extract").values_list(
            "actor_label", "case_id", "changes"))


def test_the_text_of_a_pdf_is_read_and_the_version_marked_done(firm_a, document_a):
    version = _version(firm_a, document_a)
    _extract(firm_a, version.pk)

    version = _version(firm_a, document_a)
    assert version.text_status == "done"
    assert "Claim" in version.text
    [(actor, case_id, changes)] = _extraction_entries(firm_a)
    assert (actor, case_id, changes["text_status"]) == ("system:extract_text", None, ["pending", "done"])


def test_reading_the_text_again_changes_nothing(firm_a, document_a):
    version = _version(firm_a, document_a)
    _extract(firm_a, version.pk)
    with firm_a.scope():
        DocumentVersion.objects.filter(pk=version.pk).update(text="kept as it is")

    _extract(firm_a, version.pk)

    assert _version(firm_a, document_a).text == "kept as it is"
    assert len(_extraction_entries(firm_a)) == 1


def test_a_pdf_that_cannot_be_read_is_marked_failed(firm_a, document_a):
    version = _version(firm_a, document_a)
    with default_storage.open(version.storage_name, "wb") as stored:  # damage it behind our back
        stored.write(b"%PDF-1.7 garbage")

    _extract(firm_a, version.pk)

    assert _version(firm_a, document_a).text_status == "failed"


def test_other_kinds_have_no_text_to_read(firm_a, case_a):
    with firm_a.scope():
        document = services.document_upload(case=case_a, membership=firm_a.members["associate"],
                                            title="Offer", uploaded_file=files.upload("offer.eml", files.EML))
    assert _version(firm_a, document).text_status == "not_applicable"


def test_a_version_that_is_gone_is_skipped_quietly(firm_a):
    _extract(firm_a, 999_999_999)  # no error
    assert _extraction_entries(firm_a) == []


@pytest.fixture
def celery_worker_running():
    celery_app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def _wait_for_text(firm, document, timeout=20.0) -> DocumentVersion:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        version = _version(firm, document)
        if version.text_status != "pending":
            return version
        time.sleep(0.1)
    raise AssertionError("the worker did not read the text in time")


@pytest.mark.django_db(transaction=True)  # the upload must commit for the task to be queued
def test_a_real_worker_reads_the_text_after_the_upload_commits_and_a_second_delivery_changes_nothing(
        api_client, firm_a, plain_case, celery_worker_running):
    response = api_client.post(f"/api/cases/{plain_case.pk}/documents/", {
        "title": "Expert report", "file": files.upload("report.pdf", files.text_pdf(
            "Report of Dr Wong", "The vessel was unseaworthy"))}, format="multipart",
        **auth(firm_a.user("partner")))
    assert response.status_code == 201, response.json()
    document_id = response.json()["id"]

    version = _wait_for_text(firm_a, document_id)
    assert version.text_status == "done"
    assert "The vessel was unseaworthy" in version.text
    assert len(_extraction_entries(firm_a)) == 1

    extract_text.delay(version.pk, firm_a.firm.pk).get(timeout=20)  # delivered again

    again = _version(firm_a, document_id)
    assert (again.text, again.text_status) == (version.text, "done")
    assert len(_extraction_entries(firm_a)) == 1


def test_pdfs_still_waiting_an_hour_after_upload_are_queued_again(firm_a, firm_b, document_a, monkeypatch):
    queued = []
    monkeypatch.setattr(extract_text, "delay", lambda *args: queued.append(args))
    version = _version(firm_a, document_a)
    assert requeue_text_extraction() == 0  # just uploaded: its own task is on the way

    with firm_a.scope():
        DocumentVersion.objects.filter(pk=version.pk).update(uploaded_at=timezone.now() - timedelta(hours=2))
    assert requeue_text_extraction() == 1
    assert queued == [(version.pk, firm_a.firm.pk)]

    _extract(firm_a, version.pk)
    assert requeue_text_extraction() == 0  # done: nothing to queue
    assert len(queued) == 1
