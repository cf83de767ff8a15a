"""Tickets as the JSON documents of DESIGN.md (``tickets show/list --format json``).

Every time is ISO 8601 in the desk's zone, with its offset - also the times inside
audit events and department answers, which the ledger keeps in UTC.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from complaintd.store.models import Attachment, ContactSheet, Event, Message
from complaintd.store.timed import Survey
from complaintd.views.records import Delivery, TicketRecord

# An ISO 8601 time with an offset, as record_event and the answers store them.
_ISO_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)"
)


def iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 in the desk's zone, or None."""
    return None if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def localize_iso(value: Any, zone: ZoneInfo) -> Any:
    """``value`` (a stored JSON document) with every ISO time moved into ``zone`` (pure)."""
    if isinstance(value, str) and _ISO_TIME.fullmatch(value):
        return iso(datetime.fromisoformat(value), zone)
    if isinstance(value, dict):
        return {key: localize_iso(item, zone) for key, item in value.items()}
    if isinstance(value, list):
        return [localize_iso(item, zone) for item in value]
    return value


def ticket_document(record: TicketRecord, zone: ZoneInfo, *, with_messages: bool) -> dict[str, Any]:
    """The ticket as ``tickets show --format json`` prints it (without messages for list)."""
    ticket = record.ticket
    document: dict[str, Any] = {
        "number": ticket.number,
        "status": ticket.status,
        "severity": ticket.severity,
        "category": ticket.category,
        "source": ticket.source,
        "language": ticket.language,
        "owner": ticket.owner,
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
        "linked_to": record.linked_number,
        "created_at": iso(ticket.created_at, zone),
        "updated_at": iso(ticket.updated_at, zone),
        "due_at": iso(ticket.due_at, zone),
        "contact_sheets": [sheet_document(s, zone) for s in record.sheets],
        "survey": survey_document(record.survey, zone),
        "sla_breached_at": iso(ticket.sla_breached_at, zone),
        "at_risk": record.at_risk,
        "needs_manual_reading": ticket.needs_manual_reading,
        "ocr": ticket.ocr,
    }
    if record.events is not None:
        document["events"] = [event_document(e, zone) for e in record.events]
    if with_messages:
        document["messages"] = [message_document(m, record, zone) for m in record.messages]
    return document


def survey_document(survey: Survey | None, zone: ZoneInfo) -> dict[str, Any]:
    """The latest satisfaction survey: when it went out, the score and the comment."""
    if survey is None:
        return {"sent_at": None, "score": None, "comment": None}
    return {
        "sent_at": iso(survey.sent_at, zone),
        "score": survey.score,
        "comment": survey.comment,
        "satisfied": survey.satisfied,
        "reminded_at": iso(survey.reminded_at, zone),
        "answered_at": iso(survey.answered_at, zone),
    }


def sheet_document(sheet: ContactSheet, zone: ZoneInfo) -> dict[str, Any]:
    """One contact sheet of ``tickets show --format json``."""
    return {
        "department": sheet.department,
        "status": sheet.status,
        "due_at": iso(sheet.due_at, zone),
        "reminders": sheet.reminders,
        "answered_at": iso(sheet.answered_at, zone),
        "answer": localize_iso(sheet.answer, zone),
    }


def event_document(event: Event, zone: ZoneInfo) -> dict[str, Any]:
    """One audit event: who did what, when, and the details recorded with it."""
    return {
        "at": iso(event.at, zone),
        "actor": event.actor,
        "action": event.action,
        "detail": localize_iso(event.detail or {}, zone),
    }


def message_document(message: Message, record: TicketRecord, zone: ZoneInfo) -> dict[str, Any]:
    """One message of ``tickets show --format json``; outgoing ones say if they went."""
    document = {
        "direction": message.direction,
        "kind": message.kind,
        "from": message.from_addr,
        "from_name": message.from_name,
        "to": message.to_addrs,
        "subject": message.subject,
        "body": message.body,
        "charset": message.charset,
        "decode_note": message.decode_note,
        "attachments": [attachment_document(a) for a in record.attachments.get(message.id, [])],
        "message_id": message.message_id,
        "at": iso(message.created_at, zone),
    }
    delivery = record.deliveries.get(message.id)
    if delivery is not None:
        document["delivery"] = delivery_document(delivery, zone)
    return document


def delivery_document(delivery: Delivery, zone: ZoneInfo) -> dict[str, Any]:
    """What became of an outgoing message: its outbox status, error and time sent."""
    return {
        "status": delivery.status,
        "error": delivery.error,
        "sent_at": iso(delivery.sent_at, zone),
    }


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
