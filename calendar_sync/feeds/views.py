"""The ICS feed itself (no session: the URL's secret is the credential) and the sync page,
where a person finds their feed URL, revokes it, and sees their CalDAV calendar's state."""

from __future__ import annotations

import functools
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from calendar_sync.caldav_push.selectors import connection_summary
from calendar_sync.feeds import rendering, selectors, tokens
from calendar_sync.models import FeedToken
from cases.selectors import case_for_member
from cases.views.common import case_or_404
from config.errors import NotFound
from firms.models import Membership
from firms.tenancy import tenant_scope


@require_safe
def feed(request, secret: str):
    """GET /calendar/sync/feed/<secret>.ics: a person's (or a case's) events as RFC 5545.

    404 alike for an unknown secret, a revoked token, a person who left the firm and a
    case they can no longer see.
    """
    token = tokens.feed_token_find(secret)
    if token is None:
        raise Http404
    with tenant_scope(token.firm_id):
        body = _feed_body(request, token)
        tokens.feed_token_touch(token)
    etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified or HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Disposition"] = 'inline; filename="caseroom.ics"'
    return response


def _feed_body(request, token: FeedToken) -> bytes:
    membership = (Membership.objects.select_related("user")
                  .filter(pk=token.membership_id, is_active=True, user__is_active=True).first())
    if membership is None:
        raise Http404
    now = timezone.now()

    @functools.cache
    def url_for_case(case_id: int) -> str:
        return request.build_absolute_uri(reverse("cases:detail", args=[case_id]))

    with translation.override(membership.user.language):
        if token.case_id:
            try:
                case = case_for_member(membership, token.case_id)  # asked again at every fetch
            except NotFound:
                raise Http404 from None
            events = selectors.case_feed_events(case, membership, now=now)
            name = _("Caseroom · %(case)s") % {"case": " ".join(
                part for part in (case.reference, case.case_number) if part)}
        else:
            events = selectors.person_feed_events(membership, now=now)
            name = _("Caseroom · %(person)s") % {"person": membership.user.display_name}
        return rendering.feed_bytes(events, name=name, offsets=selectors.reminder_offsets(membership.firm_id),
                                    url_for_case=url_for_case, now=now, feed_key=str(token.pk))


# --- The sync page -----------------------------------------------------------------------


def member_or_403(request) -> Membership:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied(_("Only members of a firm have calendars here."))
    return membership


@login_required
@require_safe
def sync_page(request):
    """Feed URL (the person's, or a case's with ?case=), and the CalDAV calendar's state."""
    membership = member_or_403(request)
    case = case_or_404(request, request.GET["case"]) if request.GET.get("case") else None
    secret = tokens.feed_secret_for(membership=membership, case=case)
    feed_url = request.build_absolute_uri(tokens.feed_path(secret))
    return render(request, "calendar_sync/sync.html", {
        "case": case,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        "caldav": connection_summary(membership) if case is None else None,
    })


@login_required
@require_POST
def feed_revoke(request):
    membership = member_or_403(request)
    case = case_or_404(request, request.POST["case"]) if request.POST.get("case") else None
    tokens.feed_token_revoke(membership=membership, case=case)
    messages.success(request, _("The old feed address no longer works. Subscribe to the new one below "
                                "in your calendar app, and remove the old subscription."))
    target = reverse("calendar-feeds:sync")
    return redirect(f"{target}?case={case.pk}" if case else target)
