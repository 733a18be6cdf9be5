"""The calendar API: events (list with filters, make, read, change, cancel) and ICS import.

Thin: serializers parse, the selectors choose what the asker may see, the services change
things. Another firm's event, or one of a case the asker cannot see, is 404 like a missing one.
A new or moved event that clashes is refused with 409 and the conflicts, unless the request
says ``"accept_conflicts": true``; the acceptance is kept with the event and in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from calendar_sync.ics_import import ics_import
from calendar_sync.models import Event
from calendar_sync.selectors import (
    CalendarFilters,
    calendar_events,
    describe_conflicts,
    event_for_member,
    may_change_event,
    shows_details,
)
from calendar_sync.selectors.events import attendee_prefetch, external_people_known_to, may_add_for
from calendar_sync.selectors.recurrence import occurrences
from calendar_sync.services.events import ConflictsFound, event_cancel, event_create, event_update
from cases.selectors import cases_visible_to
from config.api import CursorPagination, FirmMemberView
from config.errors import Forbidden, ValidationFailed
from firms.models import Membership

HONG_KONG = timezone.get_default_timezone()




# --- Serializers -------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "date-time",
                      "description": "ISO 8601; without a zone it is Hong Kong time; a date alone is its HK midnight."})
class MomentField(serializers.Field):
    default_error_messages = {
        "invalid": _("Enter a date and time like 2026-02-27T09:30:00+08:00, or a date like 2026-02-27."),
    }

    def to_internal_value(self, data):
        text = str(data or "").strip()
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time.min, tzinfo=HONG_KONG)
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            self.fail("invalid")
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=HONG_KONG)

    def to_representation(self, value):
        return timezone.localtime(value).isoformat()


class EventInput(serializers.Serializer):
    """What a client sends to make (POST) or change (PATCH) an event. Rules (titles, times,
    kinds, RRULE) are checked by the service, so the page and the API say the same."""

    kind = serializers.CharField(required=False, help_text="hearing, filing_deadline, limitation, "
                                 "client_meeting, internal or leave")
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    case = serializers.IntegerField(required=False, allow_null=True)
    owner = serializers.IntegerField(required=False, help_text="Membership id; the asker by default.")
    status = serializers.ChoiceField(required=False, choices=[Event.Status.CONFIRMED, Event.Status.TENTATIVE])
    all_day = serializers.BooleanField(required=False)
    start = MomentField(required=False)
    end = MomentField(required=False, allow_null=True)
    court = serializers.CharField(required=False, allow_blank=True)
    courtroom = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    rrule = serializers.CharField(required=False, allow_blank=True, help_text="RFC 5545 RRULE; internal events only.")
    attendees = serializers.ListField(child=serializers.IntegerField(), required=False,
                                      help_text="Membership ids of the firm's people attending.")
    counsel = serializers.ListField(child=serializers.IntegerField(), required=False,
                                    help_text="Membership ids of those appearing as counsel (hearings).")
    external_attendees = serializers.ListField(child=serializers.IntegerField(), required=False,
                                               help_text="User ids of outside people the firm already deals with.")
    reminder_offsets_minutes = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True,
        help_text="This event's own reminders, in minutes before it (0: 08:00 HKT on the day), at most 5, "
                  "each at most a year (525600); they replace the firm's. null: the firm's reminders.")
    accept_conflicts = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields) if hasattr(self.initial_data, "keys") else set()
        if unknown:
            raise serializers.ValidationError({name: [_("Not a field of an event.")] for name in sorted(unknown)})
        return attrs


class PersonSerializer(serializers.Serializer):
    membership_id = serializers.IntegerField()
    name = serializers.CharField()
    is_counsel = serializers.BooleanField()


class ConflictSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["double_booked", "on_leave", "counsel_hearings"])
    membership_id = serializers.IntegerField()
    person = serializers.CharField()
    event_id = serializers.IntegerField()
    start = serializers.CharField()
    end = serializers.CharField()
    message = serializers.CharField()


class EventSerializer(serializers.Serializer):
    """An event as the asker may see it: someone else's leave is "Leave" with no notes or place."""

    id = serializers.IntegerField(source="pk")
    uid = serializers.CharField()
    sequence = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.CharField()
    title = serializers.CharField()
    case = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    all_day = serializers.BooleanField()
    start = MomentField()
    end = MomentField()
    court = serializers.CharField()
    courtroom = serializers.CharField()
    location = serializers.CharField()
    notes = serializers.CharField()
    rrule = serializers.CharField()
    reminder_offsets_minutes = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True,
        help_text="This event's own reminders in minutes before it; null: the firm's.")
    exdates = serializers.ListField(child=MomentField(), help_text="Starts of the occurrences left out of "
                                    "its repeats (RFC 5545 EXDATE), e.g. from an imported calendar.")
    attendees = serializers.SerializerMethodField()
    external_attendees = serializers.SerializerMethodField()
    accepted_conflicts = serializers.JSONField()
    source = serializers.CharField()
    occurrences = serializers.SerializerMethodField()
    created_at = MomentField()
    updated_at = MomentField()

    def to_representation(self, event):
        data = super().to_representation(event)
        if not shows_details(self.context["membership"], event):
            data.update(title=_("Leave"), notes="", location="", accepted_conflicts=[], source="")
        return data

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "id": {"type": "integer"}, "reference": {"type": "string"}, "case_number": {"type": "string"}}})
    def get_case(self, event) -> dict | None:
        if event.case_id is None:
            return None
        return {"id": event.case_id, "reference": event.case.reference, "case_number": event.case.case_number}

    @extend_schema_field(PersonSerializer)
    def get_owner(self, event) -> dict:
        return {"membership_id": event.owner_id, "name": event.owner.user.display_name, "is_counsel": False}

    @extend_schema_field(PersonSerializer(many=True))
    def get_attendees(self, event) -> list[dict]:
        return [{"membership_id": a.membership_id, "name": a.membership.user.display_name, "is_counsel": a.is_counsel}
                for a in event.attendees.all() if a.membership_id]

    @extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}}}})
    def get_external_attendees(self, event) -> list[dict]:
        return [{"id": a.external_person_id, "name": a.external_person.display_name}
                for a in event.attendees.all() if a.external_person_id]

    @extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
        "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"}}},
        "description": "For a repeating event listed with start and end: its occurrences in that range."})
    def get_occurrences(self, event) -> list[dict]:
        window = self.context.get("window")
        if not event.rrule or window is None:
            return []
        return [{"start": timezone.localtime(s).isoformat(), "end": timezone.localtime(e).isoformat()}
                for s, e in occurrences(start=event.start, end=event.end, rrule_text=event.rrule,
                                        window_start=window[0], window_end=window[1], limit=500,
                                        exdates=event.exdates)]


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=[Event.Kind.INTERNAL, Event.Kind.CLIENT_MEETING],
                                   default=Event.Kind.INTERNAL)
    owner = serializers.IntegerField(required=False, help_text="Membership id; the asker by default.")


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    event_ids = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.CharField())


