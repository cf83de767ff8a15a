"""Ticket numbers ``PREFIX-YYYYMM-NNNN``: gap-free, unique under concurrency.

The counter row is bumped inside the transaction that creates the ticket.  The UPDATE
takes the row lock (PostgreSQL) or the database write lock (SQLite, IMMEDIATE), so two
writers queue; if the ticket's transaction rolls back, so does the bump: no gap.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from complaintd.store.models import TicketCounter
from complaintd.store.prepared import execute

_BUMP_COUNTER = (
    "INSERT INTO ticket_counter (prefix, period, last_serial) VALUES (?, ?, 1)"
    " ON CONFLICT (prefix, period)"
    " DO UPDATE SET last_serial = ticket_counter.last_serial + 1"
    " RETURNING last_serial"
)


def ticket_period(created_at: datetime, zone: ZoneInfo) -> str:
    """Return ``YYYYMM`` of ``created_at`` in the desk's time zone."""
    return created_at.astimezone(zone).strftime("%Y%m")


def format_ticket_number(prefix: str, period: str, serial: int) -> str:
    """Return ``PREFIX-YYYYMM-NNNN`` (more digits past 9999)."""
    return f"{prefix}-{period}-{serial:04d}"


def allocate_ticket_number(prefix: str, period: str) -> str:
    """Take the next serial of ``prefix``/``period``; call inside the ticket's transaction."""
    # One statement (SQLite >= 3.35 and PostgreSQL): create the row or bump it, and read
    # the new serial back under the same lock.
    cursor = execute(TicketCounter, _BUMP_COUNTER, (prefix, period))
    return format_ticket_number(prefix, period, int(cursor.fetchone()[0]))
