"""A case's task tree with progress rolled up, and a person's own work."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case as When_
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from cases.models import Task
from cases.selectors.cases import on_visible_cases
from config.errors import NotFound
from firms.models import Membership


@dataclass
class TaskNode:
    task: Task
    children: list[TaskNode] = field(default_factory=list)
    leaves_total: int = 0
    leaves_done: int = 0

    @property
    def progress_percent(self) -> int | None:
        return round(100 * self.leaves_done / self.leaves_total) if self.leaves_total else None

    @property
    def is_overdue(self) -> bool:
        return bool(self.task.due_date and not self.task.is_finished
                    and self.task.due_date < timezone.localdate())


def task_tree(*, case) -> list[TaskNode]:
    """The whole tree in one query; each node knows the done/total of the leaves under it."""
    tasks = (Task.objects.filter(case=case).select_related("assignee__user", "reviewer__user")
             .order_by("position", "pk"))
    nodes = {task.pk: TaskNode(task) for task in tasks}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.task.parent_id)
        (parent.children if parent else roots).append(node)
    for root in roots:
        _roll_up(root)
    return roots


def _roll_up(node: TaskNode) -> None:
    if not node.children:
        counted = node.task.status != Task.Status.CANCELLED
        node.leaves_total = int(counted)
        node.leaves_done = int(node.task.status == Task.Status.DONE)
        return
    for child in node.children:
        _roll_up(child)
    node.leaves_total = sum(c.leaves_total for c in node.children)
    node.leaves_done = sum(c.leaves_done for c in node.children)


def flatten(nodes: list[TaskNode], depth: int = 0):
    """(node, depth) in display order, for templates that draw the tree as rows."""
    for node in nodes:
        yield node, depth
        yield from flatten(node.children, depth + 1)


OPEN_STATUSES = [Task.Status.TODO, Task.Status.IN_PROGRESS, Task.Status.IN_REVIEW]


def my_tasks(*, membership: Membership) -> QuerySet[Task]:
    """My unfinished tasks: overdue first, then by due date, undated last."""
    today = timezone.localdate()
    return (
        on_visible_cases(Task.objects.filter(assignee=membership, status__in=OPEN_STATUSES), membership)
        .select_related("case")
        .annotate(overdue=When_(When(due_date__lt=today, then=Value(0)), default=Value(1),
                                output_field=IntegerField()))
        .order_by("overdue", F("due_date").asc(nulls_last=True), "pk")
    )


def my_task_counts(tasks: QuerySet[Task], *, today, soon) -> dict[str, int]:
    """How many of ``tasks`` (my_tasks) there are: in all, overdue, and due from today to
    ``soon``; one query, for headings that count more than a page shows."""
    return tasks.aggregate(
        total=Count("pk"), overdue_count=Count("pk", filter=Q(due_date__lt=today)),
        due_soon_count=Count("pk", filter=Q(due_date__gte=today, due_date__lte=soon)))


def tasks_to_review(*, membership: Membership) -> QuerySet[Task]:
    return (on_visible_cases(Task.objects.filter(reviewer=membership, status=Task.Status.IN_REVIEW), membership)
            .filter(~Q(assignee=membership)).select_related("case", "assignee__user")
            .order_by(F("due_date").asc(nulls_last=True), "pk"))


def task_for_member(membership: Membership, task_id) -> Task:
    """One task, or NotFound alike for missing, another firm's, and a case you cannot see."""
    tasks = on_visible_cases(Task.objects.all(), membership)
    try:
        return tasks.select_related("case", "assignee__user", "reviewer__user").get(pk=int(task_id))
    except (Task.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
