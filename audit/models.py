"""The audit log: append-only, hash-chained per firm.

The database refuses UPDATE, DELETE and TRUNCATE on entries (triggers in the
migration, and the app role holds no such rights). Entries of a firm are numbered
1, 2, 3 … without gaps; each stores the SHA-256 of its canonical content and the
previous entry's hash (audit.chain). Firm-less events — a sign-in attempt for an
unknown e-mail, an external person's action outside any firm — form the platform
chain, whose entries have no firm.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from firms.models import Firm


class AuditEntry(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, null=True, related_name="+")
    seq = models.BigIntegerField(_("number"))
    created_at = models.DateTimeField(_("when"))
    actor_user_id = models.BigIntegerField(_("who"), null=True)  # by reference: erasure-safe
    actor_label = models.CharField(_("actor"), max_length=100)  # "user", "system:<job>", "anonymous"
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # The case an entry belongs to, if any: the case timeline reads the log by it.
    case_id = models.BigIntegerField(_("case"), null=True)
    changes = models.JSONField(_("changes"), default=dict)
    ip = models.CharField(_("IP address"), max_length=45, null=True)  # noqa: DJ001 - NULL: unknown
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            models.UniqueConstraint(
                "firm", "seq", name="audit_entry_seq_unique_in_chain", nulls_distinct=False
            )
        ]
        indexes = [
            models.Index(fields=["firm", "object_type", "object_id", "seq"], name="audit_object_idx"),
            models.Index(fields=["firm", "actor_user_id", "seq"], name="audit_actor_idx"),
            models.Index(fields=["firm", "case_id", "seq"], name="audit_case_idx"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action}"


class AuditChainHead(models.Model):
    """The newest entry of each chain; its row lock serialises writers so chains never fork."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, null=True, related_name="+")
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("firm", name="audit_head_one_per_chain", nulls_distinct=False)
        ]

    def __str__(self):
        return f"chain of firm {self.firm_id} at #{self.seq}"
