"""Readable, translated names for audit actions (the log stores the stable code).

Every action the code writes needs a label here (tests/audit/test_labels.py finds them
in the source and fails on a missing one). Keep labels of actions no longer written:
old entries still carry them.
"""

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
    "case.create": _("Case created"),
    "case.open": _("Case opened"),
    "case.update": _("Case details changed"),
    "case.team_add": _("Added to case team"),
    "case.team_update": _("Case team role changed"),
    "case.team_remove": _("Removed from case team"),
    "case.access_grant": _("Given access to the case"),
    "party.add": _("Party added"),
    "party.remove": _("Party removed"),
    "conflict.check": _("Conflict check run"),
    "conflict.clear": _("Conflict check cleared"),
    "task.create": _("Task added"),
    "task.update": _("Task changed"),
    "task.status": _("Task status changed"),
    "task.template_apply": _("Checklist laid out"),
    "note.note": _("Note added"),
    "note.message": _("Message posted"),
    "document.create": _("Document uploaded"),
    "document.version_add": _("New version uploaded"),
    "document.download": _("Document downloaded"),
    "document.text_extract": _("Document text read for search"),
    "event.create": _("Event added"),
    "event.update": _("Event changed"),
    "event.import": _("Events imported from a calendar file"),
    "calendar.feed_create": _("Calendar feed address created"),
    "calendar.feed_revoke": _("Calendar feed address revoked"),
    "calendar.caldav_connect": _("Calendar connected (CalDAV)"),
    "calendar.caldav_disconnect": _("Calendar disconnected (CalDAV)"),
    "calendar.caldav_failing": _("Calendar sync stopped: the calendar refused events (CalDAV)"),
    "notification_preferences.update": _("Notification choices changed"),
    "deadline.create": _("Deadline added"),
    "deadline.override": _("Deadline date changed by hand"),
    "deadline.move": _("Deadline moved by the court calendar"),
    "deadline.check": _("Owner asked to check a deadline set by hand"),
    "deadline_rule.update": _("Deadline rule changed"),
    "registry_closure.record": _("Registry closure recorded"),
    "registry_closure.update": _("Registry closure changed"),
    "holiday_adjustment.record": _("General holidays corrected"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
