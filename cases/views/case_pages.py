"""A case's overview, documents, conflict checks, parties and team tabs, and their forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.forms import AccessGrantForm, CaseEditForm, ConflictClearForm, PartyForm, TeamAddForm
from cases.models import Case, CaseUserObjectPermission, ConflictCheck, Note, Party, Task
from cases.permissions import manages_case
from cases.selectors import cases_visible_to
from cases.selectors.tasks import OPEN_STATUSES
from cases.selectors.timeline import case_timeline
from cases.services import (
    case_access_grant,
    case_open,
    case_team_add,
    case_team_remove,
    case_update,
    conflict_check_run,
    conflict_clear,
    party_add,
    party_remove,
)
from cases.views.common import (
    add_errors,
    case_or_404,
    raise_for_access,
    render_case,
    render_form_status,
)
from cases.views.timeline import describe
from config.errors import ApplicationError
from firms.models import Membership

# --- Overview ------------------------------------------------------------------------------


@login_required
@require_GET
def case_detail_page(request, case_id: int):
    case = case_or_404(request, case_id)
    upcoming = list(Task.objects.filter(case=case, status__in=OPEN_STATUSES)
                    .select_related("assignee__user").order_by("due_date", "pk")[:5])
    notes = list(Note.objects.filter(case=case).select_related("author__user").order_by("-created_at", "-pk")[:3])
    recent = describe(case_timeline(case=case, limit=6))
    return render_case(request, case, "overview", "cases/tabs/overview.html", {
        "upcoming": upcoming, "recent_notes": notes, "recent": recent,
    })


@login_required
@require_http_methods(["GET", "POST"])
def case_edit_page(request, case_id: int):
    """The case's own details (titles, number, court, area, stage, tags; for those who manage the
    case also status, responsible partner and closing date), saved by case_update as the API does."""
    case = case_or_404(request, case_id)
    can_manage = manages_case(request.membership, case)
    data = request.POST if request.method == "POST" else None
    form = CaseEditForm(data, case=case, can_manage=can_manage)
    show_override = bool(data and data.get("unlisted_prefix_ok"))
    if data is not None and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("cases:detail", case.pk)
        try:
            case_update(case=case, membership=request.membership, **changes)
        except ApplicationError as error:
            add_errors(form, error)  # 403 and 404 become those pages
            show_override = show_override or error.code == "unknown_prefix"
        else:
            messages.success(request, _("The case details are saved."))
            return redirect("cases:detail", case.pk)
    return render_case(request, case, "overview", "cases/case_edit.html", {
        "form": form, "can_manage": can_manage, "show_override": show_override or form.unknown_prefix,
    }, status=render_form_status(form))


@login_required
@require_GET
def case_documents_page(request, case_id: int):
    case = case_or_404(request, case_id)
    extra = {"documents": []}
    from cases.views.common import documents_enabled

    if documents_enabled(case):
        from documents.selectors import documents_for_case

        extra["documents"] = documents_for_case(case=case)
    return render_case(request, case, "documents", "cases/tabs/documents.html", extra)


@login_required
@require_GET
def case_calendar_page(request, case_id: int):
    """The case's hearings, deadlines and meetings (the calendar app's partial)."""
    from calendar_sync.selectors import events_for_case

    case = case_or_404(request, case_id)
    events = events_for_case(case=case, membership=request.membership)
    return render_case(request, case, "calendar", "cases/tabs/calendar.html", {"events": events})


# --- Conflict checks -----------------------------------------------------------------------


def _conflicts(request, case, form=None, status=200):
    checks = list(ConflictCheck.objects.filter(case=case).select_related("run_by__user", "cleared_by__user")
                  .order_by("-run_at", "-pk")[:20])
    latest = checks[0] if checks else None
    hit_case_ids = {hit.get("case_id") for check in checks for hit in check.hits}
    visible = set(cases_visible_to(request.membership).filter(pk__in=hit_case_ids).values_list("pk", flat=True)) \
        if hit_case_ids else set()
    return render_case(request, case, "conflicts", "cases/tabs/conflicts.html", {
        "checks": checks, "latest": latest, "earlier": checks[1:], "visible_case_ids": visible,
        "clear_form": form or ConflictClearForm(), "party_roles": Party.Role.choices,
    }, status=status)


@login_required
@require_GET
def case_conflicts_page(request, case_id: int):
    return _conflicts(request, case_or_404(request, case_id))


@login_required
@require_POST
def conflict_run(request, case_id: int):
    case = case_or_404(request, case_id)
    check = conflict_check_run(case=case, membership=request.membership)
    if check.is_clear and case.status == Case.Status.PENDING:
        # Nothing left to clear (a matching party was removed): the case may start.
        case_open(case=case, membership=request.membership)
    if check.hits:
        messages.warning(request, _("The check found %(count)d possible conflict(s).") % {"count": len(check.hits)})
    else:
        messages.success(request, _("The check found no conflicts."))
    return redirect("cases:conflicts", case.pk)


@login_required
@require_POST
def conflict_clear_view(request, case_id: int, check_id: int):
    case = case_or_404(request, case_id)
    check = get_object_or_404(ConflictCheck, case=case, pk=check_id)
    form = ConflictClearForm(request.POST)
    if form.is_valid():
        try:
            conflict_clear(check=check, membership=request.membership, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The conflict check is cleared and the case is open for work."))
            return redirect("cases:conflicts", case.pk)
    return _conflicts(request, case, form=form, status=400)


# --- Parties -------------------------------------------------------------------------------


def _parties(request, case, form=None, status=200):
    return render_case(request, case, "parties", "cases/tabs/parties.html", {
        "party_form": form or PartyForm(prefix="party"),
    }, status=status)


@login_required
@require_GET
def case_parties_page(request, case_id: int):
    return _parties(request, case_or_404(request, case_id))


@login_required
@require_POST
def party_add_view(request, case_id: int):
    case = case_or_404(request, case_id)
    form = PartyForm(request.POST, prefix="party")
    if form.is_valid():
        data = form.cleaned_data
        try:
            party = party_add(case=case, membership=request.membership, role=data["role"], kind=data["kind"],
                              name_en=data["name_en"], name_zh=data["name_zh"], is_client=data["is_client"])
        except ApplicationError as error:
            add_errors(form, error)
        else:
            check = ConflictCheck.objects.filter(case=case).order_by("-run_at", "-pk").first()
            if check and check.hits:
                messages.warning(request, _(
                    "%(name)s is added. The conflict check found %(count)d possible conflict(s): "
                    "see Conflict checks.") % {"name": party.display_name, "count": len(check.hits)})
            else:
                messages.success(request, _("%(name)s is added. The conflict check found no conflicts.") % {
                    "name": party.display_name})
            return redirect("cases:parties", case.pk)
    return _parties(request, case, form=form, status=400)


@login_required
@require_POST
def party_remove_view(request, case_id: int, party_id: int):
    case = case_or_404(request, case_id)
    party = get_object_or_404(Party, case=case, pk=party_id)
    name = party.display_name
    try:
        party_remove(party=party, membership=request.membership)
    except ApplicationError as error:
        raise_for_access(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is removed from the parties.") % {"name": name})
    return redirect("cases:parties", case.pk)


# --- Team ----------------------------------------------------------------------------------


def _team(request, case, add_form=None, grant_form=None, status=200):
    team_ids = list(case.team.values_list("membership_id", flat=True))
    grants = list(CaseUserObjectPermission.objects.filter(content_object=case,
                                                          permission__codename="view_case_exception")
                  .select_related("user").order_by("pk"))
    granted_user_ids = [g.user_id for g in grants]
    granted = list(Membership.objects.filter(firm_id=case.firm_id, user_id__in=granted_user_ids)
                   .select_related("user")) if granted_user_ids else []
    granted_member_ids = [m.pk for m in granted]
    return render_case(request, case, "team", "cases/tabs/team.html", {
        "add_form": add_form or TeamAddForm(case=case, exclude_ids=team_ids, prefix="team"),
        "grant_form": grant_form or AccessGrantForm(case=case, exclude_ids=team_ids + granted_member_ids,
                                                    prefix="grant"),
        "granted": granted,
    }, status=status)


@login_required
@require_GET
def case_team_page(request, case_id: int):
    return _team(request, case_or_404(request, case_id))


@login_required
@require_POST
def team_add_view(request, case_id: int):
    case = case_or_404(request, case_id)
    team_ids = list(case.team.values_list("membership_id", flat=True))
    form = TeamAddForm(request.POST, case=case, exclude_ids=team_ids, prefix="team")
    if form.is_valid():
        person = form.cleaned_data["membership"]
        try:
            case_team_add(case=case, membership=person, by=request.membership,
                          is_supervisor=form.cleaned_data["is_supervisor"])
        except ApplicationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(name)s is on the case team.") % {"name": person.user.display_name})
            return redirect("cases:team", case.pk)
    return _team(request, case, add_form=form, status=400)


@login_required
@require_POST
def team_remove_view(request, case_id: int, membership_id: int):
    case = case_or_404(request, case_id)
    link = get_object_or_404(case.team.select_related("membership__user"), membership_id=membership_id)
    try:
        case_team_remove(case=case, membership=link.membership, by=request.membership)
    except ApplicationError as error:
        raise_for_access(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is no longer on the case team.") % {
            "name": link.membership.user.display_name})
    return redirect("cases:team", case.pk)


@login_required
@require_POST
def access_grant_view(request, case_id: int):
    case = case_or_404(request, case_id)
    team_ids = list(case.team.values_list("membership_id", flat=True))
    form = AccessGrantForm(request.POST, case=case, exclude_ids=team_ids, prefix="grant")
    if form.is_valid():
        person = form.cleaned_data["membership"]
        try:
            case_access_grant(case=case, membership=person, by=request.membership)
        except ApplicationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(name)s may now see this case.") % {"name": person.user.display_name})
            return redirect(reverse("cases:team", args=[case.pk]) + "#access")
    return _team(request, case, grant_form=form, status=400)
