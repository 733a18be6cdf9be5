"""The notification inbox: newest first, open one (marks it read), mark one or all read."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from firms.models import Notification

PAGE_SIZE = 50

# Older notification links point at sections of the case page; the case's tabs are pages now.
_CASE_SECTION = re.compile(r"^/cases/(\d+)/#(tasks|conflicts|note-\d+)$")


# --- Reads and the one state change (small enough to live here; see the hand-over notes) ----


def notifications_of(membership):
    if membership is None:
        return Notification.objects.none()
    return Notification.objects.filter(firm_id=membership.firm_id, recipient=membership)


def unread_notifications(membership, *, limit: int) -> tuple[list[Notification], int]:
    unread = notifications_of(membership).filter(read_at__isnull=True)
    return list(unread.order_by("-created_at", "-pk")[:limit]), unread.count()


def notifications_mark_read(membership, *, notification_id: int | None = None) -> int:
    unread = notifications_of(membership).filter(read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def target_url(notification: Notification) -> str:
    url = notification.url or ""
    match = _CASE_SECTION.match(url)
    if match:
        case_id, section = match.groups()
        if section.startswith("note-"):
            return f"/cases/{case_id}/notes/#{section}"
        return f"/cases/{case_id}/{section}/"
    return url


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
