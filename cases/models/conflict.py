from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from firms.models import FirmOwned, Membership


class ConflictCheck(FirmOwned):
    """One run of the conflict-of-interest search for a case, and who cleared it and why.

    ``hits`` is a snapshot of what was found at the time (names, roles, cases), so the
    record of the decision does not change when the other cases change later.
    """

    class Status(models.TextChoices):
        NO_HITS = "no_hits", _("No conflicts found")
        HITS = "hits", _("Possible conflicts found")
        CLEARED = "cleared", _("Cleared")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conflict_checks")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    searched = models.JSONField(_("names searched"), default=list)
    hits = models.JSONField(_("hits"), default=list)
    run_by = models.ForeignKey(Membership, on_delete=models.PROTECT, null=True, related_name="+")
    run_at = models.DateTimeField(default=timezone.now)
    cleared_by = models.ForeignKey(Membership, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    cleared_at = models.DateTimeField(null=True, blank=True)
    clearance_reason = models.TextField(_("why it is cleared"), blank=True)

    class Meta:
        verbose_name = _("conflict check")
        indexes = [models.Index(fields=["firm", "case", "-run_at"], name="conflict_case_idx")]

    def __str__(self):
        return f"conflict check of {self.case_id} ({self.status})"

    @property
    def is_clear(self) -> bool:
        return self.status in {self.Status.NO_HITS, self.Status.CLEARED}
