"""Notes and messages on a case, and its timeline (/api/cases/{id}/notes/, …/timeline/)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from cases import services
from cases.api.base import CaseScopedView, is_schema_generation
from cases.api.inputs import NoteInput, TimelineQuery, parsed
from cases.api.serializers import NoteSerializer, TimelinePageSerializer
from cases.models import Note, NoteMention
from cases.selectors.timeline import case_timeline


def _notes_with_people():
    mentions = NoteMention.objects.select_related("membership__user").order_by("pk")
    return Note.objects.select_related("author__user").prefetch_related(Prefetch("mentions", queryset=mentions))


class CaseNotesView(CaseScopedView, generics.ListAPIView):
    """The case's notes and messages, newest first."""

    serializer_class = NoteSerializer

    def get_queryset(self):
        if is_schema_generation(self):
            return Note.objects.none()
        return _notes_with_people().filter(case=self.case)

    @extend_schema(request=NoteInput, responses={201: NoteSerializer},
                   description="@handle in the text notifies that member; everyone mentioned must be "
                               "able to see the case.")
    def post(self, request, case_id):
        data = parsed(NoteInput, request.data)
        note = services.note_add(case=self.case, membership=self.membership, **data)
        return Response(NoteSerializer(_notes_with_people().get(pk=note.pk)).data, status=status.HTTP_201_CREATED)


class CaseTimelineView(CaseScopedView):
    @extend_schema(parameters=[TimelineQuery], responses=TimelinePageSerializer,
                   description="What happened on the case, newest first, from the audit log. Pages by "
                               "entry number: pass `next_before` as `before` for the next page.")
    def get(self, request, case_id):
        query = parsed(TimelineQuery, request.query_params)
        limit = query["limit"]
        # One more than a page tells whether there is a next page without a second query.
        items = case_timeline(case=self.case, kind=query.get("kind", ""), person=query.get("person"),
                              before=query.get("before"), limit=limit + 1)
        page = items[:limit]
        next_before = page[-1].seq if len(items) > limit else None
        return Response(TimelinePageSerializer({"results": page, "next_before": next_before}).data)
