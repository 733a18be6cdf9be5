"""Deadlines: computing them, putting them on the calendar, overriding them, and moving
them when the firm records a registry closure or corrects a general holiday.

Events are created and changed only through calendar_sync.services.events, so every
change bumps its SEQUENCE, is audited and reaches subscribed calendars. That service
does not take ``computed_date``/``computation``, so those two are written here right
after, in the same transaction, with this module's own audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from calendar_sync.data.deadline_rules import DEFAULT_DEADLINE_RULES
from calendar_sync.data.limitation_rules import DEFAULT_LIMITATION_RULES
from calendar_sync.deadlines.engine import Computation, Period, compute, make_step
from calendar_sync.deadlines.holidays import NoHolidayData
from calendar_sync.deadlines.selectors import (
    court_calendar_for,
    court_for,
    court_of_case,
    deadline_for_member,
    open_deadlines_around,
)
from calendar_sync.models import (
    DeadlineRule,
    Event,
    HolidayAdjustment,
    LimitationRule,
    RegistryClosure,
)
from calendar_sync.services.events import day_bounds, event_create, event_update
from cases.models import Case
from cases.selectors import can_see_case
from config.errors import Forbidden, NotFound, ValidationFailed
from firms.models import Firm, Membership
from firms.notifications import notify

# Closures and holiday corrections move every deadline of the firm: partners and admins.
CALENDAR_KEEPERS = {Membership.Role.PARTNER, Membership.Role.ADMIN}
# The same value as firms.notifications.DEADLINE_MOVED (a person can choose how to hear of
# it); not yet among firms.Notification.Kind's choices — asked of the lead.
DEADLINE_NOTICE_KIND = "deadline_moved"
RULE_FIELDS = ("name", "name_zh", "citation", "trigger", "days", "months", "clear_days", "before",
               "court_office", "pleading", "court", "notes", "is_active")


# --- Computing ----------------------------------------------------------------------------


def period_of_rule(rule: DeadlineRule, *, court: str | None = None) -> Period:
    return Period(days=rule.days, months=rule.months, clear_days=rule.clear_days, before=rule.before,
                  court_office=rule.court_office, pleading=rule.pleading, court=court)


def deadline_compute(*, firm_id: int | None, trigger_date: date, rule: DeadlineRule | None = None,
                     court: str | None = None, days: int = 0, months: int = 0, clear_days: bool = False,
                     before: bool = False, court_office: bool = False,
                     pleading: bool = False) -> Computation:
    """The due date and every step of its computation. Reads the firm's holiday
    corrections and closures; writes nothing. With a ``rule`` its period is used."""
    if rule is not None:
        period = period_of_rule(rule, court=court_for(rule, court=court))
    else:
        period = Period(days=days, months=months, clear_days=clear_days, before=before,
                        court_office=court_office, pleading=pleading, court=court or None)
    return compute(period, trigger_date, court_calendar_for(firm_id=firm_id), rule=rule)


# --- Deadlines on the calendar -----------------------------------------------------------


@transaction.atomic
def deadline_create(*, case: Case, membership: Membership, rule: DeadlineRule, trigger_date: date,
                    title: str | None = None) -> Event:
    """A filing deadline on the case's calendar, owned by ``membership``, the case team invited."""
    if not (membership.firm_id == case.firm_id == rule.firm_id) or not can_see_case(membership, case):
        raise NotFound()
    if not rule.is_active:
        raise ValidationFailed(_("The rule “%(code)s” is switched off.") % {"code": rule.code},
                               fields={"rule": [_("Choose an active rule.")]})
    computation = deadline_compute(firm_id=case.firm_id, rule=rule, trigger_date=trigger_date,
                                   court=court_of_case(case))
    start, end = day_bounds(computation.due, computation.due)
    team = [link.membership for link in case.team.select_related("membership")
            if link.membership.is_active]
    event = event_create(
        owner=membership, attendees=team, kind=Event.Kind.FILING_DEADLINE, case=case, all_day=True,
        start=start, end=end, title=(title or "").strip() or rule.name, court=_court_name(computation),
        notes=rule.citation, rule=rule, trigger_date=trigger_date, computed_date=computation.due,
        computation=computation.steps)
    audit_record(action="deadline.create", object_type="event", object_id=event.pk, case_id=case.pk,
                 changes={"rule": rule.code, "trigger_date": trigger_date.isoformat(),
                          "due": computation.due.isoformat()})
    return event


