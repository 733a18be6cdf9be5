"""Reads for the deadline engine: a firm's calendar, its rules, deadlines, limitation dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from calendar_sync.deadlines.engine import add_months
from calendar_sync.deadlines.holidays import SATURDAY, ClosureDay, CourtCalendar, NoHolidayData
from calendar_sync.models import (
    DeadlineRule,
    Event,
    HolidayAdjustment,
    LimitationRule,
    RegistryClosure,
)
from calendar_sync.services.events import day_bounds
from cases.models import Case
from cases.selectors import cases_visible_to
from config.errors import NotFound, ValidationFailed
from firms.models import Membership

# Case.court → the court whose rules apply: the Court of Appeal and the Court of First
# Instance make up the High Court. The Family Court is left unknown (its own rules).
COURT_OF_CASE = {"CFA": "HC", "CA": "HC", "CFI": "HC", "DC": "DC"}


class UnknownRule(ValidationFailed):
    code = "unknown_rule"

    def __init__(self, code: str):
        super().__init__(_("There is no deadline rule with the code “%(code)s” in your firm.")
                         % {"code": code}, fields={"rule": [_("Unknown rule.")]}, code=self.code)


def court_calendar_for(*, firm_id: int | None) -> CourtCalendar:
    """The holidays as the firm corrected them and the closures it recorded (RLS scoped)."""
    if firm_id is None:
        return CourtCalendar()
    adjustments = HolidayAdjustment.objects.filter(firm_id=firm_id).only("date", "is_holiday", "reason")
    closures = RegistryClosure.objects.filter(firm_id=firm_id).order_by("date", "pk")
    return CourtCalendar(
        added={a.date: a.reason for a in adjustments if a.is_holiday},
        removed={a.date: a.reason for a in adjustments if not a.is_holiday},
        closures=[ClosureDay(date=c.date, kind=c.kind, courts=tuple(c.courts), closed_from=c.closed_from,
                             closed_until=c.closed_until, reason=c.reason) for c in closures],
    )


def court_of_case(case: Case | None) -> str | None:
    return COURT_OF_CASE.get(case.court) if case is not None else None


def court_for(rule: DeadlineRule, case: Case | None = None, court: str | None = None) -> str | None:
    """The rule's own court, else the case's, else the one asked for."""
    if rule.court in ("HC", "DC"):
        return rule.court
    return court_of_case(case) or court


def deadline_rules_of(*, firm_id: int, include_inactive: bool = False) -> QuerySet[DeadlineRule]:
    rules = DeadlineRule.objects.filter(firm_id=firm_id)
    if not include_inactive:
        rules = rules.filter(is_active=True)
    return rules.order_by("name", "pk")


def deadline_rule_by_code(*, firm_id: int, code: str) -> DeadlineRule:
    """One of the firm's active rules; another firm's code is as unknown as a made-up one."""
    try:
        return deadline_rules_of(firm_id=firm_id).get(code=code)
    except DeadlineRule.DoesNotExist:
        raise UnknownRule(code) from None


def deadline_for_member(membership: Membership | None, event_id) -> Event:
    """A deadline of a case the person may see (or their own), else NotFound alike."""
    if membership is None:
        raise NotFound()
    deadlines = Event.objects.filter(firm_id=membership.firm_id, kind=Event.Kind.FILING_DEADLINE).filter(
        Q(case__in=cases_visible_to(membership)) | Q(case__isnull=True, owner=membership))
    try:
        return deadlines.select_related("rule", "case", "owner").get(pk=int(event_id))
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def open_deadlines_around(*, firm_id: int, day: date) -> QuerySet[Event]:
    """Computed deadlines, not done or cancelled, whose counting or date could touch ``day``:
    it lies between the trigger and the computed date (either way), or is their date."""
    start, end = day_bounds(day, day)
    spans = (Q(trigger_date__lt=day, computed_date__gte=day)
             | Q(trigger_date__gt=day, computed_date__lte=day)
             | Q(start__gte=start, start__lt=end))
    return (Event.objects.filter(firm_id=firm_id, kind=Event.Kind.FILING_DEADLINE, is_done=False,
                                 rule__isnull=False, trigger_date__isnull=False)
            .exclude(status=Event.Status.CANCELLED).filter(spans)
            .select_related("rule", "case", "owner").order_by("pk"))


# --- Limitation (Cap. 347) ----------------------------------------------------------------


@dataclass(frozen=True)
class LimitationWarning:
    """A warning date with its basis: never a final date (postponement, knowledge)."""

    cause: str
    name: str
    citation: str
    accrued_on: date
    years: int
    warning_date: date
    issue_by: date  # the warning date, or the last day before it the registry is open
    basis: str
    caution: str


def limitation_warning(*, firm_id: int, cause: str, accrued_on: date) -> LimitationWarning:
    try:
        rule = LimitationRule.objects.get(firm_id=firm_id, code=cause)
    except LimitationRule.DoesNotExist:
        raise ValidationFailed(_("There is no limitation rule “%(code)s” in your firm.")
                               % {"code": cause},
                               fields={"cause": [_("Unknown cause of action.")]},
                               code="unknown_limitation_rule") from None
    # The day of accrual is not counted, so the period ends on the anniversary.
    warning, _clamped = add_months(accrued_on, rule.years * 12)
    issue_by, shut_note = _last_open_day_by(warning, court_calendar_for(firm_id=firm_id))
    basis = _("%(years)s years from %(from)s (%(citation)s): accrued %(accrued)s, so %(date)s.") % {
        "years": rule.years, "from": rule.counted_from, "citation": rule.citation,
        "accrued": accrued_on.isoformat(), "date": warning.isoformat()}
    caution = " ".join(part for part in (rule.caution, shut_note) if part)
    return LimitationWarning(cause=rule.code, name=rule.name, citation=rule.citation,
                             accrued_on=accrued_on, years=rule.years, warning_date=warning,
                             issue_by=issue_by, basis=basis, caution=caution)


def limitation_warnings_for_case(*, case: Case,
                                 causes: list[tuple[str, date]]) -> list[LimitationWarning]:
    """Warning dates for a case's causes of action, each (LimitationRule code, accrual date)."""
    warnings = [limitation_warning(firm_id=case.firm_id, cause=cause, accrued_on=accrued_on)
                for cause, accrued_on in causes]
    return sorted(warnings, key=lambda warning: warning.issue_by)


def _last_open_day_by(day: date, calendar: CourtCalendar) -> tuple[date, str]:
    """Do not count on the registry reopening after the period: issue on an open day before."""
    try:
        shut = day
        while _registry_shut(shut, calendar):
            shut -= timedelta(days=1)
    except NoHolidayData:
        return day, _("General holidays for %(year)s are not known: check the date.") % {
            "year": day.year}
    if shut == day:
        return day, ""
    return shut, _("%(date)s is not a day the registry is open: issue by %(issue)s.") % {
        "date": day.isoformat(), "issue": shut.isoformat()}


def _registry_shut(day: date, calendar: CourtCalendar) -> bool:
    closure, _unknown_court = calendar.office_closure(day, None)
    return day.weekday() == SATURDAY or calendar.general_holiday(day) is not None or closure is not None
