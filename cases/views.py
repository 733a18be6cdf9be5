from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from cases.models import Case
from cases.selectors import case_for_member, case_list
from cases.selectors.cases import CaseFilters
from config.errors import NotFound


@login_required
def case_list_page(request):
    filters = CaseFilters.from_query(request.GET)
    search, status = filters.search, filters.status
    cases = case_list(request.membership, filters)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {
        "page": page, "search": search, "status": status, "statuses": Case.Status.choices,
    })


@login_required
def case_detail_page(request, case_id: int):
    try:
        case = case_for_member(request.membership, case_id)
    except NotFound:
        raise Http404 from None
    team = case.team.select_related("membership__user").order_by("-is_supervisor", "pk")
    return render(request, "cases/case_detail.html", {"case": case, "team": team})


@login_required
def my_work_page(request):
    """Filled in with issue #3's pages."""
    return render(request, "home.html", {"open_case_count": 0, "recent_cases": []})
