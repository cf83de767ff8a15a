"""``tickets show``: a ticket's story as text for a desk agent (pure).

First the facts (who, what, the promise, the owner), then the contact sheets with the
departments' answers, then one timeline of what was said and done: mail in and out,
notes, status changes, refused commands, ownership.  Mail a person wrote is shown with
its text; automatic mail (acknowledgements, sheets, chasers, notices) is one line - kind,
recipients, time, whether it went - unless ``full`` is asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from complaintd.store.event_action import EventAction
from complaintd.store.mail_kind import MailKind
from complaintd.store.message_kind import Direction, MessageKind
from complaintd.store.models import ContactSheet, Event, Message, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.views.records import TicketRecord, is_overdue
from complaintd.views.tickets import localize_iso

# Outgoing mail whose text a person wrote (the desk's reply, proposal, resolution, refusal).
WRITTEN_OUT = frozenset({MailKind.REPLY, MailKind.SOLUTION, MailKind.RESOLUTION, MailKind.INVALID})
# Incoming mail written by machines.
AUTOMATIC_IN = frozenset({MessageKind.AUTO_REPLY, MessageKind.BOUNCE})
# Events the timeline shows as the message they belong to.
MESSAGE_EVENTS = frozenset(
    {
        EventAction.MESSAGE_ADDED,
        EventAction.TICKET_CREATED,
        EventAction.AGENT_MAIL,
        EventAction.MAIL_QUEUED,
        EventAction.MAIL_SENT,
        EventAction.MAIL_FAILED,
    }
)
# The fields of a department's answer, as the reply form names them in English.
ANSWER_LABELS = (
    ("finding", "Finding"),
    ("cause", "Cause"),
    ("responsible", "Responsible"),
    ("solution", "Solution"),
    ("note", "Note"),
)
BODY_LINES = 40  # lines of a message shown without ``full``
INDENT = " " * 6


@dataclass(frozen=True)
class Entry:
    """One item of the timeline; ``rank`` orders items of the same instant."""

    at: datetime
    rank: float
    lines: list[str]


def ticket_story(record: TicketRecord, zone: ZoneInfo, now: datetime, *, full: bool) -> str:
    """The whole story of ``record``'s ticket, times in ``zone``."""
    lines = header_lines(record, zone, now)
    lines += ["", *sheet_lines(record.sheets, zone)]
    lines += ["", "Timeline", *timeline_lines(record, zone, full=full)]
    return "\n".join(lines)


def local(at: datetime | None, zone: ZoneInfo) -> str:
    """``2026-11-20 10:00`` in ``zone``; ``-`` for no time."""
    return "-" if at is None else f"{at.astimezone(zone):%Y-%m-%d %H:%M}"


def fax_lines(t: Ticket) -> list[str]:
    """How a fax was read: pending, machine-read with its confidence, or left to a person."""
    if t.source != "fax":
        return []
    ocr = t.ocr or {}
    if t.ocr_state == "pending":
        read = "waiting for OCR"
    elif ocr.get("engine"):
        read = (
            f"machine-read by {ocr['engine']}, confidence {ocr.get('confidence', 0):.0%},"
            f" {ocr.get('pages', '?')} page(s)"
        )
    else:
        read = "not machine-read"
    lines = [f"Fax:        {read}"]
    if t.needs_manual_reading:
        reason = ocr.get("manual_reason") or "the fax could not be read"
        lines.append(f"NEEDS MANUAL READING: {reason}")
    return lines


def header_lines(record: TicketRecord, zone: ZoneInfo, now: datetime) -> list[str]:
    """Number, status, customer, owner, numbers, goods, times and rules of the ticket."""
    t = record.ticket
    late = " (overdue)" if is_overdue(t.status, t.due_at, now) else ""
    contact = t.customer_email or t.customer_fax or "-"
    customer = f"{t.customer_name} <{contact}>" if t.customer_name else contact
    offset = now.astimezone(zone).strftime("%z")
    lines = [
        f"{t.number}  [{t.status}]  {t.severity} / {t.category}  ({t.source}, {t.language})",
        f"Subject:    {t.subject}",
        f"Customer:   {customer}",
        f"Owner:      {t.owner or 'nobody (an agent claims it with #take)'}",
        f"Waybills:   {', '.join(t.waybills) or '-'}   Orders: {', '.join(t.order_numbers) or '-'}",
        f"Shipped:    {t.shipping_date or '-'}   Goods: {t.goods or '-'}"
        f"   Quantity: {t.quantity or '-'}",
        f"Created:    {local(t.created_at, zone)}   Answer due: {local(t.due_at, zone)}{late}",
        f"Rules:      {t.category_rule or '-'}; {t.severity_rule or '-'}",
    ]
    if record.linked_number:
        lines.append(f"Linked to:  {record.linked_number}")
    if t.tags:
        lines.append(f"Tags:       {', '.join(t.tags)}")
    lines.extend(fax_lines(t))
    lines.append(f"(times in {zone.key}, UTC{offset[:3]}:{offset[3:]})")
    return lines


