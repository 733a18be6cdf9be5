"""Notes and internal messages on a case, with @mentions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.forms import NoteForm
from cases.models import Note
from cases.services import note_add
from cases.views.common import add_errors, case_or_404, render_case
from config.errors import ApplicationError

PAGE_SIZE = 50


def _notes(request, case, form=None, status=200):
    notes = Note.objects.filter(case=case).select_related("author__user").order_by("-created_at", "-pk")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_case(request, case, "notes", "cases/tabs/notes.html", {
        "page": page, "note_form": form or NoteForm(prefix="note"),
    }, status=status)


@login_required
@require_GET
def case_notes_page(request, case_id: int):
    return _notes(request, case_or_404(request, case_id))


@login_required
@require_POST
def note_add_view(request, case_id: int):
    case = case_or_404(request, case_id)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            note = note_add(case=case, membership=request.membership, body=form.cleaned_data["body"],
                            kind=form.cleaned_data["kind"])
        except ApplicationError as error:
            add_errors(form, error)
        else:
            mentioned = note.mentions.count()
            if mentioned:
                messages.success(request, _("Saved. %(count)d mentioned person(s) will be told.") % {
                    "count": mentioned})
            else:
                messages.success(request, _("Saved."))
            return HttpResponseRedirect(f"{reverse('cases:notes', args=[case.pk])}#note-{note.pk}")
    return _notes(request, case, form=form, status=400)
