"""The case timeline: the audit log's entries for a case, told in words, newest first.

Built on the audit log (what happened, who, when) and the models (the note's text, the
task's title as it is now); not a second log written by hand. Later issues' actions
(hearings, signatures, filings, syncs) appear as soon as they record ``case_id``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from audit.labels import action_label
from audit.models import AuditEntry
from cases.models import Note
from firms.selectors import people_names

KINDS = {
    "case": ("case.",),
    "party": ("party.", "conflict."),
    "task": ("task.",),
    "note": ("note.",),
    "document": ("document.",),
    "calendar": ("event.", "deadline.", "hearing.", "calendar."),
    "signature": ("signature.",),
    "integration": ("sync.", "filing."),
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class TimelineItem:
    seq: int
    kind: str
    action: str
    label: str
    when: object
    actor_name: str
    actor_user_id: int | None
    object_type: str
    object_id: str
    changes: dict
    note: Note | None = None


def kind_of(action: str) -> str:
    for kind, prefixes in KINDS.items():
        if action.startswith(prefixes):
            return kind
    return "case"


def case_timeline(*, case, kind: str = "", person: int | None = None, before: int | None = None,
                  limit: int = PAGE_SIZE) -> list[TimelineItem]:
    """One page of the case's history, newest first; ``before`` is the last seq already shown."""
    entries = AuditEntry.objects.filter(firm_id=case.firm_id, case_id=case.pk)
    if kind in KINDS:
        query = Q()
        for prefix in KINDS[kind]:
            query |= Q(action__startswith=prefix)
        entries = entries.filter(query)
    if person:
        entries = entries.filter(actor_user_id=person)
    if before:
        entries = entries.filter(seq__lt=before)
    entries = list(entries.order_by("-seq")[:limit])
    names = people_names({e.actor_user_id for e in entries if e.actor_user_id})
    note_ids = [int(e.object_id) for e in entries if e.object_type == "note" and e.object_id.isdigit()]
    notes = {n.pk: n for n in Note.objects.filter(pk__in=note_ids).select_related("author__user")}
    return [
        TimelineItem(
            seq=e.seq, kind=kind_of(e.action), action=e.action, label=action_label(e.action),
            when=e.created_at, actor_name=names.get(e.actor_user_id, ""), actor_user_id=e.actor_user_id,
            object_type=e.object_type, object_id=e.object_id, changes=e.changes,
            note=notes.get(int(e.object_id)) if e.object_type == "note" and e.object_id.isdigit() else None,
        )
        for e in entries
    ]
