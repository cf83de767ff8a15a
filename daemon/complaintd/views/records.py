"""What the ticket commands read: the tickets a listing asks for, and everything shown
about each (contact sheets, audit events, messages, deliveries) in a few batched queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import peewee

from complaintd.jobs.at_risk import customers_at_risk
from complaintd.store.models import Attachment, ContactSheet, Event, Message, Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.ticket_status import OPEN_STATUSES, TicketStatus
from complaintd.store.timed import Survey

T = TypeVar("T")
CHUNK = 500  # ids per IN (...): far below SQLite's limit on bound parameters


@dataclass(frozen=True)
class TicketFilter:
    """Which tickets ``tickets list`` shows; every field narrows the list."""

    status: TicketStatus | None = None
    overdue: bool = False  # open and past the answer time promised to the customer
    owner: str | None = None  # the agent's address, any case
    search: str | None = None  # waybill, number, customer, subject or a message's body
    limit: int | None = None
    offset: int = 0


def select_tickets(chosen: TicketFilter, now: datetime) -> list[Ticket]:
    """The tickets ``chosen`` asks for, soonest due first (no due time: last)."""
    query = Ticket.select().order_by(Ticket.due_at.asc(nulls="LAST"), Ticket.created_at, Ticket.id)
    for condition in _conditions(chosen, now):
        query = query.where(condition)
    if chosen.limit is not None:
        query = query.limit(chosen.limit)
    if chosen.offset:
        query = query.offset(chosen.offset)
    return list(query)


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    """True when a ticket is open and its promised answer time has passed (pure)."""
    return status in OPEN_STATUSES and due_at is not None and due_at < now


def _conditions(chosen: TicketFilter, now: datetime) -> Iterator[Any]:
    """The WHERE conditions of ``chosen`` (the same rule as :func:`is_overdue`)."""
    if chosen.status:
        yield Ticket.status == chosen.status
    if chosen.overdue:
        yield Ticket.status.in_(OPEN_STATUSES) & (Ticket.due_at < now)
    if chosen.owner:
        yield peewee.fn.LOWER(Ticket.owner) == chosen.owner.strip().lower()
    if chosen.search and chosen.search.strip():
        yield _search(chosen.search.strip())


def _search(text: str) -> Any:
    """Tickets whose numbers, customer, subject or any message body contain ``text``.

    ``contains`` is a case-insensitive LIKE with ``%`` and ``_`` escaped.  Waybills and
    order numbers are JSON text, so a number matches inside the stored list.
    """
    in_a_body = Message.select(Message.id).where(
        (Message.ticket == Ticket.id) & Message.body.contains(text)
    )
    fields = (
        Ticket.number,
        Ticket.waybills,
        Ticket.order_numbers,
        Ticket.customer_name,
        Ticket.customer_email,
        Ticket.customer_fax,
        Ticket.subject,
    )
    condition: Any = peewee.fn.EXISTS(in_a_body)
    for column in fields:
        condition = condition | column.contains(text)
    return condition


@dataclass(frozen=True)
class Delivery:
    """What became of an outgoing message (its outbox row; never its raw bytes)."""

    status: OutboxStatus
    error: str | None
    sent_at: datetime | None


@dataclass
class TicketRecord:
    """A ticket with what is shown about it."""

    ticket: Ticket
    linked_number: str | None = None
    sheets: list[ContactSheet] = field(default_factory=list)
    events: list[Event] | None = None  # None: not loaded (tables and CSV need none)
    messages: list[Message] = field(default_factory=list)
    attachments: dict[int, list[Attachment]] = field(default_factory=dict)  # by message
    deliveries: dict[int, Delivery] = field(default_factory=dict)  # by message
    survey: Survey | None = None  # the latest satisfaction survey
    at_risk: bool = False  # the customer is flagged at risk of being lost


def load_records(
    tickets: Sequence[Ticket], *, with_messages: bool, with_events: bool = True
) -> list[TicketRecord]:
    """Records of ``tickets`` in their order: sheets, and on request the audit events
    and the messages (with their files and deliveries)."""
    records = {ticket.id: TicketRecord(ticket) for ticket in tickets}
    _attach_linked_numbers(records)
    for sheet in _rows(ContactSheet, ContactSheet.ticket, records, ContactSheet.id):
        records[sheet.ticket_id].sheets.append(sheet)
    _attach_follow_up(records)
    if with_events:
        _attach_events(records)
    if with_messages:
        _attach_messages(records)
    return list(records.values())


def _attach_follow_up(records: dict[int, TicketRecord]) -> None:
    """The latest survey of each ticket and whether its customer is at risk."""
    for survey in _rows(Survey, Survey.ticket, records, Survey.round):
        records[survey.ticket_id].survey = survey  # rounds ascending: the last one stays
    emails = {r.ticket.customer_email for r in records.values() if r.ticket.customer_email}
    flagged = customers_at_risk(emails) if emails else {}
    for record in records.values():
        record.at_risk = record.ticket.customer_email in flagged


def _attach_events(records: dict[int, TicketRecord]) -> None:
    events: dict[int, list[Event]] = {ticket_id: [] for ticket_id in records}
    for event in _rows(Event, Event.ticket, records, Event.id):
        if event.ticket_id is not None:
            events[event.ticket_id].append(event)
    for ticket_id, record in records.items():
        record.events = events[ticket_id]


def _attach_linked_numbers(records: dict[int, TicketRecord]) -> None:
    linked = {r.ticket.linked_to_id for r in records.values() if r.ticket.linked_to_id}
    numbers = dict(_pairs(Ticket.select(Ticket.id, Ticket.number), Ticket.id, linked, "number"))
    for record in records.values():
        if record.ticket.linked_to_id:
            record.linked_number = numbers.get(record.ticket.linked_to_id)


def _attach_messages(records: dict[int, TicketRecord]) -> None:
    by_id: dict[int, Message] = {}
    for message in _rows(Message, Message.ticket, records, Message.created_at, Message.id):
        records[message.ticket_id].messages.append(message)
        by_id[message.id] = message
    files: dict[int, list[Attachment]] = defaultdict(list)
    query = Attachment.select(Attachment, Message.id).join(Message).order_by(Attachment.id)
    for attachment in _in_chunks(query, Attachment.message, by_id):
        files[attachment.message.id].append(attachment)
    deliveries = _deliveries(by_id)
    for record in records.values():
        record.attachments = {m.id: files.get(m.id, []) for m in record.messages}
        record.deliveries = {m.id: deliveries[m.id] for m in record.messages if m.id in deliveries}


def _deliveries(messages: dict[int, Message]) -> dict[int, Delivery]:
    columns = (Outbox.ticket_message, Outbox.status, Outbox.last_error, Outbox.sent_at)
    rows = _in_chunks(Outbox.select(*columns), Outbox.ticket_message, messages)
    return {
        row.ticket_message_id: Delivery(row.status, row.last_error, row.sent_at) for row in rows
    }


def _rows(model: type[T], key: Any, ids: Iterable[int], *order: Any) -> Iterator[T]:
    """Rows of ``model`` whose ``key`` is one of ``ids``, chunk by chunk, each in ``order``."""
    query: Any = model.select()  # type: ignore[attr-defined]
    yield from _in_chunks(query.order_by(*order), key, ids)


def _in_chunks(query: Any, key: Any, ids: Iterable[int]) -> Iterator[Any]:
    """``query`` restricted to ``key IN ids``, run once per chunk of ids."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        yield from query.where(key.in_(wanted[start : start + CHUNK]))


def _pairs(query: Any, key: Any, ids: Iterable[int], value: str) -> Iterator[tuple[int, Any]]:
    for row in _in_chunks(query, key, ids):
        yield row.id, getattr(row, value)
