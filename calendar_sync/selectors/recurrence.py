"""Repeating events: checking an RFC 5545 RRULE and expanding it into occurrences, always
within a bound (a window and a maximum count), so no rule can make a page loop.

Rules are expanded in Hong Kong wall-clock time (HK keeps no daylight saving, so this is
also exact in UTC). A stored rule has no "RRULE:" prefix, and its UNTIL is in UTC for a
timed event and a date for an all-day one, as RFC 5545 §3.3.10 requires of each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from calendar_sync.selectors.display import human_date

HONG_KONG = timezone.get_default_timezone()
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
MAX_OCCURRENCES = 1000  # per event and window: more than any calendar page shows
MAX_STEPS = 20000  # occurrences walked from the first: a daily rule for fifty years
_UNTIL = re.compile(r"UNTIL=([0-9TZ]+)", re.IGNORECASE)


class BadRule(ValueError):
    """The rule is not one we accept; the message says why, in the reader's language."""


def normalise_rrule(text: str, *, start: datetime, all_day: bool) -> str:
    """The rule as we store it, or BadRule. ``start`` is the first occurrence (aware)."""
    rule = (text or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[len("RRULE:"):].strip()
    if not rule:
        return ""
    if any(c in rule for c in "\r\n") or ":" in rule:
        raise BadRule(_("Enter one RRULE only, like FREQ=WEEKLY;BYDAY=MO (no DTSTART or EXDATE lines)."))
    _check_parts(dict(_split(rule)))
    rule = _UNTIL.sub(lambda m: "UNTIL=" + _stored_until(m.group(1), all_day=all_day), rule.upper())
    try:
        first = next(_expand(rule, start, _local(start) + timedelta(days=3660)), None)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise BadRule(_("The repeat rule is not valid RFC 5545: %(error)s") % {"error": error}) from None
    if first is None:
        raise BadRule(_("This rule never happens in the next ten years; check its days and months."))
    return rule


def occurrences(*, start: datetime, end: datetime, rrule_text: str, window_start: datetime,
                window_end: datetime, limit: int = MAX_OCCURRENCES,
                exdates: Iterable[datetime] = ()) -> list[tuple[datetime, datetime]]:
    """(start, end) of each occurrence that overlaps [window_start, window_end), at most ``limit``.

    ``exdates`` (Event.exdates, RFC 5545 EXDATE) are starts of occurrences left out. As in
    RFC 5545 they are taken away after the rule is expanded, so a COUNT counts them too.
    """
    if not rrule_text:
        return [(start, end)] if _overlaps(start, end, window_start, window_end) else []
    length = end - start
    left_out = {_local(moment) for moment in exdates or ()}
    found = []
    try:
        for local_start in _expand(rrule_text, start, _local(window_end)):
            if local_start in left_out:
                continue
            begins = local_start.replace(tzinfo=HONG_KONG)
            if _overlaps(begins, begins + length, window_start, window_end):
                found.append((begins, begins + length))
                if len(found) >= limit:
                    break
    except (ValueError, TypeError, KeyError, OverflowError):  # a rule stored before it was checked
        return [(start, end)] if _overlaps(start, end, window_start, window_end) else []
    return found


def describe(rule_text: str) -> str:
    """A reading of the common rules ("Every week on Mon, Thu, 5 times"); the rule itself otherwise."""
    if not rule_text:
        return ""
    parts = dict(_split(rule_text))
    freq, interval = parts.get("FREQ"), parts.get("INTERVAL", "1")
    if set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"} or interval not in {"1", "2"}:
        return rule_text
    days = parts.get("BYDAY", "")
    if days and (freq != "WEEKLY" or not all(day in _DAY_CODES for day in days.split(","))):
        return rule_text
    plain = {
        ("DAILY", "1"): _("Every day"), ("DAILY", "2"): _("Every other day"),
        ("WEEKLY", "1"): _("Every week"), ("WEEKLY", "2"): _("Every two weeks"),
        ("MONTHLY", "1"): _("Every month"), ("MONTHLY", "2"): _("Every two months"),
        ("YEARLY", "1"): _("Every year"), ("YEARLY", "2"): _("Every two years"),
    }
    text = str(plain[(freq, interval)])
    if days == "MO,TU,WE,TH,FR" and interval == "1":
        text = _("Every weekday (Monday to Friday)")
    elif days:
        names = ", ".join(str(WEEKDAYS_ABBR[_DAY_CODES.index(day)]) for day in days.split(","))
        text = _("%(rule)s on %(days)s") % {"rule": text, "days": names}
    if "COUNT" in parts:
        text = _("%(rule)s, %(count)s times") % {"rule": text, "count": parts["COUNT"]}
    elif "UNTIL" in parts:
        text = _("%(rule)s, until %(date)s") % {"rule": text, "date": human_date(_parse_until(parts["UNTIL"]))}
    return text


_DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_WEEKDAY = re.compile(r"^([+-]?)(\d{0,2})(MO|TU|WE|TH|FR|SA|SU)$")
_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _check_parts(parts: dict) -> None:
    """Only the parts a law firm's diary needs, each in range, and never a rule that cannot happen.

    dateutil accepts rules that match nothing (the 6th Monday of a month, 30 February) and
    then searches to the year 9999 for them: those are refused here, before any expansion.
    """
    freq = parts.get("FREQ")
    if freq not in ALLOWED_FREQUENCIES:
        raise BadRule(_("Say how often it repeats: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."))
    if {"BYHOUR", "BYMINUTE", "BYSECOND"} & set(parts):
        raise BadRule(_("Repeat by days, weeks, months or years; the time comes from the start."))
    unknown = set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
    if unknown:
        raise BadRule(_("This part of the rule is not supported: %(part)s.") % {"part": ", ".join(sorted(unknown))})
    if "UNTIL" in parts and "COUNT" in parts:
        raise BadRule(_("Give an end date (UNTIL) or a number of times (COUNT), not both."))
    _check_number(parts, "INTERVAL", 1, 366)
    _check_number(parts, "COUNT", 1, 1000)
    months = _numbers(parts, "BYMONTH", 1, 12) or list(range(1, 13))
    monthdays = _numbers(parts, "BYMONTHDAY", -31, 31)
    if monthdays and freq == "WEEKLY":
        raise BadRule(_("A weekly rule cannot also name days of the month (BYMONTHDAY)."))
    if any(not any(abs(day) <= _DAYS_IN_MONTH[month] for month in months) for day in monthdays):
        raise BadRule(_("This rule never happens: no month in it has that day."))
    weekdays = [_WEEKDAY.match(day) for day in parts.get("BYDAY", "").split(",")] if "BYDAY" in parts else []
    if not all(weekdays):
        raise BadRule(_("Write the days like MO,WE,FR (or 1MO for the first Monday)."))
    widest = 5 if freq == "MONTHLY" or "BYMONTH" in parts else 53
    for match in weekdays:
        ordinal = int(match.group(2) or 0)
        if ordinal and (freq not in {"MONTHLY", "YEARLY"} or not 1 <= ordinal <= widest):
            raise BadRule(_("A numbered day (like 1MO or -1FR) needs a monthly or yearly rule, up to 5 in a month."))
    if "BYSETPOS" in parts:
        if freq not in {"MONTHLY", "YEARLY"} or not weekdays or monthdays or any(m.group(2) for m in weekdays):
            raise BadRule(_("BYSETPOS works here only with a monthly or yearly rule of plain days (BYDAY=MO,TU)."))
        _numbers(parts, "BYSETPOS", -4, 4)
    if "WKST" in parts and parts["WKST"] not in {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}:
        raise BadRule(_("WKST must be a day, like MO."))


def _check_number(parts: dict, name: str, low: int, high: int) -> None:
    if name in parts:
        _numbers(parts, name, low, high)


def _numbers(parts: dict, name: str, low: int, high: int) -> list[int]:
    if name not in parts:
        return []
    try:
        values = [int(value) for value in parts[name].split(",")]
    except ValueError:
        values = [low - 1]
    if not values or any(value == 0 or not low <= value <= high for value in values):
        raise BadRule(_("%(name)s must be a whole number from %(low)s to %(high)s.") % {
            "name": name, "low": max(low, 1) if low < 0 else low, "high": high})
    return values


def _split(rule: str):
    for part in rule.upper().split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            yield key.strip(), value.strip()


def _stored_until(value: str, *, all_day: bool) -> str:
    """UNTIL as RFC 5545 wants it: a date for all-day events, UTC for timed ones."""
    try:
        until = _parse_until(value)
    except ValueError:
        raise BadRule(_("Write the end date (UNTIL) like 20261231.")) from None
    if all_day:
        return until.strftime("%Y%m%d")
    if "T" in value.upper() and value.upper().endswith("Z"):
        return value.upper()
    if "T" in value.upper():
        local = datetime.strptime(value[:15], "%Y%m%dT%H%M%S").replace(tzinfo=HONG_KONG)
    else:  # a date: the whole of that day in Hong Kong
        local = datetime.combine(until, time(23, 59, 59), tzinfo=HONG_KONG)
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _parse_until(value: str) -> date:
    value = value.upper()
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(HONG_KONG).date()
    return datetime.strptime(value[:8], "%Y%m%d").date()


def _expand(rule_text: str, start: datetime, stop: datetime):
    """Occurrence starts (naive HK wall-clock) from the first up to ``stop``, honouring COUNT.

    The rule always gets an UNTIL no later than ``stop``: dateutil otherwise searches up
    to the year 9999 for a rule that matches nothing (FREQ=DAILY;BYMONTHDAY=31;BYMONTH=2).
    """
    parts = dict(_split(rule_text))
    count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    until = _local_until(parts.pop("UNTIL")) if "UNTIL" in parts else stop
    parts["UNTIL"] = min(until, stop).strftime("%Y%m%dT%H%M%S")
    rule = rrulestr(";".join(f"{key}={value}" for key, value in parts.items()), dtstart=_local(start))
    for number, moment in enumerate(rule, start=1):
        yield moment
        if (count is not None and number >= count) or number >= MAX_STEPS:
            return


def _local_until(value: str) -> datetime:
    value = value.upper()
    if value.endswith("Z"):
        moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return moment.astimezone(HONG_KONG).replace(tzinfo=None)
    if "T" in value:
        return datetime.strptime(value[:15], "%Y%m%dT%H%M%S")
    return datetime.combine(datetime.strptime(value[:8], "%Y%m%d").date(), time(23, 59, 59))


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, HONG_KONG).replace(tzinfo=None)


def _overlaps(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> bool:
    """Half-open overlap; an event of no length counts at its instant."""
    return start < window_end and (end > window_start or (start == end and start >= window_start))
