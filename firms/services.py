"""Firms, members and signing in: every change here writes its audit entry."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from audit.context import Actor, acting_as, current_actor
from audit.services import audit_record
from config.errors import AccountLocked, AuthenticationFailed, Forbidden, ValidationFailed
from firms.models import Firm, Membership, Office, Team, TeamMember, User
from firms.selectors import first_membership_of
from firms.tenancy import tenant_scope


def email_reference(email: str) -> str:
    """An e-mail as the audit log keeps it: by hash, so that erasure never breaks a chain."""
    return "sha256:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


# --- Firms and members ---------------------------------------------------------------


@transaction.atomic
def firm_create(*, name: str, slug: str, name_zh: str = "", require_two_factor: bool = False) -> Firm:
    """Create a tenant. Its id is taken first so that the new row passes its own RLS check."""
    if not name.strip() or not slug.strip():
        raise ValidationFailed(_("A firm needs a name and a short name."))
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('firms_firm', 'id'))")
        firm_id = cursor.fetchone()[0]
    try:
        with tenant_scope(firm_id, user_id=current_actor().user_id):
            firm = Firm.objects.create(id=firm_id, name=name, slug=slug, name_zh=name_zh,
                                       require_two_factor=require_two_factor)
            audit_record(action="firm.create", object_type="firm", object_id=firm.pk,
                         changes={"slug": [None, slug],
                                  "require_two_factor": [None, require_two_factor]})
            from calendar_sync.deadlines.services import deadline_rules_install_defaults
            from cases.services.templates import task_templates_install_defaults

            task_templates_install_defaults(firm_id=firm.pk)
            deadline_rules_install_defaults(firm_id=firm.pk)
    except IntegrityError:
        # Other firms are invisible under RLS, so the unique index is the only judge.
        raise ValidationFailed(_("The short name %(slug)s is taken.") % {"slug": slug},
                               fields={"slug": [_("Choose another short name.")]}) from None
    return firm


@transaction.atomic
def office_create(*, firm: Firm, name: str, name_zh: str = "", address: str = "") -> Office:
    office = Office.objects.create(firm=firm, name=name, name_zh=name_zh, address=address)
    audit_record(action="office.create", object_type="office", object_id=office.pk,
                 changes={"name": [None, name]})
    return office


@transaction.atomic
def team_create(*, firm: Firm, name: str, name_zh: str = "", office: Office | None = None) -> Team:
    team = Team.objects.create(firm=firm, name=name, name_zh=name_zh, office=office)
    audit_record(action="team.create", object_type="team", object_id=team.pk,
                 changes={"name": [None, name]})
    return team


@transaction.atomic
def person_create(*, email: str, password: str | None, name_en: str = "", name_zh: str = "",
                  external_kind: str = "") -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(_("Someone with this e-mail address already exists."),
                               fields={"email": [_("This e-mail address is taken.")]})
    user = User.objects.create_user(email, password, name_en=name_en, name_zh=name_zh,
                                    external_kind=external_kind)
    audit_record(action="person.create", object_type="user", object_id=user.pk,
                 changes={"external_kind": [None, external_kind]})
    return user


@transaction.atomic
def member_add(*, firm: Firm, user: User, role: str, office: Office | None = None,
               title: str = "") -> Membership:
    if role not in Membership.Role.values:
        raise ValidationFailed(_("Choose a role from the list."), fields={"role": [_("Unknown role.")]})
    if user.is_external:
        raise ValidationFailed(_("An external person cannot be a member of a firm."))
    membership = Membership.objects.create(firm=firm, user=user, role=role, office=office, title=title)
    audit_record(action="membership.create", object_type="membership", object_id=membership.pk,
                 changes={"user": [None, user.pk], "role": [None, role]})
    return membership


@transaction.atomic
def team_member_add(*, team: Team, membership: Membership) -> TeamMember:
    link = TeamMember.objects.create(firm_id=team.firm_id, team=team, membership=membership)
    audit_record(action="team.member_add", object_type="team", object_id=team.pk,
                 changes={"membership": [None, membership.pk]})
    return link


# --- Signing in -------------------------------------------------------------------------


def auth_check_credentials(*, request, email: str, password: str) -> User:
    """The person these credentials belong to, or a clear error; every attempt is audited.

    Lock-out (django-axes) counts failures per e-mail address. The audit entry of a
    failure goes to the person's firm when the address is a member's, else to the
    platform chain, and names the address only by its hash.
    """
    email = (email or "").strip().lower()
    if not email or not password:
        fields = {}
        if not email:
            fields["email"] = [_("Enter your e-mail address.")]
        if not password:
            fields["password"] = [_("Enter your password.")]
        raise ValidationFailed(_("Enter your e-mail address and password."), fields=fields)
    user = authenticate(request, email=email, password=password)
    if user is not None:
        return user
    if getattr(request, "axes_locked_out", False):
        _audit_sign_in_event("auth.locked_out", email)
        minutes = int(settings.AXES_COOLOFF_TIME * 60)
        raise AccountLocked(
            _("Too many failed sign-ins: this account is locked for %(minutes)d minutes. "
              "Try again later or reset your password.") % {"minutes": minutes},
            retry_after=minutes * 60,
        )
    _audit_sign_in_event("auth.sign_in_failed", email)
    raise AuthenticationFailed(_("The e-mail address or password is not right."))


def auth_record_sign_in(*, user: User, method: str) -> None:
    _audit_sign_in_event("auth.sign_in", user.email, user=user, extra={"method": method})


def auth_record_sign_out(*, user: User) -> None:
    _audit_sign_in_event("auth.sign_out", user.email, user=user)


def auth_record_password_event(*, user: User, action: str) -> None:
    _audit_sign_in_event(action, user.email, user=user)


def _audit_sign_in_event(action: str, email: str, *, user: User | None = None,
                         extra: dict | None = None) -> None:
    if user is None:
        user = User.objects.filter(email__iexact=email).first()
    membership = first_membership_of(user) if user else None
    firm_id = membership.firm_id if membership else None
    actor = current_actor()
    as_person = Actor(user_id=user.pk if user else None, label="user" if user else "anonymous",
                      ip=actor.ip, user_agent=actor.user_agent)
    changes = {"email": email_reference(email), **(extra or {})}
    with acting_as(as_person):
        audit_record(action=action, object_type="user", object_id=user.pk if user else "",
                     changes=changes, firm_id=firm_id)


# --- Two-factor ---------------------------------------------------------------------------


def two_factor_required(user: User) -> bool:
    membership = first_membership_of(user)
    return bool(membership and membership.firm.require_two_factor)


def two_factor_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def two_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the person to scan; replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def two_factor_enrolment_confirm(*, user: User, code: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_digits(code)):
        message = _("That code is not right. Enter the 6 digits your app shows now.")
        raise ValidationFailed(message, fields={"code": [message]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _audit_sign_in_event("auth.two_factor_enrolled", user.email, user=user)
    return device


def two_factor_check(*, user: User, code: str) -> TOTPDevice:
    device = two_factor_device(user)
    if device is not None:
        allowed, detail = device.verify_is_allowed()
        if not allowed:
            # django-otp doubles the wait after each wrong code, against guessing.
            wait = detail.get("locked_until") if detail else None
            seconds = max(1, int((wait - timezone.now()).total_seconds()) + 1) if wait else 1
            message = _("Too many wrong codes: wait %(seconds)d seconds, then enter the code "
                        "your app shows.") % {"seconds": seconds}
            raise AuthenticationFailed(message, fields={"code": [message]}, code="otp_throttled")
    if device is None or not device.verify_token(_digits(code)):
        _audit_sign_in_event("auth.two_factor_failed", user.email, user=user)
        message = _("That code is not right. Enter the 6 digits your app shows now.")
        raise AuthenticationFailed(message, fields={"code": [message]})
    return device


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isdigit())


# --- API tokens ------------------------------------------------------------------------------


def api_token_issue(*, request, email: str, password: str, otp: str = "") -> Token:
    """A token for the API. Not one transaction: a refused attempt's audit entry must stay."""
    user = auth_check_credentials(request=request, email=email, password=password)
    if two_factor_required(user):
        if not otp:
            raise AuthenticationFailed(_("Your firm requires two-factor sign-in: send the 6-digit "
                                         "code from your authenticator app as \"otp\"."),
                                       fields={"otp": [_("This field is required.")]},
                                       code="otp_required")
        two_factor_check(user=user, code=otp)
    with transaction.atomic():
        token, _created = Token.objects.get_or_create(user=user)
        auth_record_sign_in(user=user, method="api_token")
    return token


# --- Firm settings ---------------------------------------------------------------------------


@transaction.atomic
def firm_settings_update(*, firm: Firm, by: Membership, require_two_factor: bool) -> Firm:
    """A firm admin or partner changes the firm's settings."""
    if by.firm_id != firm.pk or by.role not in {Membership.Role.ADMIN, Membership.Role.PARTNER}:
        raise Forbidden(_("Only a partner or the firm admin can change the firm's settings."))
    before = firm.require_two_factor
    if before == require_two_factor:
        return firm
    firm.require_two_factor = require_two_factor
    firm.save(update_fields=["require_two_factor"])
    audit_record(action="firm.settings_update", object_type="firm", object_id=firm.pk,
                 changes={"require_two_factor": [before, require_two_factor]})
    return firm
