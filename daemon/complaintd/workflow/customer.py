"""Mail to the customer: acknowledgement, reopening, answers to a proposal, desk actions.

Each function runs inside the caller's transaction, so the state change and the
outbox row that announces it commit together (or not at all).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from complaintd.fax.numbers import dial_digits
from complaintd.jobs.survey_plan import start_follow_up
from complaintd.outbox.queue import QueuedMail
from complaintd.render.contexts import (
    AckMail,
    AgreedMail,
    CustomerMail,
    DeskReopenedMail,
    InvalidMail,
    ObjectionMail,
    ReopenedMail,
    ReplyMail,
    ReplyOutcome,
    ResolutionMail,
    SolutionMail,
)
from complaintd.runtime import Runtime
from complaintd.store.event_action import EventAction
from complaintd.store.models import Event, Message, Ticket
from complaintd.store.records import record_event
from complaintd.store.ticket_status import TicketStatus
from complaintd.workflow.agreement import Verdict, read_answer
from complaintd.workflow.departments import cancel_open_sheets
from complaintd.workflow.mail import (
    customer_thread,
    queue_mail,
    scoped_reply_address,
    template_context,
    without_desk_lines,
)
from complaintd.workflow.reopen import DESK_REOPENED, reopen_ticket
from complaintd.workflow.status import require_open, transition

_ROBOT_LOCAL = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|auto[-_.]?reply)\b",
    re.IGNORECASE,
)


def customer_reply_address(runtime: Runtime, ticket: Ticket) -> str:
    """The address whose signed token lets the customer write into this ticket."""
    return scoped_reply_address(runtime, ticket, "c")


def send_to_customer(
    runtime: Runtime,
    ticket: Ticket,
    content: CustomerMail,
    *,
    now: datetime,
    actor: str = "system",
    auto_submitted: str | None = "auto-generated",
) -> QueuedMail | None:
    """Render ``content`` in the customer's language and put it in the outbox: by mail,
    and for a fax ticket at the caller's fax number too (a PDF, see :func:`fax_address`)."""
    faxed = None
    if ticket.source == "fax" and ticket.customer_fax:
        faxed = queue_mail(
            runtime,
            ticket,
            content,
            to=(fax_address(runtime, ticket.customer_fax),),
            language=ticket.language,
            context={**template_context(runtime, ticket), "reply_by_fax": True},
            reply_to=customer_reply_address(runtime, ticket),
            thread=(None, []),
            now=now,
            actor=actor,
            auto_submitted=auto_submitted,
            as_fax=True,
        )
    if not ticket.customer_email:
        if faxed is None:
            record_event(
                now,
                actor,
                EventAction.MAIL_NOT_SENT,
                ticket=ticket,
                kind=content.kind,
                reason="no customer email address or fax number",
            )
        return faxed
    parent, references = customer_thread(ticket)
    return queue_mail(
        runtime,
        ticket,
        content,
        to=(ticket.customer_email,),
        language=ticket.language,
        context=template_context(runtime, ticket),
        reply_to=customer_reply_address(runtime, ticket),
        thread=(parent, references),
        now=now,
        actor=actor,
        auto_submitted=auto_submitted,
    )


def fax_address(runtime: Runtime, number: str) -> str:
    """The fax gateway's address for ``number`` (``[fax] reply_address_template``)."""
    return runtime.config.fax.reply_address_template.replace("{number}", dial_digits(number))


# --- acknowledgement (RFC 3834 loop safety) --------------------------------------------


