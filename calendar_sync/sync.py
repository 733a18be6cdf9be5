"""Entry point for pushing events to people's own calendars (CalDAV); filled in by the
CalDAV work. Kept as a function so event services need not know how the push happens."""


def queue_push_for_event(*, event_id: int, firm_id: int) -> None:
    """Queue the CalDAV push of one event (no-op until CalDAV push exists)."""
