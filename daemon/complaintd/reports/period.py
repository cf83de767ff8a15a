"""The periods the reports cover, in the desk's time zone (pure).

The digest covers one local day and is due from ``digest_time`` the next day; the
monthly report covers one local month and is due from ``digest_time`` on the 1st.  A pass
late by hours still sends it; a pass days late sends the latest one due only, never the
missed ones in a burst (as with every timed mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How many days into a month its predecessor's report may still go out (a desk down on
# the 1st); later, the report is for the asking (``report monthly --send``).
MONTHLY_GRACE_DAYS = 7


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in UTC, and its name: ``2026-12-05`` or ``2026-11``."""

    name: str
    start: datetime
    end: datetime


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of ``day`` in ``zone`` (aware)."""
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def day_period(day: date, zone: ZoneInfo) -> Period:
    """The local day ``day``."""
    start = local_midnight(day, zone)
    return Period(day.isoformat(), start, local_midnight(day + timedelta(days=1), zone))


def month_start(day: date) -> date:
    """The 1st of ``day``'s month."""
    return day.replace(day=1)


def previous_month(first: date) -> date:
    """The 1st of the month before the one starting on ``first``."""
    return (first - timedelta(days=1)).replace(day=1)


def next_month(first: date) -> date:
    """The 1st of the month after the one starting on ``first``."""
    return (first + timedelta(days=32)).replace(day=1)


def month_period(first: date, zone: ZoneInfo) -> Period:
    """The local month starting on ``first``."""
    start, end = local_midnight(first, zone), local_midnight(next_month(first), zone)
    return Period(f"{first:%Y-%m}", start, end)


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the month's 1st; ValueError otherwise."""
    return datetime.strptime(text, "%Y-%m").date()


def default_day(now: datetime, zone: ZoneInfo) -> date:
    """The day a digest covers unless told: yesterday, in the desk's zone."""
    return now.astimezone(zone).date() - timedelta(days=1)


def default_month(now: datetime, zone: ZoneInfo) -> date:
    """The month a monthly report covers unless told: last month."""
    return previous_month(month_start(now.astimezone(zone).date()))


def digest_due(now: datetime, zone: ZoneInfo, at: time) -> date | None:
    """The day whose digest is due at ``now`` (yesterday, once ``at`` has come), or None."""
    local = now.astimezone(zone)
    return local.date() - timedelta(days=1) if local.time() >= at else None


def monthly_due(now: datetime, zone: ZoneInfo, at: time) -> date | None:
    """The month (its 1st) whose report is due at ``now``: last month, from ``at`` on the
    1st until :data:`MONTHLY_GRACE_DAYS` into this month; else None."""
    local = now.astimezone(zone)
    if local.day > MONTHLY_GRACE_DAYS or (local.day == 1 and local.time() < at):
        return None
    return default_month(now, zone)