# --- Views ---------------------------------------------------------------------------------


class EventPagination(CursorPagination):
    ordering = ("start", "pk")


LIST_PARAMETERS = [
    OpenApiParameter("start", str, description="Events that end after this (ISO date or date-time, HK)."),
    OpenApiParameter("end", str, description="Events that start before this (ISO date or date-time, HK)."),
    OpenApiParameter("person", int, description="Membership id: events they own or attend."),
    OpenApiParameter("team", int, description="Team id: events of its members."),
    OpenApiParameter("case", int),
    OpenApiParameter("kind", str, many=True, description="One or more kinds (repeat, or comma-separated)."),
    OpenApiParameter("include_cancelled", bool),
]


class EventListView(FirmMemberView):
    pagination_class = EventPagination

    @extend_schema(parameters=LIST_PARAMETERS, responses=EventSerializer(many=True))
    def get(self, request):
        params = request.query_params
        start, end = _window(params)
        filters = CalendarFilters.from_query(params)
        events = (calendar_events(self.membership, filters, start, end,
                                  include_cancelled=params.get("include_cancelled") in {"true", "1"})
                  .select_related("case", "owner__user").prefetch_related(attendee_prefetch()))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(events, request, view=self)
        context = {"membership": self.membership,
                   "window": (start, end) if params.get("start") or params.get("end") else None}
        return paginator.get_paginated_response(EventSerializer(page, many=True, context=context).data)

    @extend_schema(request=EventInput, responses={201: EventSerializer, 409: ConflictSerializer(many=True)})
    def post(self, request):
        given = _input(request.data)
        owner = _member(self.membership, given.pop("owner", self.membership.pk), "owner")
        people = _people_of(self.membership, given)
        accept = given.pop("accept_conflicts", False)
        if not may_add_for(self.membership, owner, given.get("kind", "")):
            raise Forbidden(_("Only the person themselves or a firm admin can put leave in a calendar."))
        try:
            event = event_create(owner=owner, acting=self.membership, check_conflicts=True,
                                 accept_conflicts=accept, **people, **given)
        except ConflictsFound as found:
            return _conflicts_response(found, self.membership)
        return Response(_show(event_for_member(self.membership, event.pk), self.membership),
                        status=status.HTTP_201_CREATED)