@transaction.atomic
def deadline_override(*, event: Event, membership: Membership, new_date: date, reason: str) -> Event:
    """Another date for a deadline, with the reason (O.3 r.5: extension, consent, order)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the date changes (an order, an extension by consent …)."),
                               fields={"reason": [_("Enter a reason.")]})
    if not isinstance(new_date, date):
        raise ValidationFailed(_("Give the new date."), fields={"new_date": [_("Enter a date.")]})
    event = deadline_for_member(membership, event.pk)
    was = event.effective_date
    start, end = day_bounds(new_date, new_date)
    event = event_update(event=event, membership=membership, start=start, end=end,
                         override_reason=reason)
    _append_steps(event, make_step("override", new_date, "override", because=reason, by=membership.pk))
    computed = event.computed_date.isoformat() if event.computed_date else None
    audit_record(action="deadline.override", object_type="event", object_id=event.pk,
                 case_id=event.case_id, changes={"date": [was.isoformat(), new_date.isoformat()],
                                                 "reason": reason, "computed_date": computed})
    return event


# --- Closures and holiday corrections ----------------------------------------------------


@dataclass
class CalendarChange:
    """What recording a closure or a holiday correction did."""

    record: RegistryClosure | HolidayAdjustment
    changed: bool  # False: it was already recorded just so, and nothing was done
    moved: list[Event] = field(default_factory=list)
    to_check: list[Event] = field(default_factory=list)  # hand-set dates, owners told


@transaction.atomic
def registry_closure_record(*, firm: Firm, membership: Membership, date: date, kind: str,
                            courts: list[str] | tuple[str, ...] = (), closed_from: time | None = None,
                            closed_until: time | None = None, reason: str = "") -> CalendarChange:
    """Record a day a registry closed and move every open deadline it affects (O.3 r.2(6),
    r.4), telling each owner. Recording the same closure again changes nothing."""
    _require_calendar_keeper(membership, firm)
    values = _clean_closure(kind=kind, courts=courts, closed_from=closed_from, closed_until=closed_until,
                            reason=reason)
    closure, created = RegistryClosure.objects.select_for_update().get_or_create(
        firm=firm, date=date, kind=kind, defaults=values)
    before = {name: getattr(closure, name) for name in values}
    if not created and before == values:
        return CalendarChange(record=closure, changed=False)
    for name, value in values.items():
        setattr(closure, name, value)
    closure.save()
    audit_record(action="registry_closure.record" if created else "registry_closure.update",
                 object_type="registry_closure", object_id=closure.pk,
                 changes={"date": date.isoformat(), "kind": kind, "courts": values["courts"],
                          **({} if created else {"before": _plain(before)})})
    with translation.override("en"):  # kept in steps and the audit log: one language
        cause = _("the registry closure on %(date)s (%(kind)s) was recorded") % {
            "date": date.isoformat(), "kind": closure.get_kind_display()}
    return _deadlines_recompute(firm_id=firm.pk, day=date, membership=membership, cause=cause,
                                record=closure)


@transaction.atomic
def holiday_adjustment_record(*, firm: Firm, membership: Membership, date: date, is_holiday: bool,
                              reason: str) -> CalendarChange:
    """Add a general holiday the package lacks, or remove one it has wrongly (a later year
    once gazetted), and move the deadlines that depended on it."""
    _require_calendar_keeper(membership, firm)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why (e.g. the Gazette notice)."),
                               fields={"reason": [_("Enter a reason.")]})
    adjustment, created = HolidayAdjustment.objects.select_for_update().get_or_create(
        firm=firm, date=date, defaults={"is_holiday": is_holiday, "reason": reason})
    if not created and (adjustment.is_holiday, adjustment.reason) == (is_holiday, reason):
        return CalendarChange(record=adjustment, changed=False)
    was = None if created else adjustment.is_holiday
    adjustment.is_holiday, adjustment.reason = is_holiday, reason
    adjustment.save()
    audit_record(action="holiday_adjustment.record", object_type="holiday_adjustment",
                 object_id=adjustment.pk,
                 changes={"date": date.isoformat(), "is_holiday": [was, is_holiday], "reason": reason})
    with translation.override("en"):
        cause = (_("%(date)s was added as a general holiday") if is_holiday
                 else _("%(date)s was removed from the general holidays")) % {"date": date.isoformat()}
    return _deadlines_recompute(firm_id=firm.pk, day=date, membership=membership, cause=cause,
                                record=adjustment)


def _deadlines_recompute(*, firm_id: int, day: date, membership: Membership, cause: str,
                         record) -> CalendarChange:
    change = CalendarChange(record=record, changed=True)
    calendar = court_calendar_for(firm_id=firm_id)
    for event in open_deadlines_around(firm_id=firm_id, day=day).select_for_update(of=("self",)):
        period = period_of_rule(event.rule, court=court_for(event.rule, event.case))
        try:
            computation = compute(period, event.trigger_date, calendar, rule=event.rule)
        except NoHolidayData:
            continue  # cannot be recomputed at all: it keeps its date and its steps say why
        if _is_hand_set(event):
            if computation.due != event.computed_date or event.effective_date == day:
                _ask_owner_to_check(event, membership=membership, cause=cause, day=day)
                change.to_check.append(event)
        elif computation.due != event.computed_date:
            change.moved.append(_deadline_move(event, computation, membership=membership, cause=cause))
    return change


def _deadline_move(event: Event, computation: Computation, *, membership: Membership,
                   cause: str) -> Event:
    was = event.computed_date
    start, end = day_bounds(computation.due, computation.due)
    event = event_update(event=event, membership=membership, start=start, end=end)
    note = make_step("recomputed", computation.due, "recomputed", cause=cause, was=was.isoformat())
    Event.objects.filter(pk=event.pk).update(computed_date=computation.due,
                                             computation=[*computation.steps, note])
    event.computed_date, event.computation = computation.due, [*computation.steps, note]
    audit_record(action="deadline.move", object_type="event", object_id=event.pk, case_id=event.case_id,
                 changes={"date": [was.isoformat(), computation.due.isoformat()], "because": cause})
    notify(recipient=event.owner, kind=DEADLINE_NOTICE_KIND, case_id=event.case_id, url=_link(event),
           title=_("Deadline moved from %(was)s to %(date)s: %(title)s (%(cause)s)") % {
               "was": was.isoformat(), "date": computation.due.isoformat(), "title": event.title,
               "cause": cause})
    return event


def _ask_owner_to_check(event: Event, *, membership: Membership, cause: str, day: date) -> None:
    note = make_step("note", day, "recheck", cause=cause)
    if note in event.computation:
        return
    _append_steps(event, note)
    audit_record(action="deadline.check", object_type="event", object_id=event.pk, case_id=event.case_id,
                 changes={"because": cause, "date": event.effective_date.isoformat()})
    notify(recipient=event.owner, kind=DEADLINE_NOTICE_KIND, case_id=event.case_id, url=_link(event),
           title=_("Check the deadline you set by hand, %(date)s: %(title)s (%(cause)s)") % {
               "date": event.effective_date.isoformat(), "title": event.title, "cause": cause})


def _court_name(computation: Computation) -> str:
    court = computation.period.court
    return str(DeadlineRule.Court(court).label) if court else ""


def _is_hand_set(event: Event) -> bool:
    return bool(event.override_reason) or event.effective_date != event.computed_date


def _append_steps(event: Event, *steps: dict) -> None:
    event.computation = [*(event.computation or []), *steps]
    Event.objects.filter(pk=event.pk).update(computation=event.computation)


def _link(event: Event) -> str:
    return f"/cases/{event.case_id}/" if event.case_id else ""


def _require_calendar_keeper(membership: Membership, firm: Firm) -> None:
    keeps_calendar = membership.is_active and membership.role in CALENDAR_KEEPERS
    if membership.firm_id != firm.pk or not keeps_calendar:
        raise Forbidden(_("Only a partner or the firm's admin can change the court calendar."))


def _clean_closure(*, kind, courts, closed_from, closed_until, reason) -> dict:
    errors = {}
    if kind not in RegistryClosure.Kind.values:
        errors["kind"] = [_("Choose gale, black_rain or other.")]
    courts = sorted(set(courts or ()))
    if any(court not in ("HC", "DC") for court in courts):
        errors["courts"] = [_("Courts are HC and DC (none: every court).")]
    if closed_from and closed_until and closed_until < closed_from:
        errors["closed_until"] = [_("The registry reopens after it closed.")]
    if errors:
        raise ValidationFailed(_("The closure could not be recorded; see the fields marked."),
                               fields=errors)
    return {"courts": courts, "closed_from": closed_from, "closed_until": closed_until,
            "reason": (reason or "").strip()[:300]}


def _plain(values: dict) -> dict:
    return {name: value.isoformat() if isinstance(value, time) else value
            for name, value in values.items()}


# --- The rule library ---------------------------------------------------------------------


@transaction.atomic
def deadline_rules_install_defaults(*, firm_id: int) -> None:
    """A new firm starts with the standard deadline and limitation rules, which it then
    edits as its own. Safe to run again: existing codes are left as the firm has them."""
    for rule in DEFAULT_DEADLINE_RULES:
        DeadlineRule.objects.get_or_create(firm_id=firm_id, code=rule["code"],
                                           defaults={k: v for k, v in rule.items() if k != "code"})
    for rule in DEFAULT_LIMITATION_RULES:
        LimitationRule.objects.get_or_create(firm_id=firm_id, code=rule["code"],
                                             defaults={k: v for k, v in rule.items() if k != "code"})


@transaction.atomic
def deadline_rule_update(*, rule: DeadlineRule, membership: Membership, **changes) -> DeadlineRule:
    """A firm correcting one of its rules (period, citation, flags …). Existing deadlines
    keep the date they were given; the change applies to new ones."""
    firm = Firm(pk=rule.firm_id)
    _require_calendar_keeper(membership, firm)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown rule details: %(f)s") % {"f": ", ".join(sorted(unknown))})
    rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    diff = {name: [getattr(rule, name), value] for name, value in changes.items()
            if getattr(rule, name) != value}
    for name, (_before, value) in diff.items():
        setattr(rule, name, value)
    if rule.court not in DeadlineRule.Court.values:
        raise ValidationFailed(_("Choose HC, DC or ANY."), fields={"court": [_("Unknown court.")]})
    period_of_rule(rule).check()
    if diff:
        rule.save()
        audit_record(action="deadline_rule.update", object_type="deadline_rule", object_id=rule.pk,
                     changes=diff)
    return rule
