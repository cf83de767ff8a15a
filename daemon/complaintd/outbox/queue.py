"""Putting mail into the outbox, inside the transaction of the change that caused it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from complaintd.outbox.compose import OutgoingMail, build_message
from complaintd.outbox.recipe import MailRecipe, dump_recipe
from complaintd.store.event_action import EventAction
from complaintd.store.mail_kind import MailKind, ReportKind
from complaintd.store.message_kind import Direction
from complaintd.store.models import Message, Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.prepared import insert_row
from complaintd.store.records import record_event


@dataclass(frozen=True)
class QueuedMail:
    """An outbox row just written: what its callers note of it (no model instance: a
    busy desk queues three mails a complaint, and building one costs more than the row)."""

    id: int
    message_id: str


def enqueue(
    mail: OutgoingMail | MailRecipe,
    *,
    ticket: Ticket | None,
    envelope_from: str,
    at: datetime,
    deadline: timedelta,
    actor: str = "system",
    contact_sheet_id: int | None = None,
) -> QueuedMail:
    """Store ``mail`` as a conversation message and an outbox row; its headers are
    fixed now.

    A :class:`MailRecipe` is composed by the sender (:mod:`complaintd.outbox.recipe`):
    the message's text and HTML are empty until the sender has written them.  An
    :class:`OutgoingMail` (the admins' reports) is stored composed.
    ``contact_sheet_id`` marks the message as mail about that contact sheet.
    """
    if isinstance(mail, MailRecipe):
        bodies: tuple[str, str | None] = ("", None)
        content: tuple[bytes, str | None] = (b"", dump_recipe(mail))
    else:
        bodies, content = (mail.text, mail.html), (build_message(mail), None)
    message = _conversation_row(
        ticket,
        mail.kind,
        (mail.from_address, mail.from_name),
        list(mail.to),
        mail.subject,
        bodies,
        (mail.message_id, mail.in_reply_to, mail.references),
        at,
        contact_sheet_id,
    )
    return _outbox_row(ticket, message, mail, envelope_from, content, at, deadline, actor)


def _conversation_row(
    ticket: Ticket | None,
    kind: MailKind | ReportKind,
    sender: tuple[str, str],
    to: list[str],
    subject: str,
    bodies: tuple[str, str | None],
    threading: tuple[str, str | None, tuple[str, ...]],
    at: datetime,
    contact_sheet_id: int | None,
) -> int | None:
    """The ticket's record of mail it sends (none for mail about no ticket)."""
    if ticket is None:
        return None
    message_id, parent, references = threading
    return insert_row(  # written as a row only: building an instance costs more
        Message,
        {
            "ticket": ticket,
            "direction": Direction.OUT,
            "kind": kind,
            "from_addr": sender[0],
            "from_name": sender[1],
            "to_addrs": to,
            "subject": subject,
            "body": bodies[0],
            "full_text": bodies[0],
            "html": bodies[1],
            "charset": "utf-8",
            "message_id": message_id,
            "in_reply_to": [parent] if parent else [],
            "references": list(references),
            "created_at": at,
            "contact_sheet_id": contact_sheet_id,
        },
    )


def _outbox_row(
    ticket: Ticket | None,
    message: int | None,
    mail: OutgoingMail | MailRecipe,
    envelope_from: str,
    content: tuple[bytes, str | None],
    at: datetime,
    deadline: timedelta,
    actor: str,
) -> QueuedMail:
    """The outbox row of ``mail`` (raw bytes, or a recipe) and its ``mail_queued`` event."""
    raw, recipe = content
    outbox_id = insert_row(
        Outbox,
        {
            "ticket": ticket,
            "ticket_message": message,
            "kind": mail.kind,
            "message_id": mail.message_id,
            "mail_from": envelope_from,
            "rcpt_to": list(mail.to),
            "raw_message": raw,
            "recipe": recipe,
            "status": OutboxStatus.PENDING,
            "next_attempt_at": at,
            "deadline_at": at + deadline,
            "created_at": at,
        },
    )
    assert outbox_id is not None  # a plain INSERT always makes its row
    row = QueuedMail(outbox_id, mail.message_id)
    record_event(
        at,
        actor,
        EventAction.MAIL_QUEUED,
        ticket=ticket,
        kind=mail.kind,
        to=list(mail.to),
        message_id=mail.message_id,
        outbox=row.id,
    )
    return row
