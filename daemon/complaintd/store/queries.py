"""The lookups intake makes for every message, as plain SQL.

Each runs once or twice per inbound message, so a peewee query's ~0.2 ms of Python
would cost more than the indexed lookup itself (measured with ``make bench``).  They
return plain values, never model instances, and take aware datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from complaintd.store.inbound_status import InboundStatus
from complaintd.store.mail_kind import MailKind
from complaintd.store.message_kind import Direction, MessageKind
from complaintd.store.models import Blob, ContactSheet, InboundMessage, Message, Ticket
from complaintd.store.prepared import execute
from complaintd.store.sheet_status import OPEN_SHEET_STATUSES
from complaintd.store.timed import CustomerRisk

_AT = Ticket.created_at.db_value  # aware datetime -> the stored naive-UTC form
_ADDRESS = Ticket.customer_email.db_value  # an address -> the stored key


@dataclass(frozen=True)
class KnownMessage:
    """An incoming message already in the ledger under the Message-ID of a new one."""

    id: int
    ticket_id: int
    ticket_number: str
    inbound_id: int | None
    sha256: str | None  # of the raw message it came in
    mailbox: str | None
    uid: int | None
    same_text: bool  # same sender, subject and full text as the new message


@dataclass(frozen=True)
class ThreadMail:
    """One mail of a ticket's conversation, as threading sees it."""

    message_id: str
    kind: str
    direction: str  # in | out
    to: tuple[str, ...]


_KEY = Message.message_id.db_value  # a Message-ID -> the stored key (NUL-free, bounded)
_TEXT = Message.full_text.db_value  # text from mail -> as stored (NUL-free)
MAX_SAME_ID = 50  # earlier messages compared with a new one under one Message-ID


def incoming_messages(
    message_id: str, from_addr: str | None, subject: str, full_text: str
) -> list[KnownMessage]:
    """The incoming messages stored under ``message_id``, oldest first.

    Each says whether it has the new message's sender, subject and text (compared in
    the database: the texts are not read).  At most :data:`MAX_SAME_ID`: a sender who
    reuses one Message-ID for hundreds of mails gets the rest treated as new mail.
    """
    cursor = execute(
        Message,
        "SELECT m.id, m.ticket_id, t.number, m.inbound_id, i.sha256, i.mailbox, i.uid,"
        " CASE WHEN COALESCE(m.from_addr, '') = ? AND m.subject = ? AND m.full_text = ?"
        " THEN 1 ELSE 0 END"
        " FROM message AS m JOIN ticket AS t ON t.id = m.ticket_id"
        " LEFT JOIN inbound_message AS i ON i.id = m.inbound_id"
        f" WHERE m.message_id = ? AND m.direction = '{Direction.IN}' ORDER BY m.id LIMIT ?",
        (_TEXT(from_addr or ""), _TEXT(subject), _TEXT(full_text), _KEY(message_id), MAX_SAME_ID),
    )
    return [
        KnownMessage(message, ticket, number, inbound, sha256, mailbox, uid, bool(same))
        for message, ticket, number, inbound, sha256, mailbox, uid, same in cursor.fetchall()
    ]


@dataclass(frozen=True)
class RecentComplaints:
    """A customer's new complaints of the last minutes: how many, and where the last went."""

    count: int
    latest_ticket_id: int | None


@dataclass(frozen=True)
class CustomerHistory:
    """What the desk did for a customer lately (before their new complaint is stored)."""

    latest_ticket: str | None  # their latest ticket since the repeat window began
    acknowledged_ticket: str | None  # a ticket of theirs acknowledged since the ack window
    at_risk: bool = False  # their at-risk flag is set (jobs.at_risk); a complaint clears it
    recent: RecentComplaints = RecentComplaints(0, None)  # of the span asked for, if any


# A customer's complaint mails (tickets and flood mail) that arrived in a span.  Arrival
# is the server's time (``inbound_message.received_at``), else the time the mail was
# stored: a backlog drained at once keeps its spread.  Only tickets touched since the
# span began are joined (by the address index), so old tickets cost nothing.
_RECENT_COMPLAINTS = (
    " FROM message AS m JOIN ticket AS t ON t.id = m.ticket_id"
    " LEFT JOIN inbound_message AS i ON i.id = m.inbound_id"
    f" WHERE t.customer_email = ? AND t.updated_at >= ? AND m.direction = '{Direction.IN}'"
    f" AND m.kind = '{MessageKind.COMPLAINT}'"
    " AND COALESCE(i.received_at, m.created_at) BETWEEN ? AND ?"
)


