"""Putting mail into the outbox, inside the transaction of the change that caused it."""

from __future__ import annotations

from datetime import datetime, timedelta

from complaintd.outbox.compose import OutgoingMail, build_message
from complaintd.store.event_action import EventAction
from complaintd.store.message_kind import Direction
from complaintd.store.models import Message, Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.prepared import create, insert_row
from complaintd.store.records import record_event


def enqueue(
    mail: OutgoingMail,
    *,
    ticket: Ticket | None,
    envelope_from: str,
    at: datetime,
    deadline: timedelta,
    actor: str = "system",
    contact_sheet_id: int | None = None,
) -> Outbox:
    """Store ``mail`` as a conversation message and an outbox row; Message-ID fixed now.

    ``contact_sheet_id`` marks the message as mail about that contact sheet.
    """
    message = None
    if ticket is not None:  # written as a row only: building an instance costs more
        message = insert_row(
            Message,
            {
                "ticket": ticket,
                "direction": Direction.OUT,
                "kind": mail.kind,
                "from_addr": mail.from_address,
                "from_name": mail.from_name,
                "to_addrs": list(mail.to),
                "subject": mail.subject,
                "body": mail.text,
                "full_text": mail.text,
                "html": mail.html,
                "charset": "utf-8",
                "message_id": mail.message_id,
                "in_reply_to": [mail.in_reply_to] if mail.in_reply_to else [],
                "references": list(mail.references),
                "created_at": at,
                "contact_sheet_id": contact_sheet_id,
            },
        )
    row = create(
        Outbox,
        ticket=ticket,
        ticket_message=message,
        kind=mail.kind,
        message_id=mail.message_id,
        mail_from=envelope_from,
        rcpt_to=list(mail.to),
        raw_message=build_message(mail),
        status=OutboxStatus.PENDING,
        next_attempt_at=at,
        deadline_at=at + deadline,
        created_at=at,
    )
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
