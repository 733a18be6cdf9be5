"""General holidays and recorded closures: which days a period skips or a registry is shut.

General holidays come from the `holidays` package's OPTIONAL category for Hong Kong,
which is the General Holidays Ordinance (Cap. 149) list. Its default category is the
Employment Ordinance's statutory holidays, which leave out Good Friday, Easter Monday,
the day after Christmas … — wrong for court deadlines. A year the package knows nothing
about is refused: a deadline computed without holidays would look right and be wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from types import MappingProxyType

import holidays
from django.utils.translation import gettext_lazy as _

from calendar_sync.data.general_holidays import GAZETTED_THROUGH
from config.errors import ValidationFailed

SUNDAY = 6
SATURDAY = 5
WARNING_KINDS = ("gale", "black_rain")


class NoHolidayData(ValidationFailed):
    code = "no_holiday_data"

    def __init__(self, year: int):
        first, last = holiday_years()
        super().__init__(_(
            "There are no general-holiday data for %(year)s (known: %(first)s to %(last)s), "
            "so no deadline touching that year can be computed safely.")
            % {"year": year, "first": first, "last": last}, code=self.code)
        self.year = year


@dataclass(frozen=True)
class Reason:
    """Why a day is not counted or the registry is shut: a message code and its values."""

    code: str
    params: dict[str, str] = field(default_factory=dict)


def holiday_years() -> tuple[int, int]:
    """The years the installed `holidays` package has Hong Kong data for."""
    calendar = holidays.country_holidays("HK").__class__
    return getattr(calendar, "start_year", 1946), getattr(calendar, "end_year", 2099)


@functools.lru_cache(maxsize=128)
def general_holidays(year: int) -> Mapping[date, str]:
    """Hong Kong's general holidays of ``year`` other than Sundays: {date: name}."""
    first, last = holiday_years()
    if not first <= year <= last:
        raise NoHolidayData(year)
    found = holidays.country_holidays("HK", years=year, categories=(holidays.OPTIONAL,))
    if not found:
        raise NoHolidayData(year)
    return MappingProxyType(dict(found))


def is_gazetted(year: int) -> bool:
    return year <= GAZETTED_THROUGH


@dataclass(frozen=True)
class ClosureDay:
    """A recorded registry closure, as the engine needs it (no database object)."""

    date: date
    kind: str  # "gale", "black_rain" or "other"
    courts: tuple[str, ...] = ()  # empty: every court
    closed_from: time | None = None
    closed_until: time | None = None
    reason: str = ""

    def covers(self, court: str | None) -> bool | None:
        """True if it shut ``court``'s registry; None if that depends on an unknown court."""
        if not self.courts:
            return True
        if court is None:
            return None
        return court in self.courts

    def as_reason(self) -> Reason:
        hours = ""
        if self.closed_from or self.closed_until:
            start = self.closed_from.strftime("%H:%M") if self.closed_from else ""
            end = self.closed_until.strftime("%H:%M") if self.closed_until else ""
            hours = f" {start}–{end}"
        label = (self.reason or "").strip() or self.kind.replace("_", " ")
        return Reason(self.kind if self.kind in WARNING_KINDS else "closure",
                      {"reason": label + hours})


class CourtCalendar:
    """One firm's view of the calendar: the package's holidays, the firm's corrections
    (HolidayAdjustment) and the closures it recorded (RegistryClosure)."""

    def __init__(self, *, added: Mapping[date, str] | None = None,
                 removed: Mapping[date, str] | None = None, closures: Iterable[ClosureDay] = ()):
        self.added = dict(added or {})
        self.removed = dict(removed or {})
        self.closures: dict[date, list[ClosureDay]] = {}
        for closure in closures:
            self.closures.setdefault(closure.date, []).append(closure)

    def require_year(self, year: int) -> None:
        general_holidays(year)

    def general_holiday(self, day: date) -> Reason | None:
        listed = general_holidays(day.year)  # raises for a year without data, Sundays too
        if day.weekday() == SUNDAY:
            return Reason("sunday")  # every Sunday, whatever an admin removed
        if day in self.removed:
            return None
        if day in self.added:
            return Reason("added_holiday", {"reason": self.added[day]})
        if day in listed:
            return Reason("general_holiday", {"name": listed[day]})
        return None

    def warning(self, day: date) -> Reason | None:
        """A gale or black rainstorm warning day: Hong Kong-wide, whatever court was named."""
        for closure in self.closures.get(day, ()):
            if closure.kind in WARNING_KINDS:
                return closure.as_reason()
        return None

    def office_closure(self, day: date, court: str | None) -> tuple[Reason | None, list[ClosureDay]]:
        """The closure that shut ``court``'s registry that day, and closures left unapplied
        because the court is not known (so the caller can say so)."""
        unknown = []
        for closure in self.closures.get(day, ()):
            covered = closure.covers(court)
            if covered:
                return closure.as_reason(), []
            if covered is None:
                unknown.append(closure)
        return None, unknown
