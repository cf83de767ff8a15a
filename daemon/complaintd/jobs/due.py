"""Due times: the one place every committed or internal due time is computed.

``first_response_hours``, ``department_reply_hours``, ``resolve_hours`` and
``chase_every_hours`` all go through :func:`due_after`: plain hours without
``[calendar]``, business hours with it (see :mod:`complaintd.jobs.calendar`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from complaintd.config import Config
from complaintd.config.model import CalendarConfig
from complaintd.jobs.calendar import AroundTheClock, BusinessCalendar, Calendar, missing_years

LOOK_AHEAD = timedelta(days=90)  # the years a check warns about: now's and this far ahead


@lru_cache(maxsize=16)
def _calendar(settings: CalendarConfig | None, zone: ZoneInfo) -> Calendar:
    if settings is None:
        return AroundTheClock()
    return BusinessCalendar(
        zone=zone,
        country=settings.country,
        opens=settings.opens,
        closes=settings.closes,
        extra_holidays=settings.extra_holidays,
        extra_workdays=settings.extra_workdays,
    )


def business_calendar(config: Config) -> Calendar:
    """The desk's calendar: around the clock without ``[calendar]``."""
    return _calendar(config.calendar, config.desk.timezone)


def due_after(config: Config, start: datetime, hours: float) -> datetime:
    """``hours`` (business hours with ``[calendar]``) after ``start``.

    Remembered per calendar, start and hours: a job takes many steps at one ``now``
    with the same few SLA hours, and the calendar walk is then done once.
    """
    return _due_after(config.calendar, config.desk.timezone, start, hours)


@lru_cache(maxsize=1024)
def _due_after(
    settings: CalendarConfig | None, zone: ZoneInfo, start: datetime, hours: float
) -> datetime:
    return _calendar(settings, zone).add_business_hours(start, hours)


def calendar_warnings(config: Config, now: datetime) -> list[str]:
    """What ``complaintd check`` says about the calendar: years with no official data."""
    if config.calendar is None or not config.calendar.country:
        return []
    local = now.astimezone(config.desk.timezone).date()
    years = sorted({local.year, (local + LOOK_AHEAD).year})
    return [
        f"calendar.country: no official {config.calendar.country} holidays and make-up "
        f"workdays known for {year}; Monday to Friday count as working days until the "
        f"chinese-calendar package is upgraded with the State Council's notice for {year}"
        f"{_company_days(config.calendar, year)}"
        for year in missing_years(config.calendar.country, years)
    ]


def _company_days(settings: CalendarConfig, year: int) -> str:
    """A hint that extra_holidays/extra_workdays can bridge the gap meanwhile."""
    listed = [day for day in settings.extra_holidays | settings.extra_workdays if day.year == year]
    return "" if listed else " (or list its days in extra_holidays / extra_workdays)"


__all__ = ["business_calendar", "calendar_warnings", "due_after"]
