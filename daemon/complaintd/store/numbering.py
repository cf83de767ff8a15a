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
    # One statement (SQLite >= 3.35 and PostgreSQL): create the row or bump it, and read
    # the new serial back under the same lock.
    query = (
        TicketCounter.insert(prefix=prefix, period=period, last_serial=1)
        .on_conflict(
            conflict_target=[TicketCounter.prefix, TicketCounter.period],
            update={TicketCounter.last_serial: TicketCounter.last_serial + 1},
        )
        .returning(TicketCounter.last_serial)
    )
    serial = next(iter(query.execute())).last_serial
    return format_ticket_number(prefix, period, int(serial))
