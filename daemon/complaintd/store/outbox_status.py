"""The statuses of an outgoing mail (``outbox.status``) and the outcomes of one attempt
to send it, which decide the next status (:mod:`complaintd.outbox.sender`)."""

from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    """Where an outgoing mail stands; the value is what the ledger and JSON hold."""

    PENDING = "pending"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a sender (with a lease)
    SENT = "sent"  # the server accepted the DATA
    FAILED = "failed"  # refused for good, or still failing at its deadline
    CANCELLED = "cancelled"  # a person decided it is not to be sent


class DeliveryOutcome(StrEnum):
    """What one attempt to send a mail came to."""

    SENT = "sent"
    TEMPORARY = "temporary"  # 4xx, no connection, timeout: try again later
    PERMANENT = "permanent"  # 5xx, or an address no server can take
