"""Reminders before deadlines and hearings, escalation of missed deadlines, and the
preferences that decide how each person hears about things (docs/calendar.md, "Reminders").

- ``rules``: when a reminder is due, to whom, in which status a delivery can be.
- ``scan``: the set-based SQL that turns "due now" into ReminderDelivery rows.
- ``services``: the scan over every firm, the sweep, and the two-phase send.
- ``selectors``: reads for the send, the sweep and the preferences page.
- ``emails``: the reminder e-mail.
"""
