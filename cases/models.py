"""Cases (matters). The foundation holds the core of a case and its team; parties,
tasks, conflict checks and the timeline come with issue #3."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.models import FirmOwned, Membership


class Case(FirmOwned):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ON_HOLD = "on_hold", _("On hold")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("our reference"), max_length=40)
    title_en = models.CharField(_("title"), max_length=300)
    title_zh = models.CharField(_("Chinese title"), max_length=300, blank=True)
    case_number = models.CharField(_("court case number"), max_length=32, blank=True)
    court = models.CharField(_("court"), max_length=100, blank=True)
    practice_area = models.CharField(_("practice area"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    responsible_partner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible partner"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [models.UniqueConstraint("firm", "reference", name="case_reference_unique_in_firm")]
        indexes = [models.Index(fields=["firm", "status", "-opened_on"], name="case_firm_status_idx")]

    def __str__(self):
        return f"{self.reference} {self.title_en}"

    @property
    def display_title(self) -> str:
        return " ".join(t for t in (self.title_zh, self.title_en) if t)


class CaseTeamMember(FirmOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="case_links")
    is_supervisor = models.BooleanField(_("supervises"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("firm", "case", "membership", name="case_team_member_unique_in_firm")
        ]
