from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from firms.models import FirmOwned, Membership


class Note(FirmOwned):
    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        MESSAGE = "message", _("Message")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["firm", "case", "-created_at"], name="note_case_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.case_id}"


class NoteMention(FirmOwned):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="mentions")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint("firm", "note", "membership", name="mention_unique_in_firm")]

    def __str__(self):
        return f"@{self.membership_id} in {self.note_id}"
