"""Where a fetched message stands: in the ledger (``inbound_message.status``) and on the
IMAP server (``inbound_message.server_state``)."""

from __future__ import annotations

from enum import StrEnum


class InboundStatus(StrEnum):
    """What processing made of a fetched message."""

    PENDING = "pending"  # committed, not processed yet
    PROCESSED = "processed"
    DUPLICATE = "duplicate"  # the same message was taken in before
    FAILED = "failed"  # quarantined: kept, with the error (inbound failed / retry)


class ServerState(StrEnum):
    """What was done to a processed message on the IMAP server."""

    PENDING = "pending"  # nothing yet
    FLAGGED = "flagged"  # the processed (or failed) keyword set in place
    MOVED = "moved"  # moved to the processed folder
    QUARANTINED = "quarantined"  # moved to the quarantine folder
