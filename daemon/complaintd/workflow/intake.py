"""Intake: one inbound message becomes a ticket event, in one transaction.

parse -> recognise (duplicate, our own mail, automated) -> thread -> new ticket or
append.  Everything a message causes is written in the same transaction as marking the
inbound row processed, so a crash at any point either leaves the row ``pending`` (it is
processed again) or finished: a message is a ticket event exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaintd.classify import raise_severity
from complaintd.departments import parse_department_answer
from complaintd.parse.model import AutomatedKind, ParsedMessage
from complaintd.runtime import Runtime
from complaintd.store.models import ContactSheet, InboundMessage, Message, Ticket
from complaintd.store.numbering import allocate_ticket_number, ticket_period
from complaintd.store.prepared import create
from complaintd.store.queries import (
    CustomerHistory,
    KnownMessage,
    customer_history,
    incoming_message,
    ticket_of_message_ids,
)
from complaintd.thread.matcher import (
    Candidate,
    MatchMethod,
    ThreadAction,
    ThreadDecision,
    decide_thread,
    subject_tag_numbers,
)
from complaintd.thread.tokens import find_tokens
from complaintd.workflow.agents import apply_agent_mail, on_new_ticket
from complaintd.workflow.analysis import Analysis
from complaintd.workflow.customer import acknowledge, excerpt, on_customer_reply
from complaintd.workflow.departments import (
    department_by_key,
    may_answer,
    record_answer,
    sheet_for_message,
)
from complaintd.workflow.internal import department_context, send_internal
from complaintd.workflow.records import (
    add_participant,
    participant_emails,
    record_event,
    store_inbound_message,
)


@dataclass(frozen=True)
class IntakeResult:
    """What became of one inbound message."""

    action: str  # new_ticket | appended | new_linked | automated | duplicate | own_mail
    ticket_number: str | None
    detail: str
    ticket_id: int | None = None

    @classmethod
    def on(cls, action: str, ticket: Ticket, detail: str) -> IntakeResult:
        """A result concerning ``ticket``."""
        return cls(action, ticket.number, detail, ticket.id)


def ingest(runtime: Runtime, inbound: InboundMessage, analysis: Analysis) -> IntakeResult:
    """Turn ``inbound`` into ticket events; the caller holds the transaction."""
    parsed = analysis.parsed
    now = runtime.clock.now()
    duplicate = _find_duplicate(parsed)
    if duplicate is not None:
        return _record_duplicate(inbound, parsed, duplicate, now)
    if _is_own_mail(runtime, parsed):
        record_event(
            now, "system", "own_mail_ignored", inbound=inbound, message_id=parsed.message_id
        )
        return IntakeResult("own_mail", None, "our own address; not answered (loop safety)")
    if is_machine_mail(parsed):
        return _ingest_automated(runtime, inbound, parsed, now)
    candidates = _gather_candidates(runtime, parsed)
    staff_result = _ingest_staff_mail(runtime, inbound, parsed, candidates, now)
    if staff_result is not None:
        return staff_result
    decision = decide_thread(_sender(parsed), candidates)
    if decision.action is ThreadAction.APPEND:
        return _append(runtime, inbound, parsed, decision, now)
    return _new_ticket(runtime, inbound, analysis, decision, now)


def is_machine_mail(parsed: ParsedMessage) -> bool:
    """Auto-replies, bounces, list and robot mail - but not a no-reply *address* alone.

    Shops and platforms forward real complaints from ``noreply@`` addresses; such mail
    is a complaint like any other, and loop safety withholds the acknowledgement.
    """
    if parsed.automated is None:
        return False
    only_address = (parsed.automated_reason or "").startswith("sender ")
    return not (parsed.automated is AutomatedKind.AUTO_GENERATED and only_address)


def _sender(parsed: ParsedMessage) -> str | None:
    return parsed.from_addr.email if parsed.from_addr else None


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
        "duplicate_ignored",
        ticket=ticket,
        inbound=inbound,
        message_id=parsed.message_id,
        first_inbound=original.inbound_id,
    )
    return IntakeResult.on("duplicate", ticket, f"same Message-ID as message {original.id}")


def _is_own_mail(runtime: Runtime, parsed: ParsedMessage) -> bool:
    sender = _sender(parsed)
    own = {runtime.config.desk.address, runtime.config.smtp.from_address}
    return sender is not None and sender in own


# --- automated mail ------------------------------------------------------------------


def _ingest_automated(
    runtime: Runtime, inbound: InboundMessage, parsed: ParsedMessage, now: datetime
) -> IntakeResult:
    """Auto-replies, bounces and list mail are recorded, never made into complaints."""
    assert parsed.automated is not None
    kind = "bounce" if parsed.automated is AutomatedKind.BOUNCE else "auto_reply"
    ticket = _ticket_referred_to(runtime, parsed)
    if ticket is None:
        record_event(
            now,
            "system",
            f"{parsed.automated.value}_unmatched",
            inbound=inbound,
            sender=_sender(parsed),
            reason=parsed.automated_reason,
        )
        return IntakeResult(
            "automated", None, f"{parsed.automated.value}: {parsed.automated_reason}"
        )
    store_inbound_message(
        ticket, inbound, parsed, kind, now, runtime.config.desk.max_attachment_bytes
    )
    if kind == "bounce" and "bounced" not in ticket.tags:
        ticket.tags = [*ticket.tags, "bounced"]
        ticket.updated_at = now
        ticket.save()
    record_event(
        now,
        _sender(parsed) or "unknown",
        f"{kind}_received",
        ticket=ticket,
        inbound=inbound,
        reason=parsed.automated_reason,
    )
    return IntakeResult.on("automated", ticket, f"{kind} attached: {parsed.automated_reason}")


def _ticket_referred_to(runtime: Runtime, parsed: ParsedMessage) -> Ticket | None:
    from complaintd.parse import bounced_message_ids

    ids = [*bounced_message_ids(parsed), *parsed.in_reply_to, *reversed(parsed.references)]
    ticket = _ticket_by_message_ids(ids)
    if ticket is not None:
        return ticket
    numbers = subject_tag_numbers(parsed.subject, runtime.config.desk.ticket_prefix)
    return Ticket.get_or_none(Ticket.number == numbers[0]) if numbers else None


def _ticket_by_message_ids(ids: list[str]) -> Ticket | None:
    """Return the ticket of the first id that is one of its messages (ours or theirs)."""
    ticket_id = ticket_of_message_ids(ids)
    return Ticket.get_by_id(ticket_id) if ticket_id is not None else None


# --- threading -----------------------------------------------------------------------


def _gather_candidates(runtime: Runtime, parsed: ParsedMessage) -> list[Candidate]:
    """Look up the tickets a message refers to, by each method of DESIGN.md."""
    candidates = _token_candidates(runtime, parsed)
    ticket = _ticket_by_message_ids([*parsed.in_reply_to, *reversed(parsed.references)])
    if ticket is not None:
        candidates.append(_candidate(MatchMethod.REFERENCES, ticket))
    for number in subject_tag_numbers(parsed.subject, runtime.config.desk.ticket_prefix)[:1]:
        tagged = Ticket.get_or_none(Ticket.number == number)
        if tagged is not None:
            candidates.append(_candidate(MatchMethod.SUBJECT, tagged))
    return candidates


def _token_candidates(runtime: Runtime, parsed: ParsedMessage) -> list[Candidate]:
    addresses = [a.email for a in (*parsed.to, *parsed.cc)] + list(parsed.delivered_to)
    tokens = find_tokens(runtime.config.desk.token_secret, [*addresses, parsed.subject])
    is_agent = _sender(parsed) in runtime.config.desk.agents
    candidates = []
    for token in tokens:
        ticket = Ticket.get_or_none(Ticket.number == token.number)
        if ticket is not None:
            # The agents' token is a key for agents only: anyone else who holds it (a
            # forwarded notice) proves nothing and is threaded like any other sender.
            valid = token.valid and (token.scope != "a" or is_agent)
            candidates.append(_candidate(MatchMethod.TOKEN, ticket, valid, token.scope))
    return candidates


def _candidate(
    method: MatchMethod, ticket: Ticket, valid: bool = False, scope: str | None = None
) -> Candidate:
    return Candidate(method, ticket.id, ticket.number, participant_emails(ticket.id), valid, scope)


def _append(
    runtime: Runtime,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    decision: ThreadDecision,
    now: datetime,
) -> IntakeResult:
    ticket = Ticket.get_by_id(decision.ticket_id)
    kind = _reply_kind(runtime, ticket, _sender(parsed))
    message = store_inbound_message(
        ticket, inbound, parsed, kind, now, runtime.config.desk.max_attachment_bytes
    )
    ticket.attachment_count += len(parsed.attachments)
    ticket.updated_at = now
    ticket.save()
    record_event(
        now,
        _sender(parsed) or "unknown",
        "message_added",
        ticket=ticket,
        inbound=inbound,
        kind=kind,
        reason=decision.reason,
    )
    if kind == "customer_reply":
        on_customer_reply(runtime, ticket, message, now)
    return IntakeResult.on("appended", ticket, decision.reason)


def _reply_kind(runtime: Runtime, ticket: Ticket, sender: str | None) -> str:
    """Name the message by who wrote it: a department, an agent or the customer."""
    if sender in runtime.config.desk.agents:
        return "agent_reply"
    if any(sender in d.emails or sender == d.manager for d in runtime.config.departments):
        return "department_reply"
    return "customer_reply"


# --- the desk's own people ----------------------------------------------------------


def _ingest_staff_mail(
    runtime: Runtime,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    candidates: list[Candidate],
    now: datetime,
) -> IntakeResult | None:
    """An agent acting on a ticket, or a department answering a sheet; else None."""
    sender = _sender(parsed)
    if sender in runtime.config.desk.agents:
        ticket = _ticket_of(candidates)
        if ticket is not None:
            return _agent_mail(runtime, inbound, parsed, ticket, now)
    scopes = [
        c.token_scope or "" for c in candidates if c.method is MatchMethod.TOKEN and c.token_valid
    ]
    sheet_ids = [int(scope[1:]) for scope in scopes if scope.startswith("s")]
    sheet = sheet_for_message(sheet_ids, [*parsed.in_reply_to, *reversed(parsed.references)])
    if sheet is not None:
        return _department_mail(runtime, inbound, parsed, sheet, now)
    return None


def _ticket_of(candidates: list[Candidate]) -> Ticket | None:
    """The ticket the best valid candidate names (token, references, subject)."""
    order = (MatchMethod.TOKEN, MatchMethod.REFERENCES, MatchMethod.SUBJECT)
    usable = [c for c in candidates if c.method is not MatchMethod.TOKEN or c.token_valid]
    usable.sort(key=lambda c: order.index(c.method))
    return Ticket.get_by_id(usable[0].ticket_id) if usable else None


def _agent_mail(
    runtime: Runtime, inbound: InboundMessage, parsed: ParsedMessage, ticket: Ticket, now: datetime
) -> IntakeResult:
    agent = _sender(parsed) or "agent"
    store_inbound_message(
        ticket, inbound, parsed, "agent_reply", now, runtime.config.desk.max_attachment_bytes
    )
    problems = apply_agent_mail(runtime, ticket, parsed.reply_text, agent, now)
    return IntakeResult.on("agent_reply", ticket, "; ".join(problems) or "applied")


def _department_mail(
    runtime: Runtime,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    sheet: ContactSheet,
    now: datetime,
) -> IntakeResult:
    """A reply to a contact sheet: applied if the sender may answer, else rejected."""
    ticket, sender = sheet.ticket, _sender(parsed)
    department = department_by_key(runtime, sheet.department)
    allowed = may_answer(department, sender)
    kind = "department_reply" if allowed else "rejected_reply"
    message = store_inbound_message(
        ticket, inbound, parsed, kind, now, runtime.config.desk.max_attachment_bytes
    )
    Message.update(contact_sheet_id=sheet.id).where(Message.id == message.id).execute()
    if not allowed:
        return _reject_answer(runtime, sheet, parsed, sender, now)
    answer = parse_department_answer(parsed.reply_text)
    if answer.finding is None:  # the reply view may have cut too much: read the whole body
        answer = parse_department_answer(parsed.body.text)
    applied = record_answer(runtime, sheet, answer, sender or "unknown", now)
    detail = "answer recorded" if applied else "incomplete form: " + "; ".join(answer.problems)
    return IntakeResult.on("department_reply", ticket, detail)


def _reject_answer(
    runtime: Runtime, sheet: ContactSheet, parsed: ParsedMessage, sender: str | None, now: datetime
) -> IntakeResult:
    ticket = sheet.ticket
    record_event(
        now,
        sender or "unknown",
        "department_answer_rejected",
        ticket=ticket,
        department=sheet.department,
        sender=sender,
    )
    department = department_by_key(runtime, sheet.department)
    send_internal(
        runtime,
        ticket,
        "rejected_answer",
        [*runtime.config.desk.admins, *runtime.config.desk.agents],
        now=now,
        department=department_context(department),
        sender=sender or "unknown",
        excerpt=excerpt(parsed.reply_text),
    )
    return IntakeResult.on("rejected", ticket, f"{sender} may not answer for {department.key}")


# --- new tickets ---------------------------------------------------------------------


def _new_ticket(
    runtime: Runtime,
    inbound: InboundMessage,
    analysis: Analysis,
    decision: ThreadDecision,
    now: datetime,
) -> IntakeResult:
    sender = _sender(analysis.parsed)
    history = _customer_history(runtime, sender, now)
    ticket = create_ticket(runtime, inbound, analysis, now, history.latest_ticket)
    acknowledge(runtime, ticket, sender, now, history.acknowledged_ticket)
    on_new_ticket(runtime, ticket, now)
    if decision.action is ThreadAction.NEW_LINKED:
        ticket.linked_to = decision.ticket_id
        ticket.save()
        record_event(
            now,
            "system",
            "linked",
            ticket=ticket,
            inbound=inbound,
            linked_to=decision.number,
            reason=decision.reason,
        )
        return IntakeResult.on("new_linked", ticket, decision.reason)
    return IntakeResult.on("new_ticket", ticket, decision.reason)


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
    sender = _sender(parsed)
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
        status="received",
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
        ticket, inbound, parsed, "complaint", now, config.desk.max_attachment_bytes
    )
    record_event(
        now,
        sender or "unknown",
        "ticket_created",
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
