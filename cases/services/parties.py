"""Parties to a case. A new party on a case is checked for conflicts at once."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Case, Party
from config.errors import ValidationFailed
from firms.models import Membership


def clean_party(*, role: str, name_en: str = "", name_zh: str = "", kind: str = Party.Kind.PERSON) -> dict:
    name_en, name_zh = (name_en or "").strip(), (name_zh or "").strip()
    fields = {}
    if not name_en and not name_zh:
        fields["name_en"] = [_("Enter the party's name in English or Chinese (or both).")]
    if role not in Party.Role.values:
        fields["role"] = [_("Choose the party's role from the list.")]
    if kind not in Party.Kind.values:
        fields["kind"] = [_("Choose individual or company.")]
    if fields:
        raise ValidationFailed(_("Some details of the party are missing or wrong."), fields=fields)
    return {"role": role, "name_en": name_en, "name_zh": name_zh, "kind": kind}


@transaction.atomic
def party_add(*, case: Case, membership: Membership, role: str, name_en: str = "", name_zh: str = "",
              kind: str = Party.Kind.PERSON, is_client: bool = False,
              check_conflicts: bool = True) -> Party:
    from cases.services.cases import touch
    from cases.services.conflicts import conflict_check_run

    fields = clean_party(role=role, name_en=name_en, name_zh=name_zh, kind=kind)
    party = Party.objects.create(firm_id=case.firm_id, case=case, is_client=bool(is_client), **fields)
    audit_record(action="party.add", object_type="party", object_id=party.pk, case_id=case.pk,
                 changes={"role": [None, party.role], "is_client": [None, party.is_client]})
    touch(case)
    if check_conflicts:
        conflict_check_run(case=case, membership=membership)
    return party


@transaction.atomic
def party_remove(*, party: Party, membership: Membership) -> None:
    case_id = party.case_id
    audit_record(action="party.remove", object_type="party", object_id=party.pk, case_id=case_id,
                 changes={"role": [party.role, None]})
    party.delete()
