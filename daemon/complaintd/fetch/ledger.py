"""The inbound ledger as the fetcher sees it: raw bytes in, high-water mark up.

Raw bytes and the new high-water mark are committed in one transaction; only then may
the fetcher touch the message on the server (getmail6's ``delivered()`` rule).  The
``(mailbox, uidvalidity, uid)`` key makes a re-fetch after a crash a no-op.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import peewee

from complaintd.store.inbound_status import InboundStatus, ServerState
from complaintd.store.models import InboundMessage, InboundRaw, MailboxState
from complaintd.store.prepared import insert_rows
from complaintd.store.wakeups import announce_inbound

# The keyword the desk sets on the server on mail it processed (flag-only mode).
PROCESSED_KEYWORD = "$Complaintd"

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class FetchedMessage:
    """One message as fetched: its UID and raw bytes."""

    uid: int
    raw: bytes
    # It already carried :data:`PROCESSED_KEYWORD`: some desk processed it before.
    processed_flag: bool = False
    received_at: datetime | None = None  # the server's INTERNALDATE, aware


def header_message_id(raw: bytes) -> str | None:
    """The Message-ID of ``raw`` without brackets, read cheaply from the header block."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = _MESSAGE_ID.search(head)
    if not match:
        return None
    value = b" ".join(match.group(1).split()).strip(b"<> ").decode("ascii", "replace")
    return value or None  # stored bounded and NUL-free (MailKeyField)


def load_state(mailbox: str, folder: str) -> MailboxState:
    """Return the mailbox's state row, creating it on first use."""
    state, _ = MailboxState.get_or_create(mailbox=mailbox, defaults={"folder": folder})
    return state


def reset_for_uidvalidity(state: MailboxState, uidvalidity: int) -> bool:
    """Adopt a new UIDVALIDITY (RFC 3501 2.3.1.1): old UIDs mean nothing any more.

    Returns True when the mark was reset; messages fetched again are recognised as
    duplicates by their Message-ID when they are processed.
    """
    if state.uidvalidity == uidvalidity:
        return False
    changed = state.uidvalidity is not None
    state.uidvalidity = uidvalidity
    state.last_uid = 0
    state.save()
    return changed


def store_batch(
    database: peewee.Database,
    state: MailboxState,
    kind: str,
    messages: list[FetchedMessage],
    now: datetime,
    fence: Callable[[], None] | None = None,
) -> list[tuple[int, bytes]]:
    """Commit raw messages and the new high-water mark together; return the new rows.

    Each new row is returned as ``(inbound id, raw bytes)`` so analysis can start at once.
    ``fence`` runs first in the transaction and may raise to refuse the commit (a
    mailbox lease lost to another instance, :func:`complaintd.store.leases.fence`).
    """
    if not messages:
        return []
    with database.atomic():
        if fence is not None:
            fence()
        known = _stored_uids(state, [m.uid for m in messages])
        fresh = [m for m in messages if m.uid not in known]
        insert_rows(InboundMessage, (_row(state, kind, m, now) for m in fresh), ignore=True)
        ids = _stored_uids(state, [m.uid for m in fresh])
        raws = ({"inbound": ids[m.uid], "raw_message": m.raw} for m in fresh if m.uid in ids)
        insert_rows(InboundRaw, raws, ignore=True)
        if ids:
            announce_inbound(database)  # other instances' processors start on them now
        state.last_uid = max(state.last_uid, *(m.uid for m in messages))
        state.last_fetch_at = now
        state.last_error = None
        state.save()
    return [(ids[m.uid], m.raw) for m in fresh if m.uid in ids]


def _stored_uids(state: MailboxState, uids: list[int]) -> dict[int, int]:
    """uid -> inbound id for the rows of this mailbox generation among ``uids``."""
    if not uids:
        return {}
    query = InboundMessage.select(InboundMessage.id, InboundMessage.uid).where(
        (InboundMessage.mailbox == state.mailbox)
        & (InboundMessage.uidvalidity == state.uidvalidity)
        & (InboundMessage.uid.in_(uids))
    )
    return {row.uid: row.id for row in query}


def _row(
    state: MailboxState, kind: str, message: FetchedMessage, now: datetime
) -> dict[str, object]:
    return {
        "mailbox": state.mailbox,
        "mailbox_kind": kind,
        "uidvalidity": state.uidvalidity,
        "uid": message.uid,
        "message_id": header_message_id(message.raw),
        "sha256": hashlib.sha256(message.raw).hexdigest(),
        "size": len(message.raw),
        "fetched_at": now,
        "carried_processed_flag": message.processed_flag,
        # Never later than the fetch: a server clock ahead of ours must not delay it.
        "received_at": min(message.received_at, now) if message.received_at else None,
    }


def awaiting_disposal(mailbox: str, uidvalidity: int) -> list[InboundMessage]:
    """Rows of this mailbox generation not yet flagged or moved on the server."""
    query = InboundMessage.select(
        InboundMessage.id, InboundMessage.uid, InboundMessage.status
    ).where(
        (InboundMessage.mailbox == mailbox)
        & (InboundMessage.uidvalidity == uidvalidity)
        & (InboundMessage.server_state == ServerState.PENDING)
        & (InboundMessage.status != InboundStatus.PENDING)
    )
    return list(query.order_by(InboundMessage.uid))


def mark_disposed(ids: list[int], server_state: ServerState) -> None:
    """Record what was done to these rows on the server."""
    if ids:
        InboundMessage.update(server_state=server_state).where(InboundMessage.id.in_(ids)).execute()
