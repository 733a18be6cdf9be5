"""Reads of documents that pages and the API share. Access always goes through the case."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL

from cases.models import Case
from cases.selectors import case_for_member, on_visible_cases
from config.errors import NotFound
from documents.models import Document, DocumentVersion
from firms.models import Membership


def versions_newest_first() -> QuerySet[DocumentVersion]:
    """Versions for lists: who uploaded them, without the (large) extracted text."""
    return DocumentVersion.objects.select_related("uploaded_by__user").defer("text").order_by("-number")


def documents_for_case(*, case: Case) -> QuerySet[Document]:
    """The case's documents, newest first, each with its versions newest first: two queries."""
    return (
        Document.objects.filter(firm_id=case.firm_id, case=case)
        .select_related("created_by__user")
        .prefetch_related(Prefetch("versions", queryset=versions_newest_first()))
        .order_by("-created_at", "-pk")
    )


def document_for_member(membership: Membership | None, document_id) -> Document:
    """One document, or NotFound alike for missing, another firm's, and a case you cannot see."""
    if membership is None:
        raise NotFound()
    try:
        document = Document.objects.get(firm_id=membership.firm_id, pk=int(document_id))
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    document.case = case_for_member(membership, document.case_id)
    return document


def document_version_for_member(membership: Membership | None, document_id, number) -> DocumentVersion:
    document = document_for_member(membership, document_id)
    try:
        version = document.versions.get(number=int(number))
    except (DocumentVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    version.document = document
    return version


def documents_matching(*, membership: Membership | None, query: str) -> QuerySet[Document]:
    """Documents of the cases the person may see whose text (any version) contains the query."""
    query = (query or "").strip()
    if membership is None or not query:
        return Document.objects.none()
    # Ids from document_search_ids (migration 0002), which can use the trigram index on
    # the text; row-level security would forbid it to a LIKE here (docs/architecture.md).
    matching = RawSQL("SELECT document_search_ids(%s)", [query])
    return (
        on_visible_cases(Document.objects.all(), membership)
        .filter(pk__in=matching)
        .select_related("case")
        .order_by("-created_at", "-pk")
    )


def with_versions(document: Document) -> Document:
    """The document with its versions (newest first) and its creator loaded, for showing it."""
    prefetch_related_objects([document], "created_by__user",
                             Prefetch("versions", queryset=versions_newest_first()))
    return document


def versions_waiting_for_text(*, firm_id: int, uploaded_between: tuple, limit: int = 1000) -> list[int]:
    """Versions whose text is still to be read, uploaded in the given window, oldest first."""
    since, until = uploaded_between
    return list(
        DocumentVersion.objects.filter(firm_id=firm_id, text_status=DocumentVersion.TextStatus.PENDING,
                                       uploaded_at__gte=since, uploaded_at__lt=until)
        .order_by("uploaded_at").values_list("pk", flat=True)[:limit]
    )
