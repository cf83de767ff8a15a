"""Schema migrations: a version-1 ledger upgrades in place and keeps its data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import peewee
import pytest

from complaintd.clock import FixedClock
from complaintd.store import migrations
from complaintd.store.db import close_database, open_database
from complaintd.store.models import ContactSheet, InboundRaw, Message, Ticket
from complaintd.store.timed import Survey, TimedStep

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def database_path(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "ledger.db"
    close_database()


def test_version_1_ledger_upgrades_keeping_its_messages_and_raw_bytes(database_path: Path) -> None:
    database = open_database(f"sqlite:///{database_path}")
    first = migrations.MIGRATIONS[0]
    with database.atomic():
        first.apply(database)
        migrations.SchemaMigration.create(version=1, name=first.name, applied_at=NOW)
    assert "contact_sheet_id" not in {c.name for c in database.get_columns("message")}
    assert "owner" not in {c.name for c in database.get_columns("ticket")}
    assert "internal_due_at" not in {c.name for c in database.get_columns("ticket")}
    database.execute_sql(
        "INSERT INTO ticket (number, status, severity, category, source, language, subject,"
        " waybills, order_numbers, phones, attachment_count, tags, created_at, updated_at)"
        " VALUES ('TS-202611-0001', 'received', 'general', 'other', 'email', 'en', 's',"
        " '[]', '[]', '[]', 0, '[]', '2026-11-20 02:00:00', '2026-11-20 02:00:00')"
    )
    database.execute_sql(
        "INSERT INTO message (ticket_id, direction, kind, to_addrs, cc_addrs, subject, body,"
        ' full_text, in_reply_to, "references", created_at)'
        " VALUES (1, 'in', 'complaint', '[]', '[]', 's', 'kept', 'kept', '[]', '[]',"
        " '2026-11-20 02:00:00')"
    )
    database.execute_sql(
        "INSERT INTO inbound_message (mailbox, mailbox_kind, uidvalidity, uid, sha256, size,"
        " raw_message, fetched_at, status, attempts, server_state)"
        " VALUES ('complaints', 'complaints', 1, 7, 'x', 3, X'00ff61', '2026-11-20 02:00:00',"
        " 'processed', 1, 'flagged')"
    )
    applied = migrations.upgrade(database, FixedClock(NOW))
    assert [m.version for m in applied] == [m.version for m in migrations.MIGRATIONS[1:]]
    # Version 4 moved the raw bytes, unchanged, out of the inbound row.
    assert "raw_message" not in {c.name for c in database.get_columns("inbound_message")}
    [raw] = InboundRaw.select()
    assert bytes(raw.raw_message) == b"\x00\xffa" and raw.inbound.uid == 7
    assert Message.get().body == "kept" and Message.get().contact_sheet_id is None
    assert Ticket.get().owner is None  # version 5 added the owner column
    assert InboundRaw.get().inbound.carried_processed_flag is False  # version 7 added it
    assert "partial_answer" in {c.name for c in database.get_columns("contact_sheet")}
    assert Ticket.get().internal_due_at is None  # version 6 added it and partial_answer
    ContactSheet.create(
        ticket=Ticket.get(), department="qc", due_at=NOW, created_at=NOW, partial_answer={"a": "b"}
    )
    assert ContactSheet.get().partial_answer == {"a": "b"}
    assert migrations.pending_migrations(database) == []


def test_fresh_ledger_gets_every_migration_once(database_path: Path) -> None:
    database = open_database(f"sqlite:///{database_path}")
    applied = migrations.upgrade(database, FixedClock(NOW))
    assert [m.version for m in applied] == [m.version for m in migrations.MIGRATIONS]
    assert migrations.upgrade(database, FixedClock(NOW)) == []


def test_version_8_adds_timed_work_and_surveys_the_tickets_in_follow_up(
    database_path: Path,
) -> None:
    database = open_database(f"sqlite:///{database_path}")
    for migration in migrations.MIGRATIONS:
        if migration.version >= 8:
            break
        with database.atomic():
            migration.apply(database)
            migrations.SchemaMigration.create(version=migration.version, name="x", applied_at=NOW)
    assert "sla_breached_at" not in {c.name for c in database.get_columns("ticket")}
    database.execute_sql(
        "INSERT INTO ticket (number, status, severity, category, source, language, subject,"
        " waybills, order_numbers, phones, attachment_count, tags, created_at, updated_at)"
        " VALUES ('TS-202611-0001', 'follow_up', 'general', 'other', 'email', 'en', 's',"
        " '[]', '[]', '[]', 0, '[]', '2026-11-20 02:00:00', '2026-11-21 02:00:00')"
    )
    applied = migrations.upgrade(database, FixedClock(NOW))
    assert 8 in [m.version for m in applied]
    ticket = Ticket.get()
    assert ticket.sla_breached_at is None and ticket.resolve_due_at is None
    [survey] = Survey.select()
    assert survey.ticket_id == ticket.id and survey.round == 1
    assert survey.next_at == datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # due from its last change
    indexes = {index.name for index in database.get_indexes("contact_sheet")}
    assert "contact_sheet_status_next_chase_at" in indexes
    step = {"subject": "sheet", "subject_id": 1, "step": "chaser", "ordinal": 1}
    TimedStep.create(**step, ticket=ticket, due_at=NOW, taken_at=NOW)
    with pytest.raises(peewee.IntegrityError):  # the unique key that makes a step happen once
        TimedStep.create(**step, ticket=ticket, due_at=NOW, taken_at=NOW)
