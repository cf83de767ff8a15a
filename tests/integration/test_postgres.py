"""PostgreSQL as the ledger (multi-instance mode): numbering, claiming, the whole intake."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import peewee
import pytest

from complaintd.clock import SystemClock
from complaintd.store import migrations
from complaintd.store.db import open_database
from complaintd.store.models import Ticket, TicketCounter
from complaintd.store.numbering import allocate_ticket_number
from complaintd.store.ticket_status import TicketStatus
from tests.integration.desk import Desk, write_config
from tests.support.dovecot import DovecotServer
from tests.support.samples import generate_mailbox

pytestmark = pytest.mark.postgres


def test_migrations_apply_on_postgres(pg_url: str) -> None:
    database = open_database(pg_url)
    applied = migrations.upgrade(database, SystemClock())
    assert [m.version for m in applied] == [m.version for m in migrations.MIGRATIONS]
    assert migrations.pending_migrations(database) == []
    assert database.table_exists("ticket")
    columns = {column.name for column in database.get_columns("contact_sheet")}
    assert "partial_answer" in columns  # migration 6, on PostgreSQL too


# Columns that held text from mail as varchar(255) (varchar(998) for Message-IDs) before
# migration 7 (issue 11, item 9).
_MAIL_COLUMNS = {
    "ticket": ("customer_name", "customer_email", "customer_fax", "quantity"),
    "participant": ("email", "name"),
    "message": ("from_addr", "from_name", "charset", "message_id"),
    "inbound_message": ("message_id",),
    "attachment": ("filename", "content_type", "content_id"),
    "event": ("actor",),
}


def _column_types(database: peewee.Database) -> dict[tuple[str, str], str]:
    cursor = database.execute_sql(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'public'"
    )
    return {(table, column): kind for table, column, kind in cursor.fetchall()}


def test_migration_7_makes_an_old_ledgers_mail_columns_text(pg_url: str) -> None:
    """A ledger made before version 7 had varchar columns: afterwards a display name of
    300 characters (a company's full name) fits, and the indexes still serve lookups."""
    database = open_database(pg_url)
    for migration in migrations.pending_migrations(database):
        if migration.version == 7:
            continue
        migration.apply(database)
        migrations.SchemaMigration.create(
            version=migration.version, name=migration.name, applied_at=SystemClock().now()
        )
    for table, columns in _MAIL_COLUMNS.items():
        for column in columns:
            size = 998 if column == "message_id" else 255
            database.execute_sql(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({size})'
            )
    assert _column_types(database)[("ticket", "customer_name")] == "character varying"
    assert [m.version for m in migrations.upgrade(database, SystemClock())] == [7]
    types = _column_types(database)
    assert {types[(t, c)] for t, columns in _MAIL_COLUMNS.items() for c in columns} == {"text"}
    assert types[("inbound_message", "carried_processed_flag")] == "boolean"
    now = SystemClock().now()
    name = "上海浦东新区国际物流供应链管理有限公司华东区域客户服务中心" * 10
    Ticket.create(
        number="TS-202611-0001",
        status=TicketStatus.RECEIVED,
        severity="general",
        category="other",
        source="email",
        language="zh-CN",
        subject="s",
        customer_name=name,
        created_at=now,
        updated_at=now,
    )
    assert Ticket.get(Ticket.customer_name == name).number == "TS-202611-0001"


def test_ticket_numbers_are_gap_free_under_concurrency(pg_url: str) -> None:
    """Eight threads take numbers at once; a third of the transactions roll back."""
    database = open_database(pg_url)
    migrations.upgrade(database, SystemClock())
    taken: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        for attempt in range(15):
            try:
                with database.atomic():
                    number = allocate_ticket_number("TS", "202611")
                    if (index + attempt) % 3 == 0:
                        raise RuntimeError("rolled back")
                    with lock:
                        taken.append(number)
            except RuntimeError:
                pass
        database.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in taken)
    assert serials == list(range(1, len(serials) + 1))
    assert TicketCounter.get().last_serial == len(serials)


def test_ticket_number_is_unique_in_the_schema(pg_url: str) -> None:
    database = open_database(pg_url)
    migrations.upgrade(database, SystemClock())
    fields = {
        "status": TicketStatus.RECEIVED,
        "severity": "general",
        "category": "other",
        "source": "email",
        "language": "en",
        "subject": "x",
        "created_at": SystemClock().now(),
        "updated_at": SystemClock().now(),
    }
    Ticket.create(number="TS-202611-0001", **fields)
    with pytest.raises(peewee.IntegrityError):
        Ticket.create(number="TS-202611-0001", **fields)


def _desk_on(url: str, tmp_path: Path, dovecot: DovecotServer, sink: Any, folder: str) -> Desk:
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=sink.port,
        folder=folder,
        database_url=url,
        staffed=True,
    )
    return Desk(config, dovecot, folder, sink)


def _summary(desk: Desk) -> list[tuple[Any, ...]]:
    return sorted(
        (t["number"], t["status"], t["category"], t["severity"], t["customer"]["email"], t["tags"])
        for t in desk.tickets()
    )


def test_intake_on_postgres_matches_sqlite(
    pg_url: str,
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_sink: Any,
    make_imap_folder: Callable[..., str],
    desk_env: None,
) -> None:
    """The same realistic mailbox (replies, auto-replies, bounces, GBK/Big5) gives the same
    tickets and the same outgoing mail on both ledgers, through the worker pool."""
    mailbox = generate_mailbox(80, seed=11)
    now = "2026-11-20T10:00:00+08:00"
    results = []
    for url, name in ((pg_url, "pg"), (f"sqlite:///{tmp_path}/ledger.db", "sqlite")):
        (tmp_path / name).mkdir()
        desk = _desk_on(url, tmp_path / name, dovecot, smtp_sink, make_imap_folder())
        desk.append(*mailbox)
        first = desk.once(now=now)
        again = desk.once(now=now)  # nothing new: no duplicate tickets, no second ack
        assert "fetched 0" in again.err, again.err
        sent = sorted((m.rcpt_tos[0], m.parsed()["X-Complaintd-Kind"]) for m in smtp_sink.messages)
        smtp_sink.clear()
        results.append((first.err.splitlines()[0], _summary(desk), sent))
    (pg_line, pg_tickets, pg_sent), (sqlite_line, sqlite_tickets, sqlite_sent) = results
    assert pg_line == sqlite_line and "new_ticket" in pg_line
    assert pg_tickets == sqlite_tickets and len(pg_tickets) > 40
    assert pg_sent == sqlite_sent and pg_sent