def ack_refusal(
    runtime: Runtime,
    sender: str | None,
    acknowledged_recently: str | None,
    automated_reason: str | None = None,
) -> str | None:
    """Why no acknowledgement may go to ``sender``; None when one may (pure).

    ``acknowledged_recently`` names a ticket of the sender's acknowledged within
    ``desk.ack_window_hours`` (see :func:`complaintd.store.queries.customer_history`);
    ``automated_reason`` says why a mail a person may have written still asks for no
    automatic reply (``X-Auto-Response-Suppress``, a no-reply address).
    """
    if not sender:
        return "no sender address"
    if automated_reason:
        return f"no automatic reply wanted ({automated_reason})"
    if sender in {runtime.config.desk.address, runtime.config.smtp.from_address}:
        return "our own address"
    if _ROBOT_LOCAL.match(sender.partition("@")[0]):
        return "a robot address (noreply, mailer-daemon, ...)"
    if acknowledged_recently is not None:
        window = runtime.config.desk.ack_window_hours
        return f"already acknowledged within {window:g} h ({acknowledged_recently})"
    return None


def acknowledge(
    runtime: Runtime,
    ticket: Ticket,
    sender: str | None,
    now: datetime,
    acknowledged_recently: str | None,
    automated_reason: str | None = None,
) -> None:
    """Acknowledge a new complaint unless loop safety says no (then record why)."""
    refusal = ack_refusal(runtime, sender, acknowledged_recently, automated_reason)
    if refusal:
        record_event(now, "system", EventAction.ACK_SUPPRESSED, ticket=ticket, reason=refusal)
        return
    send_to_customer(runtime, ticket, AckMail(), now=now, auto_submitted="auto-replied")


# --- the customer writes again ------------------------------------------------------------


def on_customer_reply(
    runtime: Runtime, ticket: Ticket, message: Message, now: datetime
) -> ReplyOutcome:
    """A closed ticket reopens; an answer to a proposal moves the ticket on."""
    actor = message.from_addr or "customer"
    if ticket.status == TicketStatus.CLOSED:
        reopen(runtime, ticket, actor, now, excerpt(message.body))
        return ReplyOutcome.REOPENED
    if ticket.status == TicketStatus.SOLUTION_PROPOSED:
        return _answer_to_proposal(runtime, ticket, message, actor, now)
    return ReplyOutcome.ADDED


def reopen(runtime: Runtime, ticket: Ticket, actor: str, now: datetime, text: str) -> None:
    """Back to investigating under a new promise (:func:`reopen_ticket`); the customer
    is told the new committed answer time."""
    reopen_ticket(runtime, ticket, actor, now, "the customer wrote to a closed ticket")
    send_to_customer(
        runtime, ticket, ReopenedMail(text=text), now=now, auto_submitted="auto-replied"
    )


def desk_reopen(runtime: Runtime, ticket: Ticket, actor: str, now: datetime, reason: str) -> None:
    """The desk reopens a closed, follow-up or invalid ticket (``#reopen``, ``tickets
    reopen``) and tells the customer why and the new committed answer time; an open one
    is refused (:class:`~complaintd.workflow.status.NotOpen`)."""
    require_open(ticket, "only a closed ticket can be reopened", open_=False)
    reason = " ".join(reason.split())
    reopen_ticket(runtime, ticket, actor, now, reason or DESK_REOPENED)
    content = DeskReopenedMail(reason=reason)
    send_to_customer(runtime, ticket, content, now=now, actor=actor, auto_submitted=None)


def _answer_to_proposal(
    runtime: Runtime, ticket: Ticket, message: Message, actor: str, now: datetime
) -> ReplyOutcome:
    """Agreement: implementing.  A clear refusal: investigating, the objection recorded.
    Anything else (a question, a condition, a hedge, nothing): the ticket stays."""
    answer = read_answer(without_desk_lines(ticket, message), message.subject)
    if answer.verdict is Verdict.UNCLEAR:
        record_event(
            now,
            actor,
            EventAction.PROPOSAL_ANSWER_UNCLEAR,
            ticket=ticket,
            message_id=message.message_id,
            why=answer.why,
            phrase=answer.phrase,
            text=excerpt(answer.text),
        )
        return ReplyOutcome.UNCLEAR
    if answer.verdict is Verdict.AGREE:
        transition(
            ticket,
            TicketStatus.IMPLEMENTING,
            actor,
            now,
            reason=f"customer agreed ('{answer.phrase}')",
        )
        agreed = AgreedMail(text=last_proposal(ticket))
        send_to_customer(runtime, ticket, agreed, now=now, auto_submitted="auto-replied")
        return ReplyOutcome.AGREED
    objection = excerpt(answer.text or answer.phrase)
    transition(
        ticket,
        TicketStatus.INVESTIGATING,
        actor,
        now,
        reason=f"customer disagreed ('{answer.phrase}')",
    )
    record_event(now, actor, EventAction.OBJECTION, ticket=ticket, text=objection)
    send_to_customer(
        runtime, ticket, ObjectionMail(text=objection), now=now, auto_submitted="auto-replied"
    )
    return ReplyOutcome.DISAGREED


