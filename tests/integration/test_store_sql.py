"""The hand-written SQL of the hot path, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import peewee
import pytest

from complaintd.store.event_action import EventAction
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.mail_kind import MailKind
from complaintd.store.message_kind import Direction, MessageKind
from complaintd.store.models import (
    Blob,
    ContactSheet,
    Event,
    InboundMessage,
    InboundRaw,
    Message,
    Outbox,
    Participant,
    Ticket,
    TicketCounter,
)
from complaintd.store.numbering import allocate_ticket_number, next_free_serial
from complaintd.store.prepared import create, execute, insert_row, insert_rows, update_row
from complaintd.store.queries import (
    CustomerHistory,
    RecentComplaints,
    ThreadMail,
    clear_customer_risk,
    customer_history,
    has_open_sheet,
    incoming_files,
    incoming_messages,
    mark_inbound_done,
    thread_message_ids,
    ticket_of_message_ids,
)
from complaintd.store.sheet_status import SheetStatus
from complaintd.store.ticket_status import TicketStatus
from complaintd.store.timed import CustomerRisk

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def new_ticket(number: str, email: str, at: datetime) -> Ticket:
    return create(
        Ticket,
        number=number,
        status=TicketStatus.RECEIVED,
        severity="normal",
        category="delay",
        source="email",
        language="en",
        subject="Late",
        customer_email=email,
        created_at=at,
        updated_at=at,
    )


def add_message(ticket: Ticket, kind: MessageKind | MailKind, at: datetime, **more: Any) -> Message:
    """A message of ``ticket``: incoming for a MessageKind, the desk's for a MailKind."""
    direction = Direction.IN if isinstance(kind, MessageKind) else Direction.OUT
    return create(Message, ticket=ticket, direction=direction, kind=kind, created_at=at, **more)


def test_create_writes_and_returns_the_same_row_with_defaults(ledger: peewee.Database) -> None:
    ticket = new_ticket("TS-202611-0001", "a@x.example", T0)
    stored = Ticket.get_by_id(ticket.id)
    fields = list(Ticket._meta.fields)
    assert [stored.__data__.get(f) for f in fields] == [ticket.__data__.get(f) for f in fields]
    assert stored.waybills == [] and stored.tags == [] and stored.attachment_count == 0
    assert not ticket.is_dirty()


def test_save_writes_only_the_changed_columns(ledger: peewee.Database) -> None:
    ticket = new_ticket("TS-202611-0001", "a@x.example", T0)
    execute(Ticket, "UPDATE ticket SET subject = ? WHERE id = ?", ("changed elsewhere", ticket.id))
    ticket.status, ticket.tags = TicketStatus.INVESTIGATING, ["emergency"]
    assert ticket.save() == 1
    stored = Ticket.get_by_id(ticket.id)
    assert (stored.status, stored.tags, stored.subject) == (
        TicketStatus.INVESTIGATING,
        ["emergency"],
        "changed elsewhere",
    )
    assert ticket.save() is False  # nothing left to write
    assert update_row(Ticket, ticket.id + 1, {"status": TicketStatus.CLOSED}) == 0  # no such row


def test_ignored_conflicts_insert_nothing(ledger: peewee.Database) -> None:
    ticket = new_ticket("TS-202611-0001", "a@x.example", T0)
    row = {"ticket": ticket, "email": "a@x.example", "role": "customer", "name": None}
    assert insert_row(Participant, row, ignore=True) is not None
    assert insert_row(Participant, row, ignore=True) is None
    insert_rows(Blob, [{"sha256": "ab" * 32, "size": 1, "data": b"x"}] * 3, ignore=True)
    assert Participant.select().count() == 1 and Blob.select().count() == 1
    with pytest.raises(TypeError, match="no field colour"):
        insert_row(Participant, {**row, "colour": "red"})


def test_execute_takes_question_marks_on_every_database(ledger: peewee.Database) -> None:
    insert_row(
        Event, {"at": T0, "actor": "cli", "action": EventAction.NOTE, "detail": {"text": "哈"}}
    )
    cursor = execute(Event, "SELECT actor, detail FROM event WHERE action = ?", (EventAction.NOTE,))
    assert cursor.fetchall() == [("cli", '{"text":"哈"}')]


