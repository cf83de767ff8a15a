"""The injected clock.

Pure logic never reads the time itself; it is handed a :class:`Clock`.  ``--now`` /
``COMPLAINTD_NOW`` replace the system clock with a :class:`FixedClock` for every
command, so days can be simulated in tests and demos.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current time (timezone-aware, UTC)."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the system time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant (``--now``); ``advance`` moves it for tests."""

    def __init__(self, instant: datetime) -> None:
        self._instant = to_utc(instant)

    def now(self) -> datetime:
        """Return the fixed instant."""
        return self._instant

    def set(self, instant: datetime) -> None:
        """Move the clock to ``instant``."""
        self._instant = to_utc(instant)


def to_utc(instant: datetime) -> datetime:
    """Return ``instant`` in UTC; a naive datetime is taken to be UTC already."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def parse_now(value: str) -> datetime:
    """Parse an ISO-8601 ``--now`` value; a naive value is taken as UTC.

    Raises ``ValueError`` with a readable message when the value is not ISO 8601.
    """
    text = value.strip().replace("Z", "+00:00")
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError as exc:
        raise ValueError(f"not an ISO-8601 time: {value!r}") from exc
