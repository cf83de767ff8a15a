"""The statuses of a ticket (DESIGN.md), as stored in ``ticket.status``.

The steps between them are decided in :mod:`complaintd.workflow.status`.
"""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    """Where a complaint stands; the value is what the ledger and JSON hold."""

    RECEIVED = "received"
    INVESTIGATING = "investigating"
    SOLUTION_PROPOSED = "solution_proposed"
    IMPLEMENTING = "implementing"
    FOLLOW_UP = "follow_up"  # the resolution is sent, the survey follows
    CLOSED = "closed"
    INVALID = "invalid"


# The statuses in which the desk still owes the customer an answer.
OPEN_STATUSES: tuple[TicketStatus, ...] = (
    TicketStatus.RECEIVED,
    TicketStatus.INVESTIGATING,
    TicketStatus.SOLUTION_PROPOSED,
    TicketStatus.IMPLEMENTING,
)

# The open statuses before a solution: the customer is promised progress updates.
AWAITING_SOLUTION: tuple[TicketStatus, ...] = (TicketStatus.RECEIVED, TicketStatus.INVESTIGATING)
