"""Tasks and subtasks to any depth; progress rolls up from the leaves to the case."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Case, Task, TaskTemplate
from cases.selectors.cases import can_see_case
from config.errors import ValidationFailed
from firms.models import Membership, Notification
from firms.notifications import notify

TASK_FIELDS = ("title", "description", "priority", "assignee", "reviewer", "due_date",
               "estimate_minutes", "parent")


def _audit(task: Task, action: str, changes: dict) -> None:
    audit_record(action=action, object_type="task", object_id=task.pk, case_id=task.case_id,
                 changes={"title": task.title, **changes})


@transaction.atomic
def task_create(*, case: Case, membership: Membership, title: str, parent: Task | None = None,
                description: str = "", priority: str = Task.Priority.NORMAL,
                assignee: Membership | None = None, reviewer: Membership | None = None,
                due_date=None, estimate_minutes: int | None = None) -> Task:
    fields = _clean(case, {"title": title, "description": description, "priority": priority,
                           "assignee": assignee, "reviewer": reviewer, "due_date": due_date,
                           "estimate_minutes": estimate_minutes, "parent": parent})
    siblings = Task.objects.filter(case=case, parent=fields["parent"])
    position = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    task = Task.objects.create(firm_id=case.firm_id, case=case, position=position, **fields)
    _audit(task, "task.create", {"parent": [None, task.parent_id],
                                 "assignee": [None, task.assignee_id], "due_date": [None, task.due_date]})
    _notify_people(task, before_assignee=None, before_reviewer=None, by=membership)
    recount_case_tasks(case)
    return task


@transaction.atomic
def task_update(*, task: Task, membership: Membership, **changes) -> Task:
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise ValidationFailed(_("These details cannot be changed here: %(fields)s") % {
            "fields": ", ".join(sorted(unknown))})
    task = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
    merged = {field: changes.get(field, getattr(task, field)) for field in TASK_FIELDS}
    cleaned = _clean(task.case, merged, task=task)
    diff = {}
    before_assignee, before_reviewer = task.assignee, task.reviewer
    for field in changes:
        before, after = getattr(task, field), cleaned[field]
        if before != after:
            diff[field] = [_pk(before), _pk(after)]
            setattr(task, field, after)
    if not diff:
        return task
    task.save()
    _audit(task, "task.update", diff)
    _notify_people(task, before_assignee=before_assignee, before_reviewer=before_reviewer, by=membership)
    if "parent" in diff:
        recount_case_tasks(task.case)
    return task


@transaction.atomic
def task_set_status(*, task: Task, membership: Membership, status: str) -> Task:
    if status not in Task.Status.values:
        raise ValidationFailed(_("Choose a status from the list."), fields={"status": [_("Unknown status.")]})
    task = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
    if task.status == status:
        return task
    if status == Task.Status.DONE and Task.objects.filter(parent=task).exclude(
            status__in=[Task.Status.DONE, Task.Status.CANCELLED]).exists():
        message = _("Finish or cancel its subtasks first.")
        raise ValidationFailed(message, fields={"status": [message]}, code="open_subtasks")
    before = task.status
    task.status = status
    task.completed_at = timezone.now() if status == Task.Status.DONE else None
    task.save(update_fields=["status", "completed_at"])
    _audit(task, "task.status", {"status": [before, status]})
    if status == Task.Status.IN_REVIEW and task.reviewer_id and task.reviewer_id != membership.pk:
        notify(recipient=task.reviewer, kind=Notification.Kind.TASK_REVIEW, case_id=task.case_id,
               title=_("Please review: %(title)s") % {"title": task.title}, url=f"/cases/{task.case_id}/tasks/")
    recount_case_tasks(task.case)
    return task


def _clean(case: Case, fields: dict, task: Task | None = None) -> dict:
    errors = {}
    fields["title"] = (fields.get("title") or "").strip()
    if not fields["title"]:
        errors["title"] = [_("Enter what needs doing.")]
    if fields.get("priority") not in Task.Priority.values:
        errors["priority"] = [_("Choose a priority from the list.")]
    parent = fields.get("parent")
    if parent is not None:
        if parent.case_id != case.pk:
            errors["parent"] = [_("A subtask must belong to the same case.")]
        elif task is not None and _would_be_own_ancestor(task, parent):
            errors["parent"] = [_("A task cannot be a subtask of itself or of its own subtasks.")]
    due = fields.get("due_date")
    if due and due < case.opened_on:
        errors["due_date"] = [_("The due date cannot be before the case was opened (%(date)s).") % {
            "date": case.opened_on.strftime("%d %b %Y")}]
    estimate = fields.get("estimate_minutes")
    if estimate is not None and (not isinstance(estimate, int) or estimate < 0 or estimate > 100_000):
        errors["estimate_minutes"] = [_("Enter the estimate in whole minutes.")]
    for role in ("assignee", "reviewer"):
        person = fields.get(role)
        if person is not None and not can_see_case(person, case):
            errors[role] = [_("%(name)s is not on this case's team: add them to the team first.") % {
                "name": person.user.display_name}]
    if errors:
        raise ValidationFailed(_("The task could not be saved; see the fields marked."), fields=errors)
    return fields


def _would_be_own_ancestor(task: Task, new_parent: Task) -> bool:
    """Is ``task`` the new parent itself, or one of the new parent's ancestors?"""
    if new_parent.pk == task.pk:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE up(id, parent_id) AS ("
            " SELECT id, parent_id FROM cases_task WHERE id = %s"
            " UNION SELECT t.id, t.parent_id FROM cases_task t JOIN up ON t.id = up.parent_id)"
            " SELECT EXISTS (SELECT 1 FROM up WHERE id = %s)",
            [new_parent.pk, task.pk],
        )
        return cursor.fetchone()[0]


