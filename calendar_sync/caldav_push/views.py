"""The CalDAV pages: connect (a form checked against the server), disconnect, try again.
Thin: the rules are in calendar_sync.caldav_push.services; the state shows on the sync page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from calendar_sync.caldav_push import selectors, services
from calendar_sync.caldav_push.forms import ConnectForm
from calendar_sync.feeds.views import member_or_403
from cases.views.common import add_errors
from config.errors import ApplicationError


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def connect_page(request):
    membership = member_or_403(request)
    existing = selectors.connection_of(membership)
    initial = {"calendar_url": existing.calendar_url, "username": existing.username} if existing else {}
    form = ConnectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.caldav_connect(membership=membership, **form.cleaned_data)
        except ApplicationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your calendar is connected. Your coming events will appear in it "
                                        "within a few minutes, and every change from now on."))
            return redirect("calendar-feeds:sync")
    return render(request, "calendar_sync/sync_caldav_connect.html",
                  {"form": form, "existing": existing}, status=400 if form.errors else 200)


@login_required
@require_POST
def disconnect(request):
    services.caldav_disconnect(membership=member_or_403(request))
    messages.success(request, _("Your calendar is disconnected and its password forgotten. "
                                "Events already sent to it stay there."))
    return redirect("calendar-feeds:sync")


@login_required
@require_POST
def retry(request):
    queued = services.caldav_retry_failed(membership=member_or_403(request))
    if queued:
        messages.success(request, ngettext("Trying again to send %(n)s event.", "Trying again to send %(n)s events.",
                                           queued) % {"n": queued})
    else:
        messages.info(request, _("Nothing is waiting to be sent again."))
    return redirect("calendar-feeds:sync")
