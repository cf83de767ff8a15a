"""Composing and queueing the desk's mail: template contexts, threading, the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from complaintd.outbox.compose import OutgoingMail, address_domain, new_message_id
from complaintd.outbox.queue import enqueue
from complaintd.runtime import Runtime
from complaintd.store.models import Attachment, Blob, Message, Outbox, Ticket
from complaintd.store.queries import incoming_file_names, thread_message_ids

CUSTOMER_KINDS = ("complaint", "customer_reply")


def format_local(at: datetime | None, runtime: Runtime) -> str:
    """``2026-11-20 10:00 (UTC+08:00)`` in the desk's time zone."""
    if at is None:
        return "-"
    local = at.astimezone(runtime.config.desk.timezone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def template_context(runtime: Runtime, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    """What every customer template may use (see render.templates for the contract)."""
    return {
        "language": ticket.language,
        "desk": {"name": runtime.config.desk.name, "address": runtime.config.desk.address},
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "category": ticket.category,
            "severity": ticket.severity,
            "status": ticket.status,
            "waybills": ticket.waybills,
            "order_numbers": ticket.order_numbers,
            "attachments": incoming_file_names(ticket.id),
            "customer_name": ticket.customer_name,
            "created_at": format_local(ticket.created_at, runtime),
            "due_at": format_local(ticket.due_at, runtime),
        },
        **extra,
    }


def thread_of(ticket: Ticket) -> tuple[str | None, list[str]]:
    """The customer's latest message id (the parent) and every message id of the ticket."""
    ids = thread_message_ids(ticket.id)
    customer = [message_id for message_id, kind in ids if kind in CUSTOMER_KINDS]
    parent = customer[-1] if customer else (ids[-1][0] if ids else None)
    return parent, [message_id for message_id, _ in ids if message_id != parent]


def queue_mail(
    runtime: Runtime,
    ticket: Ticket | None,
    kind: str,
    *,
    to: Sequence[str],
    language: str,
    context: dict[str, Any],
    reply_to: str | None,
    thread: tuple[str | None, list[str]],
    now: datetime,
    actor: str = "system",
    auto_submitted: str | None = "auto-generated",
    attachments: Sequence[tuple[str, str, bytes]] = (),
    contact_sheet_id: int | None = None,
) -> Outbox:
    """Render ``kind`` and put it in the outbox, in the caller's transaction."""
    rendered = runtime.templates.render(kind, language, context)
    parent, references = thread
    smtp = runtime.config.smtp
    mail = OutgoingMail(
        kind=kind,
        from_address=smtp.from_address,
        from_name=runtime.config.desk.name,
        to=tuple(to),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_id=new_message_id(address_domain(smtp.from_address)),
        date=now,
        in_reply_to=parent,
        references=tuple(references) + ((parent,) if parent else ()),
        reply_to=reply_to,
        auto_submitted=auto_submitted,
        attachments=tuple(attachments),
    )
    deadline = timedelta(hours=smtp.retry_deadline_hours)
    row = enqueue(
        mail, ticket=ticket, envelope_from=smtp.from_address, at=now, deadline=deadline, actor=actor
    )
    if contact_sheet_id is not None and row.ticket_message is not None:
        Message.update(contact_sheet_id=contact_sheet_id).where(
            Message.id == row.ticket_message
        ).execute()
    return row


def complaint_files(ticket: Ticket) -> list[tuple[str, str, bytes]]:
    """The files the customer sent with the ticket (name, type, bytes), oldest first."""
    query = (
        Attachment.select(Attachment.filename, Attachment.content_type, Blob.data)
        .join(Message)
        .switch(Attachment)
        .join(Blob)
        .where((Message.ticket == ticket) & (Message.direction == "in"))
        .order_by(Attachment.id)
    )
    return [(a.filename, a.content_type, bytes(a.blob.data)) for a in query if a.blob is not None]
