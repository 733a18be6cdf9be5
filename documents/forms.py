from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.validation import max_upload_bytes

# What the file chooser offers first; the server judges the content, not these names.
ACCEPT = ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.tif,.tiff,.gif,.webp,.eml,.msg"


def _file_hint() -> str:
    return gettext("PDF, Word (.docx), Excel (.xlsx), images or e-mails (.eml, .msg), up to %(limit)s.") % {
        "limit": filesizeformat(max_upload_bytes())}


def _file_field() -> forms.FileField:
    return forms.FileField(label=_("File"), help_text=lazy(_file_hint, str)(),
                           widget=forms.FileInput(attrs={"accept": ACCEPT}))


class DocumentUploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300,
                            help_text=_("As your team will look for it, e.g. “Statement of Claim (sealed)”."))
    file = _file_field()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_new_document_%s")
        super().__init__(*args, **kwargs)


class DocumentVersionForm(forms.Form):
    """A new version of one document; ids carry the document's, as one page shows many."""

    file = _file_field()

    def __init__(self, *args, document, **kwargs):
        kwargs.setdefault("auto_id", f"id_document_{document.pk}_%s")
        super().__init__(*args, **kwargs)
        self.document = document