def excerpt(text: str, limit: int = 2000) -> str:
    """The customer's words, trimmed for quoting back."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def last_proposal(ticket: Ticket) -> str:
    """The text of the latest solution proposed on ``ticket``."""
    event = (
        Event.select()
        .where((Event.ticket == ticket) & (Event.action == EventAction.SOLUTION_PROPOSED))
        .order_by(Event.at.desc(), Event.id.desc())
        .first()
    )
    return str(event.detail.get("text", "")) if event else ""


# --- the desk acts (CLI, or agents by email) -------------------------------------------


def desk_reply(runtime: Runtime, ticket: Ticket, text: str, actor: str, now: datetime) -> None:
    """Send the desk's text to the customer; a received ticket is now being investigated."""
    if ticket.status == TicketStatus.RECEIVED:
        transition(ticket, TicketStatus.INVESTIGATING, actor, now, reason="the desk answered")
    send_to_customer(
        runtime, ticket, ReplyMail(text=text), now=now, actor=actor, auto_submitted=None
    )


def propose_solution(
    runtime: Runtime, ticket: Ticket, text: str, actor: str, now: datetime
) -> None:
    """Propose a solution and ask the customer to agree, with one-click answer links."""
    transition(ticket, TicketStatus.SOLUTION_PROPOSED, actor, now)
    record_event(now, actor, EventAction.SOLUTION_PROPOSED, ticket=ticket, text=text)
    address = customer_reply_address(runtime, ticket)
    solution = SolutionMail(
        text=text,
        agree_mailto=answer_mailto(address, ticket.number, agree=True),
        disagree_mailto=answer_mailto(address, ticket.number, agree=False),
    )
    send_to_customer(runtime, ticket, solution, now=now, actor=actor, auto_submitted=None)


def answer_mailto(address: str, number: str, *, agree: bool) -> str:
    """A ``mailto:`` URL (RFC 6068) pre-filling the verdict in subject and body."""
    verdict = "同意 / Agree" if agree else "不同意 / Disagree"
    body = "同意 / I agree." if agree else "不同意 / I do not agree. 原因 / Reason: "
    return f"mailto:{address}?subject={quote(f'[{number}] {verdict}')}&body={quote(body)}"


def close_ticket(
    runtime: Runtime, ticket: Ticket, resolution: str, actor: str, now: datetime
) -> None:
    """The desk closes: the resolution goes out, the survey follows (status follow_up)."""
    transition(ticket, TicketStatus.FOLLOW_UP, actor, now, resolution=resolution)
    start_follow_up(runtime.config.schedule, ticket, now)
    cancel_open_sheets(runtime, ticket, TicketStatus.CLOSED, resolution, actor, now)
    send_to_customer(
        runtime, ticket, ResolutionMail(text=resolution), now=now, actor=actor, auto_submitted=None
    )


def invalidate(runtime: Runtime, ticket: Ticket, reason: str, actor: str, now: datetime) -> None:
    """Not a valid complaint: status invalid and a polite explanation to the customer."""
    transition(ticket, TicketStatus.INVALID, actor, now, reason=reason)
    cancel_open_sheets(runtime, ticket, TicketStatus.INVALID, reason, actor, now)
    send_to_customer(
        runtime, ticket, InvalidMail(reason=reason), now=now, actor=actor, auto_submitted=None
    )