def test_customer_history(ledger: peewee.Database) -> None:
    day, month = T0 - timedelta(days=1), T0 - timedelta(days=30)
    old = new_ticket("TS-202611-0001", "a@x.example", T0 - timedelta(days=40))
    assert customer_history("a@x.example", month, day) == CustomerHistory(None, None)
    recent = new_ticket("TS-202611-0002", "a@x.example", T0 - timedelta(hours=2))
    add_message(old, MailKind.ACK, old.created_at)
    assert customer_history("a@x.example", month, day) == CustomerHistory("TS-202611-0002", None)
    assert customer_history("b@x.example", month, day) == CustomerHistory(None, None)
    add_message(recent, MailKind.ACK, recent.created_at)
    history = customer_history("a@x.example", month, day)
    assert history == CustomerHistory("TS-202611-0002", "TS-202611-0002")
    later = T0 + timedelta(days=2)
    assert customer_history(
        "a@x.example", later - timedelta(days=30), later - timedelta(days=1)
    ) == (CustomerHistory("TS-202611-0002", None))


def test_customer_history_says_whether_the_customer_is_at_risk(ledger: peewee.Database) -> None:
    day, month = T0 - timedelta(days=1), T0 - timedelta(days=30)
    ticket = new_ticket("TS-202611-0001", "a@x.example", T0 - timedelta(hours=2))
    assert not customer_history("a@x.example", month, day).at_risk
    CustomerRisk.create(email="a@x.example", flagged_at=T0, ticket=ticket.id, tickets=[])
    assert customer_history("a@x.example", month, day).at_risk
    assert not customer_history("b@x.example", month, day).at_risk
    assert clear_customer_risk("a@x.example", T0, "test") == 1
    assert not customer_history("a@x.example", month, day).at_risk


def recent_complaints(email: str, since: datetime, until: datetime) -> RecentComplaints:
    """The complaints of the span, as intake reads them with the customer's history."""
    return customer_history(email, since, since, (since, until)).recent


def test_recent_complaints_count_tickets_and_flood_mail(ledger: peewee.Database) -> None:
    since = T0 - timedelta(minutes=10)
    long_address = "x" * 1200 + "@x.example"  # stored as its bounded key
    assert recent_complaints(long_address, since, T0) == RecentComplaints(0, None)
    old = new_ticket("TS-202611-0001", long_address, T0 - timedelta(days=1))
    add_message(old, MessageKind.COMPLAINT, old.created_at)
    first = new_ticket("TS-202611-0002", long_address, T0 - timedelta(minutes=5))
    second = new_ticket("TS-202611-0003", long_address, T0 - timedelta(minutes=4))
    for ticket, minutes in ((first, 5), (second, 4), (second, 3), (first, 2)):
        at = T0 - timedelta(minutes=minutes)
        add_message(ticket, MessageKind.COMPLAINT, at)
    add_message(second, MailKind.ACK, T0)
    assert recent_complaints(long_address, since, T0) == RecentComplaints(4, first.id)
    assert recent_complaints("b@x.example", since, T0) == RecentComplaints(0, None)


def test_recent_complaints_go_by_the_servers_arrival_time(ledger: peewee.Database) -> None:
    """A backlog stored at once keeps the spread of its arrival times."""
    ticket = new_ticket("TS-202611-0001", "a@x.example", T0)
    for uid, hours in enumerate((30, 20, 1), start=1):
        inbound = create(
            InboundMessage,
            mailbox="complaints",
            mailbox_kind="complaint",
            uidvalidity=1,
            uid=uid,
            sha256=str(uid) * 64,
            size=3,
            fetched_at=T0,
            received_at=T0 - timedelta(hours=hours),
        )
        add_message(ticket, MessageKind.COMPLAINT, T0, inbound=inbound)
    arrived = T0 - timedelta(minutes=55)
    window = recent_complaints("a@x.example", arrived - timedelta(minutes=10), arrived)
    assert window == RecentComplaints(1, ticket.id)  # only the one that arrived an hour ago
    assert recent_complaints("a@x.example", T0 - timedelta(minutes=10), T0).count == 0


