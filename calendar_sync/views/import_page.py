"""Importing an ICS file into a person's calendar: the upload form and what happened."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from calendar_sync.forms import ImportForm
from calendar_sync.ics_import import ics_import
from calendar_sync.selectors import CalendarFilters
from calendar_sync.views.calendar_page import calendar_url, member_or_404
from calendar_sync.views.event_pages import add_errors
from config.errors import ApplicationError


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    membership = member_or_404(request)
    data = request.POST if request.method == "POST" else None
    form = ImportForm(data, request.FILES or None, membership=membership)
    result = None
    if data is not None and form.is_valid():
        owner = form.cleaned_data["owner"]
        try:
            result = ics_import(membership=membership, owner=owner, data=form.cleaned_data["file"].read(),
                                kind=form.cleaned_data["kind"])
        except ApplicationError as error:
            add_errors(form, error)
        else:
            first = min((e.start for e in result.created), default=None)
            day = timezone.localtime(first).date() if first else timezone.localdate()
            result.calendar_url = calendar_url(CalendarFilters(person=owner.pk), "list", day)
            result.owner = owner
            form = ImportForm(membership=membership, initial={"owner": str(owner.pk),
                                                              "kind": form.cleaned_data["kind"]})
    status = 400 if form.errors else 200
    return render(request, "calendar_sync/import.html", {"form": form, "result": result}, status=status)
