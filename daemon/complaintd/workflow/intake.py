"""Intake: one inbound message becomes a ticket event, in one transaction.

parse -> recognise (duplicate, our own mail) -> route (:mod:`complaintd.thread.routing`,
the one decision of where a mail belongs) -> the handler of that route.  Everything a
message causes is written in the same transaction as marking the inbound row processed,
so a crash at any point either leaves the row ``pending`` (it is processed again) or
finished: a message is a ticket event exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from complaintd.classify import raise_severity
from complaintd.departments import parse_department_answer
from complaintd.parse.model import AutomatedKind, ParsedMessage
from complaintd.render.contexts import RejectedAnswerMail, RejectedAttemptMail, ReplyOutcome
from complaintd.runtime import Runtime
from complaintd.store.event_action import EventAction
from complaintd.store.message_kind import MessageKind
from complaintd.store.models import ContactSheet, InboundMessage, Message, Ticket
from complaintd.store.numbering import allocate_ticket_number, ticket_period
from complaintd.store.prepared import create
from complaintd.store.queries import (
    CustomerHistory,
    KnownMessage,
    customer_history,
    incoming_message,
)
from complaintd.store.ticket_status import TicketStatus
from complaintd.thread.routing import Route, RouteDecision
from complaintd.workflow.agents import apply_agent_mail, forward_to_agents, on_new_ticket
from complaintd.workflow.analysis import Analysis
from complaintd.workflow.customer import acknowledge, excerpt, on_customer_reply
from complaintd.workflow.departments import department_by_key, record_answer
from complaintd.workflow.internal import department_context, send_internal
from complaintd.workflow.records import add_participant, record_event, store_inbound_message
from complaintd.workflow.route import route, sender_of


class IntakeAction(StrEnum):
    """What intake did with one inbound message (counted by the pass, logged)."""

    NEW_TICKET = "new_ticket"
    NEW_LINKED = "new_linked"  # a new ticket that refers to an earlier one
    APPENDED = "appended"  # the customer wrote again
    AGENT_REPLY = "agent_reply"
    DEPARTMENT_REPLY = "department_reply"
    NOTE = "note"  # staff mail without the token that would let it act
    REJECTED = "rejected"  # someone who may not act tried to
    AUTOMATED = "automated"  # auto-replies, bounces, list mail
    DUPLICATE = "duplicate"  # already taken in under this Message-ID
    OWN_MAIL = "own_mail"  # from the desk's own address (loop safety)
    FAILED = "failed"  # quarantined: processing raised


@dataclass(frozen=True)
class IntakeResult:
    """What became of one inbound message."""

    action: IntakeAction
    ticket_number: str | None
    detail: str
    ticket_id: int | None = None

    @classmethod
    def on(cls, action: IntakeAction, ticket: Ticket, detail: str) -> IntakeResult:
        """A result concerning ``ticket``."""
        return cls(action, ticket.number, detail, ticket.id)


Handler = Callable[[Runtime, InboundMessage, Analysis, RouteDecision, datetime], IntakeResult]


def ingest(runtime: Runtime, inbound: InboundMessage, analysis: Analysis) -> IntakeResult:
    """Turn ``inbound`` into ticket events; the caller holds the transaction."""
    parsed = analysis.parsed
    now = runtime.clock.now()
    duplicate = _find_duplicate(parsed)
    if duplicate is not None:
        return _record_duplicate(inbound, parsed, duplicate, now)
    if _is_own_mail(runtime, parsed):
        record_event(
            now,
            "system",
            EventAction.OWN_MAIL_IGNORED,
            inbound=inbound,
            message_id=parsed.message_id,
        )
        return IntakeResult(
            IntakeAction.OWN_MAIL, None, "our own address; not answered (loop safety)"
        )
    decision = route(runtime.config, parsed)
    return _HANDLERS[decision.route](runtime, inbound, analysis, decision, now)


def _find_duplicate(parsed: ParsedMessage) -> KnownMessage | None:
    """A message with this Message-ID was already taken in (another mailbox, a re-fetch)."""
    return incoming_message(parsed.message_id) if parsed.message_id else None


def _record_duplicate(
    inbound: InboundMessage, parsed: ParsedMessage, original: KnownMessage, now: datetime
) -> IntakeResult:
    ticket = Ticket.get_by_id(original.ticket_id)
    record_event(
        now,
        "system",
        EventAction.DUPLICATE_IGNORED,
        ticket=ticket,
        inbound=inbound,
        message_id=parsed.message_id,
        first_inbound=original.inbound_id,
    )
    return IntakeResult.on(
        IntakeAction.DUPLICATE, ticket, f"same Message-ID as message {original.id}"
    )


def _is_own_mail(runtime: Runtime, parsed: ParsedMessage) -> bool:
    sender = sender_of(parsed)
    own = {runtime.config.desk.address, runtime.config.smtp.from_address}
    return sender is not None and sender in own


def _ticket_of(decision: RouteDecision) -> Ticket:
    assert decision.ticket is not None, decision
    return Ticket.get_by_id(decision.ticket.id)


def _store(
    runtime: Runtime,
    ticket: Ticket,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    kind: MessageKind,
    now: datetime,
) -> Message:
    return store_inbound_message(
        ticket, inbound, parsed, kind, now, runtime.config.desk.max_attachment_bytes
    )


# --- automated mail ------------------------------------------------------------------


# The audit event of automated mail that belongs to no ticket, by why it is automated.
UNMATCHED_AUTOMATED: dict[AutomatedKind, EventAction] = {
    AutomatedKind.AUTO_REPLY: EventAction.AUTO_REPLY_UNMATCHED,
    AutomatedKind.BOUNCE: EventAction.BOUNCE_UNMATCHED,
    AutomatedKind.LIST: EventAction.LIST_UNMATCHED,
    AutomatedKind.AUTO_GENERATED: EventAction.AUTO_GENERATED_UNMATCHED,
}
# The audit event of automated mail attached to its ticket, by the kind it is stored as.
AUTOMATED_RECEIVED: dict[MessageKind, EventAction] = {
    MessageKind.AUTO_REPLY: EventAction.AUTO_REPLY_RECEIVED,
    MessageKind.BOUNCE: EventAction.BOUNCE_RECEIVED,
}


def _automated(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """Auto-replies, bounces and list mail are recorded, never made into complaints."""
    parsed = analysis.parsed
    assert parsed.automated is not None
    kind = (
        MessageKind.BOUNCE if parsed.automated is AutomatedKind.BOUNCE else MessageKind.AUTO_REPLY
    )
    if decision.ticket is None:
        record_event(
            now,
            "system",
            UNMATCHED_AUTOMATED[parsed.automated],
            inbound=inbound,
            sender=sender_of(parsed),
            reason=parsed.automated_reason,
        )
        return IntakeResult(
            IntakeAction.AUTOMATED, None, f"{parsed.automated.value}: {parsed.automated_reason}"
        )
    ticket = _ticket_of(decision)
    _store(runtime, ticket, inbound, parsed, kind, now)
    if kind == MessageKind.BOUNCE and "bounced" not in ticket.tags:
        ticket.tags = [*ticket.tags, "bounced"]
        ticket.updated_at = now
        ticket.save()
    record_event(
        now,
        sender_of(parsed) or "unknown",
        AUTOMATED_RECEIVED[kind],
        ticket=ticket,
        inbound=inbound,
        reason=parsed.automated_reason,
    )
    return IntakeResult.on(
        IntakeAction.AUTOMATED, ticket, f"{kind} attached: {parsed.automated_reason}"
    )


# --- the customer ---------------------------------------------------------------------


def _customer_reply(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """The customer writes again: recorded, acted on, and forwarded to the agents."""
    parsed = analysis.parsed
    ticket = _ticket_of(decision)
    message = _store(runtime, ticket, inbound, parsed, MessageKind.CUSTOMER_REPLY, now)
    ticket.attachment_count += len(parsed.attachments)
    ticket.updated_at = now
    ticket.save()
    record_event(
        now,
        sender_of(parsed) or "unknown",
        EventAction.MESSAGE_ADDED,
        ticket=ticket,
        inbound=inbound,
        kind=MessageKind.CUSTOMER_REPLY,
        reason=decision.reason,
        basis=decision.basis,
    )
    outcome = on_customer_reply(runtime, ticket, message, now)
    forward_to_agents(runtime, ticket, message, outcome, now)
    return IntakeResult.on(IntakeAction.APPENDED, ticket, decision.reason)


# --- the desk's own people ----------------------------------------------------------


def _agent_action(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """An agent with the ticket's agent token: text to the customer, ``#`` commands run."""
    parsed = analysis.parsed
    ticket = _ticket_of(decision)
    agent = sender_of(parsed) or "agent"
    message = _store(runtime, ticket, inbound, parsed, MessageKind.AGENT_REPLY, now)
    problems = apply_agent_mail(runtime, ticket, message, agent, now, decision.basis)
    return IntakeResult.on(IntakeAction.AGENT_REPLY, ticket, "; ".join(problems) or "applied")