def sheet_lines(sheets: list[ContactSheet], zone: ZoneInfo) -> list[str]:
    """The contact sheets, each with the department's answer when there is one."""
    if not sheets:
        return ["Contact sheets: none"]
    lines = ["Contact sheets"]
    for sheet in sheets:
        lines.append(
            f"  {sheet.department}  {sheet.status}  due {local(sheet.due_at, zone)}"
            f"  reminders {sheet.reminders}"
        )
        lines += _answer_lines(sheet.answer, sheet.answered_at, zone)
    return lines


def _answer_lines(answer: dict[str, Any] | None, at: datetime | None, zone: ZoneInfo) -> list[str]:
    if not answer:
        return []
    lines = [f"{INDENT}answered {local(at, zone)} by {answer.get('by') or '-'}"]
    for key, label in ANSWER_LABELS:
        if answer.get(key):
            lines += _quoted(f"{label}: {answer[key]}", prefix=INDENT)
    return lines


def timeline_lines(record: TicketRecord, zone: ZoneInfo, *, full: bool) -> list[str]:
    """Messages and events of the ticket in the order they happened."""
    events = record.events or []
    ranks = message_ranks(record.messages, events)
    entries = [_message_entry(m, record, zone, ranks[m.id], full) for m in record.messages]
    shown = events if full else [e for e in events if e.action not in MESSAGE_EVENTS]
    entries += [_event_entry(e, zone) for e in shown]
    entries.sort(key=lambda entry: (entry.at, entry.rank))
    return [line for entry in entries for line in entry.lines] or ["  (nothing yet)"]


def message_ranks(messages: list[Message], events: list[Event]) -> dict[int, float]:
    """Where each message sits among the events of its instant (events rank by id).

    A message sits at the event that recorded it: an outgoing one at its ``mail_queued``,
    an incoming one just before the first event of its inbound row or naming its
    Message-ID.  A message no event names comes right after the message before it.
    """
    queued = {
        _detail(e, "message_id"): float(e.id) for e in events if e.action == EventAction.MAIL_QUEUED
    }
    ranks: dict[int, float] = {}
    previous = -math.inf
    for message in messages:
        rank: float | None
        if message.direction == Direction.OUT:
            rank = queued.get(message.message_id)
        else:
            rank = _first_event_about(message, events)
        previous = rank if rank is not None else previous + 0.001
        ranks[message.id] = previous
    return ranks


def _first_event_about(message: Message, events: list[Event]) -> float | None:
    """Just before the first event recorded for an incoming message, if any."""
    for event in events:
        same_row = message.inbound_id is not None and event.inbound_id == message.inbound_id
        named = message.message_id and _detail(event, "message_id") == message.message_id
        if same_row or (named and event.action != EventAction.MAIL_QUEUED):
            return event.id - 0.5
    return None


def _detail(event: Event, key: str) -> Any:
    return (event.detail or {}).get(key)


def _message_entry(
    message: Message, record: TicketRecord, zone: ZoneInfo, rank: float, full: bool
) -> Entry:
    when = local(message.created_at, zone)
    if message.direction == Direction.IN:
        head = f"  {when}  <- {message.kind}  from {_sender(message)}"
        written = full or message.kind not in AUTOMATIC_IN
    else:
        by = _queued_by(message, record.events or [])
        head = f"  {when}  -> {message.kind}  to {', '.join(message.to_addrs)}{by}"
        head += f"  [{_delivery(record, message)}]"
        written = full or message.kind in WRITTEN_OUT
    lines = [head]
    if written:
        lines += _message_body(message, record, full)
    return Entry(message.created_at, rank, lines)


def _queued_by(message: Message, events: list[Event]) -> str:
    """``  by AGENT`` when a person caused an outgoing message (its ``mail_queued`` says)."""
    for event in events:
        if (
            event.action == EventAction.MAIL_QUEUED
            and _detail(event, "message_id") == message.message_id
        ):
            return "" if event.actor == "system" else f"  by {event.actor}"
    return ""


def _sender(message: Message) -> str:
    if message.from_name and message.from_addr:
        return f"{message.from_name} <{message.from_addr}>"
    return message.from_addr or message.from_name or "-"


def _delivery(record: TicketRecord, message: Message) -> str:
    delivery = record.deliveries.get(message.id)
    if delivery is None:
        return "not queued"
    if delivery.status == OutboxStatus.FAILED:
        return f"FAILED: {delivery.error or 'no reason recorded'}"
    said = {OutboxStatus.PENDING: "queued", OutboxStatus.SENDING: "sending"}
    return said.get(OutboxStatus(delivery.status), delivery.status)


