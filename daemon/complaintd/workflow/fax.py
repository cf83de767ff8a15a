"""Faxed complaints in the ledger: registered at intake, read by OCR afterwards.

Intake registers a fax at once - caller, pages, document, customer by fax number -
without waiting for OCR: the ticket is ``ocr_state = "pending"``, and its
acknowledgement, contact sheets and agent notice wait for the reading.  The OCR stage
(:func:`read_pending_faxes`, run by ``once`` after the mailboxes and by a thread of
the daemon) reads the pages in the OCR worker, outside any transaction, then in one
transaction makes the text the complaint's text (machine-read, with its confidence),
classifies and registers it as mail is, and sends what intake held back.  A page that
fails or times out leaves the ticket flagged ``needs_manual_reading``.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaintd.classify import classify, detect_language, extract_registration, raise_severity
from complaintd.fax.gateway import FaxArrival, document_kind, read_gateway_mail
from complaintd.fax.reader import DocumentReading, FaxReader
from complaintd.jobs.due import due_after
from complaintd.render.contexts import AckMail
from complaintd.runtime import Runtime
from complaintd.store.event_action import EventAction
from complaintd.store.mail_kind import MailKind
from complaintd.store.message_kind import Direction, MessageKind
from complaintd.store.models import Attachment, Blob, InboundMessage, Message, Ticket
from complaintd.store.records import add_participant, record_event
from complaintd.workflow.agents import on_new_ticket
from complaintd.workflow.analysis import Analysis
from complaintd.workflow.customer import send_to_customer

log = logging.getLogger(__name__)

PENDING, DONE = "pending", "done"


@dataclass(frozen=True)
class FaxCustomer:
    """Who a fax number belongs to, and how we know."""

    name: str | None
    email: str | None
    basis: str  # "directory" | "earlier ticket TS-..."


def known_customer(runtime: Runtime, number: str | None, ticket_id: int) -> FaxCustomer | None:
    """The customer of ``number``: ``[fax] customer_directory`` first, then the latest
    earlier ticket from that number that knew a name or address."""
    if number is None:
        return None
    for entry in runtime.config.fax.directory:
        if entry.fax == number:
            return FaxCustomer(entry.name or None, entry.email, "customer_directory")
    earlier = (
        Ticket.select(Ticket.number, Ticket.customer_name, Ticket.customer_email)
        .where(
            (Ticket.customer_fax == number)
            & (Ticket.id != ticket_id)
            & (Ticket.customer_name.is_null(False) | Ticket.customer_email.is_null(False))
        )
        .order_by(Ticket.id.desc())
        .first()
    )
    if earlier is None:
        return None
    return FaxCustomer(earlier.customer_name, earlier.customer_email, f"ticket {earlier.number}")


def register_fax(
    runtime: Runtime, ticket: Ticket, inbound: InboundMessage, analysis: Analysis, now: datetime
) -> bool:
    """Fill in a new fax ticket from the gateway's mail; True when OCR is to read it
    (its acknowledgement and dispatch then wait), False when there is no document."""
    arrival = read_gateway_mail(analysis.parsed, runtime.config.fax.caller_pattern)
    ticket.customer_fax = arrival.number
    # The gateway's subject may carry the sender's station id, which anyone can set:
    # never shown to the customer as their complaint's subject.
    ticket.subject = f"传真 / Fax {arrival.number or ''}".strip()
    customer = known_customer(runtime, arrival.number, ticket.id)
    if customer is not None:
        ticket.customer_name = customer.name
        ticket.customer_email = customer.email
        if customer.email:
            add_participant(ticket, customer.email, "customer", customer.name)
    ticket.ocr_state = PENDING if arrival.document is not None else None
    if arrival.document is None:
        ticket.needs_manual_reading = False
    ticket.save()
    record_event(
        now,
        "system",
        EventAction.FAX_RECEIVED,
        ticket=ticket,
        inbound=inbound,
        **_arrival_detail(arrival),
        customer_basis=customer.basis if customer else None,
    )
    return arrival.document is not None


def _arrival_detail(arrival: FaxArrival) -> dict[str, object]:
    return {
        "gateway": arrival.gateway,
        "caller": arrival.number,
        "pages": arrival.pages,
        "received": arrival.received_at.isoformat() if arrival.received_at else None,
        "document": arrival.document.filename if arrival.document else None,
    }


# --- the OCR stage --------------------------------------------------------------------


@dataclass(frozen=True)
class FaxDocument:
    """The fax file of a pending ticket."""

    ticket_id: int
    data: bytes
    content_type: str
    filename: str


def pending_documents(limit: int = 20) -> list[FaxDocument]:
    """Documents of tickets waiting for OCR, oldest first (a ticket without a readable
    file comes back with empty data)."""
    tickets = (
        Ticket.select(Ticket.id).where(Ticket.ocr_state == PENDING).order_by(Ticket.id).limit(limit)
    )
    return [_document_of(row.id) for row in tickets]


def _document_of(ticket_id: int) -> FaxDocument:
    files = (
        Attachment.select(Attachment.filename, Attachment.content_type, Blob.data)
        .join(Message)
        .switch(Attachment)
        .join(Blob)
        .where(
            (Message.ticket == ticket_id)
            & (Message.direction == Direction.IN)
            & (Message.kind == MessageKind.COMPLAINT)
        )
        .order_by(Attachment.id)
    )
    for item in files:
        if document_kind(item.content_type, item.filename) is not None and item.blob is not None:
            return FaxDocument(ticket_id, bytes(item.blob.data), item.content_type, item.filename)
    return FaxDocument(ticket_id, b"", "", "")


def read_pending_faxes(
    runtime: Runtime,
    reader: FaxReader,
    limit: int = 20,
    write_lock: AbstractContextManager[object] | None = None,
) -> list[str]:
    """Read the faxes waiting for OCR and finish their registration; their numbers.

    The pages are read outside any transaction; ``write_lock`` (the daemon's intake
    lock) is held only while a reading is written."""
    done = []
    for document in pending_documents(limit):
        if document.data:
            reading = reader.read(document.data, document.content_type, document.filename)
        else:
            reading = DocumentReading((), reader.engines, 0.0, "the fax file was not kept")
        with write_lock or nullcontext(), runtime.database.atomic():
            number = apply_reading(runtime, document.ticket_id, reading)
        if number is not None:
            done.append(number)
    return done


def apply_reading(runtime: Runtime, ticket_id: int, reading: DocumentReading) -> str | None:
    """Make the reading the complaint's text and finish the registration (the caller
    holds the transaction); None when another pass did it first."""
    claimed = (
        Ticket.update(ocr_state=DONE)
        .where((Ticket.id == ticket_id) & (Ticket.ocr_state == PENDING))
        .execute()
    )
    if not claimed:
        return None
    ticket = Ticket.get_by_id(ticket_id)
    now = runtime.clock.now()
    text = reading.text
    if text:
        _register_text(runtime, ticket, text)
    ticket.ocr = _ocr_summary(reading)
    ticket.needs_manual_reading = bool(reading.problem or reading.unread or not text)
    ticket.updated_at = now
    ticket.save()
    ocr = ticket.ocr
    record_event(now, "ocr", EventAction.FAX_READ, ticket=ticket, **ocr)
    if ticket.needs_manual_reading:
        record_event(
            now, "ocr", EventAction.NEEDS_MANUAL_READING, ticket=ticket, reason=ocr["manual_reason"]
        )
    acknowledge_fax(runtime, ticket, now)
    on_new_ticket(runtime, ticket, now)
    return str(ticket.number)


def _ocr_summary(reading: DocumentReading) -> dict[str, object]:
    """What ``tickets show`` says about the reading (the ticket's ``ocr``)."""
    read = [page for page in reading.pages if page.problem is None]
    confidence = sum(p.confidence for p in read) / len(read) if read else 0.0
    engines = sorted({page.engine for page in read})
    problems = [f"page {p.index + 1}: {p.problem}" for p in reading.unread]
    if reading.problem:
        problems.insert(0, reading.problem)
    if not reading.text and not problems:
        problems.append("no text found")
    return {
        "machine_read": bool(read),
        "engine": "+".join(engines) or None,
        "confidence": round(confidence, 3),
        "pages": len(reading.pages),
        "unread_pages": [p.index + 1 for p in reading.unread],
        "seconds": round(reading.seconds, 1),
        "manual_reason": "; ".join(problems) or None,
    }


def _register_text(runtime: Runtime, ticket: Ticket, text: str) -> None:
    """The machine-read text becomes the complaint: message body, classification,
    registration, language, severity with the repeat rule, due time."""
    config = runtime.config
    Message.update(body=text).where(
        (Message.ticket == ticket)
        & (Message.direction == Direction.IN)
        & (Message.kind == MessageKind.COMPLAINT)
    ).execute()
    ticket.subject = fax_subject(text, ticket.subject)
    classification = classify("", text, config.classify)
    today = ticket.created_at.astimezone(config.desk.timezone).date()
    registration = extract_registration("", text, today, config.extract)
    severity, rule = classification.severity, classification.severity_rule
    repeat_of = _repeat_of(runtime, ticket)
    if repeat_of is not None:
        severity = raise_severity(severity)
        window = config.desk.repeat_window_days
        rule = f"repeat complaint ({repeat_of} within {window} days); {rule}"
    ticket.category, ticket.category_rule = classification.category, classification.category_rule
    ticket.severity, ticket.severity_rule = severity, rule
    ticket.tags = sorted({*ticket.tags, "serious"}) if severity == "serious" else ticket.tags
    ticket.language = detect_language(text, config.desk.default_language)
    ticket.waybills = list(registration.waybills)
    ticket.order_numbers = list(registration.order_numbers)
    ticket.phones = list(registration.phones)
    ticket.shipping_date = registration.shipping_date
    ticket.goods, ticket.quantity = registration.goods, registration.quantity
    ticket.due_at = due_after(config, ticket.created_at, config.sla[severity].first_response_hours)


def fax_subject(text: str, fallback: str) -> str:
    """The complaint's subject: the letter's first line (its title), when it has one."""
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 2:
            return line[:60]
    return fallback


def _repeat_of(runtime: Runtime, ticket: Ticket) -> str | None:
    """The same fax number's latest earlier ticket within ``desk.repeat_window_days``."""
    if not ticket.customer_fax:
        return None
    since = ticket.created_at - timedelta(days=runtime.config.desk.repeat_window_days)
    earlier = (
        Ticket.select(Ticket.number)
        .where(
            (Ticket.customer_fax == ticket.customer_fax)
            & (Ticket.id != ticket.id)
            & (Ticket.created_at >= since)
            & (Ticket.created_at <= ticket.created_at)
        )
        .order_by(Ticket.id.desc())
        .first()
    )
    return earlier.number if earlier else None


def acknowledge_fax(runtime: Runtime, ticket: Ticket, now: datetime) -> None:
    """Acknowledge a fax at the caller's fax number (and address, when known): at most
    once per number per ``desk.ack_window_hours``; never to the gateway."""
    refusal = _fax_ack_refusal(runtime, ticket, now)
    if refusal:
        record_event(now, "system", EventAction.ACK_SUPPRESSED, ticket=ticket, reason=refusal)
        return
    send_to_customer(runtime, ticket, AckMail(), now=now, auto_submitted="auto-replied")


def _fax_ack_refusal(runtime: Runtime, ticket: Ticket, now: datetime) -> str | None:
    if not ticket.customer_fax and not ticket.customer_email:
        return "the gateway did not give the caller's fax number"
    if not ticket.customer_fax:
        return None
    window = runtime.config.desk.ack_window_hours
    acked = (
        Message.select(Ticket.number)
        .join(Ticket)
        .where(
            (Ticket.customer_fax == ticket.customer_fax)
            & (Ticket.id != ticket.id)
            & (Message.kind == MailKind.ACK)
            & (Message.created_at >= now - timedelta(hours=window))
        )
        .first()
    )
    if acked is not None:
        return f"already acknowledged within {window:g} h ({acked.ticket.number})"
    return None
