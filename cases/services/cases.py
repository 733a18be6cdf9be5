"""Cases: creation with its conflict check, opening, updates, the case team, exceptions."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from calendar_sync.sync import queue_push_for_case_member
from cases.case_numbers import parse_case_number
from cases.models import Case, CaseTeamMember, CaseUserObjectPermission, CourtPrefix, Party
from cases.permissions import require_case_manager, require_team_manager
from cases.selectors.conflicts import latest_conflict_check
from config.errors import ValidationFailed
from firms.models import Membership

EDITABLE_FIELDS = ("title_en", "title_zh", "case_number", "court", "practice_area", "stage", "status",
                   "responsible_partner", "tags", "closed_on")


def _audit(case: Case, action: str, changes: dict | None = None, **extra) -> None:
    audit_record(action=action, object_type="case", object_id=case.pk, case_id=case.pk,
                 changes=changes, **extra)


def touch(case: Case) -> None:
    """Something happened on the case: the partner dashboard measures follow-up delay by this."""
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())


def clean_case_number(number: str, court: str, *, unlisted_prefix_ok: bool) -> tuple[str, str, bool]:
    """(canonical number, court, prefix-is-unlisted) or ValidationFailed."""
    if not (number or "").strip():
        return "", court, False
    parsed = parse_case_number(number)
    known = CourtPrefix.objects.filter(prefix=parsed.prefix).first()
    if known is None and not unlisted_prefix_ok:
        message = _("%(prefix)s is not a court prefix we know (such as HCA, DCCJ, HCMP). Check it, "
                    "or tick “the prefix is right” to keep it.") % {"prefix": parsed.prefix}
        raise ValidationFailed(message, fields={"case_number": [message]}, code="unknown_prefix")
    if known and court and court != known.court:
        message = _("%(prefix)s numbers belong to the %(court)s.") % {
            "prefix": parsed.prefix, "court": known.get_court_display()}
        raise ValidationFailed(message, fields={"court": [message]})
    return str(parsed), court or (known.court if known else ""), known is None


def _check_required(title_en: str, reference: str) -> None:
    fields = {}
    if not (reference or "").strip():
        fields["reference"] = [_("Enter the firm's reference for the case.")]
    if not (title_en or "").strip():
        fields["title_en"] = [_("Enter a title for the case.")]
    if fields:
        raise ValidationFailed(_("Some details of the case are missing."), fields=fields)


@transaction.atomic
def case_create(*, membership: Membership, reference: str, title_en: str, title_zh: str = "",
                case_number: str = "", unlisted_prefix_ok: bool = False, court: str = "",
                practice_area: str = Case.PracticeArea.CIVIL, stage: str = Case.Stage.INTAKE,
                responsible_partner: Membership | None = None, opened_on: date | None = None,
                tags: list[str] | None = None, parties: list[dict] | None = None,
                team: list[Membership] | None = None) -> Case:
    """A new case with its parties and team, and its first conflict check.

    With no conflict hits the case opens at once; with hits it waits, status
    "pending", until a partner or the compliance officer clears it.
    """
    from cases.services.conflicts import conflict_check_run
    from cases.services.parties import party_add

    _check_required(title_en, reference)
    _check_parties(parties or [])
    number, court, unlisted = clean_case_number(case_number, court, unlisted_prefix_ok=unlisted_prefix_ok)
    if responsible_partner is not None:
        _check_partner(responsible_partner, membership.firm_id)
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise ValidationFailed(_("A case cannot be opened in the future."),
                               fields={"opened_on": [_("Choose today or an earlier date.")]})
    try:
        with transaction.atomic():
            case = Case.objects.create(
                firm_id=membership.firm_id, reference=reference.strip(), title_en=title_en.strip(),
                title_zh=title_zh.strip(), case_number=number, case_number_unlisted_prefix=unlisted,
                court=court, practice_area=practice_area, stage=stage, responsible_partner=responsible_partner,
                opened_on=opened_on, tags=_clean_tags(tags), status=Case.Status.PENDING)
    except IntegrityError:
        raise ValidationFailed(
            _("Another case already has this reference or court case number."),
            fields={"reference": [_("Check the reference and case number: one is taken.")]}) from None
    _audit(case, "case.create", {"reference": [None, case.reference], "case_number": [None, number],
                                 "status": [None, case.status], "unlisted_prefix": [None, unlisted]})
    for member in {membership, responsible_partner, *(team or [])} - {None}:
        case_team_add(case=case, membership=member, by=None,
                      is_supervisor=member == responsible_partner)
    for party in parties or []:
        party_add(case=case, membership=membership, check_conflicts=False, **party)
    conflict_check_run(case=case, membership=membership)  # opens the case when it is clear
    return Case.objects.get(pk=case.pk)


@transaction.atomic
def case_open(*, case: Case, membership: Membership) -> Case:
    """Open a case whose latest conflict check is clear, and lay out its template tasks."""
    from cases.services.tasks import tasks_from_template

    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.PENDING:
        return case
    latest = latest_conflict_check(case)
    if latest is None or not latest.is_clear:
        raise ValidationFailed(_("This case cannot be opened until its conflict check is cleared."),
                               code="conflict_not_cleared")
    case.status = Case.Status.OPEN
    case.save(update_fields=["status"])
    _audit(case, "case.open", {"status": [Case.Status.PENDING, Case.Status.OPEN]})
    tasks_from_template(case=case, membership=membership)
    return case


@transaction.atomic
def case_update(*, case: Case, membership: Membership, **changes) -> Case:
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"unlisted_prefix_ok"}
    if unknown:
        raise ValidationFailed(_("These details cannot be changed here: %(fields)s") % {
            "fields": ", ".join(sorted(unknown))})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if {"status", "responsible_partner", "closed_on"} & set(changes):
        require_case_manager(membership, case)
    if "title_en" in changes:
        changes["title_en"] = (changes["title_en"] or "").strip()
        if not changes["title_en"]:
            raise ValidationFailed(_("Enter a title for the case."),
                                   fields={"title_en": [_("Enter a title for the case.")]})
    if changes.get("responsible_partner") is not None:
        _check_partner(changes["responsible_partner"], case.firm_id)
    unlisted_ok = changes.pop("unlisted_prefix_ok", False)
    if "case_number" in changes or "court" in changes:
        number, court, unlisted = clean_case_number(
            changes.get("case_number", case.case_number), changes.get("court", case.court),
            unlisted_prefix_ok=unlisted_ok or case.case_number_unlisted_prefix)
        changes.update(case_number=number, court=court)
        case.case_number_unlisted_prefix = unlisted
    for field, choices in (("stage", Case.Stage.values), ("practice_area", Case.PracticeArea.values)):
        if field in changes and changes[field] not in choices:
            raise ValidationFailed(_("Choose one of the values in the list."),
                                   fields={field: [_("Choose one of the values in the list.")]})
    if "status" in changes:
        _check_status_change(case, changes)
    if "closed_on" in changes:
        _check_closed_on(case, changes)
    if "tags" in changes:
        changes["tags"] = _clean_tags(changes["tags"])
    diff = {}
    for field, value in changes.items():
        before = getattr(case, field)
        if before != value:
            diff[field] = [_audit_value(before), _audit_value(value)]
            setattr(case, field, value)
    if not diff:
        return case
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise ValidationFailed(_("Another case already has this court case number."),
                               fields={"case_number": [_("This number is taken.")]}) from None
    _audit(case, "case.update", diff)
    if "responsible_partner" in diff and case.responsible_partner is not None:
        case_team_add(case=case, membership=case.responsible_partner, by=None, is_supervisor=True)
    return case


def _check_parties(parties: list[dict]) -> None:
    """Every party of a new case checked before anything is saved; the refusal says which
    ones are wrong by their place in the list (``{"parties": [{}, {"name_en": [...]}]}``)."""
    from cases.services.parties import clean_party

    problems = []
    for party in parties:
        try:
            clean_party(role=party.get("role", ""), name_en=party.get("name_en", ""),
                        name_zh=party.get("name_zh", ""), kind=party.get("kind", Party.Kind.PERSON))
        except ValidationFailed as error:
            problems.append(error.fields)
        else:
            problems.append({})
    if any(problems):
        raise ValidationFailed(_("Some of the parties are missing details or wrong; see each party."),
                               fields={"parties": problems})


def _check_partner(partner: Membership, firm_id: int) -> None:
    if partner.firm_id != firm_id or partner.role != Membership.Role.PARTNER or not partner.is_active:
        message = _("Choose one of the firm's partners.")
        raise ValidationFailed(message, fields={"responsible_partner": [message]})


def _check_status_change(case: Case, changes: dict) -> None:
    new = changes["status"]
    if new not in Case.Status.values:
        raise ValidationFailed(_("Choose a status from the list."), fields={"status": [_("Unknown status.")]})
    if new == Case.Status.OPEN and case.status == Case.Status.PENDING:
        raise ValidationFailed(_("A case is opened by clearing its conflict check."),
                               fields={"status": [_("Clear the conflict check first.")]})
    if new == Case.Status.PENDING and case.status != Case.Status.PENDING:
        raise ValidationFailed(_("An opened case cannot go back to awaiting clearance."),
                               fields={"status": [_("Choose another status.")]})
    if new == Case.Status.CLOSED:
        changes.setdefault("closed_on", timezone.localdate())
    elif case.status == Case.Status.CLOSED:
        changes.setdefault("closed_on", None)


def _check_closed_on(case: Case, changes: dict) -> None:
    """A closing date belongs to a closed case, between its opening and today."""
    closed_on = changes["closed_on"]
    closed = changes.get("status", case.status) == Case.Status.CLOSED
    if closed_on is None:
        if closed:
            raise ValidationFailed(_("A closed case needs its closing date."),
                                   fields={"closed_on": [_("Enter the date the case closed.")]})
        return
    if not closed:
        raise ValidationFailed(_("Only a closed case has a closing date."),
                               fields={"closed_on": [_("Leave this empty, or close the case.")]})
    if closed_on > timezone.localdate():
        raise ValidationFailed(_("A case cannot be closed in the future."),
                               fields={"closed_on": [_("Choose today or an earlier date.")]})
    if closed_on < case.opened_on:
        raise ValidationFailed(_("A case cannot close before it opened."),
                               fields={"closed_on": [_("Choose a date on or after %(date)s.") % {
                                   "date": formats.date_format(case.opened_on, "SHORT_DATE_FORMAT")}]})


def _audit_value(value):
    return value.pk if hasattr(value, "pk") else value


def _clean_tags(tags) -> list[str]:
    cleaned = []
    for tag in tags or []:
        tag = str(tag).strip()[:40]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


@transaction.atomic
def case_team_add(*, case: Case, membership: Membership, by: Membership | None,
                  is_supervisor: bool = False) -> CaseTeamMember:
    if by is not None:
        require_team_manager(by, case)
    if membership.firm_id != case.firm_id:
        raise ValidationFailed(_("Only members of the case's firm can join its team."))
    link, created = CaseTeamMember.objects.get_or_create(
        firm_id=case.firm_id, case=case, membership=membership, defaults={"is_supervisor": is_supervisor})
    if created:
        _audit(case, "case.team_add", {"membership": [None, membership.pk],
                                       "is_supervisor": [None, is_supervisor]})
    elif is_supervisor and not link.is_supervisor:
        link.is_supervisor = True
        link.save(update_fields=["is_supervisor"])
        _audit(case, "case.team_update", {"membership": membership.pk, "is_supervisor": [False, True]})
    return link


@transaction.atomic
def case_team_remove(*, case: Case, membership: Membership, by: Membership) -> None:
    require_team_manager(by, case)
    deleted, _rows = CaseTeamMember.objects.filter(case=case, membership=membership).delete()
    if deleted:
        _audit(case, "case.team_remove", {"membership": [membership.pk, None]})
        transaction.on_commit(lambda: queue_push_for_case_member(case_id=case.pk, membership_id=membership.pk, firm_id=case.firm_id))


@transaction.atomic
def case_access_grant(*, case: Case, membership: Membership, by: Membership) -> None:
    """An exception to the team rule: one person may see one case (django-guardian grant)."""
    require_team_manager(by, case)
    if membership.firm_id != case.firm_id:
        raise ValidationFailed(_("Only members of the case's firm can be given access."))
    permission = Permission.objects.get(codename="view_case_exception", content_type__app_label="cases")
    _grant, created = CaseUserObjectPermission.objects.get_or_create(
        firm_id=case.firm_id, user=membership.user, permission=permission, content_object=case)
    if created:
        _audit(case, "case.access_grant", {"membership": [None, membership.pk]})