def _pk(value):
    return value.pk if hasattr(value, "pk") else value


def _notify_people(task: Task, *, before_assignee, before_reviewer, by: Membership) -> None:
    if task.assignee_id and task.assignee != before_assignee and task.assignee_id != by.pk:
        notify(recipient=task.assignee, kind=Notification.Kind.TASK_ASSIGNED, case_id=task.case_id,
               title=_("New task for you: %(title)s") % {"title": task.title},
               url=f"/cases/{task.case_id}/tasks/")


def recount_case_tasks(case: Case) -> None:
    """Progress of the case: done leaves over all leaves that are not cancelled."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET tasks_total = counts.total, tasks_done = counts.done,"
            " last_activity_at = now() FROM ("
            "  SELECT count(*) FILTER (WHERE t.status <> 'cancelled') AS total,"
            "         count(*) FILTER (WHERE t.status = 'done') AS done"
            "  FROM cases_task t WHERE t.case_id = %s"
            "  AND NOT EXISTS (SELECT 1 FROM cases_task c WHERE c.parent_id = t.id)"
            " ) counts WHERE cases_case.id = %s",
            [case.pk, case.pk],
        )


@transaction.atomic
def tasks_from_template(*, case: Case, membership: Membership, template: TaskTemplate | None = None) -> int:
    """Lay out a template's steps as the case's task tree (once: a case with tasks is left alone)."""
    if Task.objects.filter(case=case).exists():
        return 0
    template = template or _template_for(case)
    if template is None:
        return 0
    created = _create_steps(case, template.steps, parent=None)
    audit_record(action="task.template_apply", object_type="case", object_id=case.pk, case_id=case.pk,
                 changes={"template": template.name, "tasks": created})
    recount_case_tasks(case)
    return created


def _template_for(case: Case) -> TaskTemplate | None:
    prefix = case.case_number.split(" ", 1)[0] if case.case_number else ""
    if not prefix:
        return None
    for template in TaskTemplate.objects.filter(firm_id=case.firm_id).order_by("pk"):
        if prefix in template.case_number_prefixes:
            return template
    return None


def _create_steps(case: Case, steps: list, parent: Task | None) -> int:
    count = 0
    for position, step in enumerate(steps, start=1):
        task = Task.objects.create(firm_id=case.firm_id, case=case, parent=parent, position=position,
                                   title=str(step.get("title", ""))[:300] or "—")
        count += 1 + _create_steps(case, step.get("children", []), parent=task)
    return count
