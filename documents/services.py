"""Changes to documents. Each writes its audit entry in the same transaction.

A version's bytes go to the storage first and its row second, inside one atomic block; if
anything fails after the bytes are written they are deleted again, so a refused or failed
upload leaves neither a row nor a file. Nothing stored is ever overwritten or removed.
"""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Case
from config.errors import ValidationFailed
from documents import extraction
from documents.models import Document, DocumentVersion
from documents.validation import Kind, check_upload
from firms.models import Membership

TITLE_MAX_LENGTH = Document._meta.get_field("title").max_length
NAME_MAX_LENGTH = DocumentVersion._meta.get_field("original_name").max_length


@transaction.atomic
def document_upload(*, case: Case, membership: Membership, title: str, uploaded_file) -> Document:
    """A new document on a case, with the upload as its version 1."""
    _require_same_firm(membership, case.firm_id)
    title = _clean_title(title)
    kind = check_upload(uploaded_file)
    document = Document.objects.create(firm_id=case.firm_id, case=case, title=title, created_by=membership)
    _store_version(document=document, number=1, membership=membership, uploaded_file=uploaded_file,
                   kind=kind, action="document.create")
    return document


@transaction.atomic
def document_version_add(*, document: Document, membership: Membership, uploaded_file) -> DocumentVersion:
    """The upload as the document's next version; earlier versions stay as they are."""
    _require_same_firm(membership, document.firm_id)
    kind = check_upload(uploaded_file)
    # The document's row lock makes concurrent uploads queue for their numbers.
    Document.objects.select_for_update().only("pk").get(pk=document.pk)
    latest = document.versions.aggregate(latest=Max("number"))["latest"] or 0
    return _store_version(document=document, number=latest + 1, membership=membership,
                          uploaded_file=uploaded_file, kind=kind, action="document.version_add")


@transaction.atomic
def document_version_open_for_download(*, version: DocumentVersion, membership: Membership):
    """The version's bytes, opened for reading; the download is in the audit log."""
    _require_same_firm(membership, version.firm_id)
    handle = default_storage.open(version.storage_name, "rb")
    try:
        audit_record(action="document.download", object_type="document", object_id=version.document_id,
                     case_id=version.document.case_id, changes={"version": version.number, "sha256": version.sha256})
    except BaseException:
        handle.close()
        raise
    return handle


@transaction.atomic
def document_version_extract_text(*, version_id: int) -> None:
    """Read a PDF version's text for search. A repeated call changes nothing: the text is
    written only while the version is still pending (a guarded UPDATE)."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None or version.text_status != DocumentVersion.TextStatus.PENDING:
        return  # gone, or an earlier delivery did it
    try:
        text, status = extraction.pdf_text(version.storage_name), DocumentVersion.TextStatus.DONE
    except (extraction.ExtractionFailed, FileNotFoundError):
        text, status = "", DocumentVersion.TextStatus.FAILED
    claimed = DocumentVersion.objects.filter(pk=version.pk, text_status=DocumentVersion.TextStatus.PENDING) \
        .update(text=text, text_status=status)
    if claimed:
        # In the firm's log, not on the case timeline: that is for what people did.
        audit_record(action="document.text_extract", object_type="document", object_id=version.document_id,
                     changes={"version": version.number, "characters": len(text),
                              "text_status": [DocumentVersion.TextStatus.PENDING, status]})


# --- helpers ------------------------------------------------------------------------------

def _store_version(*, document: Document, number: int, membership: Membership, uploaded_file,
                   kind: Kind, action: str) -> DocumentVersion:
    sha256 = _sha256_of(uploaded_file)
    stored_name = default_storage.save(_storage_name(document, number, sha256), uploaded_file)
    try:
        with transaction.atomic():
            version = DocumentVersion.objects.create(
                firm_id=document.firm_id, document=document, number=number, storage_name=stored_name,
                sha256=sha256, size=uploaded_file.size, content_type=kind.content_type,
                original_name=_clean_name(uploaded_file.name), uploaded_by=membership,
                text_status=(DocumentVersion.TextStatus.PENDING if kind.has_pdf_text
                             else DocumentVersion.TextStatus.NOT_APPLICABLE))
            audit_record(action=action, object_type="document", object_id=document.pk,
                         case_id=document.case_id,
                         changes={"version": [None, number], "sha256": [None, sha256],
                                  "size": [None, version.size], "content_type": [None, kind.content_type]})
    except BaseException:
        default_storage.delete(stored_name)
        raise
    if kind.has_pdf_text:
        _queue_text_extraction(version)
    return version


def _queue_text_extraction(version: DocumentVersion) -> None:
    from documents import tasks  # tasks import this module

    version_id, firm_id = version.pk, version.firm_id
    transaction.on_commit(lambda: tasks.extract_text.delay(version_id, firm_id))


def _storage_name(document: Document, number: int, sha256: str) -> str:
    """Made from ids and the hash only: nothing the uploader chose reaches the path."""
    return f"firms/{document.firm_id}/documents/{document.pk}/{number}-{sha256[:16]}"


def _sha256_of(uploaded_file) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        message = _("Enter a title for the document.")
        raise ValidationFailed(message, fields={"title": [message]})
    if len(title) > TITLE_MAX_LENGTH:
        message = _("Make the title %(limit)s characters or fewer.") % {"limit": TITLE_MAX_LENGTH}
        raise ValidationFailed(message, fields={"title": [message]})
    return title


def _clean_name(name: str | None) -> str:
    """The uploader's file name, for showing and for the download only: never a path."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = NAME_MAX_LENGTH - len(dot + extension)
        name = stem[:keep] + dot + extension if dot and keep > 0 else name[:NAME_MAX_LENGTH]
    return name


def _require_same_firm(membership: Membership, firm_id: int) -> None:
    if membership is None or membership.firm_id != firm_id:
        raise ValidationFailed(_("Only members of the case's firm can do this."))
