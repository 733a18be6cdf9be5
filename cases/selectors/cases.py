"""Which cases a person may see — the one rule that pages, API and search share — and lists."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from cases.case_numbers import parse_case_number
from cases.models import Case, CaseTeamMember, CaseUserObjectPermission
from config.errors import NotFound, ValidationFailed
from firms.models import Membership


def cases_visible_to(membership: Membership | None) -> QuerySet[Case]:
    """Partners, admins and compliance see the firm's cases; others their case teams' and the
    cases granted to them one by one (django-guardian exceptions)."""
    if membership is None:
        return Case.objects.none()
    cases = Case.objects.filter(firm_id=membership.firm_id)
    ids = visible_case_ids(membership)
    return cases if ids is None else cases.filter(pk__in=ids)


def visible_case_ids(membership: Membership) -> QuerySet | None:
    """The ids of the cases ``membership`` may see, as a subquery; None for "every case of
    the firm", so that queries about other rows (events, documents) need not list 20,000
    ids for a partner. The rule itself, for cases_visible_to and for those queries."""
    if membership.sees_whole_firm:
        return None
    # The ids first (a small set, from two indexed lookups), not EXISTS per case: with
    # EXISTS OR EXISTS the planner scans every case of the firm (docs/performance.md).
    team = CaseTeamMember.objects.filter(membership=membership).values("case_id")
    granted = CaseUserObjectPermission.objects.filter(
        user_id=membership.user_id, permission__codename="view_case_exception",
    ).values("content_object_id")
    return team.union(granted)


def on_visible_cases(rows: QuerySet, membership: Membership | None, *, field: str = "case") -> QuerySet:
    """``rows`` (tasks, documents, events… with a ``firm`` and a case ``field``) limited to
    the firm's cases ``membership`` may see; none without a membership."""
    if membership is None:
        return rows.none()
    rows = rows.filter(firm_id=membership.firm_id)
    ids = visible_case_ids(membership)
    return rows if ids is None else rows.filter(**{f"{field}__in": ids})


def can_see_case(membership: Membership, case: Case) -> bool:
    return cases_visible_to(membership).filter(pk=case.pk).exists()


def case_for_member(membership: Membership | None, case_id) -> Case:
    """One case, or NotFound alike for missing, another firm's, and not on your team."""
    try:
        return cases_visible_to(membership).select_related("responsible_partner__user").get(pk=int(case_id))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


CASE_SORTS = {
    "opened": ("opened_on", "id"),
    "reference": ("reference", "id"),
    "title": ("title_en", "id"),
    "number": ("case_number", "id"),
    "activity": ("last_activity_at", "id"),
    "status": ("status", "id"),
}


@dataclass(frozen=True)
class CaseFilters:
    search: str = ""
    status: str = ""
    stage: str = ""
    practice_area: str = ""
    court: str = ""
    lawyer: int | None = None  # a membership on the case team
    sort: str = "-opened"

    @classmethod
    def from_query(cls, params) -> CaseFilters:
        def choice(name, options):
            value = params.get(name, "")
            return value if value in options else ""

        sort = params.get("sort", "-opened")
        if sort.lstrip("-") not in CASE_SORTS:
            sort = "-opened"
        lawyer = params.get("lawyer", "")
        return cls(
            search=params.get("q", "").strip()[:200],
            status=choice("status", Case.Status.values),
            stage=choice("stage", Case.Stage.values),
            practice_area=choice("practice_area", Case.PracticeArea.values),
            court=choice("court", [c for c, _label in Case._meta.get_field("court").choices]),
            lawyer=int(lawyer) if lawyer.isdigit() else None,
            sort=sort,
        )


def case_list(membership: Membership | None, filters: CaseFilters | None = None) -> QuerySet[Case]:
    filters = filters or CaseFilters()
    cases = cases_visible_to(membership).select_related("responsible_partner__user")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.practice_area:
        cases = cases.filter(practice_area=filters.practice_area)
    if filters.court:
        cases = cases.filter(court=filters.court)
    if filters.lawyer:
        cases = cases.filter(Exists(CaseTeamMember.objects.filter(case=OuterRef("pk"),
                                                                  membership_id=filters.lawyer)))
    if filters.search:
        cases = cases.filter(_matches(filters.search))
    fields = CASE_SORTS[filters.sort.lstrip("-")]
    descending = filters.sort.startswith("-")
    return cases.order_by(*(f"-{f}" if descending else f for f in fields))


def _matches(search: str):
    """Title, reference or case number containing the words, or a party's English or
    Chinese name containing them; case-insensitive.

    The ids come from ``case_search_ids`` (migration cases/0004), which finds them through
    the trigram indexes: a LIKE in this query could use no index under row-level security.
    It sees only the current firm's cases; who may see which is still ``cases_visible_to``.
    """
    exact_number = None
    with suppress(ValidationFailed):  # "hca001234/2024" finds "HCA 1234/2024"
        exact_number = str(parse_case_number(search))
    return Q(pk__in=RawSQL("SELECT case_search_ids(%s, %s)", [search, exact_number]))