def _message_body(message: Message, record: TicketRecord, full: bool) -> list[str]:
    lines = [f"{INDENT}Subject: {message.subject}"]
    if message.direction == Direction.OUT and not message.body:
        lines.append(f"{INDENT}| (written when it is sent, from the ticket as it was queued)")
    body = (message.body or "").splitlines()
    shown = body if full else body[:BODY_LINES]
    lines += [f"{INDENT}| {line}".rstrip() for line in shown]
    if len(shown) < len(body):
        lines.append(f"{INDENT}| … {len(body) - len(shown)} more lines (--full shows them)")
    for attachment in record.attachments.get(message.id, []):
        kind, size = attachment.content_type, attachment.size
        lines.append(f"{INDENT}[attachment] {attachment.filename} ({kind}, {size} bytes)")
    return lines


def _event_entry(event: Event, zone: ZoneInfo) -> Entry:
    detail = localize_iso(event.detail or {}, zone)
    phrase = PHRASES.get(event.action, _generic)
    headline, text = phrase(event.action, detail)
    actor = "" if event.actor == "system" else f"  by {event.actor}"
    lines = [f"  {local(event.at, zone)}  {headline}{actor}"]
    lines += [line for part in text if part for line in _quoted(str(part))]
    return Entry(event.at, float(event.id), lines)


def _quoted(text: str, prefix: str = INDENT) -> list[str]:
    """``text`` as indented, quoted lines."""
    return [f"{prefix}| {line}".rstrip() for line in text.splitlines() or [""]]


Phrase = Callable[[str, dict[str, Any]], tuple[str, list[Any]]]


def _generic(action: str, detail: dict[str, Any]) -> tuple[str, list[Any]]:
    """Any event: its action in words, then each detail as ``key: value``."""
    return action.replace("_", " "), [f"{key}: {_plain(value)}" for key, value in detail.items()]


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_plain(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items() if v not in (None, ""))
    return str(value)


def _status(action: str, d: dict[str, Any]) -> tuple[str, list[Any]]:
    why = [d.get(key) for key in ("reason", "resolution") if d.get(key)]
    if d.get("due_at"):  # a reopening: the new promise
        why.append(
            f"answer due {_short(d['due_at'])}, resolve by {_short(d.get('resolve_due_at'))}"
        )
    return f"status {d.get('previous')} -> {d.get('status')}", why


def _change(action: str, d: dict[str, Any]) -> tuple[str, list[Any]]:
    what = action.removesuffix("_changed")
    return f"{what} {d.get('previous')} -> {d.get(what)}", []


def _note(action: str, d: dict[str, Any]) -> tuple[str, list[Any]]:
    kept = " (kept from the customer)" if d.get("withheld") else ""
    return action.replace("_", " ") + kept, [d.get("text")]


def _taken(action: str, d: dict[str, Any]) -> tuple[str, list[Any]]:
    before = d.get("previous_owner")
    return "took the ticket" + (f" (owner before: {before})" if before else ""), []


def _refused(action: str, d: dict[str, Any]) -> tuple[str, list[Any]]:
    return "refused", list(d.get("problems") or [])


def _sheet(action: str, d: dict[str, Any]) -> tuple[str, list[Any]]:
    return f"contact sheet to {d.get('department')}, due {_short(d.get('due_at'))}", []


def _answered(action: str, d: dict[str, Any]) -> tuple[str, list[Any]]:
    answer = d.get("answer") or {}
    return f"{d.get('department')} answered: {answer.get('finding')}", []


def _all_answered(action: str, d: dict[str, Any]) -> tuple[str, list[Any]]:
    verdict = ": every one found the complaint invalid" if d.get("all_invalid") else ""
    return f"all departments have answered{verdict}", []


def _short(value: Any) -> str:
    """An ISO time of an event's detail, shortened for the timeline."""
    text = str(value or "-")
    return text[:16].replace("T", " ") if len(text) >= 16 else text


PHRASES: dict[str, Phrase] = {
    EventAction.STATUS_CHANGED: _status,
    EventAction.SEVERITY_CHANGED: _change,
    EventAction.CATEGORY_CHANGED: _change,
    EventAction.NOTE: _note,
    EventAction.OBJECTION: _note,
    EventAction.SOLUTION_PROPOSED: _note,
    EventAction.AGENT_MAIL_PROBLEMS: _refused,
    EventAction.OWNERSHIP_TAKEN: _taken,
    EventAction.SHEET_DISPATCHED: _sheet,
    EventAction.DEPARTMENT_ANSWERED: _answered,
    EventAction.ALL_DEPARTMENTS_ANSWERED: _all_answered,
}
