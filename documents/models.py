"""Documents of a case. Every upload is a new version; a version is never changed or removed."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from documents.validation import extensions_for, label_for
from firms.models import FirmOwned, Membership


class Document(FirmOwned):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents", verbose_name=_("case"))
    title = models.CharField(_("title"), max_length=300)
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["firm", "case", "-created_at"], name="document_case_idx")]

    def __str__(self):
        return self.title


class DocumentVersion(FirmOwned):
    class TextStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be read")
        DONE = "done", _("Text read")
        FAILED = "failed", _("Text could not be read")
        NOT_APPLICABLE = "not_applicable", _("No text to read")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name=_("document"))
    number = models.PositiveIntegerField(_("version"))
    # Where the bytes are in the storage; made by documents.services, never by the uploader.
    storage_name = models.CharField(max_length=300, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=100)  # detected from the content
    original_name = models.CharField(_("original file name"), max_length=255)
    uploaded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    text = models.TextField(_("text"), blank=True, editable=False)
    text_status = models.CharField(_("text status"), max_length=20, choices=TextStatus.choices,
                                   default=TextStatus.PENDING)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint("firm", "document", "number", name="document_version_number_unique_in_firm"),
        ]
        indexes = [
            # icontains compiles to UPPER(text) LIKE UPPER(%s): index that expression, so the
            # trigram index actually serves the search.
            GinIndex(OpClass(Upper("text"), name="gin_trgm_ops"), name="document_version_text_trgm"),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"

    @property
    def kind_label(self) -> str:
        return label_for(self.content_type)

    @property
    def download_name(self) -> str:
        """The uploader's file name, with the extension of what the file really is."""
        extensions = extensions_for(self.content_type)
        name = self.original_name or f"document-{self.document_id}-v{self.number}"
        if extensions and not name.lower().endswith(extensions):
            name += extensions[0]
        return name
