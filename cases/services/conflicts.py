"""Conflict-of-interest checks (Solicitors' Guide ch. 9): search, record, clear."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Case, ConflictCheck, Party
from cases.permissions import require_conflict_clearer
from cases.selectors.conflicts import conflict_hits, latest_conflict_check
from config.errors import ValidationFailed
from firms.models import Membership, Notification
from firms.notifications import notify

MINIMUM_REASON_LENGTH = 10


@transaction.atomic
def conflict_check_run(*, case: Case, membership: Membership | None) -> ConflictCheck:
    """Search every party and client of the firm's other cases for this case's parties."""
    case = Case.objects.get(pk=case.pk)  # its status now, not as the caller last read it
    parties = list(Party.objects.filter(case=case).order_by("pk"))
    searched = [{"name_en": p.name_en, "name_zh": p.name_zh, "role": p.role} for p in parties]
    hits = conflict_hits(firm_id=case.firm_id, parties=parties, exclude_case_id=case.pk)
    check = ConflictCheck.objects.create(
        firm_id=case.firm_id, case=case, searched=searched, hits=hits, run_by=membership,
        status=ConflictCheck.Status.HITS if hits else ConflictCheck.Status.NO_HITS)
    audit_record(action="conflict.check", object_type="conflict_check", object_id=check.pk,
                 case_id=case.pk, changes={"names": len(searched), "hits": len(hits),
                                           "status": check.status})
    if check.is_clear and case.status == Case.Status.PENDING and membership is not None:
        from cases.services.cases import case_open

        case_open(case=case, membership=membership)
    if hits and case.status != Case.Status.PENDING and case.responsible_partner_id:
        notify(recipient=case.responsible_partner, kind=Notification.Kind.CONFLICT, case_id=case.pk,
               title=_("Possible conflict on %(ref)s: %(count)d hit(s) need clearing") % {
                   "ref": case.reference, "count": len(hits)},
               url=f"/cases/{case.pk}/conflicts/")
    return check


@transaction.atomic
def conflict_clear(*, check: ConflictCheck, membership: Membership, reason: str) -> ConflictCheck:
    """A partner or the compliance officer records why the hits are no conflict; the case opens."""
    from cases.services.cases import case_open

    require_conflict_clearer(membership)
    check = ConflictCheck.objects.select_for_update().get(pk=check.pk)
    reason = (reason or "").strip()
    if len(reason) < MINIMUM_REASON_LENGTH:
        message = _("Say why these hits are not a conflict (at least %(n)d characters).") % {
            "n": MINIMUM_REASON_LENGTH}
        raise ValidationFailed(message, fields={"reason": [message]})
    if check.status != ConflictCheck.Status.HITS:
        raise ValidationFailed(_("This check has nothing to clear."), code="nothing_to_clear")
    latest = latest_conflict_check(check.case)
    if latest.pk != check.pk:
        raise ValidationFailed(_("A newer check was run for this case: clear that one."),
                               code="stale_check")
    check.status = ConflictCheck.Status.CLEARED
    check.cleared_by = membership
    check.cleared_at = timezone.now()
    check.clearance_reason = reason
    check.save(update_fields=["status", "cleared_by", "cleared_at", "clearance_reason"])
    audit_record(action="conflict.clear", object_type="conflict_check", object_id=check.pk,
                 case_id=check.case_id, changes={"status": [ConflictCheck.Status.HITS, check.status],
                                                 "hits": len(check.hits)})
    case_open(case=check.case, membership=membership)
    return check