def test_message_and_inbound_lookups(ledger: peewee.Database) -> None:
    ticket = new_ticket("TS-202611-0001", "a@x.example", T0)
    inbound = create(
        InboundMessage,
        mailbox="complaints",
        mailbox_kind="complaints",
        uidvalidity=1,
        uid=7,
        sha256="0" * 64,
        size=3,
        fetched_at=T0,
    )
    insert_row(InboundRaw, {"inbound": inbound, "raw_message": b"raw"})
    complaint = add_message(
        ticket, MessageKind.COMPLAINT, T0, inbound=inbound, message_id="c1@x.example"
    )
    add_message(
        ticket,
        MailKind.ACK,
        T0 + timedelta(seconds=1),
        message_id="a1@desk.example",
        to_addrs=["c@x.example"],
    )
    [known] = incoming_messages("c1@x.example", None, "", "")
    assert (known.id, known.ticket_id, known.ticket_number) == (
        complaint.id,
        ticket.id,
        ticket.number,
    )
    assert (known.inbound_id, known.sha256, known.mailbox, known.uid) == (
        inbound.id,
        "0" * 64,
        "complaints",
        7,
    )
    assert known.same_text  # no sender, empty subject and text, as stored
    [other_text] = incoming_messages("c1@x.example", "c@x.example", "Late", "Where is it?")
    assert not other_text.same_text
    assert incoming_messages("a1@desk.example", None, "", "") == []  # ours, not incoming
    assert thread_message_ids(ticket.id) == [
        ThreadMail("c1@x.example", "complaint", "in", ()),
        ThreadMail("a1@desk.example", "ack", "out", ("c@x.example",)),
    ]
    assert incoming_files(ticket) == []
    other = new_ticket("TS-202611-0002", "b@x.example", T0)
    insert_row(
        Outbox,
        {
            "ticket": other,
            "kind": MailKind.ACK,
            "message_id": "o1@desk.example",
            "mail_from": "desk@x.example",
            "rcpt_to": ["b@x.example"],
            "raw_message": b"",
            "next_attempt_at": T0,
            "deadline_at": T0,
            "created_at": T0,
        },
    )
    assert ticket_of_message_ids(["nobody@x.example", "o1@desk.example"]) == other.id
    assert ticket_of_message_ids(["a1@desk.example", "o1@desk.example"]) == ticket.id
    assert ticket_of_message_ids(["nobody@x.example"]) is None
    assert ticket_of_message_ids([]) is None
    mark_inbound_done(
        inbound.id, InboundStatus.PROCESSED, ticket.id, T0 + timedelta(minutes=1), "me"
    )
    done = InboundMessage.get_by_id(inbound.id)
    assert (done.status, done.ticket_id, done.attempts) == (InboundStatus.PROCESSED, ticket.id, 1)
    assert done.processed_at == T0 + timedelta(minutes=1)
    assert bytes(InboundRaw.get_by_id(inbound.id).raw_message) == b"raw"


def test_ticket_numbers_never_collide_with_a_restored_ledgers_tickets(
    ledger: peewee.Database,
) -> None:
    """The counter row is behind the ticket table (an older backup restored, or the
    counter lost): the next number continues after the highest ticket of the month."""
    for _ in range(3):
        new_ticket(allocate_ticket_number("TS", "202611"), "a@example.com", T0)
    new_ticket("TS-202611-0007", "a@example.com", T0)  # the counter never issued this
    new_ticket("TS-202610-0042", "a@example.com", T0)  # another month: not counted
    execute(TicketCounter, "UPDATE ticket_counter SET last_serial = 1")
    assert allocate_ticket_number("TS", "202611") == "TS-202611-0008"
    assert allocate_ticket_number("TS", "202611") == "TS-202611-0009"
    execute(TicketCounter, "DELETE FROM ticket_counter")
    new_ticket("TS-202612-0001", "a@example.com", T0)
    assert allocate_ticket_number("TS", "202612") == "TS-202612-0002"
    assert TicketCounter.get(period="202612").last_serial == 2


def test_a_counter_ahead_of_the_tickets_keeps_its_place(ledger: peewee.Database) -> None:
    """A gap left by a lost ticket is not refilled: numbers are never reused."""
    execute(TicketCounter, "INSERT INTO ticket_counter VALUES ('TS', '202611', 41)")
    assert allocate_ticket_number("TS", "202611") == "TS-202611-0042"


def test_next_free_serial_reads_only_the_months_own_numbers() -> None:
    numbers = [
        "TS-202611-0009",
        "TS-202611-12345",
        "TS-202611-x1",
        "TS-2026110-0099",
        "XTS-202611-0500",
    ]
    assert next_free_serial("TS", "202611", numbers) == 12346
    assert next_free_serial("TS", "202611", []) == 1


def test_has_open_sheet_sees_only_sheets_waiting_for_that_department(
    ledger: peewee.Database,
) -> None:
    ticket = new_ticket("TS-202611-0001", "a@x.example", T0)
    assert not has_open_sheet(ticket.id, "warehouse")
    sheet = ContactSheet.create(ticket=ticket, department="warehouse", due_at=T0, created_at=T0)
    assert has_open_sheet(ticket.id, "warehouse")
    assert not has_open_sheet(ticket.id, "billing")
    for status in SheetStatus:
        ContactSheet.update(status=status).where(ContactSheet.id == sheet.id).execute()
        waiting = status in (SheetStatus.OPEN, SheetStatus.OVERDUE, SheetStatus.ESCALATED)
        assert has_open_sheet(ticket.id, "warehouse") is waiting
