"""Readable, translated names for audit actions (the log stores the stable code)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "auth.sign_in": _("Signed in"),
    "auth.sign_in_failed": _("Sign-in failed"),
    "auth.locked_out": _("Account locked after failed sign-ins"),
    "auth.sign_out": _("Signed out"),
    "auth.two_factor_enrolled": _("Set up two-factor sign-in"),
    "auth.two_factor_failed": _("Wrong two-factor code"),
    "auth.password_changed": _("Changed password"),
    "auth.password_reset_requested": _("Asked to reset password"),
    "auth.password_reset": _("Reset password"),
    "firm.create": _("Firm created"),
    "firm.settings_update": _("Firm settings changed"),
    "office.create": _("Office created"),
    "team.create": _("Team created"),
    "team.member_add": _("Added to team"),
    "person.create": _("Person created"),
    "membership.create": _("Member added to firm"),
    "case.create": _("Case opened"),
    "case.team_add": _("Added to case team"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
