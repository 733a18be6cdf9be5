"""What every case page shares: finding the case (404 alike for missing and not-yours), the
header and side column, turning service errors into form errors, and the optional documents tab."""

from __future__ import annotations

import importlib
from collections import namedtuple

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from cases.forms import members
from cases.models import Case, Task
from cases.permissions import CLEARS_CONFLICTS, MANAGES_ANY_TEAM
from cases.selectors import case_for_member
from cases.selectors.tasks import OPEN_STATUSES
from config.errors import ApplicationError, NotFound
from config.forms import add_service_errors as add_errors  # noqa: F401 - the views import it from here
from firms.models import User

TABS = [
    ("overview", "cases:detail", _("Overview")),
    ("tasks", "cases:tasks", _("Tasks")),
    ("documents", "cases:documents", _("Documents")),
    ("calendar", "cases:calendar", _("Calendar")),
    ("notes", "cases:notes", _("Notes")),
    ("timeline", "cases:timeline", _("Timeline")),
    ("parties", "cases:parties", _("Parties")),
    ("team", "cases:team", _("Team")),
    ("conflicts", "cases:conflicts", _("Conflict checks")),
]


def case_or_404(request, case_id) -> Case:
    """The case if this person may see it; 404 alike for missing, another firm's, not on the team."""
    try:
        return case_for_member(getattr(request, "membership", None), case_id)
    except NotFound:
        raise Http404 from None


def raise_for_access(error: ApplicationError) -> None:
    """A service said "not allowed" or "not found": show the 403 or 404 page, not a form error."""
    if error.status == 403:
        raise PermissionDenied(error.message)
    if error.status == 404:
        raise Http404


def problems_of(*forms) -> list[tuple[str, str]]:
    """(field id, message) for an error summary over several forms (a form and a formset's rows)."""
    found = []
    for form, label in forms:
        first = next(iter(form.visible_fields()), None)
        for error in form.non_field_errors():
            found.append((first.id_for_label if first else "", f"{label}{error}"))
        for field in form.visible_fields():
            for error in field.errors:
                found.append((field.id_for_label, f"{label}{error}"))
    return found


def documents_enabled(case: Case) -> bool:
    """The documents partial and its URLs are there (another part of the product provides them)."""
    try:
        importlib.import_module("documents.selectors")
        get_template("documents/_case_documents.html")
        reverse("documents:upload", args=[case.pk])
    except (ImportError, NoReverseMatch, TemplateDoesNotExist):
        return False
    return True


_Names = namedtuple("_Names", "name_zh name_en email")


def member_choices(firm_id, *, key: str = "pk") -> list[tuple[int, str]]:
    """(membership id, or user id with key="user_id"; name) of the firm's active members, for a
    filter menu: plain rows, no model instances. A firm has hundreds of people, and this runs on
    every case-list and timeline request; the names are User.display_name's."""
    rows = members(firm_id).values_list(key, "user__name_zh", "user__name_en", "user__email")
    name = User.display_name.fget
    return [(pk, name(_Names(zh, en, email))) for pk, zh, en, email in rows]


def can_manage_team(membership, team) -> bool:
    if membership.role in MANAGES_ANY_TEAM:
        return True
    return any(link.membership_id == membership.pk and link.is_supervisor for link in team)


def case_context(request, case: Case, tab: str) -> dict:
    """The header (numbers, titles, clients, stage, status, partner, next due task), the tabs and
    the side column (team, parties, key dates): a fixed number of queries, whatever the case holds."""
    membership = request.membership
    parties = list(case.parties.order_by("-is_client", "pk"))
    team = list(case.team.select_related("membership__user").order_by("-is_supervisor", "pk"))
    next_task = (Task.objects.filter(case=case, status__in=OPEN_STATUSES, due_date__isnull=False)
                 .select_related("assignee__user").order_by("due_date", "pk").first())
    latest_check = (case.conflict_checks.select_related("run_by__user", "cleared_by__user")
                    .order_by("-run_at", "-pk").first())
    docs = documents_enabled(case)
    return {
        "case": case,
        "tab": tab,
        "tabs": [(key, reverse(name, args=[case.pk]), label) for key, name, label in TABS
                 if key != "documents" or docs],
        "documents_enabled": docs,
        "parties": parties,
        "clients": [p for p in parties if p.is_client],
        "team": team,
        "next_task": next_task,
        "latest_check": latest_check,
        "can_manage_team": can_manage_team(membership, team),
        "can_clear_conflicts": membership.role in CLEARS_CONFLICTS,
        "is_pending": case.status == Case.Status.PENDING,
    }


def render_case(request, case: Case, tab: str, template: str, extra: dict | None = None, status: int = 200):
    context = case_context(request, case, tab)
    context.update(extra or {})
    return render(request, template, context, status=status)


def render_form_status(form_or_forms) -> int:
    forms = form_or_forms if isinstance(form_or_forms, list | tuple) else [form_or_forms]
    return 400 if any(f is not None and f.errors for f in forms) else 200
