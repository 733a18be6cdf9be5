"""The case list (search, filters, sort and page all in the URL) and the new-case form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cases.forms import CaseCreateForm, PartyFormSet
from cases.models import Case, Party, Task
from cases.selectors import case_list
from cases.selectors.cases import CaseFilters
from cases.selectors.tasks import OPEN_STATUSES
from cases.services import case_create
from cases.views.common import add_errors, member_choices, problems_of
from config.errors import ApplicationError

PAGE_SIZE = 50

# (sort key in cases.selectors.CASE_SORTS or None, column label)
COLUMNS = [
    ("reference", gettext_lazy("Our reference")),
    ("number", gettext_lazy("Case number")),
    ("title", gettext_lazy("Title and client")),
    (None, gettext_lazy("Stage")),
    (None, gettext_lazy("Next due")),
    (None, gettext_lazy("Responsible partner")),
    ("status", gettext_lazy("Status")),
    ("opened", gettext_lazy("Opened")),
]


def with_list_extras(cases):
    """Each case's clients and its next due date, in one more query for the whole page."""
    next_due = (Task.objects.filter(case=OuterRef("pk"), status__in=OPEN_STATUSES, due_date__isnull=False)
                .order_by("due_date").values("due_date")[:1])
    return cases.annotate(next_due=Subquery(next_due)).prefetch_related(
        Prefetch("parties", queryset=Party.objects.filter(is_client=True).order_by("pk"), to_attr="client_list"))


def _columns(request, sort: str):
    current, descending = sort.lstrip("-"), sort.startswith("-")
    columns = []
    for key, label in COLUMNS:
        if key is None:
            columns.append({"label": label})
            continue
        params = request.GET.copy()
        params.pop("page", None)
        # Dates and activity start newest first; words start A to Z.
        first = f"-{key}" if key in {"opened", "activity"} else key
        params["sort"] = (key if descending else f"-{key}") if current == key else first
        columns.append({
            "label": label, "url": f"?{params.urlencode()}",
            "aria_sort": ("descending" if descending else "ascending") if current == key else "",
        })
    return columns


@login_required
def case_list_page(request):
    membership = request.membership
    filters = CaseFilters.from_query(request.GET)
    cases = with_list_extras(case_list(membership, filters))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any([filters.search, filters.status, filters.stage, filters.practice_area, filters.court,
                    filters.lawyer])
    return render(request, "cases/case_list.html", {
        "page": page, "filters": filters, "filtered": filtered,
        "columns": _columns(request, filters.sort),
        "statuses": Case.Status.choices, "stages": Case.Stage.choices,
        "practice_areas": Case.PracticeArea.choices, "courts": Case._meta.get_field("court").choices,
        # Everyone active, as (id, name) rows rendered by one Python loop ({% options %}): the menu
        # was 300 model instances and 300 template iterations on every request.
        "lawyers": member_choices(membership.firm_id) if membership else [],
    })


@login_required
@require_http_methods(["GET", "POST"])
def case_new_page(request):
    membership = request.membership
    if membership is None:
        return redirect("home")
    data = request.POST if request.method == "POST" else None
    form = CaseCreateForm(data, membership=membership)
    parties = PartyFormSet(data, prefix="parties")
    show_override = bool(data and data.get("unlisted_prefix_ok"))
    # Both are validated (no short-circuit), so every row's problems show at once.
    valid = data is not None and (form.is_valid() & parties.is_valid())
    if valid:
        try:
            case = case_create(membership=membership, parties=parties.parties(), **form.service_arguments())
        except ApplicationError as error:
            add_errors(form, error)
            show_override = show_override or error.code == "unknown_prefix"
        else:
            if case.status == Case.Status.PENDING:
                messages.warning(request, _(
                    "The conflict check found possible conflicts. The case waits for a partner or the "
                    "compliance officer to clear them before work starts."))
                return redirect("cases:conflicts", case.pk)
            messages.success(request, _("The case is open: no conflicts were found."))
            return redirect("cases:detail", case.pk)
    show_override = show_override or form.unknown_prefix
    rows = [(parties_form, _("Party %(n)s: ") % {"n": index}) for index, parties_form
            in enumerate(parties.forms, start=1)]
    problems = problems_of((form, ""), *rows)
    problems += [("", error) for error in parties.non_form_errors()]
    return render(request, "cases/case_new.html", {
        "form": form, "parties": parties, "problems": problems, "show_override": show_override,
    }, status=400 if problems else 200)
