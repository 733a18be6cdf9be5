"""Pushing events to people's own CalDAV calendars: the client wrapper, services, tasks, pages."""
