"""The deadline API (under /api/): compute a date, list the firm's rules, put a deadline on a
case, override one, record a registry closure or a holiday correction, limitation dates.

Thin: inputs are checked here, everything else is the deadline services and selectors.
Firm scoping happens once, in ``config.api.FirmMemberView.initial``; cases and deadlines come
from the one access helper each, so another firm's look the same as missing ones.
Wired with ``path("", include("calendar_sync.api_deadlines"))`` in config/urls.py.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from calendar_sync.deadlines.engine import LONGEST_DAYS, LONGEST_MONTHS, step_text
from calendar_sync.deadlines.selectors import (
    deadline_for_member,
    deadline_rule_by_code,
    deadline_rules_of,
    limitation_warnings_for_case,
)
from calendar_sync.deadlines.services import (
    deadline_compute,
    deadline_create,
    deadline_override,
    holiday_adjustment_record,
    registry_closure_record,
)
from calendar_sync.models import DeadlineRule, Event
from cases.selectors import case_for_member
from config.api import FirmMemberView

# Choices are checked by the services (clear messages naming the field) and described here
# as text: enums named "court" or "kind" would collide with other apps' in the one schema.
COURT_HELP = "HC (High Court) or DC (District Court); leave out when not known."
CLOSURE_KIND_HELP = "gale, black_rain or other."




# --- Inputs -------------------------------------------------------------------------------


class WithFromDate(serializers.Serializer):
    """``from`` is a Python keyword, so the field is added by name."""

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class ComputeInput(WithFromDate):
    rule = serializers.CharField(required=False, allow_blank=True, max_length=60)
    days = serializers.IntegerField(min_value=0, max_value=LONGEST_DAYS, default=0)
    months = serializers.IntegerField(min_value=0, max_value=LONGEST_MONTHS, default=0)
    clear_days = serializers.BooleanField(default=False)
    before = serializers.BooleanField(default=False)
    court_office = serializers.BooleanField(default=False)
    pleading = serializers.BooleanField(default=False)
    court = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=3,
                                  help_text=COURT_HELP)


class DeadlineInput(WithFromDate):
    rule = serializers.CharField(max_length=60)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)


class OverrideInput(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class ClosureInput(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField(max_length=12, help_text=CLOSURE_KIND_HELP)
    courts = serializers.ListField(child=serializers.CharField(max_length=3), required=False, default=list,
                                   help_text="HC and/or DC; none: every court.")
    closed_from = serializers.TimeField(required=False, allow_null=True, default=None)
    closed_until = serializers.TimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class HolidayInput(serializers.Serializer):
    date = serializers.DateField()
    is_holiday = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, max_length=300)


class LimitationInput(serializers.Serializer):
    cause = serializers.CharField(max_length=60)
    accrued_on = serializers.DateField()


def valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Outputs ------------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    """One step of a computation as stored, and ``text``: the step as a sentence."""

    step = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    until = serializers.DateField(required=False)
    why = serializers.CharField()
    code = serializers.CharField()
    params = serializers.DictField(required=False)
    text = serializers.SerializerMethodField()

    def get_text(self, step) -> str:
        return step_text(step)


class PeriodSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    months = serializers.IntegerField()
    clear_days = serializers.BooleanField()
    before = serializers.BooleanField()
    court_office = serializers.BooleanField()
    pleading = serializers.BooleanField()
    court = serializers.CharField(allow_null=True)


class ComputationSerializer(WithFromDate):
    due = serializers.DateField()
    rule = serializers.CharField(allow_null=True)
    period = PeriodSerializer()
    steps = StepSerializer(many=True)


class RuleSerializer(serializers.ModelSerializer):
    court = serializers.CharField(help_text="HC, DC or ANY.")

    class Meta:
        model = DeadlineRule
        fields = ["id", "code", "name", "name_zh", "citation", "trigger", "days", "months", "clear_days",
                  "before", "court_office", "pleading", "court", "notes", "is_active"]


class RuleListSerializer(serializers.Serializer):
    results = RuleSerializer(many=True)


class DeadlineSerializer(serializers.ModelSerializer):
    """A deadline: its date (overridden or computed), the computed date, and every step."""

    date = serializers.DateField(source="effective_date")
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    steps = StepSerializer(source="computation", many=True)

    class Meta:
        model = Event
        fields = ["id", "title", "case", "owner", "date", "rule", "trigger_date", "computed_date",
                  "override_reason", "is_done", "steps"]


class CalendarChangeSerializer(serializers.Serializer):
    changed = serializers.BooleanField()
    moved = DeadlineSerializer(many=True)
    to_check = DeadlineSerializer(many=True)


class LimitationWarningSerializer(serializers.Serializer):
    cause = serializers.CharField()
    name = serializers.CharField()
    citation = serializers.CharField()
    accrued_on = serializers.DateField()
    years = serializers.IntegerField()
    warning_date = serializers.DateField()
    issue_by = serializers.DateField()
    basis = serializers.CharField()
    caution = serializers.CharField()


class LimitationListSerializer(serializers.Serializer):
    results = LimitationWarningSerializer(many=True)


# --- Views --------------------------------------------------------------------------------


class DeadlineComputeView(FirmMemberView):
    """The due date and every step, from a rule code (with ``from``, and ``court`` for a rule
    of any court) or from a period. Writes nothing."""

    @extend_schema(request=ComputeInput, responses=ComputationSerializer)
    def post(self, request):
        data = valid(ComputeInput, request.data)
        firm_id = self.membership.firm_id
        rule = deadline_rule_by_code(firm_id=firm_id, code=data["rule"]) if data.get("rule") else None
        court = (data.get("court") or "").upper() or None
        computation = deadline_compute(
            firm_id=firm_id, trigger_date=data["from"], rule=rule, court=court,
            days=data["days"], months=data["months"], clear_days=data["clear_days"],
            before=data["before"], court_office=data["court_office"], pleading=data["pleading"])
        return Response(ComputationSerializer(computation.as_dict()).data)


class DeadlineRuleListView(FirmMemberView):
    @extend_schema(responses=RuleListSerializer)
    def get(self, request):
        rules = deadline_rules_of(firm_id=self.membership.firm_id, include_inactive=True)
        return Response(RuleListSerializer({"results": rules}).data)


class CaseDeadlineCreateView(FirmMemberView):
    @extend_schema(request=DeadlineInput, responses={201: DeadlineSerializer})
    def post(self, request, case_id):
        case = case_for_member(self.membership, case_id)
        data = valid(DeadlineInput, request.data)
        rule = deadline_rule_by_code(firm_id=self.membership.firm_id, code=data["rule"])
        event = deadline_create(case=case, membership=self.membership, rule=rule,
                                trigger_date=data["from"], title=data.get("title"))
        return Response(DeadlineSerializer(event).data, status=status.HTTP_201_CREATED)


class DeadlineOverrideView(FirmMemberView):
    @extend_schema(request=OverrideInput, responses=DeadlineSerializer)
    def post(self, request, event_id):
        event = deadline_for_member(self.membership, event_id)
        data = valid(OverrideInput, request.data)
        event = deadline_override(event=event, membership=self.membership, new_date=data["date"],
                                  reason=data["reason"])
        return Response(DeadlineSerializer(event).data)


class RegistryClosureRecordView(FirmMemberView):
    """201 when recorded or changed (with the deadlines moved); 200 when already recorded."""

    @extend_schema(request=ClosureInput, responses={201: CalendarChangeSerializer, 200: CalendarChangeSerializer})
    def post(self, request):
        data = valid(ClosureInput, request.data)
        change = registry_closure_record(firm=self.membership.firm, membership=self.membership, **data)
        return calendar_change_response(change)


class HolidayAdjustmentRecordView(FirmMemberView):
    @extend_schema(request=HolidayInput, responses={201: CalendarChangeSerializer, 200: CalendarChangeSerializer})
    def post(self, request):
        data = valid(HolidayInput, request.data)
        change = holiday_adjustment_record(firm=self.membership.firm, membership=self.membership, **data)
        return calendar_change_response(change)


class CaseLimitationView(FirmMemberView):
    """?cause=contract&accrued_on=2020-03-01: a warning date with its basis, never final."""

    @extend_schema(parameters=[LimitationInput], responses=LimitationListSerializer)
    def get(self, request, case_id):
        case = case_for_member(self.membership, case_id)
        data = valid(LimitationInput, request.query_params)
        warnings = limitation_warnings_for_case(case=case, causes=[(data["cause"], data["accrued_on"])])
        return Response(LimitationListSerializer({"results": warnings}).data)


def calendar_change_response(change) -> Response:
    return Response(CalendarChangeSerializer(change).data,
                    status=status.HTTP_201_CREATED if change.changed else status.HTTP_200_OK)


urlpatterns = [
    path("deadlines/compute/", DeadlineComputeView.as_view(), name="deadline-compute"),
    path("deadlines/<int:event_id>/override/", DeadlineOverrideView.as_view(), name="deadline-override"),
    path("deadline-rules/", DeadlineRuleListView.as_view(), name="deadline-rules"),
    path("cases/<int:case_id>/deadlines/", CaseDeadlineCreateView.as_view(), name="case-deadlines"),
    path("cases/<int:case_id>/limitation/", CaseLimitationView.as_view(), name="case-limitation"),
    path("registry-closures/", RegistryClosureRecordView.as_view(), name="registry-closures"),
    path("holiday-adjustments/", HolidayAdjustmentRecordView.as_view(), name="holiday-adjustments"),
]