def customer_history(
    customer_email: str,
    repeat_since: datetime,
    ack_since: datetime,
    recent: tuple[datetime, datetime] | None = None,
) -> CustomerHistory:
    """The customer's latest recent ticket, a recently acknowledged one and whether they
    are flagged at risk, in one query (a new complaint clears the flag only when it is
    set: no UPDATE per ticket).  ``recent`` (since, until) also counts their complaints
    of that span as :func:`recent_complaints` does, in the same query.

    Acknowledgements go out when a ticket is created, so only the customer's tickets of
    the ack window (indexed by address and time) are joined to their messages; no ORDER
    BY there, which would make SQLite walk the window's messages by their time index.
    """
    email = _ADDRESS(customer_email)
    span: tuple[object, ...] = ()
    sql = ""
    if recent is not None:
        span = (email, _AT(recent[0]), _AT(recent[0]), _AT(recent[1]))
        sql = (
            f", (SELECT COUNT(*){_RECENT_COMPLAINTS}),"
            f" (SELECT m.ticket_id{_RECENT_COMPLAINTS} ORDER BY m.id DESC LIMIT 1)"
        )
    row = execute(
        Ticket,
        "SELECT (SELECT number FROM ticket WHERE customer_email = ? AND created_at >= ?"
        " ORDER BY created_at DESC LIMIT 1),"
        " (SELECT t.number FROM ticket AS t JOIN message AS m ON m.ticket_id = t.id"
        f" WHERE t.customer_email = ? AND t.created_at >= ? AND m.kind = '{MailKind.ACK}'"
        " AND m.created_at >= ? LIMIT 1),"
        " EXISTS (SELECT 1 FROM customer_risk WHERE email = ? AND cleared_at IS NULL)" + sql,
        (email, _AT(repeat_since), email, _AT(ack_since), _AT(ack_since), email, *span, *span),
    ).fetchone()
    counted = RecentComplaints(row[3], row[4]) if recent is not None else RecentComplaints(0, None)
    return CustomerHistory(row[0], row[1], bool(row[2]), counted)


def ticket_of_message_ids(message_ids: list[str]) -> int | None:
    """The ticket of the first of ``message_ids`` that is one of its messages, in or out.

    The desk's own mail is looked up in the outbox too: a reply may quote only our
    Message-ID.  A message of the conversation wins over an outbox row for the same id.
    """
    if not message_ids:
        return None
    keys = [_KEY(message_id) for message_id in message_ids]
    marks = ", ".join("?" * len(keys))
    cursor = execute(
        Message,
        f"SELECT message_id, ticket_id, 0 FROM message WHERE message_id IN ({marks})"
        " UNION ALL"
        f" SELECT message_id, ticket_id, 1 FROM outbox WHERE message_id IN ({marks})"
        " AND ticket_id IS NOT NULL",
        (*keys, *keys),
    )
    found: dict[str, int] = {}
    for key, ticket_id, _ in sorted(cursor.fetchall(), key=lambda row: row[2]):
        found.setdefault(key, ticket_id)
    return next((found[key] for key in keys if key in found), None)


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


def incoming_files(ticket: Ticket) -> list[tuple[str, str, str | None]]:
    """The files the ticket's incoming mail carried, in arrival order: (name, type, blob
    hash; None for a file over the size limit, whose content was not kept).

    Read once per loaded ticket (:func:`_remembered`): its acknowledgement, sheets, agent
    notice and alert all list them.
    """

    def read() -> list[tuple[str, str, str | None]]:
        cursor = execute(
            Message,
            "SELECT a.filename, a.content_type, a.blob_id FROM attachment AS a"
            " JOIN message AS m ON a.message_id = m.id"
            f" WHERE m.ticket_id = ? AND m.direction = '{Direction.IN}' ORDER BY a.id",
            (ticket.id,),
        )
        return [(name, kind, blob and str(blob)) for name, kind, blob in cursor.fetchall()]

    return _remembered(ticket, "files", read)


