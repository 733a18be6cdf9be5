"""The notification inbox: newest first, open one (marks it read), mark one or all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from firms.notifications import notifications_mark_read
from firms.selectors import notifications_of, target_url, unread_notifications  # noqa: F401

PAGE_SIZE = 50

# --- Pages ------------------------------------------------------------------------------


def _membership_or_404(request):
    if getattr(request, "membership", None) is None:
        raise Http404
    return request.membership


@login_required
@require_GET
def inbox_page(request):
    membership = _membership_or_404(request)
    unread_only = request.GET.get("show") == "unread"
    notifications = notifications_of(membership)
    unread_count = notifications.filter(read_at__isnull=True).count()
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "firms/inbox.html", {
        "page": page, "unread_only": unread_only, "unread_count": unread_count,
    })


@login_required
@require_POST
def notification_open(request, notification_id: int):
    """Mark it read and go where it points (only ever within this site)."""
    membership = _membership_or_404(request)
    notification = get_object_or_404(notifications_of(membership), pk=notification_id)
    notifications_mark_read(membership, notification_id=notification.pk)
    url = target_url(notification)
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return redirect(url)
    return redirect("inbox:list")


@login_required
@require_POST
def notification_read(request, notification_id: int):
    membership = _membership_or_404(request)
    notification = get_object_or_404(notifications_of(membership), pk=notification_id)
    notifications_mark_read(membership, notification_id=notification.pk)
    messages.success(request, _("Marked as read: %(title)s") % {"title": notification.title})
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request):
    membership = _membership_or_404(request)
    count = notifications_mark_read(membership)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect(_back(request))


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "inbox:list"
