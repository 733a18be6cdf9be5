"""Counting a period under the Rules of the High Court, Order 3 — pure: no database.

The calendar (holidays, the firm's corrections and recorded closures) is handed in, and
every decision becomes a step a lawyer can check: a list of plain data, stored with the
deadline (Event.computation), each with an English ``why`` and a message ``code`` with
``params`` so it can be shown in another language later (``step_text``).

The scheme (docs/hk-rules.md, "Computing time"):
- r.2(2) a period after a date starts the day after it; r.2(3) a period before a date
  ends the day before it; r.2(4) clear days: that many whole days between act and date;
- r.2(5) a period of 7 days or less skips Saturdays, general holidays (every Sunday),
  gale and black rainstorm warning days and, for an act at a court office, other days
  that office is closed; 8 days or more counts every day;
- r.1 months are calendar months (31 Jan + 1 month = 28/29 Feb);
- r.3 the Summer Vacation (August) is not counted for pleadings in the High Court;
- r.4 an act at a court office due on a day the office is closed is in time on the next
  day it is open.
"""

from __future__ import annotations

import calendar as month_lengths
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from calendar_sync.deadlines.holidays import SATURDAY, ClosureDay, Reason, is_gazetted
from config.errors import ValidationFailed

SHORT_PERIOD_DAYS = 7  # O.3 r.2(5)
LONGEST_DAYS = 3660
LONGEST_MONTHS = 240
COURTS = ("HC", "DC")
REASON_ONLY_STEPS = ("skip", "closed")  # their "why" is the reason; the rest carry a sentence

REASONS = {
    "saturday": _("Saturday"),
    "sunday": _("Sunday (a general holiday)"),
    "general_holiday": _("general holiday: %(name)s"),
    "added_holiday": _("general holiday added by the firm: %(reason)s"),
    "gale": _("gale warning day: %(reason)s"),
    "black_rain": _("black rainstorm warning day: %(reason)s"),
    "closure": _("registry closed: %(reason)s"),
    "summer_vacation": _("Summer Vacation, not counted for pleadings in the High Court (O.3 r.3)"),
}

TEXTS = {
    "rule": _("%(name)s (%(citation)s), counted from %(trigger)s."),
    "start": _("Counted from %(date)s: that day is not counted (O.3 r.2(2))."),
    "start_before": _("Counted back from %(date)s: the period ends the day before it (O.3 r.2(3))."),
    "months": _("%(n)s calendar month(s) to %(date)s (O.3 r.1)."),
    "months_clamped": _("%(n)s calendar month(s): that month has no day %(wanted_day)s, so its last "
                        "day, %(date)s (O.3 r.1)."),
    "vacation_months": _("%(n)s day(s) of the Summer Vacation fell inside the months and are "
                         "not counted (O.3 r.3): added after %(date)s."),
    "skip": _("%(date)s not counted: %(why)s."),
    "skip_range": _("%(date)s to %(until)s not counted: %(why)s."),
    "count": _("Day %(n)s: %(date)s."),
    "count_all": _("Day %(n)s: %(date)s (a period of 8 days or more counts Saturdays and "
                   "holidays, O.3 r.2(5))."),
    "clear": _("Clear days: the %(n)s whole day(s) must fall between the act and the date, so "
               "%(date)s (O.3 r.2(4))."),
    "closed": _("%(date)s the registry is closed: %(why)s."),
    "moved": _("Moved to %(date)s, the next day the registry is open (O.3 r.4)."),
    "moved_back": _("Moved back to %(date)s, the last open day before: an act due before a date "
                    "cannot wait for the registry to reopen (verify)."),
    "not_moved": _("%(date)s is a %(why)s; not moved: O.3 r.4 extends only acts at a court "
                   "office (verify whether Cap. 1 s.71 extends it)."),
    "vacation_counted": _("The court is not known: the Summer Vacation was counted (in the "
                          "High Court it would not be)."),
    "closure_not_applied": _("A closure on %(date)s recorded for %(courts)s only was not applied: "
                             "the court is not known."),
    "provisional": _("General holidays for %(year)s are a forecast, not yet gazetted: check "
                     "them (an admin can correct a day)."),
    "due": _("Due: %(date)s."),
    "override": _("Changed by hand to %(date)s: %(because)s (O.3 r.5)."),
    "recomputed": _("Recomputed: %(cause)s; was %(was)s, now %(date)s."),
    "recheck": _("%(cause)s; the date was set by hand and was not moved: check it."),
}


