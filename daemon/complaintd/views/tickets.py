"""Tickets as the JSON documents of DESIGN.md, and as tables and text for people.

Times are ISO 8601 with the desk's UTC offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from complaintd.store.models import Attachment, ContactSheet, Event, Message, Ticket


def iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 in the desk's zone, or None."""
    return None if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def ticket_document(ticket: Ticket, zone: ZoneInfo, *, with_messages: bool) -> dict[str, Any]:
    """The ticket as ``tickets show --format json`` prints it (without messages for list)."""
    document: dict[str, Any] = {
        "number": ticket.number,
        "status": ticket.status,
        "severity": ticket.severity,
        "category": ticket.category,
        "source": ticket.source,
        "language": ticket.language,
        "customer": {
            "name": ticket.customer_name,
            "email": ticket.customer_email,
            "fax": ticket.customer_fax,
        },
        "subject": ticket.subject,
        "waybills": ticket.waybills,
        "order_numbers": ticket.order_numbers,
        "shipping_date": ticket.shipping_date.isoformat() if ticket.shipping_date else None,
        "goods": ticket.goods,
        "quantity": ticket.quantity,
        "attachment_count": ticket.attachment_count,
        "category_rule": ticket.category_rule,
        "severity_rule": ticket.severity_rule,
        "tags": ticket.tags,
        "linked_to": ticket.linked_to.number if ticket.linked_to_id else None,
        "created_at": iso(ticket.created_at, zone),
        "updated_at": iso(ticket.updated_at, zone),
        "due_at": iso(ticket.due_at, zone),
        "contact_sheets": [sheet_document(s, zone) for s in sheets_of(ticket)],
        "survey": {"sent_at": None, "score": None, "comment": None},
        "owner": ticket.owner,
    }
    if with_messages:
        document["messages"] = [message_document(m, zone) for m in ordered_messages(ticket)]
        document["events"] = [event_document(e, zone) for e in events_of(ticket)]
    return document


def events_of(ticket: Ticket) -> list[Event]:
    """The ticket's audit trail, in order."""
    return list(Event.select().where(Event.ticket == ticket).order_by(Event.at, Event.id))


def event_document(event: Event, zone: ZoneInfo) -> dict[str, Any]:
    """One audit event: when, who, what, and the details."""
    return {
        "at": iso(event.at, zone),
        "actor": event.actor,
        "action": event.action,
        "detail": event.detail,
    }


def sheets_of(ticket: Ticket) -> list[ContactSheet]:
    """The ticket's contact sheets in the order they were sent."""
    return list(
        ContactSheet.select().where(ContactSheet.ticket == ticket).order_by(ContactSheet.id)
    )


def sheet_document(sheet: ContactSheet, zone: ZoneInfo) -> dict[str, Any]:
    """One contact sheet of ``tickets show --format json``."""
    return {
        "department": sheet.department,
        "status": sheet.status,
        "due_at": iso(sheet.due_at, zone),
        "reminders": sheet.reminders,
        "answered_at": iso(sheet.answered_at, zone),
        "answer": sheet.answer,
    }


def ordered_messages(ticket: Ticket) -> list[Message]:
    """The ticket's messages in the order they were received or sent."""
    query = Message.select().where(Message.ticket == ticket)
    return list(query.order_by(Message.created_at, Message.id))


def message_document(message: Message, zone: ZoneInfo) -> dict[str, Any]:
    """One message of ``tickets show --format json``."""
    return {
        "direction": message.direction,
        "kind": message.kind,
        "from": message.from_addr,
        "from_name": message.from_name,
        "to": message.to_addrs,
        "subject": message.subject,
        "body": message.body,
        "charset": message.charset,
        "decode_note": message.decode_note,
        "attachments": [attachment_document(a) for a in attachments_of(message)],
        "message_id": message.message_id,
        "at": iso(message.created_at, zone),
    }


def attachments_of(message: Message) -> list[Attachment]:
    """The message's attachments in the order they came."""
    return list(Attachment.select().where(Attachment.message == message).order_by(Attachment.id))


def attachment_document(attachment: Attachment) -> dict[str, Any]:
    """One attachment: name, type and size (content is not printed)."""
    document: dict[str, Any] = {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "inline": attachment.inline,
    }
    if attachment.skipped_reason:
        document["skipped_reason"] = attachment.skipped_reason
    return document


def ticket_table(documents: list[dict[str, Any]]) -> str:
    """A plain table of tickets for a terminal."""
    header = ("NUMBER", "STATUS", "SEVERITY", "CATEGORY", "SRC", "CUSTOMER", "WAYBILLS", "SUBJECT")
    rows = [header] + [_table_row(d) for d in documents]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, _clip(row[-1], 60)]).rstrip())
    return "\n".join(lines)


def _table_row(document: dict[str, Any]) -> tuple[str, ...]:
    customer = document["customer"]
    who = customer["email"] or customer["fax"] or customer["name"] or "-"
    return (
        document["number"],
        document["status"],
        document["severity"],
        document["category"],
        document["source"],
        _clip(who, 32),
        _clip(",".join(document["waybills"]) or "-", 28),
        document["subject"] or "(no subject)",
    )


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) >= 0x1100 and _is_wide(ch) else 1 for ch in text)


def _is_wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _clip(text: str, limit: int) -> str:
    out: list[str] = []
    used = 0
    for ch in text:
        used += _width(ch)
        if used > limit:
            return "".join(out) + "…"
        out.append(ch)
    return text


def ticket_text(document: dict[str, Any]) -> str:
    """A readable, plain-text view of one ticket with its conversation."""
    d, c = document, document["customer"]
    waybills, orders = ", ".join(d["waybills"]) or "-", ", ".join(d["order_numbers"]) or "-"
    lines = [
        f"{d['number']}  [{d['status']}]  {d['severity']} / {d['category']}"
        f"  ({d['source']}, {d['language']})",
        f"Subject:   {d['subject']}",
        f"Customer:  {c['name'] or ''} <{c['email'] or c['fax'] or '-'}>",
        f"Waybills:  {waybills}   Orders: {orders}",
        f"Shipped:   {d['shipping_date'] or '-'}   Goods: {d['goods'] or '-'}"
        f"   Quantity: {d['quantity'] or '-'}",
        f"Created:   {d['created_at']}   Answer due: {d['due_at']}",
        f"Rules:     {d['category_rule'] or '-'}; {d['severity_rule'] or '-'}",
    ]
    if document["linked_to"]:
        lines.append(f"Linked to: {document['linked_to']}")
    for message in document.get("messages", []):
        lines += _message_text(message)
    return "\n".join(lines)


def _message_text(message: dict[str, Any]) -> list[str]:
    arrow = "<-" if message["direction"] == "in" else "->"
    lines = [
        "",
        f"{arrow} {message['at']}  {message['kind']}  {message['from'] or '-'}",
        f"   {message['subject']}",
    ]
    lines += [f"   | {line}" for line in (message["body"] or "").splitlines()[:40]]
    for attachment in message["attachments"]:
        kind, size = attachment["content_type"], attachment["size"]
        lines.append(f"   [attachment] {attachment['filename']} ({kind}, {size} bytes)")
    return lines
