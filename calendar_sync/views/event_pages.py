"""One event: its page, the form to make or change it (conflicts shown before saving, saved
only once accepted), the live conflict check, and cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from calendar_sync.forms import FIELD_MAP, EventForm, format_reminders
from calendar_sync.models import Event
from calendar_sync.selectors import (
    CalendarFilters,
    Candidate,
    describe_conflicts,
    event_for_member,
    find_conflicts,
    may_change_event,
    shows_details,
)
from calendar_sync.selectors.events import Occurrence, may_add_for
from calendar_sync.selectors.recurrence import describe as describe_rule
from calendar_sync.services.events import ConflictsFound, event_cancel, event_create, event_update
from calendar_sync.views.calendar_page import calendar_url, member_or_404, parse_day
from cases.selectors import case_for_member
from config.errors import ApplicationError, NotFound
from config.forms import add_service_errors


def event_or_404(membership, event_id) -> Event:
    try:
        return event_for_member(membership, event_id)
    except NotFound:
        raise Http404 from None


def _changeable_or_403(membership, event: Event) -> Event:
    if not may_change_event(membership, event):
        raise PermissionDenied(_("Only the people it concerns can change this event."))
    return event


@login_required
@require_http_methods(["GET"])
def event_detail_page(request, event_id: int):
    membership = member_or_404(request)
    event = event_or_404(membership, event_id)
    detailed = shows_details(membership, event)
    links = list(event.attendees.all())
    shown = Occurrence(event=event, start=event.start, end=event.end)
    return render(request, "calendar_sync/event_detail.html", {
        "event": event, "detailed": detailed, "shown": shown, "same_day": shown.last_day == shown.first_day,
        "title": event.title if detailed else _("Leave"),
        "members": [a for a in links if a.membership_id],
        "outsiders": [a for a in links if a.external_person_id],
        "repeats": describe_rule(event.rrule),
        "own_reminders": format_reminders(event.reminder_offsets_minutes),
        "accepted": describe_conflicts(event.accepted_conflicts, membership=membership) if detailed else [],
        "may_change": may_change_event(membership, event) and event.status != Event.Status.CANCELLED,
        "back": calendar_url(CalendarFilters(person=membership.pk), "week", timezone.localtime(event.start).date()),
    })


@login_required
@require_http_methods(["GET", "POST"])
def event_new_page(request):
    membership = member_or_404(request)
    case = _case_from(request, membership)
    day = parse_day(request.GET.get("date")) or timezone.localdate()
    initial = {"start_date": day, "kind": request.GET.get("kind") or Event.Kind.INTERNAL}
    data = request.POST if request.method == "POST" else None
    form = EventForm(data, membership=membership, case=case, initial=initial)
    conflicts = []
    if data is not None and form.is_valid():
        owner = form.cleaned_data["owner"]
        if not may_add_for(membership, owner, form.cleaned_data["kind"]):
            form.add_error("owner", _("Only the person themselves or a firm admin can put leave in a calendar."))
        else:
            saved, conflicts = _save(form, lambda **args: event_create(
                owner=owner, acting=membership, check_conflicts=True, **args), membership)
            if saved is not None:
                messages.success(request, _("The event is saved."))
                return redirect("calendar:event", saved.pk)
    return _form_page(request, form, conflicts, event=None)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit_page(request, event_id: int):
    membership = member_or_404(request)
    event = _changeable_or_403(membership, event_or_404(membership, event_id))
    if event.status == Event.Status.CANCELLED:
        messages.info(request, _("This event was cancelled; it cannot be changed."))
        return redirect("calendar:event", event.pk)
    data = request.POST if request.method == "POST" else None
    form = EventForm(data, membership=membership, event=event)
    conflicts = []
    if data is not None and form.is_valid() and not may_add_for(membership, event.owner, form.cleaned_data["kind"]):
        form.add_error("kind", _("Only the person themselves or a firm admin can put leave in a calendar."))
    elif data is not None and form.is_valid():
        saved, conflicts = _save(form, lambda **args: event_update(
            event=event, membership=membership, check_conflicts=True, **args), membership)
        if saved is not None:
            messages.success(request, _("The changes are saved."))
            return redirect("calendar:event", saved.pk)
    return _form_page(request, form, conflicts, event=event)


def _save(form: EventForm, save, membership):
    """Save, or the conflicts to show. "Save anyway" accepts only the conflicts that were shown:
    if others have appeared since, they are shown and nothing is saved."""
    arguments = form.service_arguments()
    accepted = arguments.pop("accept_conflicts")
    try:
        return save(**arguments, accept_conflicts=False), []
    except ConflictsFound as found:
        records = [c.as_record() for c in found.conflicts]
        if accepted and _fingerprint(records) == form.data.get("conflicts_seen", ""):
            try:
                return save(**arguments, accept_conflicts=True), []
            except ApplicationError as error:
                add_errors(form, error)
                return None, []
        if accepted:
            form.add_error("accept_conflicts", _("The conflicts have changed since you looked: check them again."))
        return None, describe_conflicts(records, membership=membership)
    except ApplicationError as error:
        add_errors(form, error)
        return None, []


def _fingerprint(records: list[dict]) -> str:
    return ",".join(sorted(f"{r['type']}:{r['membership_id']}:{r['event_id']}" for r in records))


def add_errors(form, error: ApplicationError) -> None:
    add_service_errors(form, error, FIELD_MAP)


def _form_page(request, form: EventForm, conflicts: list[dict], *, event: Event | None):
    status = 409 if conflicts else 400 if form.errors else 200
    return render(request, "calendar_sync/event_form.html", {
        "form": form, "event": event, "conflicts": conflicts,
        "conflicts_seen": _fingerprint(conflicts), "court_names": form.court_names,
    }, status=status)


def _case_from(request, membership):
    if not request.GET.get("case"):
        return None
    try:
        return case_for_member(membership, request.GET["case"])
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def event_check(request):
    """HTMX: the conflicts the form's event would have, as the person fills it in (nothing saved)."""
    membership = member_or_404(request)
    event = None
    if request.POST.get("event"):
        event = event_or_404(membership, request.POST["event"])
    form = EventForm(request.POST, membership=membership, event=event)
    conflicts = []
    if form.is_valid() and form.cleaned_data.get("start"):
        data = form.cleaned_data
        owner = event.owner if event is not None else data["owner"]
        people = {owner, *data["attendees"], *data["counsel"]}
        candidate = Candidate(kind=data["kind"], start=data["start"], end=data["end"],
                              all_day=bool(data.get("all_day")), rrule=data["rule"] if data["kind"] == "internal" else "",
                              people=frozenset(m.pk for m in people), counsel=frozenset(m.pk for m in data["counsel"]),
                              event_id=event.pk if event else None)
        try:
            found = find_conflicts(firm_id=membership.firm_id, candidate=candidate)
        except ValueError:
            found = []
        conflicts = describe_conflicts([c.as_record() for c in found], membership=membership)
    return render(request, "calendar_sync/_conflicts.html", {
        "conflicts": conflicts, "checked": form.is_valid(), "live": True})


@login_required
@require_POST
def event_cancel_view(request, event_id: int):
    membership = member_or_404(request)
    event = _changeable_or_403(membership, event_or_404(membership, event_id))
    event_cancel(event=event, membership=membership)
    messages.success(request, _("The event is cancelled. Calendars that subscribe to it will show it cancelled."))
    return redirect(calendar_url(CalendarFilters(person=membership.pk), "week", timezone.localtime(event.start).date()))