class Calendar(Protocol):
    def require_year(self, year: int) -> None: ...
    def general_holiday(self, day: date) -> Reason | None: ...
    def warning(self, day: date) -> Reason | None: ...
    def office_closure(self, day: date, court: str | None) -> tuple[Reason | None, list[ClosureDay]]: ...


class RuleLike(Protocol):
    code: str
    name: str
    citation: str
    trigger: str


@dataclass(frozen=True)
class Period:
    days: int = 0
    months: int = 0
    clear_days: bool = False
    before: bool = False
    court_office: bool = False
    pleading: bool = False
    court: str | None = None  # "HC", "DC" or not known

    @property
    def is_short(self) -> bool:
        return self.months == 0 and self.days <= SHORT_PERIOD_DAYS

    @property
    def skips_summer_vacation(self) -> bool:
        return self.pleading and self.court == "HC"

    @property
    def direction(self) -> int:
        return -1 if self.before else 1

    def check(self) -> None:
        errors = {}
        for name, longest in (("days", LONGEST_DAYS), ("months", LONGEST_MONTHS)):
            value = getattr(self, name)
            if value < 0:
                errors[name] = [_("Must be 0 or more.")]
            elif value > longest:
                errors[name] = [_("At most %(n)s.") % {"n": longest}]
        if not errors and self.days == 0 and self.months == 0:
            errors["days"] = [_("Give a period in days or months.")]
        if self.court not in (None, *COURTS):
            errors["court"] = [_("Choose HC or DC.")]
        if errors:
            raise ValidationFailed(_("The period is not right; see the fields marked."), fields=errors)


@dataclass
class Computation:
    trigger: date
    due: date
    period: Period
    steps: list[dict]
    rule_code: str = ""

    def as_dict(self) -> dict:
        return {
            "due": self.due.isoformat(),
            "from": self.trigger.isoformat(),
            "rule": self.rule_code or None,
            "period": {name: getattr(self.period, name) for name in
                       ("days", "months", "clear_days", "before", "court_office", "pleading", "court")},
            "steps": self.steps,
        }


def make_step(kind: str, day: date | None, code: str, *, reason: Reason | None = None, **params) -> dict:
    """One step as stored, e.g. {"step": "skip", "date": "2026-02-17", "why": "general
    holiday: Chinese New Year", …}: ``why`` in English (the reason alone where there is
    one), ``code`` and ``params`` to show the step as a sentence in any language."""
    params = {name: value.isoformat() if isinstance(value, date) else value
              for name, value in params.items()}
    if day is not None:
        params.setdefault("date", day.isoformat())
    if reason is not None:
        params.update(reason.params)
        params["reason_code"] = reason.code
    with translation.override("en"):
        if reason is not None:
            params["why"] = _render(reason.code, params)
        why = params["why"] if kind in REASON_ONLY_STEPS else _render(code, params)
    step = {"step": kind, "date": day.isoformat() if day else None, "why": why, "code": code}
    if params:
        step["params"] = params
    return step


def step_text(step: dict) -> str:
    """A stored step as a sentence in the current language."""
    params = dict(step.get("params") or {})
    if "reason_code" in params:
        params["why"] = _render(params["reason_code"], params) or params.get("why", "")
    return _render(step.get("code", ""), params) or step.get("why", "")


