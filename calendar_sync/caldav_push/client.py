"""The one way Caseroom talks to a CalDAV server: through the ``caldav`` package, with a
timeout on every request, and every failure turned into an error that says whether a
later try could succeed (TemporaryPushError) or not (PermanentPushError) in words a
person can act on. Retrying is the Celery task's job (back-off), not this module's.

Only three operations are needed, each one HTTP exchange (after the auth handshake):
check that a URL is a calendar we may use, PUT one event, DELETE one event.
"""

from __future__ import annotations

import ipaddress
import socket
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

import caldav
from caldav.elements import dav
from caldav.lib import error as dav_error
from caldav.lib.http_sync import requests as http
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

CALDAV_CALENDAR = "{urn:ietf:params:xml:ns:caldav}calendar"


def timeout_seconds() -> float:
    """Per request; a person waits on it when connecting, so keep it short."""
    return float(getattr(settings, "CALDAV_TIMEOUT_SECONDS", 10))


class PushError(Exception):
    temporary = False

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class TemporaryPushError(PushError):
    """The server was unreachable, slow, or had an error of its own: try again later."""

    temporary = True


class PermanentPushError(PushError):
    """Trying again will not help until someone changes something.

    ``whole_calendar``: the calendar itself refuses us (wrong password, no rights, gone),
    so the connection is marked failing and nothing more is sent until it is reconnected.
    Otherwise only this one event was refused.
    """

    def __init__(self, message: str, *, status: int | None = None, whole_calendar: bool = True):
        super().__init__(message, status=status)
        self.whole_calendar = whole_calendar


def check_url(url: str) -> str:
    """Refuse what is not an http(s) URL, plain http in production, and (unless allowed)
    addresses inside our own network: the server would otherwise fetch them for anyone."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentPushError(_("Enter the calendar's full address, starting with https://."))
    if parts.scheme == "http" and settings.PRODUCTION:
        raise PermanentPushError(_("The calendar's address must start with https://: "
                                   "your password would otherwise cross the internet unencrypted."))
    if not getattr(settings, "CALDAV_ALLOW_PRIVATE_ADDRESSES", not settings.PRODUCTION):
        for address in _addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)):
            if not address.is_global:
                raise PermanentPushError(_("That address is inside a private network; "
                                           "use your calendar provider's public address."))
    return url if url.endswith("/") else url + "/"


def _addresses(host: str, port: int):
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except UnicodeError:
        raise PermanentPushError(_("There is no server called %(host)s.") % {"host": host}) from None
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_NONAME:
            raise PermanentPushError(_("There is no server called %(host)s.") % {"host": host}) from None
        raise TemporaryPushError(_("The calendar server's name could not be looked up just now.")) from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


class RemoteCalendar:
    """One person's calendar collection on a CalDAV server. Use as a context manager."""

    def __init__(self, url: str, username: str, password: str, *, timeout: float | None = None):
        # Checked at every use, not only on connecting: where a name points can change.
        self.url = check_url(url)
        self._client = caldav.DAVClient(url=self.url, username=username, password=password,
                                        timeout=timeout or timeout_seconds(), enable_rfc6764=False)
        self._calendar = self._client.calendar(url=self.url)

    def __enter__(self) -> RemoteCalendar:
        return self

    def __exit__(self, *exc_info) -> None:
        self._client.close()

    def verify(self) -> None:
        """Raise unless the URL is a calendar collection these credentials can read."""
        with _classified(_("checking the calendar")):
            try:
                properties = self._calendar.get_properties([dav.ResourceType()])
            except (etree.XMLSyntaxError, ValueError, KeyError) as exc:
                raise PermanentPushError(_("That address did not answer as a CalDAV calendar.")) from exc
        kinds = properties.get(dav.ResourceType.tag) or []
        if CALDAV_CALENDAR not in kinds:
            raise PermanentPushError(_("That address is not a calendar. Use the address of one calendar "
                                       "(your provider shows it as the CalDAV URL), not of the server."))

    def href_for(self, uid: str) -> str:
        return self.url + quote(uid, safe="") + ".ics"

    def put(self, href: str, body: bytes) -> str:
        """Store the calendar object at ``href`` (created or replaced); return its ETag."""
        resource = caldav.Event(client=self._client, url=href, parent=self._calendar)
        with _classified(_("saving the event"), per_event=True):
            resource.save(raw_data=body)
        return resource.etag or ""

    def delete(self, href: str) -> None:
        """Remove the object at ``href``; one already gone counts as removed."""
        resource = caldav.Event(client=self._client, url=href, parent=self._calendar)
        with _classified(_("removing the event"), per_event=True):
            resource.delete()


@contextmanager
def _classified(doing: str, *, per_event: bool = False):
    try:
        yield
    except PushError:
        raise
    except dav_error.AuthorizationError as exc:
        if exc.status == 403:
            raise PermanentPushError(_("The calendar server does not let this account write to that "
                                       "calendar."), status=403) from exc
        raise PermanentPushError(_("The calendar server refused the user name or password. If you use "
                                   "two-step sign-in, make an app password for Caseroom."), status=401) from exc
    except dav_error.NotFoundError as exc:
        raise PermanentPushError(_("There is no calendar at that address any more."), status=404) from exc
    except dav_error.RateLimitError as exc:
        raise TemporaryPushError(_("The calendar server asked us to slow down (HTTP %(status)s).")
                                 % {"status": exc.status or 429}, status=exc.status) from exc
    except dav_error.DAVError as exc:
        raise _from_status(exc.status, doing, per_event) from exc
    except http.exceptions.Timeout as exc:
        raise TemporaryPushError(_("The calendar server did not answer within %(seconds)s seconds.")
                                 % {"seconds": f"{timeout_seconds():g}"}) from exc
    except (http.exceptions.RequestException, OSError) as exc:
        raise TemporaryPushError(_("The calendar server could not be reached.")) from exc


def _from_status(status: int | None, doing: str, per_event: bool) -> PushError:
    if status is None or status >= 500:
        return TemporaryPushError(_("The calendar server had a problem while %(doing)s (HTTP %(status)s).")
                                  % {"doing": doing, "status": status or "?"}, status=status)
    if status in (401, 403, 404):
        # The calendar's own refusal, even when it came on one event's request.
        return PermanentPushError(_("The calendar server refused access to the calendar (HTTP %(status)s).")
                                  % {"status": status}, status=status)
    if per_event:
        return PermanentPushError(_("The calendar server refused this event while %(doing)s (HTTP %(status)s).")
                                  % {"doing": doing, "status": status}, status=status, whole_calendar=False)
    return PermanentPushError(_("The calendar server refused the request while %(doing)s (HTTP %(status)s).")
                              % {"doing": doing, "status": status}, status=status)
