"""PostgreSQL as the ledger (multi-instance mode): numbering and claiming under concurrency."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import peewee
import pytest

from complaintd.clock import SystemClock
from complaintd.store import migrations
from complaintd.store.db import close_database, open_database
from complaintd.store.models import Ticket, TicketCounter
from complaintd.store.numbering import allocate_ticket_number

pytestmark = pytest.mark.postgres

ADMIN_URL = os.environ.get("COMPLAINTD_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty database on the local PostgreSQL, dropped afterwards."""
    import psycopg2

    name = f"complaintd_test_{uuid.uuid4().hex[:10]}"
    admin = urlparse(ADMIN_URL)
    try:
        connection = psycopg2.connect(ADMIN_URL)
    except psycopg2.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for these tests ({ADMIN_URL}): {exc}")
    connection.autocommit = True
    connection.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin._replace(path=f"/{name}").geturl()
    finally:
        close_database()
        connection.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()


def test_migrations_apply_on_postgres(pg_url: str) -> None:
    database = open_database(pg_url)
    applied = migrations.upgrade(database, SystemClock())
    assert [m.version for m in applied] == [1, 2, 3]
    assert migrations.pending_migrations(database) == []
    assert database.table_exists("ticket")


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
        "status": "received",
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
