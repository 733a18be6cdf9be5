"""Notes and internal messages on a case, with @mentions that notify."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Case, Note, NoteMention
from cases.selectors.cases import can_see_case
from config.errors import ValidationFailed
from firms.models import Membership, Notification
from firms.notifications import notify

# @handle, where the handle is the part of a member's e-mail before the @.
# Not after a word character, so "name@example.com" is an address, not a mention.
MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9])")
MAX_NOTE_LENGTH = 20_000


def mentioned_members(case: Case, body: str) -> list[Membership]:
    handles = {h.lower() for h in MENTION.findall(body)}
    if not handles:
        return []
    members = Membership.objects.filter(firm_id=case.firm_id, is_active=True).select_related("user")
    by_handle = {m.user.email.split("@", 1)[0].lower(): m for m in members}
    unknown = sorted(handles - set(by_handle))
    if unknown:
        message = _("No one in the firm goes by %(handles)s.") % {"handles": ", ".join(f"@{h}" for h in unknown)}
        raise ValidationFailed(message, fields={"body": [message]})
    found = [by_handle[h] for h in sorted(handles)]
    outsiders = [m.user.display_name for m in found if not can_see_case(m, case)]
    if outsiders:
        message = _("%(names)s cannot see this case: add them to its team first.") % {
            "names": ", ".join(outsiders)}
        raise ValidationFailed(message, fields={"body": [message]})
    return found


@transaction.atomic
def note_add(*, case: Case, membership: Membership, body: str, kind: str = Note.Kind.NOTE) -> Note:
    from cases.services.cases import touch

    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write something first."), fields={"body": [_("Write something first.")]})
    if len(body) > MAX_NOTE_LENGTH:
        message = _("Keep a note under %(n)d characters.") % {"n": MAX_NOTE_LENGTH}
        raise ValidationFailed(message, fields={"body": [message]})
    if kind not in Note.Kind.values:
        raise ValidationFailed(_("Choose note or message."), fields={"kind": [_("Unknown kind.")]})
    mentioned = mentioned_members(case, body)
    note = Note.objects.create(firm_id=case.firm_id, case=case, author=membership, kind=kind, body=body)
    for person in mentioned:
        NoteMention.objects.create(firm_id=case.firm_id, note=note, membership=person)
        if person.pk != membership.pk:
            notify(recipient=person, kind=Notification.Kind.MENTION, case_id=case.pk,
                   title=_("%(name)s mentioned you on %(ref)s") % {
                       "name": membership.user.display_name, "ref": case.reference},
                   url=f"/cases/{case.pk}/notes/#note-{note.pk}")
    audit_record(action=f"note.{kind}", object_type="note", object_id=note.pk, case_id=case.pk,
                 changes={"mentions": [m.pk for m in mentioned], "length": len(body)})
    touch(case)
    return note
