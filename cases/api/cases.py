"""Cases, their parties and team, and conflict checks (/api/cases/…)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from cases import services
from cases.api import shapes
from cases.api.base import (
    CaseScopedView,
    FirmMemberView,
    OldestFirstPagination,
    SelectorOrderPagination,
    is_schema_generation,
    one_of,
)
from cases.api.inputs import (
    CaseCreateInput,
    CaseListQuery,
    CaseUpdateInput,
    ConflictClearInput,
    PartyInput,
    TeamMemberInput,
    parsed,
)
from cases.api.serializers import (
    CaseDetailSerializer,
    CaseSerializer,
    ConflictCheckSerializer,
    PartyAddedSerializer,
    PartySerializer,
    TeamMemberSerializer,
)
from cases.models import Case, CaseTeamMember, ConflictCheck, Party
from cases.selectors import case_for_member, case_list
from cases.selectors.cases import CaseFilters
from cases.selectors.conflicts import latest_conflict_check


def _conflict_checks_of(case: Case):
    return ConflictCheck.objects.filter(case=case).select_related("run_by__user", "cleared_by__user")


class CaseListView(FirmMemberView, generics.ListAPIView):
    """Cases the signed-in person may see, filtered and sorted as on the cases page."""

    # Answers CaseSerializer's shape (the documented one), built from .values() rows by
    # shapes.case_rows without DRF serializers: two queries, the page and its clients' names.
    serializer_class = CaseSerializer
    pagination_class = SelectorOrderPagination

    def get_queryset(self):
        if is_schema_generation(self):
            return Case.objects.none()
        filters = CaseFilters.from_query(self.request.query_params)
        return case_list(self.membership, filters).values(*shapes.CASE_COLUMNS)

    @extend_schema(parameters=[CaseListQuery])
    def get(self, request, *args, **kwargs):
        parsed(CaseListQuery, request.query_params)
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(shapes.case_rows(rows))

    @extend_schema(
        request=CaseCreateInput,
        responses={201: CaseDetailSerializer},
        description="Creates the case with its parties and team and runs the conflict check: with no "
                    "hits the case opens (and its template tasks are laid out); with hits its status is "
                    "`pending` until a partner or the compliance officer clears the check.",
    )
    def post(self, request):
        data = parsed(CaseCreateInput, request.data, membership=self.membership)
        case = services.case_create(membership=self.membership, **data)
        return Response(shapes.case_detail(case_for_member(self.membership, case.pk)),
                        status=status.HTTP_201_CREATED)


class CaseDetailView(CaseScopedView):
    # Answers CaseDetailSerializer's shape (the documented one), built by shapes.case_detail.
    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, case_id):
        return Response(shapes.case_detail(self.case))

    @extend_schema(request=CaseUpdateInput, responses=CaseDetailSerializer)
    def patch(self, request, case_id):
        data = parsed(CaseUpdateInput, request.data, membership=self.membership)
        services.case_update(case=self.case, membership=self.membership, **data)
        return Response(shapes.case_detail(case_for_member(self.membership, case_id)))


class CasePartiesView(CaseScopedView, generics.ListAPIView):
    serializer_class = PartySerializer
    pagination_class = OldestFirstPagination

    def get_queryset(self):
        if is_schema_generation(self):
            return Party.objects.none()
        return Party.objects.filter(case=self.case)

    @extend_schema(
        request=PartyInput,
        responses={201: PartyAddedSerializer},
        description="Adds the party and checks the case for conflicts again; the answer has that check.",
    )
    def post(self, request, case_id):
        data = parsed(PartyInput, request.data)
        party = services.party_add(case=self.case, membership=self.membership, **data)
        body = {"party": party, "conflict_check": latest_conflict_check(self.case)}
        return Response(PartyAddedSerializer(body).data, status=status.HTTP_201_CREATED)


class CasePartyView(CaseScopedView):
    @extend_schema(responses={204: None})
    def delete(self, request, case_id, party_id):
        party = one_of(Party.objects.filter(case=self.case), pk=party_id)
        services.party_remove(party=party, membership=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseTeamView(CaseScopedView, generics.ListAPIView):
    serializer_class = TeamMemberSerializer
    pagination_class = OldestFirstPagination

    def get_queryset(self):
        if is_schema_generation(self):
            return CaseTeamMember.objects.none()
        return CaseTeamMember.objects.filter(case=self.case).select_related("membership__user")

    @extend_schema(request=TeamMemberInput, responses={201: TeamMemberSerializer})
    def post(self, request, case_id):
        data = parsed(TeamMemberInput, request.data, membership=self.membership)
        link = services.case_team_add(case=self.case, membership=data["member"], by=self.membership,
                                      is_supervisor=data.get("is_supervisor", False))
        return Response(TeamMemberSerializer(link).data, status=status.HTTP_201_CREATED)


class CaseTeamMemberView(CaseScopedView):
    @extend_schema(responses={204: None})
    def delete(self, request, case_id, membership_id):
        link = one_of(CaseTeamMember.objects.filter(case=self.case).select_related("membership"),
                      membership_id=membership_id)
        services.case_team_remove(case=self.case, membership=link.membership, by=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConflictChecksView(CaseScopedView, generics.ListAPIView):
    """The case's conflict checks, newest first."""

    serializer_class = ConflictCheckSerializer

    def get_queryset(self):
        if is_schema_generation(self):
            return ConflictCheck.objects.none()
        return _conflict_checks_of(self.case)

    @extend_schema(request=None, responses={201: ConflictCheckSerializer},
                   description="Runs a new conflict check of the case's parties.")
    def post(self, request, case_id):
        check = services.conflict_check_run(case=self.case, membership=self.membership)
        return Response(ConflictCheckSerializer(_conflict_checks_of(self.case).get(pk=check.pk)).data,
                        status=status.HTTP_201_CREATED)


class ConflictClearView(CaseScopedView):
    @extend_schema(
        request=ConflictClearInput,
        responses=ConflictCheckSerializer,
        description="A partner or the compliance officer says why the hits are no conflict; a case "
                    "waiting on this check then opens.",
    )
    def post(self, request, case_id, check_id):
        check = one_of(ConflictCheck.objects.filter(case=self.case), pk=check_id)
        data = parsed(ConflictClearInput, request.data)
        check = services.conflict_clear(check=check, membership=self.membership, reason=data.get("reason", ""))
        return Response(ConflictCheckSerializer(_conflict_checks_of(self.case).get(pk=check.pk)).data)
