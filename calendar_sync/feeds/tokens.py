"""Feed tokens: the secret in a private feed URL, finding its token before any firm is
known, and giving out and revoking URLs.

Only the SHA-256 of the secret is stored (FeedToken.token_hash), yet a person must be
able to see their URL again. So the secret is not kept anywhere: it is an HMAC, under
the server's SECRET_KEY, of the token row's own facts (firm, person, case, creation
instant). A copy of the database alone yields no URL; SECRET_KEY alone yields none
either (the creation instant is not guessable). A revoked token's successor is a new
row, with a new instant, so a new secret.

If SECRET_KEY changes, existing URLs keep working (the lookup only hashes what the
request carries); a URL made under a key in SECRET_KEY_FALLBACKS is still shown; past
that a new token is made, and the old one stays valid until revoked.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit.services import audit_record
from calendar_sync.models import FeedToken
from cases.models import Case
from firms.models import Membership

_KEY_SALT = "caseroom.calendar_sync.feed-token"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # 256 bits, unpadded base64url
TOUCH_EVERY = timedelta(hours=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _secret(token: FeedToken, key: str | None = None) -> str:
    instant = (token.created_at - _EPOCH) // timedelta(microseconds=1)
    facts = f"{token.firm_id}:{token.membership_id}:{token.case_id or ''}:{instant}"
    digest = salted_hmac(_KEY_SALT, facts, secret=key, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def secret_of(token: FeedToken) -> str | None:
    """The token's secret, if it was made under the current key or a fallback one."""
    for key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])):
        secret = _secret(token, key)
        if hash_secret(secret) == token.token_hash:
            return secret
    return None


def feed_path(secret: str) -> str:
    return reverse("calendar-feeds:feed", kwargs={"secret": secret})


# --- Finding a token from its URL, before any firm is known -------------------------------


def feed_token_find(secret: str) -> FeedToken | None:
    """The active token whose secret this is, or None.

    Row-level security hides every FeedToken while no firm is set, so this one query runs
    with ``app.feed_token`` holding the secret's hash, which the ``feed_token_lookup``
    policy (migration 0004) compares with each row: only that row can be seen. The
    setting is cleared at once, before anything else runs in the transaction.
    """
    if not SECRET_PATTERN.fullmatch(secret):
        return None
    digest = hash_secret(secret)
    # No savepoint needed: the setting is put back by hand, and an error spoils the transaction anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.feed_token', %s, true)", [digest])
        try:
            return FeedToken.objects.filter(token_hash=digest, revoked_at__isnull=True).first()
        finally:
            cursor.execute("SELECT set_config('app.feed_token', '', true)")


def feed_token_touch(token: FeedToken) -> None:
    """Record that the feed was fetched (at most hourly: clients poll often)."""
    now = timezone.now()
    if token.last_used_at and token.last_used_at >= now - TOUCH_EVERY:
        return
    FeedToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)).update(last_used_at=now)


# --- Giving out and revoking URLs --------------------------------------------------------------


@transaction.atomic
def feed_secret_for(*, membership: Membership, case: Case | None = None) -> str:
    """The secret of the person's feed (of one case, if given), making a token if none works.

    The caller has checked that the person may see the case.
    """
    # One at a time per person, so two first visits make one token, not two.
    Membership.objects.select_for_update().filter(pk=membership.pk).first()
    for token in _active_tokens(membership, case):
        secret = secret_of(token)
        if secret:
            return secret
    return secret_of(_create(membership, case))


@transaction.atomic
def feed_token_revoke(*, membership: Membership, case: Case | None = None) -> str:
    """Revoke the person's feed URL (of one case, if given) and return the new one's secret."""
    Membership.objects.select_for_update().filter(pk=membership.pk).first()
    revoked = [token.pk for token in _active_tokens(membership, case)]
    FeedToken.objects.filter(pk__in=revoked).update(revoked_at=timezone.now())
    for token_id in revoked:
        audit_record(action="calendar.feed_revoke", object_type="feed_token", object_id=token_id,
                     case_id=case.pk if case else None, changes={"membership": membership.pk})
    return secret_of(_create(membership, case))


def _active_tokens(membership: Membership, case: Case | None):
    return FeedToken.objects.filter(membership=membership, case=case, revoked_at__isnull=True).order_by("pk")


def _create(membership: Membership, case: Case | None) -> FeedToken:
    token = FeedToken(firm_id=membership.firm_id, membership=membership, case=case,
                      created_at=timezone.now())
    token.token_hash = hash_secret(_secret(token))
    token.save()
    audit_record(action="calendar.feed_create", object_type="feed_token", object_id=token.pk,
                 case_id=case.pk if case else None, changes={"membership": membership.pk})
    return token
