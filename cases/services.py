"""Changes to cases. Each writes its audit entry in the same transaction."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Case, CaseTeamMember
from config.errors import ValidationFailed
from firms.models import Firm, Membership


@transaction.atomic
def case_create(*, firm: Firm, reference: str, title_en: str, title_zh: str = "",
                case_number: str = "", court: str = "", practice_area: str = "",
                responsible_partner: Membership | None = None, opened_on=None) -> Case:
    if not reference.strip():
        raise ValidationFailed(_("Enter the firm's reference for the case."),
                               fields={"reference": [_("This field is required.")]})
    if not title_en.strip():
        raise ValidationFailed(_("Enter a title for the case."), fields={"title_en": [_("This field is required.")]})
    fields = {"firm": firm, "reference": reference.strip(), "title_en": title_en.strip(),
              "title_zh": title_zh.strip(), "case_number": case_number, "court": court,
              "practice_area": practice_area, "responsible_partner": responsible_partner}
    if opened_on:
        fields["opened_on"] = opened_on
    try:
        with transaction.atomic():
            case = Case.objects.create(**fields)
    except IntegrityError:
        raise ValidationFailed(_("Another case already has the reference %(ref)s.") % {"ref": reference},
                               fields={"reference": [_("This reference is taken.")]}) from None
    audit_record(action="case.create", object_type="case", object_id=case.pk,
                 changes={"reference": [None, case.reference], "case_number": [None, case_number],
                          "status": [None, case.status]})
    return case


@transaction.atomic
def case_team_add(*, case: Case, membership: Membership, is_supervisor: bool = False) -> CaseTeamMember:
    if membership.firm_id != case.firm_id:
        raise ValidationFailed(_("Only members of the case's firm can join its team."))
    link, created = CaseTeamMember.objects.get_or_create(
        firm_id=case.firm_id, case=case, membership=membership, defaults={"is_supervisor": is_supervisor}
    )
    if created:
        audit_record(action="case.team_add", object_type="case", object_id=case.pk,
                     changes={"membership": [None, membership.pk], "is_supervisor": [None, is_supervisor]})
    return link