class EventDetailView(FirmMemberView):
    @extend_schema(responses=EventSerializer)
    def get(self, request, event_id: int):
        return Response(_show(event_for_member(self.membership, event_id), self.membership))

    @extend_schema(request=EventInput, responses={200: EventSerializer, 409: ConflictSerializer(many=True)})
    def patch(self, request, event_id: int):
        event = self._changeable(event_id)
        given = _input(request.data, partial=True)
        if "owner" in given:
            raise ValidationFailed(_("An event stays in the calendar it was made in."),
                                   fields={"owner": [_("An event stays in the calendar it was made in.")]})
        if event.rule_id and {"start", "end", "all_day", "kind"} & set(given):
            message = _("This deadline was computed from a rule of court: move it with its override, giving the "
                        "reason (POST /api/deadlines/%(id)s/override/).") % {"id": event.pk}
            raise ValidationFailed(message, fields={"start": [message]}, code="computed_deadline")
        if not may_add_for(self.membership, event.owner, given.get("kind", "")):
            raise Forbidden(_("Only the person themselves or a firm admin can put leave in a calendar."))
        people = _people_of(self.membership, given)
        accept = given.pop("accept_conflicts", False)
        try:
            event_update(event=event, membership=self.membership, check_conflicts=True,
                         accept_conflicts=accept, **people, **given)
        except ConflictsFound as found:
            return _conflicts_response(found, self.membership)
        return Response(_show(event_for_member(self.membership, event.pk), self.membership))

    @extend_schema(responses=EventSerializer, description="Cancels the event (STATUS:CANCELLED); it is kept.")
    def delete(self, request, event_id: int):
        event = self._changeable(event_id)
        event_cancel(event=event, membership=self.membership)
        return Response(_show(event_for_member(self.membership, event.pk), self.membership))

    def _changeable(self, event_id) -> Event:
        event = event_for_member(self.membership, event_id)
        if not may_change_event(self.membership, event):
            raise Forbidden(_("Only the people it concerns can change this event."))
        return event


class EventImportView(FirmMemberView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ImportInput}, responses={201: ImportResultSerializer})
    def post(self, request):
        given = ImportInput(data=request.data)
        given.is_valid(raise_exception=True)
        owner = _member(self.membership, given.validated_data.get("owner", self.membership.pk), "owner")
        result = ics_import(membership=self.membership, owner=owner, data=given.validated_data["file"].read(),
                            kind=given.validated_data["kind"])
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)


# --- Helpers ---------------------------------------------------------------------------------


def _window(params) -> tuple[datetime, datetime]:
    """The range asked for; without one, everything (from the year 1 to 9999)."""
    field = MomentField()
    errors, bounds = {}, []
    for name, fallback in (("start", datetime(1, 1, 2, tzinfo=HONG_KONG)), ("end", datetime(9999, 12, 30, tzinfo=HONG_KONG))):
        try:
            bounds.append(field.to_internal_value(params[name]) if params.get(name) else fallback)
        except serializers.ValidationError as error:
            errors[name] = error.detail
            bounds.append(fallback)
    if not errors and bounds[1] < bounds[0]:
        errors["end"] = [_("The end must be after the start.")]
    if errors:
        raise ValidationFailed(_("Some fields are not right; see fields."), fields=errors)
    return bounds[0], bounds[1]


def _input(data, *, partial: bool = False) -> dict:
    given = EventInput(data=data, partial=partial)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def _people_of(membership: Membership, given: dict) -> dict:
    """Ids in the request turned into the firm's people and cases; a clear 400 for any unknown id."""
    if given.get("case") is not None:
        case = cases_visible_to(membership).filter(pk=given["case"]).first()
        if case is None:
            raise ValidationFailed(_("Choose a case you can see."), fields={"case": [_("Choose a case you can see.")]})
        given["case"] = case
    people = {}
    for name in ("attendees", "counsel"):
        if name in given:
            people[name] = [_member(membership, pk, name) for pk in dict.fromkeys(given.pop(name))]
    if "external_attendees" in given:
        wanted = list(dict.fromkeys(given.pop("external_attendees")))
        known = {u.pk: u for u in external_people_known_to(membership.firm_id).filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in known]
        if missing:
            raise ValidationFailed(_("Choose people from outside the firm that the firm already deals with."),
                                   fields={"external_attendees": [_("Unknown: %(ids)s") % {
                                       "ids": ", ".join(map(str, missing))}]})
        people["external_people"] = [known[pk] for pk in wanted]
    return people


def _member(membership: Membership, pk, field: str) -> Membership:
    found = Membership.objects.filter(firm_id=membership.firm_id, pk=pk, is_active=True).select_related("user").first()
    if found is None:
        raise ValidationFailed(_("Choose people who work at your firm."),
                               fields={field: [_("No one at your firm has the id %(id)s.") % {"id": pk}]})
    return found


def _show(event: Event, membership: Membership) -> dict:
    return EventSerializer(event, context={"membership": membership}).data


def _conflicts_response(found: ConflictsFound, membership: Membership) -> Response:
    conflicts = describe_conflicts([c.as_record() for c in found.conflicts], membership=membership)
    return Response({
        "detail": str(found.message), "code": found.code,
        "conflicts": ConflictSerializer(conflicts, many=True).data,
        "hint": _("Send the same request with \"accept_conflicts\": true to save it anyway."),
    }, status=status.HTTP_409_CONFLICT)
