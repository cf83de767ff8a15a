"""The lookups intake makes for every message, as plain SQL.

Each runs once or twice per inbound message, so a peewee query's ~0.2 ms of Python
would cost more than the indexed lookup itself (measured with ``make bench``).  They
return plain values, never model instances, and take aware datetimes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from complaintd.store.models import InboundMessage, Message, Ticket
from complaintd.store.prepared import execute

_AT = Ticket.created_at.db_value  # aware datetime -> the stored naive-UTC form


@dataclass(frozen=True)
class KnownMessage:
    """An incoming message already in the ledger (found by its Message-ID)."""

    id: int
    ticket_id: int
    inbound_id: int | None


@dataclass(frozen=True)
class ThreadMail:
    """One mail of a ticket's conversation, as threading sees it."""

    message_id: str
    kind: str
    direction: str  # in | out
    to: tuple[str, ...]


def incoming_message(message_id: str) -> KnownMessage | None:
    """The first incoming message with ``message_id``, if any."""
    row = execute(
        Message,
        "SELECT id, ticket_id, inbound_id FROM message"
        " WHERE message_id = ? AND direction = 'in' ORDER BY id LIMIT 1",
        (message_id,),
    ).fetchone()
    return KnownMessage(*row) if row else None


@dataclass(frozen=True)
class CustomerHistory:
    """What the desk did for a customer lately (before their new complaint is stored)."""

    latest_ticket: str | None  # their latest ticket since the repeat window began
    acknowledged_ticket: str | None  # a ticket of theirs acknowledged since the ack window


def customer_history(
    customer_email: str, repeat_since: datetime, ack_since: datetime
) -> CustomerHistory:
    """The customer's latest recent ticket and a recently acknowledged one, in one query.

    Acknowledgements go out when a ticket is created, so only the customer's tickets of
    the ack window (indexed by address and time) are joined to their messages; no ORDER
    BY there, which would make SQLite walk the window's messages by their time index.
    """
    row = execute(
        Ticket,
        "SELECT (SELECT number FROM ticket WHERE customer_email = ? AND created_at >= ?"
        " ORDER BY created_at DESC LIMIT 1),"
        " (SELECT t.number FROM ticket AS t JOIN message AS m ON m.ticket_id = t.id"
        " WHERE t.customer_email = ? AND t.created_at >= ? AND m.kind = 'ack'"
        " AND m.created_at >= ? LIMIT 1)",
        (customer_email, _AT(repeat_since), customer_email, _AT(ack_since), _AT(ack_since)),
    ).fetchone()
    return CustomerHistory(row[0], row[1])


def ticket_of_message_ids(message_ids: list[str]) -> int | None:
    """The ticket of the first of ``message_ids`` that is one of its messages, in or out.

    The desk's own mail is looked up in the outbox too: a reply may quote only our
    Message-ID.  A message of the conversation wins over an outbox row for the same id.
    """
    if not message_ids:
        return None
    marks = ", ".join("?" * len(message_ids))
    cursor = execute(
        Message,
        f"SELECT message_id, ticket_id, 0 FROM message WHERE message_id IN ({marks})"
        " UNION ALL"
        f" SELECT message_id, ticket_id, 1 FROM outbox WHERE message_id IN ({marks})"
        " AND ticket_id IS NOT NULL",
        (*message_ids, *message_ids),
    )
    found: dict[str, int] = {}
    for message_id, ticket_id, _ in sorted(cursor.fetchall(), key=lambda row: row[2]):
        found.setdefault(message_id, ticket_id)
    return next((found[i] for i in message_ids if i in found), None)


def thread_message_ids(ticket_id: int) -> list[ThreadMail]:
    """Every message of the ticket that has a Message-ID, oldest first."""
    cursor = execute(
        Message,
        "SELECT message_id, kind, direction, to_addrs FROM message"
        " WHERE ticket_id = ? AND message_id IS NOT NULL ORDER BY created_at, id",
        (ticket_id,),
    )
    return [
        ThreadMail(message_id, kind, direction, tuple(json.loads(to_addrs or "[]")))
        for message_id, kind, direction, to_addrs in cursor.fetchall()
    ]


def incoming_file_names(ticket_id: int) -> list[str]:
    """The names of the files the ticket's incoming mail carried, in arrival order."""
    cursor = execute(
        Message,
        "SELECT a.filename FROM attachment AS a JOIN message AS m ON a.message_id = m.id"
        " WHERE m.ticket_id = ? AND m.direction = 'in' ORDER BY a.id",
        (ticket_id,),
    )
    return [filename for (filename,) in cursor.fetchall()]


def mark_inbound_done(inbound_id: int, status: str, ticket_id: int | None, at: datetime) -> None:
    """Finish an inbound row: its outcome, the ticket it went to, one more attempt.

    Only these columns: rewriting the row would rewrite its raw bytes too.
    """
    execute(
        InboundMessage,
        "UPDATE inbound_message SET status = ?, processed_at = ?, attempts = attempts + 1,"
        " error = NULL, ticket_id = ? WHERE id = ?",
        (status, _AT(at), ticket_id, inbound_id),
    )
