"""Composing and queueing the desk's mail: template contexts, threading, the outbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from complaintd.config.model import DeskConfig
from complaintd.outbox.compose import address_domain, new_message_id
from complaintd.outbox.queue import QueuedMail, enqueue
from complaintd.outbox.recipe import FileRef, MailRecipe
from complaintd.render.contexts import CustomerContext, InternalContext, MailContent, Time
from complaintd.render.labels import resolve_language
from complaintd.render.templates import template_values
from complaintd.render.times import LocalTime
from complaintd.runtime import Runtime
from complaintd.staff_replies import known_line_key, known_lines_of
from complaintd.store.mail_kind import MailKind
from complaintd.store.message_kind import FROM_CUSTOMER, Direction, MessageKind
from complaintd.store.models import Message, Ticket
from complaintd.store.queries import first_complaint, incoming_files, thread_message_ids
from complaintd.thread.tokens import make_token, reply_address, subject_tag


def format_local(at: datetime | None, runtime: Runtime) -> Time:
    """``at`` in the desk's time zone, for a template; ``"-"`` when there is no time.

    The renderer writes it in the mail's language: ``2026年11月20日 10:00（北京时间）``,
    ``20 November 2026, 10:00 (Beijing time)`` (see :mod:`complaintd.render.times`).
    """
    if at is None:
        return "-"
    return LocalTime(at.astimezone(runtime.config.desk.timezone))


def desk_name(desk: DeskConfig, language: str) -> str:
    """The desk's name in mail written in ``language``: ``name_en`` in English, if set."""
    if desk.name_en and resolve_language(language) == "en":
        return desk.name_en
    return desk.name


def template_context(runtime: Runtime, ticket: Ticket) -> CustomerContext:
    """What every customer template gets (the contract: :mod:`complaintd.render.contexts`)."""
    desk = runtime.config.desk
    return {
        "language": ticket.language,
        "desk": {"name": desk_name(desk, ticket.language), "address": desk.address},
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "category": ticket.category,
            "severity": ticket.severity,
            "status": ticket.status,
            "waybills": ticket.waybills,
            "order_numbers": ticket.order_numbers,
            "attachments": [name for name, _, _ in incoming_files(ticket)],
            "customer_name": ticket.customer_name,
            "created_at": format_local(ticket.created_at, runtime),
            "due_at": format_local(ticket.due_at, runtime),
        },
        "reply_by_fax": False,
    }


def customer_thread(ticket: Ticket) -> tuple[str | None, list[str]]:
    """The customer's latest mail (the parent) and the customer-visible thread.

    Only their own mails and the desk's mails to them: internal Message-IDs (contact
    sheets, agent notices) never reach a customer, whose reply would carry them back
    (issue 9, defect 1).
    """
    customer = ticket.customer_email
    mails = thread_message_ids(ticket.id)
    theirs = [
        m.message_id for m in mails if m.direction == Direction.IN and m.kind in FROM_CUSTOMER
    ]
    visible = [
        m.message_id
        for m in mails
        if m.message_id in theirs or (m.direction == Direction.OUT and customer in m.to)
    ]
    parent = theirs[-1] if theirs else (visible[-1] if visible else None)
    return _parent_and_references(visible, parent)


def staff_thread(ticket: Ticket, staff: Sequence[str]) -> tuple[str | None, list[str]]:
    """The latest mail to or from ``staff`` about ``ticket`` and their whole thread."""
    wanted = set(staff)
    visible = [
        mail.message_id
        for mail in thread_message_ids(ticket.id)
        if (mail.direction == Direction.OUT and wanted & set(mail.to))
        or (mail.direction == Direction.IN and mail.kind == MessageKind.AGENT_REPLY)
    ]
    return _parent_and_references(visible, visible[-1] if visible else None)


def _parent_and_references(ids: list[str], parent: str | None) -> tuple[str | None, list[str]]:
    """``parent`` and the other ids (the composer appends the parent to References)."""
    return parent, [message_id for message_id in ids if message_id != parent]


def scoped_reply_address(runtime: Runtime, ticket: Ticket, scope: str) -> str:
    """The Reply-To for mail about ``ticket`` in ``scope``: the plus-address with its
    token, or the plain desk address where the mail host has no sub-addresses."""
    desk = runtime.config.desk
    if not desk.plus_addressing:
        return desk.address
    return reply_address(desk.address, make_token(desk.token_secret, ticket.number, scope))


def scoped_subject(runtime: Runtime, ticket: Ticket, subject: str, scope: str) -> str:
    """``subject`` with its ``[NUMBER]`` tag signed for ``scope`` (``[NUMBER/S2-...]``).

    The token survives mail hosts that drop sub-addresses (issue 9, defect 7).
    """
    tag = subject_tag(runtime.config.desk.token_secret, ticket.number, scope)
    return subject.replace(f"[{ticket.number}]", f"[{tag}]", 1)


