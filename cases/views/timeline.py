"""The case timeline tab and its "load more" fragment; each audit entry told as a sentence."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cases.models import Case, Party, Task
from cases.selectors.timeline import KINDS, PAGE_SIZE, case_timeline
from cases.views.common import case_or_404, member_choices, render_case
from firms.models import Membership

KIND_LABELS = {
    "case": gettext_lazy("Case"),
    "party": gettext_lazy("Parties and conflicts"),
    "task": gettext_lazy("Tasks"),
    "note": gettext_lazy("Notes and messages"),
    "document": gettext_lazy("Documents"),
    "calendar": gettext_lazy("Hearings and deadlines"),
    "signature": gettext_lazy("Signatures"),
    "integration": gettext_lazy("Filings and syncs"),
}


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value or "—"))


def _field_name(field: str) -> str:
    try:
        return str(Case._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


def _after(value):
    return value[1] if isinstance(value, list) and len(value) == 2 else value


def describe(items) -> list[dict]:
    """Sentences for one page of timeline items: two more queries at most (people and parties)."""
    member_ids, party_ids = set(), set()
    for item in items:
        changes = item.changes or {}
        if item.action.startswith("case.team") or item.action == "case.access_grant":
            value = changes.get("membership")
            member_ids.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
        if item.object_type == "party" and item.object_id.isdigit():
            party_ids.add(int(item.object_id))
    names = {m.pk: m.user.display_name for m in
             Membership.objects.filter(pk__in=member_ids).select_related("user")} if member_ids else {}
    parties = {p.pk: p for p in Party.objects.filter(pk__in=party_ids)} if party_ids else {}
    titles = _document_titles({int(i.object_id) for i in items
                               if i.object_type == "document" and i.object_id.isdigit()})
    return [_sentence(item, names, parties, titles) for item in items]


def _document_titles(ids: set[int]) -> dict[int, str]:
    """Titles of the documents named on this page (when the documents part is installed)."""
    if not ids:
        return {}
    try:
        from documents.models import Document
    except ImportError:
        return {}
    return dict(Document.objects.filter(pk__in=ids).values_list("pk", "title"))


def _sentence(item, names, parties, titles) -> dict:
    c = item.changes or {}
    action = item.action
    text, detail = item.label, ""
    title = c.get("title", "")
    if action == "case.create":
        text = _("created the case")
    elif action == "case.open":
        text = _("opened the case for work")
    elif action == "case.update":
        text = _("changed %(fields)s") % {"fields": ", ".join(_field_name(f) for f in c)}
        if "status" in c:
            detail = " → ".join(_label(Case.Status.choices, v) for v in c["status"] if v)
        elif "stage" in c:
            detail = " → ".join(_label(Case.Stage.choices, v) for v in c["stage"] if v)
    elif action in {"case.team_add", "case.team_remove", "case.team_update", "case.access_grant"}:
        value = c.get("membership")
        member = value[1] if action in {"case.team_add", "case.access_grant"} and isinstance(value, list) else (
            value[0] if isinstance(value, list) else value)
        name = names.get(member, _("someone"))
        text = {
            "case.team_add": _("added %(name)s to the case team"),
            "case.team_remove": _("removed %(name)s from the case team"),
            "case.team_update": _("made %(name)s a supervisor of the case"),
            "case.access_grant": _("let %(name)s see the case"),
        }[action] % {"name": name}
        if action == "case.team_add" and _after(c.get("is_supervisor")):
            detail = _("Supervises the case")
    elif action == "party.add":
        party = parties.get(int(item.object_id)) if item.object_id.isdigit() else None
        text = _("added a party: %(role)s") % {"role": _label(Party.Role.choices, _after(c.get("role")))}
        detail = party.display_name if party else ""
    elif action == "party.remove":
        role = c.get("role")
        text = _("removed a party: %(role)s") % {"role": _label(Party.Role.choices, role[0] if isinstance(
            role, list) else role)}
    elif action == "conflict.check":
        hits = c.get("hits", 0)
        text = _("ran the conflict check: %(count)d possible conflict(s)") % {"count": hits} if hits else \
            _("ran the conflict check: no conflicts")
    elif action == "conflict.clear":
        text = _("cleared the conflict check")
    elif action == "task.create":
        text = _("added the task “%(title)s”") % {"title": title}
    elif action == "task.status":
        before, after = (c.get("status") or [None, None])[:2]
        text = _("moved “%(title)s” to %(status)s") % {"title": title,
                                                        "status": _label(Task.Status.choices, after)}
        detail = _("was %(status)s") % {"status": _label(Task.Status.choices, before)} if before else ""
    elif action == "task.update":
        fields = [str(Task._meta.get_field(f).verbose_name) for f in c if f != "title"
                  and f in {f.name for f in Task._meta.get_fields()}]
        text = _("changed “%(title)s”: %(fields)s") % {"title": title, "fields": ", ".join(fields)}
    elif action == "task.template_apply":
        text = _("laid out %(count)s tasks from the checklist “%(name)s”") % {
            "count": c.get("tasks", 0), "name": c.get("template", "")}
    elif action in {"document.create", "document.version_add", "document.download"}:
        document = titles.get(int(item.object_id)) if item.object_id.isdigit() else None
        version = _after(c.get("version"))
        if document:
            text = {
                "document.create": _("uploaded “%(title)s”"),
                "document.version_add": _("uploaded version %(version)s of “%(title)s”"),
                "document.download": _("downloaded version %(version)s of “%(title)s”"),
            }[action] % {"title": document, "version": version}
    elif action == "note.note":
        text = _("wrote a note")
    elif action == "note.message":
        text = _("sent a message")
    return {"item": item, "text": text, "detail": detail, "day": timezone.localtime(item.when).date()}


def _filters(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    person = request.GET.get("person", "")
    person = int(person) if person.isdigit() else None
    before = request.GET.get("before", "")
    before = int(before) if before.isdigit() else None
    return kind, person, before


def _page(case, request):
    kind, person, before = _filters(request)
    items = case_timeline(case=case, kind=kind, person=person, before=before, limit=PAGE_SIZE + 1)
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    params = request.GET.copy()
    params.pop("before", None)
    if items:
        params["before"] = items[-1].seq
        params["day"] = timezone.localtime(items[-1].when).date().isoformat()
    entries = describe(items)
    last_day = request.GET.get("day", "")
    for entry in entries:
        entry["new_day"] = entry["day"].isoformat() != last_day
        last_day = entry["day"].isoformat()
    return {
        "entries": entries, "more": more, "more_query": params.urlencode(),
        "kind": kind, "person": person, "previous_day": request.GET.get("day", ""),
        "filtered": bool(kind or person), "paged": bool(before),
    }


@login_required
@require_GET
def case_timeline_page(request, case_id: int):
    case = case_or_404(request, case_id)
    context = _page(case, request)
    context.update(kinds=list(KIND_LABELS.items()),
                   people=member_choices(case.firm_id, key="user_id"))
    return render_case(request, case, "timeline", "cases/tabs/timeline.html", context)


@login_required
@require_GET
def timeline_more(request, case_id: int):
    """The next page of the timeline (HTMX "load more" / infinite scroll)."""
    case = case_or_404(request, case_id)
    return render(request, "cases/_timeline_items.html", {"case": case, **_page(case, request)})
