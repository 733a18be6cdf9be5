"""The notification-preferences page: per kind of notification, in the app and by e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from calendar_sync.reminders import selectors, services
from config.errors import ApplicationError


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences_page(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    if request.method == "POST":
        choices = {row["kind"]: (f"{row['kind']}-in_app" in request.POST, f"{row['kind']}-by_email" in request.POST)
                   for row in selectors.preferences_of(membership)}
        try:
            services.notification_preferences_save(membership=membership, choices=choices)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your notification choices are saved."))
            return redirect(request.path)
    return render(request, "calendar_sync/preferences.html", {"rows": selectors.preferences_of(membership)})
