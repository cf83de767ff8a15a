"""Business time: the desk's working days and hours (pure).

Without ``[calendar]`` every hour counts (:class:`AroundTheClock`).  With it
(:class:`BusinessCalendar`) a due time counts only the business hours of working days in
the desk's time zone:

* a working day is Monday to Friday, except official holidays, plus official make-up
  workdays (调休) - for ``country = "CN"`` from the ``chinese-calendar`` package, which
  the State Council's notice updates each November - and the company's own
  ``extra_holidays`` / ``extra_workdays``, which win over both;
* business hours are ``business_hours`` (e.g. 09:00-18:00) of each working day, or the
  whole day when none are given.

When the package has no data for a year (the notice for it is not out yet, or the
package is old), that year falls back to plain weekdays: nothing crashes, and
:func:`missing_years` lets ``complaintd check`` and the daemon say so - a deadline is
never stretched silently by a guessed holiday.

Windows are computed per local day and converted to UTC, so a day with a daylight-saving
change has the hours it really has.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

SEARCH_DAYS = 3 * 366  # no working day in three years: the calendar is unusable
COUNTRIES = ("CN", "")


class Calendar(Protocol):
    """What due-time arithmetic needs of a calendar."""

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The instant ``hours`` business hours after ``start`` (aware, UTC)."""
        ...

    def next_business_time(self, at: datetime) -> datetime:
        """``at`` itself when it is business time, else the start of the next business hour."""
        ...

    def is_business_time(self, at: datetime) -> bool:
        """True when ``at`` falls within business hours of a working day."""
        ...


class AroundTheClock:
    """No ``[calendar]``: every hour is a business hour."""

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus ``hours`` of plain time."""
        return start + timedelta(hours=hours)

    def next_business_time(self, at: datetime) -> datetime:
        """``at``: it is always business time."""
        return at

    def is_business_time(self, at: datetime) -> bool:
        """Always true."""
        return True


@lru_cache(maxsize=4096)
def official_working_day(country: str, day: date) -> bool | None:
    """Whether ``day`` is an official working day in ``country``; None when unknown.

    None for ``country == ""`` and for a year the package has no data for.
    """
    if country != "CN":
        return None
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # "no available data for year ..."
        return None


def missing_years(country: str, years: Iterable[int]) -> list[int]:
    """The ``years`` for which ``country``'s official calendar is not known (pure)."""
    if country != "CN":
        return []
    return [year for year in years if official_working_day(country, date(year, 6, 1)) is None]


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days and business hours in ``zone`` (see the module docstring)."""

    zone: ZoneInfo
    country: str = ""
    opens: time | None = None  # None: working days count whole
    closes: time | None = None  # None with ``opens`` set: midnight at the day's end
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """The company's own days first, then the official calendar, then Mon-Fri."""
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        official = official_working_day(self.country, day)
        if official is None and self.country:
            _warn_missing_year(self.country, day.year)
        return official if official is not None else day.weekday() < 5

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The business hours of ``day`` as a UTC interval [start, end)."""
        start = datetime.combine(day, self.opens or time(0), self.zone)
        if self.closes is None:
            end = datetime.combine(day + timedelta(days=1), time(0), self.zone)
        else:
            end = datetime.combine(day, self.closes, self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def windows_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The business windows that end after ``at``, in order."""
        first = at.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(SEARCH_DAYS):
            day = first + timedelta(days=offset)
            if self.is_working_day(day):
                start, end = self.window(day)
                if end > at:
                    yield start, end

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """Count ``hours`` of business time from ``start`` (from the next opening when
        ``start`` is outside business hours); a window used up exactly ends at its close."""
        remaining = timedelta(hours=hours)
        for window_start, window_end in self.windows_from(start):
            begin = max(window_start, start)
            if remaining <= window_end - begin:
                return begin + remaining
            remaining -= window_end - begin
        log.error("calendar: no working day within %d days; counting plain hours", SEARCH_DAYS)
        return start + timedelta(hours=hours)

    def next_business_time(self, at: datetime) -> datetime:
        """``at`` within business hours, else the next opening."""
        for window_start, _ in self.windows_from(at):
            return max(window_start, at)
        return at

    def is_business_time(self, at: datetime) -> bool:
        """True when ``at`` is within the business hours of a working day."""
        return self.next_business_time(at) == at


_warned: set[tuple[str, int]] = set()


def _warn_missing_year(country: str, year: int) -> None:
    """Say once per process that ``year`` falls back to weekdays."""
    if (country, year) not in _warned:
        _warned.add((country, year))
        log.warning(
            "calendar: no official %s holidays known for %d (upgrade chinese-calendar once "
            "the State Council has published them); counting Monday to Friday meanwhile",
            country,
            year,
        )


def parse_business_hours(text: str) -> tuple[time, time | None] | None:
    """``"09:00-18:00"`` as (opens, closes); ``""`` as None (the whole day).

    ``closes`` is None for ``24:00``.  Raises ValueError with a readable reason.
    """
    if not text.strip():
        return None
    parts = [part.strip() for part in text.split("-")]
    if len(parts) != 2:
        raise ValueError(f"must be HH:MM-HH:MM, not {text!r}")
    opens, closes = (_clock_time(part, text) for part in parts)
    if opens is None:
        raise ValueError(f"cannot open at 24:00: {text!r}")
    if closes is not None and closes <= opens:
        raise ValueError(f"must close after it opens: {text!r}")
    return opens, closes


def _clock_time(part: str, text: str) -> time | None:
    """``HH:MM`` as a time; ``24:00`` as None (midnight at the day's end)."""
    hours, _, minutes = part.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(f"must be HH:MM-HH:MM, not {text!r}")
    if (int(hours), int(minutes)) == (24, 0):
        return None
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"{part!r} is not a time of day")
    return time(int(hours), int(minutes))
