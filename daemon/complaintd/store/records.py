"""Writing tickets, messages, attachments and audit events (inside a transaction)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from complaintd.store.event_action import EventAction
from complaintd.store.fields import without_nul
from complaintd.store.message_kind import Direction, MessageKind
from complaintd.store.models import (
    Attachment,
    Blob,
    Event,
    InboundMessage,
    Message,
    Participant,
    Ticket,
)
from complaintd.store.prepared import create, insert_row
from complaintd.store.queries import forget_incoming

if TYPE_CHECKING:  # annotations only: importing parse here would load every parser
    from complaintd.parse.model import Attachment as ParsedAttachment
    from complaintd.parse.model import ParsedMessage


def nul_free(**values: Any) -> dict[str, Any]:
    """``values`` with NUL characters dropped from the strings among them.

    Where parsed text enters the ledger: PostgreSQL cannot store NUL (the columns drop
    it too), and the rows made here are used at once for the mail they cause.
    """
    return {
        name: without_nul(value) if isinstance(value, str) else value
        for name, value in values.items()
    }


def record_event(
    at: datetime,
    actor: str,
    action: EventAction,
    *,
    ticket: Ticket | int | None = None,
    inbound: InboundMessage | int | None = None,
    **detail: Any,
) -> None:
    """Append one audit event: ``actor`` did ``action`` at ``at``."""
    insert_row(
        Event,
        {
            "ticket": ticket,
            "inbound": inbound,
            "at": at,
            "actor": actor,
            "action": action,
            "detail": detail,
        },
    )


def add_participant(ticket: Ticket, email: str, role: str, name: str | None = None) -> None:
    """Make ``email`` a participant of ``ticket`` in ``role`` (idempotent)."""
    insert_row(
        Participant,
        {"ticket": ticket, "email": email.lower(), "role": role, "name": name or None},
        ignore=True,
    )


def participant_emails(ticket_id: int) -> frozenset[str]:
    """Return the lower-cased addresses of a ticket's participants."""
    rows = Participant.select(Participant.email).where(Participant.ticket == ticket_id)
    return frozenset(row.email for row in rows)


def store_inbound_message(
    ticket: Ticket,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    kind: MessageKind,
    at: datetime,
    max_attachment_bytes: int,
) -> Message:
    """Store ``parsed`` as a message of ``ticket`` with its attachments."""
    forget_incoming(ticket)
    body = parsed.body
    values = nul_free(
        ticket=ticket,
        inbound=inbound,
        direction=Direction.IN,
        kind=kind,
        from_addr=parsed.from_addr.email if parsed.from_addr else None,
        from_name=parsed.from_addr.name if parsed.from_addr else None,
        to_addrs=[a.email for a in parsed.to],
        cc_addrs=[a.email for a in parsed.cc],
        subject=parsed.subject,
        body=parsed.reply_text,
        full_text=body.text,
        html=body.html,
        charset=body.charset,
        decode_note=body.decode_note,
        undecoded=body.undecoded,
        message_id=parsed.message_id,
        in_reply_to=list(parsed.in_reply_to),
        references=list(parsed.references),
        automated_reason=parsed.automated_reason,
        created_at=at,
    )
    message = create(Message, **values)
    for item in parsed.attachments:
        store_attachment(message, item, max_attachment_bytes)
    return message


def store_attachment(message: Message, item: ParsedAttachment, max_bytes: int) -> Attachment:
    """Store one attachment; its content goes into :class:`Blob` once per SHA-256."""
    size = len(item.data)
    blob = None
    skipped = None
    if size > max_bytes:
        skipped = f"{size} bytes is over the limit of {max_bytes} (kept in the raw message)"
    else:
        blob = _store_blob(item.data)
    values = nul_free(
        message=message,
        blob=blob,
        filename=item.filename,
        content_type=item.content_type,
        size=size,
        inline=item.inline,
        content_id=item.content_id,
        skipped_reason=skipped,
    )
    return create(Attachment, **values)


def _store_blob(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    insert_row(Blob, {"sha256": digest, "size": len(data), "data": data}, ignore=True)
    return digest
