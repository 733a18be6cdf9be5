from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from firms.models import FirmOwned, Membership


class Task(FirmOwned):
    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        IN_REVIEW = "in_review", _("In review")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("part of"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TODO)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices,
                                default=Priority.NORMAL)
    assignee = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("assignee"))
    reviewer = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("reviewer"))
    due_date = models.DateField(_("due"), null=True, blank=True)
    estimate_minutes = models.PositiveIntegerField(_("estimate (minutes)"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("task")
        indexes = [
            models.Index(fields=["firm", "case", "parent", "position"], name="task_tree_idx"),
            models.Index(fields=["firm", "assignee", "status", "due_date"], name="task_my_work_idx"),
            models.Index(fields=["firm", "reviewer", "status"], name="task_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="task_not_own_parent"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.CANCELLED}


class TaskTemplate(FirmOwned):
    """A checklist that creates a case's task tree: steps are [{"title", "children": [...]}, …]."""

    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    case_number_prefixes = models.JSONField(_("for case numbers starting"), default=list, blank=True)
    steps = models.JSONField(_("steps"), default=list)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "name", name="task_template_name_unique_in_firm")]

    def __str__(self):
        return self.name
