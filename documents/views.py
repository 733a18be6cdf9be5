"""Pages: upload a document or a new version from the case page, and download a version.

Thin: access through the selectors, changes through the services. Forms post as plain
HTML and work without JavaScript; with htmx they get the documents section back instead
of a whole page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.selectors import case_for_member
from config.errors import ApplicationError, NotFound
from config.forms import add_service_errors as add_errors
from documents import selectors, services
from documents.forms import DocumentUploadForm, DocumentVersionForm


@login_required
@require_POST
def document_upload(request, case_id: int):
    case = _found(case_for_member, request.membership, case_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.document_upload(case=case, membership=request.membership,
                                                 title=form.cleaned_data["title"],
                                                 uploaded_file=form.cleaned_data["file"])
        except ApplicationError as error:
            add_errors(form, error)
        else:
            return _done(request, case, _("“%(title)s” is uploaded.") % {"title": document.title})
    return _refused(request, case, upload_form=form)


@login_required
@require_POST
def document_version_add(request, document_id: int):
    document = _found(selectors.document_for_member, request.membership, document_id)
    form = DocumentVersionForm(request.POST, request.FILES, document=document)
    if form.is_valid():
        try:
            version = services.document_version_add(document=document, membership=request.membership,
                                                    uploaded_file=form.cleaned_data["file"])
        except ApplicationError as error:
            add_errors(form, error)
        else:
            return _done(request, document.case, _("Version %(number)s of “%(title)s” is uploaded.")
                         % {"number": version.number, "title": document.title})
    return _refused(request, document.case, version_form=form)


@login_required
@require_GET
def document_version_download(request, document_id: int, number: int):
    version = _found(selectors.document_version_for_member, request.membership, document_id, number)
    handle = services.document_version_open_for_download(version=version, membership=request.membership)
    return download_response(version, handle)


def download_response(version, handle) -> FileResponse:
    """The bytes as an attachment. Streaming reads only the storage, never the database,
    so it may outlive the request's transaction."""
    response = FileResponse(handle, as_attachment=True, filename=version.download_name,
                            content_type=version.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def _found(selector, *args):
    try:
        return selector(*args)
    except NotFound:
        raise Http404 from None


def _done(request, case, message):
    if request.htmx:
        return _documents_section(request, case, notice=message)
    messages.success(request, message)
    return redirect(_case_documents_url(case))


def _case_documents_url(case) -> str:
    """The case's documents tab, where the case pages have one; else the case page."""
    try:
        return reverse("cases:documents", args=[case.pk])
    except NoReverseMatch:
        return f"{reverse('cases:detail', args=[case.pk])}#case-documents"


def _refused(request, case, **forms):
    return _documents_section(request, case, status=400, **forms)


def _documents_section(request, case, *, status=200, **context):
    """The section alone for htmx; without it, a page around the section (after a refusal)."""
    context.update(case=case, documents=selectors.documents_for_case(case=case))
    template = "documents/_case_documents.html" if request.htmx else "documents/case_documents.html"
    return render(request, template, context, status=status)
