"""Intake: one inbound message becomes a ticket event, in one transaction.

parse -> recognise (duplicate, our own mail) -> route (:mod:`complaintd.thread.routing`,
the one decision of where a mail belongs) -> the handler of that route.  Everything a
message causes is written in the same transaction as marking the inbound row processed,
so a crash at any point either leaves the row ``pending`` (it is processed again) or
finished: a message is a ticket event exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from complaintd.classify import raise_severity
from complaintd.classify.places import route_columns
from complaintd.fetch.ledger import PROCESSED_KEYWORD
from complaintd.jobs.at_risk import clear_at_risk
from complaintd.jobs.due import due_after
from complaintd.jobs.survey import own_words, record_survey_answer
from complaintd.jobs.survey_reply import read_survey_answer
from complaintd.parse.model import AutomatedKind, ParsedMessage
from complaintd.render.contexts import (
    FloodMail,
    RejectedAnswerMail,
    RejectedAttemptMail,
    ReplyOutcome,
)
from complaintd.runtime import Runtime
from complaintd.staff_replies import parse_department_answer
from complaintd.store.event_action import EventAction
from complaintd.store.message_kind import MessageKind
from complaintd.store.models import ContactSheet, InboundMessage, Message, Ticket
from complaintd.store.numbering import allocate_ticket_number, ticket_period
from complaintd.store.prepared import create
from complaintd.store.queries import (
    CustomerHistory,
    KnownMessage,
    RecentComplaints,
    customer_history,
    incoming_messages,
)
from complaintd.store.records import (
    add_participant,
    nul_free,
    record_event,
    store_inbound_message,
)
from complaintd.store.ticket_status import TicketStatus
from complaintd.thread.routing import Route, RouteDecision
from complaintd.workflow.agents import apply_agent_mail, forward_to_agents, on_new_ticket
from complaintd.workflow.analysis import Analysis
from complaintd.workflow.customer import acknowledge, excerpt, on_customer_reply
from complaintd.workflow.departments import department_by_key, record_answer
from complaintd.workflow.fax import acknowledge_fax, register_fax
from complaintd.workflow.internal import department_context, send_internal
from complaintd.workflow.route import route, sender_of
from complaintd.workflow.staff_words import describe_rejection


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
    FLOOD = "flood"  # a sender's complaint kept on its flood ticket
    FAILED = "failed"  # quarantined: processing raised
    SURVEY_REPLY = "survey_reply"  # the customer answered the satisfaction survey


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
    earlier = _find_duplicate(inbound, parsed)
    if earlier.duplicate is not None:
        return _record_duplicate(inbound, parsed, earlier, now)
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
    handler = _HANDLERS[decision.route]
    if inbound.mailbox_kind == "fax" and parsed.automated is not AutomatedKind.BOUNCE:
        handler = _new_fax  # the gateway's mail: always a fax, never answered itself
    result = handler(runtime, inbound, analysis, decision, now)
    _record_reused_id(inbound, parsed, earlier, result, now)
    return result


@dataclass(frozen=True)
class EarlierMail:
    """What the ledger already holds under a new message's Message-ID."""

    duplicate: KnownMessage | None = None  # the same message, taken in before
    basis: str = ""  # why it is the same message
    reused: KnownMessage | None = None  # a different message that had the Message-ID first


def _find_duplicate(inbound: InboundMessage, parsed: ParsedMessage) -> EarlierMail:
    """The same message taken in before (another mailbox, a re-fetch), or the first other
    message that used its Message-ID: an ID alone proves nothing (issue 11, item 10)."""
    if not parsed.message_id:
        return EarlierMail()
    sender = parsed.from_addr.email if parsed.from_addr else None
    known = incoming_messages(parsed.message_id, sender, parsed.subject, parsed.body.text)
    for message in known:
        basis = same_message_basis(message, inbound)
        if basis is not None:
            return EarlierMail(message, basis)
    return EarlierMail(reused=known[0]) if known else EarlierMail()


def same_message_basis(known: KnownMessage, inbound: InboundMessage) -> str | None:
    """Why ``inbound`` is the message ``known`` again (None: it only shares the ID).

    The same bytes; the same UID of the same mailbox (fetched again under a new
    UIDVALIDITY); or the same sender, subject and text (one mail delivered into two
    mailboxes, each copy with its own trace headers).
    """
    if known.sha256 == inbound.sha256:
        return "same content"
    if (known.mailbox, known.uid) == (inbound.mailbox, inbound.uid):
        return "same mailbox UID"
    if known.same_text:
        return "same sender, subject and text"
    return None


