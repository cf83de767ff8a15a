"""Ticket numbers ``PREFIX-YYYYMM-NNNN``: gap-free, unique under concurrency.

The counter row is bumped inside the transaction that creates the ticket.  The UPDATE
takes the row lock (PostgreSQL) or the database write lock (SQLite, IMMEDIATE), so two
writers queue; if the ticket's transaction rolls back, so does the bump: no gap.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from complaintd.store.models import TicketCounter


def ticket_period(created_at: datetime, zone: ZoneInfo) -> str:
    """Return ``YYYYMM`` of ``created_at`` in the desk's time zone."""
    return created_at.astimezone(zone).strftime("%Y%m")


def format_ticket_number(prefix: str, period: str, serial: int) -> str:
    """Return ``PREFIX-YYYYMM-NNNN`` (more digits past 9999)."""
    return f"{prefix}-{period}-{serial:04d}"


def allocate_ticket_number(prefix: str, period: str) -> str:
    """Take the next serial of ``prefix``/``period``; call inside the ticket's transaction."""
    TicketCounter.insert(prefix=prefix, period=period, last_serial=0).on_conflict_ignore().execute()
    where = (TicketCounter.prefix == prefix) & (TicketCounter.period == period)
    TicketCounter.update(last_serial=TicketCounter.last_serial + 1).where(where).execute()
    serial = TicketCounter.select(TicketCounter.last_serial).where(where).scalar()
    return format_ticket_number(prefix, period, int(serial))