def _render(code: str, params: dict) -> str:
    template = TEXTS.get(code) or REASONS.get(code)
    if template is None:
        return ""
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def add_months(day: date, months: int) -> tuple[date, bool]:
    """``day`` moved by whole calendar months; True when the day was clamped to month end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = month_lengths.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last)), day.day > last


def compute(period: Period, trigger: date, calendar: Calendar, *,
            rule: RuleLike | None = None) -> Computation:
    period.check()
    return _Counter(period, calendar).run(trigger, rule)


@dataclass
class _Counter:
    period: Period
    calendar: Calendar
    steps: list[dict] = field(default_factory=list)
    years_seen: set[int] = field(default_factory=set)

    def run(self, trigger: date, rule: RuleLike | None) -> Computation:
        if rule is not None:
            self._add("rule", None, "rule", name=rule.name, citation=rule.citation, trigger=rule.trigger)
        self._add("start", trigger, "start_before" if self.period.before else "start")
        self._year(trigger)
        if self.period.pleading and self.period.court is None:
            self._add("note", None, "vacation_counted")
        day = trigger
        if self.period.months:
            day = self._months(day)
        if self.period.days:
            day = self._days(day, self.period.days)
        if self.period.clear_days:
            day = day + timedelta(days=self.period.direction)
            self._add("clear", day, "clear", n=self.period.days)
        day = self._end_on_a_working_day(day)
        self._year(day)
        self._add("due", day, "due")
        return Computation(trigger=trigger, due=day, period=self.period, steps=self.steps,
                           rule_code=getattr(rule, "code", "") or "")

    # --- counting --------------------------------------------------------------------

    def _months(self, start: date) -> date:
        day, clamped = add_months(start, self.period.months * self.period.direction)
        if clamped:
            self._add("months", day, "months_clamped", n=self.period.months, wanted_day=start.day)
        else:
            self._add("months", day, "months", n=self.period.months)
        if self.period.skips_summer_vacation:
            day = self._past_vacation_days_inside(start, day)
        return day

    def _past_vacation_days_inside(self, start: date, end: date) -> date:
        low, high = sorted((start, end))
        inside = sum(1 for offset in range(1, (high - low).days + 1)
                     if (low + timedelta(days=offset)).month == 8)
        if not inside:
            return end
        self._add("note", end, "vacation_months", n=inside)
        day, left = end, inside
        while left:
            day += timedelta(days=self.period.direction)
            if day.month != 8:
                left -= 1
        return day

    def _days(self, start: date, wanted: int) -> date:
        day, counted = start, 0
        while counted < wanted:
            day += timedelta(days=self.period.direction)
            reason = self._not_counted(day)
            if reason is not None:
                self._skip(day, reason)
                continue
            counted += 1
            if self.period.is_short:
                self._add("count", day, "count", n=counted)
        if not self.period.is_short:
            self._add("count", day, "count_all", n=wanted)
        return day

    def _not_counted(self, day: date) -> Reason | None:
        if self.period.skips_summer_vacation and day.month == 8:
            return Reason("summer_vacation")
        if not self.period.is_short:
            return None
        return self._specified_day(day)

    def _specified_day(self, day: date) -> Reason | None:
        """O.3 r.2(6): Saturday, general holiday, warning day, and (court office) closure."""
        self._year(day)
        if day.weekday() == SATURDAY:
            return Reason("saturday")
        reason = self.calendar.general_holiday(day) or self.calendar.warning(day)
        if reason is None and self.period.court_office:
            reason = self._office_closure(day)
        return reason

    def _office_closure(self, day: date) -> Reason | None:
        reason, unapplied = self.calendar.office_closure(day, self.period.court)
        for closure in unapplied:
            self._add("note", day, "closure_not_applied", courts=", ".join(closure.courts))
        return reason

    # --- the last day ----------------------------------------------------------------

    def _end_on_a_working_day(self, day: date) -> date:
        if not self.period.court_office:
            reason = self._registry_shut(day, court_office=False)
            if reason is not None:
                self._add("note", day, "not_moved", reason)
            return day
        moved = False
        while (reason := self._registry_shut(day, court_office=True)) is not None:
            self._add("closed", day, "closed", reason)
            day += timedelta(days=self.period.direction)
            moved = True
        if moved:
            self._add("move", day, "moved_back" if self.period.before else "moved")
        return day

    def _registry_shut(self, day: date, *, court_office: bool) -> Reason | None:
        """Registries are shut on Saturdays, Sundays and general holidays (O.64, and the
        Judiciary's five-day week) and on the closure days recorded for that court. For an
        act elsewhere a warning day is named too, only to say the date was not moved."""
        self._year(day)
        if day.weekday() == SATURDAY:
            return Reason("saturday")
        reason = self.calendar.general_holiday(day)
        if reason is None:
            reason = self._office_closure(day) if court_office else self.calendar.warning(day)
        return reason

    # --- steps -----------------------------------------------------------------------

    def _skip(self, day: date, reason: Reason) -> None:
        last = self.steps[-1] if self.steps else None
        if (reason.code == "summer_vacation" and last and last["step"] == "skip"
                and last["params"].get("reason_code") == "summer_vacation"):
            last["params"]["until"] = day.isoformat()
            last["until"] = day.isoformat()
            last["code"] = "skip_range"
            return
        self._add("skip", day, "skip", reason)

    def _add(self, kind: str, day: date | None, code: str, reason: Reason | None = None,
             **params) -> None:
        step = make_step(kind, day, code, reason=reason, **params)
        if kind == "note" and step in self.steps:
            return  # the same remark once, however often a day is looked at
        self.steps.append(step)

    def _year(self, day: date) -> None:
        if day.year in self.years_seen:
            return
        self.years_seen.add(day.year)
        self.calendar.require_year(day.year)
        if not is_gazetted(day.year):
            self._add("note", None, "provisional", year=day.year)
