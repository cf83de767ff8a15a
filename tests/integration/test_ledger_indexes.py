"""A ledger upgraded from an older release has the indexes of a fresh one (migration 15).

Migrations 1 and 2 create tables from today's models, so a fresh ledger gets the
indexes the models declare now; a ledger made by an older release has the ones its
models declared then, and only later migrations change them.  Both must end alike, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import peewee
import pytest

from complaintd.clock import FixedClock
from complaintd.store import migrations
from complaintd.store.db import close_database, open_database
from tests.support.postgres import create_database, drop_database

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

# What the models of releases before migration 15 indexed, which migration 15 drops.
OLDER_RELEASES_INDEXES = {
    "ticket_status": ("ticket", "status"),
    "ticket_customer_email": ("ticket", "customer_email"),
    "contact_sheet_status": ("contact_sheet", "status"),
    "contact_sheet_message_id": ("contact_sheet", "message_id"),
    "participant_ticket_id": ("participant", "ticket_id"),
    "outbox_next_attempt_at": ("outbox", "next_attempt_at"),
    "outbox_ticket_id": ("outbox", "ticket_id"),
    "ticket_linked_to_id": ("ticket", "linked_to_id"),
}

Indexes = dict[str, list[tuple[str, tuple[str, ...], bool]]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """URLs of two empty ledgers of one kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/fresh.db", f"sqlite:///{tmp_path}/older.db"
        return
    admin = request.getfixturevalue("pg_admin_url")
    names = [f"complaintd_test_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        create_database(admin, name)
    try:
        yield tuple(urlparse(admin)._replace(path=f"/{n}").geturl() for n in names)
    finally:
        close_database()
        for name in names:
            drop_database(admin, name)


def _indexes(database: peewee.Database) -> Indexes:
    """Every index of every table: name, columns, unique."""
    return {
        table: sorted(
            (i.name, tuple(i.columns), bool(i.unique)) for i in database.get_indexes(table)
        )
        for table in sorted(database.get_tables())
    }


def test_a_ledger_of_an_older_release_ends_with_a_fresh_ledgers_indexes(
    two_ledgers: tuple[str, str],
) -> None:
    fresh_url, older_url = two_ledgers
    database = open_database(fresh_url)
    migrations.upgrade(database, FixedClock(NOW))
    fresh = _indexes(database)
    close_database()
    assert not {name for rows in fresh.values() for name, _, _ in rows} & set(
        OLDER_RELEASES_INDEXES
    )
    assert ("outbox_status", ("status",), False) in fresh["outbox"]  # kept: ORDER BY id

    database = open_database(older_url)
    for migration in migrations.MIGRATIONS:
        if migration.version >= 15:
            break
        with database.atomic():
            migration.apply(database)
            migrations.SchemaMigration.create(
                version=migration.version, name=migration.name, applied_at=NOW
            )
    for name, (table, column) in OLDER_RELEASES_INDEXES.items():
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')
    applied = migrations.upgrade(database, FixedClock(NOW))
    assert [m.version for m in applied] == [15]
    assert _indexes(database) == fresh
    close_database()