def _record_duplicate(
    inbound: InboundMessage, parsed: ParsedMessage, earlier: EarlierMail, now: datetime
) -> IntakeResult:
    original = earlier.duplicate
    assert original is not None
    ticket = Ticket.get_by_id(original.ticket_id)
    record_event(
        now,
        "system",
        EventAction.DUPLICATE_IGNORED,
        ticket=ticket,
        inbound=inbound,
        message_id=parsed.message_id,
        first_inbound=original.inbound_id,
        basis=earlier.basis,
    )
    detail = f"same Message-ID and {earlier.basis} as message {original.id}"
    return IntakeResult.on(IntakeAction.DUPLICATE, ticket, detail)


def _record_reused_id(
    inbound: InboundMessage,
    parsed: ParsedMessage,
    earlier: EarlierMail,
    result: IntakeResult,
    now: datetime,
) -> None:
    """Note on the new message's ticket that its Message-ID was another mail's first."""
    if earlier.reused is None:
        return
    record_event(
        now,
        "system",
        EventAction.MESSAGE_ID_REUSED,
        ticket=result.ticket_id,
        inbound=inbound,
        message_id=parsed.message_id,
        first_ticket=earlier.reused.ticket_number,
        first_inbound=earlier.reused.inbound_id,
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


def _survey_answer(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """The customer answers the satisfaction survey; without a score, a plain reply."""
    parsed = analysis.parsed
    ticket = _ticket_of(decision)
    answer = read_survey_answer(own_words(ticket, parsed), parsed.subject)
    if answer is None:
        return _customer_reply(runtime, inbound, analysis, decision, now)
    message = _store(runtime, ticket, inbound, parsed, MessageKind.SURVEY_REPLY, now)
    detail = record_survey_answer(runtime, ticket, message, answer, now)
    return IntakeResult.on(IntakeAction.SURVEY_REPLY, ticket, detail)


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
    reason = describe_rejection(decision, desk.default_language)
    attempt = RejectedAttemptMail(sender=sender, reason=reason, excerpt=excerpt(parsed.reply_text))
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
    desk = runtime.config.desk
    rejected = RejectedAnswerMail(
        department=department_context(department),
        sender=sender or "unknown",
        reason=describe_rejection(decision, desk.default_language, department.name),
        excerpt=excerpt(parsed.reply_text),
    )
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
    """A new complaint: registered, acknowledged, dispatched; linked when it referred to one.

    In a flood from its sender it is added to their flood ticket instead.
    """
    sender = sender_of(analysis.parsed)
    history = _customer_history(runtime, sender, inbound, now)
    recent = history.recent
    if _is_flood(runtime, recent):
        flood = Ticket.get_by_id(recent.latest_ticket_id)
        return _add_to_flood(runtime, flood, inbound, analysis.parsed, now)
    # A complaint within the flood window of the sender's last one is the same burst of
    # mail, not a repeat complaint (issue 11, item 11).
    repeat_of = history.latest_ticket if recent.count == 0 else None
    ticket = create_ticket(runtime, inbound, analysis, now, repeat_of)
    if history.at_risk:
        clear_at_risk(sender, ticket, "new complaint", now)
    if inbound.carried_processed_flag:
        _acknowledgement_suppressed(inbound, ticket, now)
    else:
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


def _new_fax(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: RouteDecision,
    now: datetime,
) -> IntakeResult:
    """A fax from the gateway: registered now; acknowledged and dispatched once its pages
    are read (:mod:`complaintd.workflow.fax`), at once when it came without a document."""
    ticket = create_ticket(runtime, inbound, analysis, now)
    if register_fax(runtime, ticket, inbound, analysis, now):
        return IntakeResult.on(IntakeAction.NEW_TICKET, ticket, "fax: its pages wait for OCR")
    acknowledge_fax(runtime, ticket, now)
    on_new_ticket(runtime, ticket, now)
    return IntakeResult.on(IntakeAction.NEW_TICKET, ticket, "fax without a document")


def _acknowledgement_suppressed(inbound: InboundMessage, ticket: Ticket, now: datetime) -> None:
    """A message an earlier ledger processed (issue 11, item 12): registered, not answered."""
    record_event(
        now,
        "system",
        EventAction.ACK_SUPPRESSED,
        ticket=ticket,
        inbound=inbound,
        reason=f"the message already carried {PROCESSED_KEYWORD} on the server: a desk "
        "processed it before this ledger (a new or restored database), so its sender "
        "is not acknowledged again",
    )


def _customer_history(
    runtime: Runtime, sender: str | None, inbound: InboundMessage, now: datetime
) -> CustomerHistory:
    """The sender's recent tickets and acknowledgements, their at-risk flag, and their
    complaints that arrived within the flood window before this one, in one query
    (nothing for an unknown sender)."""
    if sender is None:
        return CustomerHistory(None, None)
    desk = runtime.config.desk
    arrived = min(inbound.received_at or now, now)
    window = timedelta(minutes=desk.flood_window_minutes)
    return customer_history(
        sender,
        repeat_since=now - timedelta(days=desk.repeat_window_days),
        ack_since=now - timedelta(hours=desk.ack_window_hours),
        recent=(arrived - window, arrived),
    )


# --- floods (issue 11, item 11) -----------------------------------------------------------


def _is_flood(runtime: Runtime, recent: RecentComplaints) -> bool:
    """Whether a new complaint goes over the flood rate (``[desk] flood_max_tickets``)."""
    limit = runtime.config.desk.flood_max_tickets
    return 0 < limit <= recent.count and recent.latest_ticket_id is not None


def _add_to_flood(
    runtime: Runtime, ticket: Ticket, inbound: InboundMessage, parsed: ParsedMessage, now: datetime
) -> IntakeResult:
    """Keep a flood mail as a complaint of the flood ticket: no new ticket, no
    acknowledgement, no escalation, no notices; staff are alerted once per flood."""
    sender = sender_of(parsed) or "unknown"
    _store(runtime, ticket, inbound, parsed, MessageKind.COMPLAINT, now)
    starts = "flood" not in ticket.tags
    if starts:
        ticket.tags = [*ticket.tags, "flood"]
    ticket.attachment_count += len(parsed.attachments)
    ticket.updated_at = now
    ticket.save()
    window = runtime.config.desk.flood_window_minutes
    record_event(
        now,
        sender,
        EventAction.FLOOD_COLLAPSED,
        ticket=ticket,
        inbound=inbound,
        window_minutes=window,
    )
    if starts:
        _alert_flood(runtime, ticket, sender, now)
    return IntakeResult.on(
        IntakeAction.FLOOD, ticket, f"flood from {sender}: added to {ticket.number}"
    )


def _alert_flood(runtime: Runtime, ticket: Ticket, sender: str, now: datetime) -> None:
    """The one mail to agents and admins when a flood starts."""
    desk = runtime.config.desk
    record_event(now, "system", EventAction.FLOOD_STARTED, ticket=ticket, sender=sender)
    mail = FloodMail(
        sender=sender, limit=desk.flood_max_tickets, window_minutes=desk.flood_window_minutes
    )
    send_internal(runtime, ticket, mail, [*desk.agents, *desk.admins], now=now)


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
    values = nul_free(
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
        customer_fax=None,  # a fax's caller: complaintd.workflow.fax.register_fax
        waybills=list(registration.waybills),
        order_numbers=list(registration.order_numbers),
        phones=list(registration.phones),
        **route_columns(registration.route),
        shipping_date=registration.shipping_date,
        goods=registration.goods,
        quantity=registration.quantity,
        attachment_count=len(parsed.attachments),
        category_rule=classification.category_rule,
        severity_rule=severity_rule,
        tags=["serious"] if severity == "serious" else [],
        created_at=now,
        updated_at=now,
        due_at=due_after(config, now, config.sla[severity].first_response_hours),
    )
    ticket = create(Ticket, **values)
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


_HANDLERS: dict[Route, Handler] = {
    Route.NEW_TICKET: _new_ticket,
    Route.CUSTOMER_REPLY: _customer_reply,
    Route.DEPARTMENT_ANSWER: _department_answer,
    Route.REJECTED_ANSWER: _rejected_answer,
    Route.AGENT_ACTION: _agent_action,
    Route.STAFF_NOTE: _staff_note,
    Route.REJECTED_STAFF: _rejected_staff,
    Route.AUTOMATED: _automated,
    Route.SURVEY_ANSWER: _survey_answer,
}
