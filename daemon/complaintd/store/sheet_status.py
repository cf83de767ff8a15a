"""The statuses of a contact sheet (工作联系单), as stored in ``contact_sheet.status``."""

from __future__ import annotations

from enum import StrEnum


class SheetStatus(StrEnum):
    """Where a department's sheet stands; the value is what the ledger and JSON hold."""

    OPEN = "open"
    ANSWERED = "answered"
    OVERDUE = "overdue"  # past its due time, being chased
    ESCALATED = "escalated"  # sent to the department's manager
    CANCELLED = "cancelled"  # the ticket closed or was found invalid first


# The statuses of a sheet still waiting for the department's answer.
OPEN_SHEET_STATUSES: tuple[SheetStatus, ...] = (
    SheetStatus.OPEN,
    SheetStatus.OVERDUE,
    SheetStatus.ESCALATED,
)
