"""Ticket numbers ``PREFIX-YYYYMM-NNNN``: gap-free, unique under concurrency.

The counter row is bumped inside the transaction that creates the ticket.  The UPDATE
takes the row lock (PostgreSQL) or the database write lock (SQLite, IMMEDIATE), so two
writers queue; if the ticket's transaction rolls back, so does the bump: no gap.

The counter heals itself: a ledger restored from an older backup, or one whose counter
row is behind the ticket table for any other reason, would hand out a number a ticket
already has.  So a bumped number is looked up (one unique-index probe); if it is taken,
the counter jumps past the highest serial of that prefix and month.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from complaintd.store.models import Ticket, TicketCounter
from complaintd.store.prepared import execute

_BUMP_COUNTER = (
    "INSERT INTO ticket_counter (prefix, period, last_serial) VALUES (?, ?, 1)"
    " ON CONFLICT (prefix, period)"
    " DO UPDATE SET last_serial = ticket_counter.last_serial + 1"
    " RETURNING last_serial"
)
_NUMBER_TAKEN = "SELECT 1 FROM ticket WHERE number = ?"
# Numbers of one prefix and month (a scan, but only when healing; LIKE rather than a
# range because PostgreSQL's collation may ignore the "-").
_NUMBERS_OF_PERIOD = "SELECT number FROM ticket WHERE number LIKE ? ESCAPE '\\'"
_SET_COUNTER = "UPDATE ticket_counter SET last_serial = ? WHERE prefix = ? AND period = ?"


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
    number = format_ticket_number(prefix, period, int(cursor.fetchone()[0]))
    if execute(Ticket, _NUMBER_TAKEN, (number,)).fetchone() is None:
        return number
    # The counter is behind the tickets (a restored backup): continue after the highest.
    # The bump above holds the counter's lock, so no other writer moves it meanwhile.
    serial = next_free_serial(prefix, period, _numbers_of_period(prefix, period))
    execute(TicketCounter, _SET_COUNTER, (serial, prefix, period))
    return format_ticket_number(prefix, period, serial)


def next_free_serial(prefix: str, period: str, numbers: list[str]) -> int:
    """One past the highest serial among ``numbers`` of ``prefix``/``period`` (1 if none)."""
    head = f"{prefix}-{period}-"
    tails = (number[len(head) :] for number in numbers if number.startswith(head))
    serials = [int(tail) for tail in tails if tail.isascii() and tail.isdigit()]
    return max(serials, default=0) + 1


def _numbers_of_period(prefix: str, period: str) -> list[str]:
    """The ticket numbers the ledger holds for ``prefix``/``period``."""
    head = f"{prefix}-{period}-"
    pattern = "".join("\\" + c if c in "\\%_" else c for c in head) + "%"
    return [row[0] for row in execute(Ticket, _NUMBERS_OF_PERIOD, (pattern,)).fetchall()]
