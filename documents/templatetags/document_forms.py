"""Forms for the case page's documents section, which the case page includes with only
``case`` and ``documents``: a refused form comes back filled in, the others empty."""

from django import template

from documents.forms import DocumentUploadForm, DocumentVersionForm

register = template.Library()


@register.simple_tag(takes_context=True)
def document_upload_form(context):
    return context.get("upload_form") or DocumentUploadForm()


@register.simple_tag(takes_context=True)
def document_version_form(context, document):
    form = context.get("version_form")
    if form is not None and form.document.pk == document.pk:
        return form
    return DocumentVersionForm(document=document)