# Desk mail that quotes what staff wrote: its lines are theirs, not the desk's.
_ECHOES_STAFF = (MailKind.AGENT_REFUSED, MailKind.REJECTED_ATTEMPT, MailKind.REJECTED_ANSWER)


def desk_lines(ticket: Ticket, answered: Message) -> frozenset[str]:
    """The lines of the desk's mail that ``answered`` replies to, as comparison keys.

    A reply pasted over the desk's mail without quote markers still holds them; they
    are the desk's words, never the sender's (issue 10, item 3).  Without In-Reply-To or
    References to our mail, every mail the desk sent about ``ticket`` counts, except
    those quoting staff themselves.
    """
    referenced = [*answered.in_reply_to, *answered.references]
    ours = Message.select(Message.full_text).where(
        (Message.ticket == ticket) & (Message.direction == Direction.OUT)
    )
    texts = [row.full_text for row in ours.where(Message.message_id.in_(referenced))]
    if not texts:
        texts = [row.full_text for row in ours.where(Message.kind.not_in(_ECHOES_STAFF))]
    return known_lines_of(texts)


def without_desk_lines(ticket: Ticket, message: Message) -> str:
    """``message``'s own text, without the lines of the desk's mail it answers."""
    known = desk_lines(ticket, message)
    lines = message.body.split("\n")
    return "\n".join(line for line in lines if known_line_key(line) not in known)


def queue_mail(
    runtime: Runtime,
    ticket: Ticket | None,
    content: MailContent,
    *,
    to: Sequence[str],
    language: str,
    context: CustomerContext | InternalContext,
    reply_to: str | None,
    thread: tuple[str | None, list[str]],
    now: datetime,
    actor: str = "system",
    auto_submitted: str | None = "auto-generated",
    attachments: Sequence[FileRef] = (),
    contact_sheet_id: int | None = None,
    subject_scope: str | None = None,
    as_fax: bool = False,
) -> QueuedMail:
    """Put mail ``content`` with ``context`` in the outbox, in the caller's transaction.

    Its headers are fixed now - Message-ID, recipients, Date, the subject (rendered and,
    with ``subject_scope``, its ticket tag signed for that token scope) and threading -
    and its bodies are rendered by the sender from the values as they are now
    (:mod:`complaintd.outbox.recipe`).  The desk is named in the mail's language, and
    the ``Date:`` header is in the desk's time zone (what the customer's client shows
    when it has no zone of its own).  ``as_fax`` adds the text as a one-page PDF, which
    the fax gateway sends.
    """
    name = desk_name(runtime.config.desk, language)
    language = resolve_language(language)
    values = template_values(
        {**context, "desk": {**context["desk"], "name": name}, **content.values()}, language
    )
    subject = runtime.templates.render_subject(content.kind, language, values)
    if ticket is not None and subject_scope is not None:
        subject = scoped_subject(runtime, ticket, subject, subject_scope)
    parent, references = thread
    smtp = runtime.config.smtp
    recipe = MailRecipe(
        kind=content.kind,
        language=language,
        values=values,
        from_address=smtp.from_address,
        from_name=name,
        to=tuple(to),
        subject=subject,
        message_id=new_message_id(address_domain(smtp.from_address)),
        date=now.astimezone(runtime.config.desk.timezone),
        in_reply_to=parent,
        references=tuple(references) + ((parent,) if parent else ()),
        reply_to=reply_to,
        auto_submitted=auto_submitted,
        files=tuple(attachments),
        fax_pdf=f"{ticket.number if ticket else content.kind}.pdf" if as_fax else None,
        complaint_from=quoted_complaint(ticket, values),
    )
    deadline = timedelta(hours=smtp.retry_deadline_hours)
    return enqueue(
        recipe,
        ticket=ticket,
        envelope_from=smtp.from_address,
        at=now,
        deadline=deadline,
        actor=actor,
        contact_sheet_id=contact_sheet_id,
    )


def quoted_complaint(ticket: Ticket | None, values: Mapping[str, Any]) -> int | None:
    """The message ``values`` quote in full as the ticket's complaint (staff mail), so
    the recipe refers to it instead of holding the text; None when they quote none or
    another text."""
    case = values.get("ticket")
    quoted = case.get("complaint_text") if isinstance(case, Mapping) else None
    if ticket is None or not quoted:
        return None
    message_id, text = first_complaint(ticket)
    return message_id if quoted == text else None


def complaint_files(ticket: Ticket) -> list[FileRef]:
    """The files the customer sent with the ticket, oldest first (by stored blob)."""
    return [FileRef(name, kind, blob) for name, kind, blob in incoming_files(ticket) if blob]
