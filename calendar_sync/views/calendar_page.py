"""The calendar: month, week, day and list, with whose calendar and which kinds in the URL.

HTMX swaps just the calendar (``_calendar_body.html``) for previous / today / next, the
view switch and the filters, and pushes the URL, so every view can be bookmarked; without
JavaScript the same links and form load the whole page.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from calendar_sync.models import Event
from calendar_sync.selectors import CalendarFilters, calendar_range
from calendar_sync.views import layout
from cases.selectors import case_for_member
from config.errors import NotFound
from firms.models import Membership, Team


def member_or_404(request) -> Membership:
    """Calendar pages are for a firm's members; anyone else finds nothing here."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    return membership


def parse_day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


@login_required
@require_GET
def calendar_page(request):
    membership = member_or_404(request)
    context = calendar_context(request, membership)
    template = "calendar_sync/calendar.html"
    if request.htmx and not request.htmx.history_restore_request:
        template = "calendar_sync/_calendar_body.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def calendar_context(request, membership: Membership) -> dict:
    view = request.GET.get("view") if request.GET.get("view") in layout.VIEWS else "month"
    anchor = parse_day(request.GET.get("date")) or timezone.localdate()
    filters = CalendarFilters.from_query(request.GET, membership)
    chosen = _chosen(membership, filters)
    span = layout.span_for(view, anchor)
    occurrences = calendar_range(membership, filters, span.start, span.end, with_people=view == "list")
    arranged = {"month": layout.month_layout, "list": layout.list_layout}.get(view, layout.time_grid_layout)
    people = list(Membership.objects.filter(firm_id=membership.firm_id, is_active=True).select_related("user")
                  .order_by("user__name_en", "user__email"))
    teams = list(Team.objects.filter(firm_id=membership.firm_id).order_by("name"))
    return {
        "view": view, "span": span, "title": layout.title_for(span), "filters": filters,
        "occurrences": occurrences, **arranged(span, occurrences), **chosen,
        "base_query": urlencode(filters.as_query(), doseq=True),
        "links": _links(filters, span),
        "labels": _move_labels(view),
        "kinds": Event.Kind.choices,
        "shown_kinds": list(filters.kinds) or list(Event.Kind.values),
        "whose": _whose_options(membership, filters, people, teams),
        "scope_text": _scope_text(membership, filters, chosen),
        "empty_text": _empty_text(view, filters),
    }


def _current(membership: Membership, filters: CalendarFilters) -> str:
    if filters.team:
        return f"team:{filters.team}"
    if filters.everyone or not filters.person:
        return "all"
    return "me" if filters.person == membership.pk else f"person:{filters.person}"


def _whose_options(membership, filters, people, teams) -> list[dict]:
    """The "whose calendar" menu: mine, the firm's, each team's, each person's."""
    chinese = layout.is_chinese()
    current = _current(membership, filters)

    def option(value, label):
        return {"value": value, "label": label, "selected": value == current}

    return [
        {"label": "", "options": [option("me", _("My calendar")), option("all", _("The whole firm"))]},
        {"label": _("Teams"), "options": [option(f"team:{t.pk}", t.name_zh if chinese and t.name_zh else t.name)
                                          for t in teams]},
        {"label": _("People"), "options": [option(f"person:{p.pk}", p.user.display_name) for p in people
                                           if p.pk != membership.pk]},
    ]


def _scope_text(membership, filters, chosen) -> str:
    parts = []
    team = chosen["chosen_team"]
    if team is not None:
        parts.append(_("Team: %(team)s") % {"team": team.name_zh if layout.is_chinese() and team.name_zh else team.name})
    if chosen["chosen_person"] is not None and not filters.everyone:
        parts.append(_("Your calendar") if filters.person == membership.pk else
                     _("Calendar of %(person)s") % {"person": chosen["chosen_person"].user.display_name})
    if chosen["chosen_case"] is not None:
        case = chosen["chosen_case"]
        parts.append(_("Case: %(case)s") % {"case": case.case_number or case.reference})
    if not parts:
        parts.append(_("The whole firm's calendar (cases you can see)"))
    if filters.kinds and len(filters.kinds) < len(Event.Kind.values):
        parts.append(_("only %(kinds)s") % {"kinds": ", ".join(str(Event.Kind(k).label) for k in filters.kinds)})
    return " · ".join(parts)


def _empty_text(view: str, filters: CalendarFilters) -> str:
    return {
        "month": _("Nothing in this calendar this month."),
        "week": _("Nothing in this calendar this week."),
        "day": _("Nothing in this calendar on this day."),
    }.get(view, _("Nothing in this calendar in these four weeks."))


def _move_labels(view: str) -> dict:
    return {
        "month": {"previous": _("Previous month"), "next": _("Next month")},
        "week": {"previous": _("Previous week"), "next": _("Next week")},
        "day": {"previous": _("Previous day"), "next": _("Next day")},
        "list": {"previous": _("Previous four weeks"), "next": _("Next four weeks")},
    }[view]


def _chosen(membership: Membership, filters: CalendarFilters) -> dict:
    """The person, team and case the filters name: 404 for one that is not the firm's (or not yours to see)."""
    chosen = {"chosen_person": None, "chosen_team": None, "chosen_case": None}
    if filters.person == membership.pk:
        chosen["chosen_person"] = membership
    elif filters.person:
        chosen["chosen_person"] = (Membership.objects.filter(firm_id=membership.firm_id, pk=filters.person)
                                   .select_related("user").first())
        if chosen["chosen_person"] is None:
            raise Http404
    if filters.team:
        chosen["chosen_team"] = Team.objects.filter(firm_id=membership.firm_id, pk=filters.team).first()
        if chosen["chosen_team"] is None:
            raise Http404
    if filters.case:
        try:
            chosen["chosen_case"] = case_for_member(membership, filters.case)
        except NotFound:
            raise Http404 from None
    return chosen


def calendar_url(filters: CalendarFilters, view: str, day: date) -> str:
    query = {**filters.as_query(), "view": view, "date": day.isoformat()}
    return f"{reverse('calendar:calendar')}?{urlencode(query, doseq=True)}"


def _links(filters: CalendarFilters, span: layout.Span) -> dict:
    return {
        "previous": calendar_url(filters, span.view, span.previous),
        "next": calendar_url(filters, span.view, span.next),
        "today": calendar_url(filters, span.view, timezone.localdate()),
        "views": [(name, label, calendar_url(filters, name, span.anchor)) for name, label in _view_names()],
        "without_case": calendar_url(replace(filters, case=None, everyone=filters.everyone or not filters.person),
                                     span.view, span.anchor),
    }


def _view_names():
    return [("month", _("Month")), ("week", _("Week")), ("day", _("Day")), ("list", _("List"))]