def first_complaint_text(ticket: Ticket) -> str:
    """The full text of the ticket's first complaint message ("" when it has none)."""
    return first_complaint(ticket)[1]


def first_complaint(ticket: Ticket) -> tuple[int | None, str]:
    """The id and full text of the ticket's first complaint message ((None, "") when
    it has none).

    Read once per loaded ticket (:func:`_remembered`): every internal mail quotes it.
    """

    def read() -> tuple[int | None, str]:
        row = execute(
            Message,
            "SELECT id, full_text FROM message"
            f" WHERE ticket_id = ? AND kind = '{MessageKind.COMPLAINT}' ORDER BY id LIMIT 1",
            (ticket.id,),
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else (None, "")

    return _remembered(ticket, "complaint", read)


def message_full_text(message_id: int) -> str:
    """The full text of message row ``message_id``; :class:`KeyError` when there is none."""
    row = execute(Message, "SELECT full_text FROM message WHERE id = ?", (message_id,)).fetchone()
    if row is None:
        raise KeyError(f"message {message_id} is not in the ledger")
    return str(row[0])


def forget_incoming(ticket: Ticket) -> None:
    """``ticket`` has another incoming message: read what :func:`_remembered` kept of
    its incoming mail again when asked."""
    ticket.__dict__.pop(_REMEMBERED, None)


_REMEMBERED = "_remembered_reads"  # where a loaded ticket keeps what was read of it
_T = TypeVar("_T")


def _remembered(ticket: Ticket, key: str, read: Callable[[], _T]) -> _T:
    """``read()`` once per loaded ``ticket``: a new ticket's mails all need the same
    facts of its incoming mail, which change only when another message is stored
    (:func:`forget_incoming`, called by ``store_inbound_message``)."""
    kept: dict[str, Any] = ticket.__dict__.setdefault(_REMEMBERED, {})
    if key not in kept:
        kept[key] = read()
    return cast(_T, kept[key])


def blob_data(hashes: Sequence[str]) -> dict[str, bytes]:
    """The stored files of ``hashes`` (``blob.sha256``), by hash."""
    unique = list(dict.fromkeys(hashes))
    marks = ", ".join("?" * len(unique))
    cursor = execute(Blob, f"SELECT sha256, data FROM blob WHERE sha256 IN ({marks})", unique)
    return {str(sha): bytes(data) for sha, data in cursor.fetchall()}


def mark_inbound_done(
    inbound_id: int, status: InboundStatus, ticket_id: int | None, at: datetime, holder: str
) -> bool:
    """Finish an inbound row ``holder`` still holds: its outcome, the ticket it went to,
    one more attempt; False when another instance holds it now (its lease ran out).

    Only these columns: rewriting the row would rewrite its raw bytes too.
    """
    cursor = execute(
        InboundMessage,
        "UPDATE inbound_message SET status = ?, processed_at = ?, attempts = attempts + 1,"
        " error = NULL, ticket_id = ?, claimed_by = NULL, lease_until = NULL"
        " WHERE id = ? AND status = ? AND (claimed_by = ? OR claimed_by IS NULL)",
        (status, _AT(at), ticket_id, inbound_id, InboundStatus.PENDING, holder),
    )
    return bool(cursor.rowcount)


def clear_customer_risk(customer_email: str, at: datetime, by: str) -> int:
    """Clear the customer's at-risk flag if it is set; return how many flags (0 or 1)."""
    cursor = execute(
        CustomerRisk,
        "UPDATE customer_risk SET cleared_at = ?, cleared_by = ?"
        " WHERE email = ? AND cleared_at IS NULL",
        (_AT(at), by, CustomerRisk.email.db_value(customer_email)),
    )
    return int(cursor.rowcount)


def has_open_sheet(ticket_id: int, department: str) -> bool:
    """Whether the department still has a sheet of the ticket waiting for its answer."""
    marks = ", ".join("?" * len(OPEN_SHEET_STATUSES))
    row = execute(
        ContactSheet,
        "SELECT 1 FROM contact_sheet WHERE ticket_id = ? AND department = ?"
        f" AND status IN ({marks}) LIMIT 1",
        (ticket_id, department, *OPEN_SHEET_STATUSES),
    ).fetchone()
    return row is not None