def _staff_note(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """Staff mail without the token that would let it act: a note, and the agents told."""
    parsed = analysis.parsed
    ticket = _ticket_of(decision)
    sender = sender_of(parsed) or "unknown"
    message = _store(runtime, ticket, inbound, parsed, MessageKind.STAFF_NOTE, now)
    record_event(
        now,
        sender,
        EventAction.NOTE,
        ticket=ticket,
        inbound=inbound,
        text=excerpt(parsed.reply_text),
        reason=decision.reason,
        basis=decision.basis,
    )
    forward_to_agents(runtime, ticket, message, ReplyOutcome.STAFF_NOTE, now)
    return IntakeResult.on(IntakeAction.NOTE, ticket, decision.reason)


def _rejected_staff(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """Staff mail with a bad token or failed authentication: recorded, admins told."""
    parsed = analysis.parsed
    sender = sender_of(parsed) or "unknown"
    if decision.ticket is None:
        record_event(
            now,
            sender,
            EventAction.STAFF_MAIL_REJECTED,
            inbound=inbound,
            reason=decision.reason,
            basis=decision.basis,
        )
        return IntakeResult(IntakeAction.REJECTED, None, decision.reason)
    ticket = _ticket_of(decision)
    _store(runtime, ticket, inbound, parsed, MessageKind.REJECTED_REPLY, now)
    record_event(
        now,
        sender,
        EventAction.STAFF_MAIL_REJECTED,
        ticket=ticket,
        inbound=inbound,
        reason=decision.reason,
        basis=decision.basis,
    )
    desk = runtime.config.desk
    attempt = RejectedAttemptMail(
        sender=sender, reason=decision.reason, excerpt=excerpt(parsed.reply_text)
    )
    send_internal(runtime, ticket, attempt, [*desk.admins, *desk.agents], now=now)
    return IntakeResult.on(IntakeAction.REJECTED, ticket, decision.reason)


def _department_answer(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """A department's answer to its contact sheet."""
    parsed = analysis.parsed
    assert decision.sheet is not None
    sheet = ContactSheet.get_by_id(decision.sheet.id)
    sender = sender_of(parsed) or "unknown"
    message = _store(runtime, sheet.ticket, inbound, parsed, MessageKind.DEPARTMENT_REPLY, now)
    Message.update(contact_sheet_id=sheet.id).where(Message.id == message.id).execute()
    answer = parse_department_answer(parsed.reply_text)
    if answer.finding is None:  # the reply view may have cut too much: read the whole body
        answer = parse_department_answer(parsed.body.text)
    applied = record_answer(runtime, sheet, answer, sender, now, decision.basis)
    detail = "answer recorded" if applied else "incomplete form: " + "; ".join(answer.problems)
    return IntakeResult.on(IntakeAction.DEPARTMENT_REPLY, sheet.ticket, detail)


def _rejected_answer(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """A sheet answer from someone who may not give it: recorded, admins and agents told."""
    parsed = analysis.parsed
    assert decision.sheet is not None
    sheet = ContactSheet.get_by_id(decision.sheet.id)
    ticket, sender = sheet.ticket, sender_of(parsed)
    message = _store(runtime, ticket, inbound, parsed, MessageKind.REJECTED_REPLY, now)
    Message.update(contact_sheet_id=sheet.id).where(Message.id == message.id).execute()
    record_event(
        now,
        sender or "unknown",
        EventAction.DEPARTMENT_ANSWER_REJECTED,
        ticket=ticket,
        department=sheet.department,
        sender=sender,
        reason=decision.reason,
        basis=decision.basis,
    )
    department = department_by_key(runtime, sheet.department)
    rejected = RejectedAnswerMail(
        department=department_context(department),
        sender=sender or "unknown",
        reason=decision.reason,
        excerpt=excerpt(parsed.reply_text),
    )
    desk = runtime.config.desk
    send_internal(runtime, ticket, rejected, [*desk.admins, *desk.agents], now=now)
    return IntakeResult.on(IntakeAction.REJECTED, ticket, decision.reason)


# --- new tickets ---------------------------------------------------------------------


def _new_ticket(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """A new complaint: registered, acknowledged, dispatched; linked when it referred to one."""
    sender = sender_of(analysis.parsed)
    history = _customer_history(runtime, sender, now)
    ticket = create_ticket(runtime, inbound, analysis, now, history.latest_ticket)
    automated_reason = analysis.parsed.automated_reason if analysis.parsed.automated else None
    acknowledge(runtime, ticket, sender, now, history.acknowledged_ticket, automated_reason)
    on_new_ticket(runtime, ticket, now)
    if decision.ticket is not None:
        ticket.linked_to = decision.ticket.id
        ticket.save()
        record_event(
            now,
            "system",
            EventAction.LINKED,
            ticket=ticket,
            inbound=inbound,
            linked_to=decision.ticket.number,
            reason=decision.reason,
        )
        return IntakeResult.on(IntakeAction.NEW_LINKED, ticket, decision.reason)
    return IntakeResult.on(IntakeAction.NEW_TICKET, ticket, decision.reason)


def _customer_history(runtime: Runtime, sender: str | None, now: datetime) -> CustomerHistory:
    """The sender's recent tickets and acknowledgements (nothing for an unknown sender)."""
    if sender is None:
        return CustomerHistory(None, None)
    desk = runtime.config.desk
    return customer_history(
        sender,
        repeat_since=now - timedelta(days=desk.repeat_window_days),
        ack_since=now - timedelta(hours=desk.ack_window_hours),
    )


def create_ticket(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    now: datetime,
    repeat_of: str | None = None,
) -> Ticket:
    """Register a new complaint: ticket, participant, message, event.

    ``repeat_of`` is the customer's latest ticket within ``desk.repeat_window_days``:
    a repeat complaint is one severity step higher.
    """
    config = runtime.config
    parsed, classification, registration = (
        analysis.parsed,
        analysis.classification,
        analysis.registration,
    )
    sender = sender_of(parsed)
    severity, severity_rule = classification.severity, classification.severity_rule
    if repeat_of is not None:
        severity = raise_severity(severity)
        window = config.desk.repeat_window_days
        severity_rule = f"repeat complaint ({repeat_of} within {window} days); {severity_rule}"
    is_fax = inbound.mailbox_kind == "fax"
    ticket = create(
        Ticket,
        number=allocate_ticket_number(
            config.desk.ticket_prefix, ticket_period(now, config.desk.timezone)
        ),
        status=TicketStatus.RECEIVED,
        severity=severity,
        category=classification.category,
        source="fax" if is_fax else "email",
        language=analysis.language,
        subject=parsed.subject,
        customer_name=(parsed.from_addr.name or None) if parsed.from_addr and not is_fax else None,
        customer_email=None if is_fax else sender,
        customer_fax=_fax_number(config.fax.caller_pattern, parsed) if is_fax else None,
        waybills=list(registration.waybills),
        order_numbers=list(registration.order_numbers),
        phones=list(registration.phones),
        shipping_date=registration.shipping_date,
        goods=registration.goods,
        quantity=registration.quantity,
        attachment_count=len(parsed.attachments),
        category_rule=classification.category_rule,
        severity_rule=severity_rule,
        tags=["serious"] if severity == "serious" else [],
        created_at=now,
        updated_at=now,
        due_at=now + timedelta(hours=config.sla[severity].first_response_hours),
    )
    if sender and not is_fax:
        add_participant(
            ticket, sender, "customer", parsed.from_addr.name if parsed.from_addr else None
        )
    store_inbound_message(
        ticket, inbound, parsed, MessageKind.COMPLAINT, now, config.desk.max_attachment_bytes
    )
    record_event(
        now,
        sender or "unknown",
        EventAction.TICKET_CREATED,
        ticket=ticket,
        inbound=inbound,
        category_rule=classification.category_rule,
        severity_rule=severity_rule,
        repeat_of=repeat_of,
    )
    return ticket


def _fax_number(pattern: str, parsed: ParsedMessage) -> str | None:
    """The caller's number from the gateway's subject, then body ([fax] caller_pattern)."""
    for text in (parsed.subject, parsed.body.text[:4000]):
        match = re.search(pattern, text)
        if match:
            return re.sub(r"[\s-]", "", match.group("number"))
    return None


_HANDLERS: dict[Route, Handler] = {
    Route.NEW_TICKET: _new_ticket,
    Route.CUSTOMER_REPLY: _customer_reply,
    Route.DEPARTMENT_ANSWER: _department_answer,
    Route.REJECTED_ANSWER: _rejected_answer,
    Route.AGENT_ACTION: _agent_action,
    Route.STAFF_NOTE: _staff_note,
    Route.REJECTED_STAFF: _rejected_staff,
    Route.AUTOMATED: _automated,
}
