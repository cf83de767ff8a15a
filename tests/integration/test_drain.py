"""Draining a backlog the way ``complaintd run`` does (``service.passes.drain_backlog``).

On PostgreSQL several instances drain one backlog: a slice another instance is claiming
this very moment is passed over for the next free rows (not an empty round followed by
a second's sleep); a backlog costs one analysis worker, not one per slice; a fetched
batch wakes the listening processors at once (LISTEN/NOTIFY), and without a
notification they still look every round.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import psycopg2
import pytest

from complaintd.clock import SystemClock
from complaintd.config.loader import load_config
from complaintd.fetch.ledger import FetchedMessage, load_state, reset_for_uidvalidity, store_batch
from complaintd.runtime import Runtime, open_runtime
from complaintd.service.passes import drain_backlog
from complaintd.store import wakeups
from complaintd.store.db import close_database
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.models import InboundMessage
from complaintd.workflow import analysis
from complaintd.workflow.pipeline import process_pending
from tests.integration.desk import write_config
from tests.support.samples import generate_mailbox


@pytest.fixture
def pg_runtime(pg_url: str, tmp_path: Path, desk_env: None) -> Iterator[Runtime]:
    """The test desk's configuration on a fresh PostgreSQL ledger (no server needed:
    mail is stored as the fetcher would store it)."""
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=1,
        smtp_port=1,
        folder="INBOX",
        database_url=pg_url,
    )
    runtime = open_runtime(load_config(config), SystemClock())
    yield runtime
    close_database()


def store(runtime: Runtime, count: int, first_uid: int = 1) -> list[int]:
    """Store ``count`` generated complaints as fetched mail; their inbound ids."""
    state = load_state("complaints", "INBOX")
    reset_for_uidvalidity(state, 1)
    raws = generate_mailbox(count, seed=first_uid)
    batch = [FetchedMessage(first_uid + i, raw) for i, raw in enumerate(raws)]
    rows = store_batch(runtime.database, state, "complaint", batch, runtime.clock.now())
    return [inbound_id for inbound_id, _raw in rows]


def statuses(ids: list[int]) -> list[str]:
    query = InboundMessage.select(InboundMessage.id, InboundMessage.status)
    rows = {row.id: str(row.status) for row in query}
    return [rows[inbound_id] for inbound_id in ids]


@pytest.mark.postgres
def test_a_slice_another_instance_is_claiming_is_passed_over(
    pg_runtime: Runtime, pg_url: str
) -> None:
    """The oldest 25 rows are locked by another instance's claim in flight: this one
    takes the next free rows at once instead of coming back empty-handed."""
    ids = store(pg_runtime, 40)
    other = psycopg2.connect(pg_url)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM inbound_message WHERE id = ANY(%s) FOR UPDATE", (ids[:25],)
            )
        stats = process_pending(pg_runtime, limit=25)
    finally:
        other.rollback()
        other.close()
    assert sum(stats.outcomes.values()) == 15
    assert set(statuses(ids[:25])) == {InboundStatus.PENDING}
    assert InboundStatus.PENDING not in statuses(ids[25:])


@pytest.mark.postgres
def test_a_backlog_is_drained_with_one_analysis_worker(
    pg_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three slices of 25, one worker started (it was one a slice: ~80 ms of CPU each)."""
    ids = store(pg_runtime, 60)
    started: list[int] = []
    original = analysis._Worker.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        started.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(analysis._Worker, "__init__", counting)
    stats = drain_backlog(pg_runtime, lambda: False)
    assert sum(stats.outcomes.values()) == 60
    assert InboundStatus.PENDING not in statuses(ids)
    assert len(started) == 1


@pytest.mark.postgres
def test_stored_mail_wakes_a_listening_processor_at_once(pg_runtime: Runtime) -> None:
    listener = wakeups.InboundListener(pg_runtime.database)
    stop = threading.Event()
    try:
        started = time.monotonic()
        assert not listener.wait(0.3, stop)  # nothing announced: the round runs out
        assert time.monotonic() - started >= 0.3
        store(pg_runtime, 2)
        started = time.monotonic()
        assert listener.wait(5.0, stop)  # the batch's commit sent the notification
        assert time.monotonic() - started < 1.0
        assert not listener.wait(0.2, stop)  # consumed: the next wait is a round again
        store(pg_runtime, 0)  # a batch with nothing new announces nothing
        assert not listener.wait(0.2, stop)
        stop.set()
        started = time.monotonic()
        assert not listener.wait(5.0, stop)  # a stop is not kept waiting
        assert time.monotonic() - started < 0.5
    finally:
        listener.close()


@pytest.mark.postgres
def test_a_listener_that_lost_its_server_sleeps_and_listens_again(
    pg_runtime: Runtime, pg_url: str
) -> None:
    """A dropped listening connection is a plain sleep, then LISTEN again on the next
    round: the processor keeps looking every round and is woken again afterwards."""
    listener = wakeups.InboundListener(pg_runtime.database)
    stop = threading.Event()
    try:
        assert not listener.wait(0.1, stop)
        admin = psycopg2.connect(pg_url)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query = %s AND pid <> pg_backend_pid()",
                (f"LISTEN {wakeups.CHANNEL}",),
            )
            assert cursor.fetchall() == [(True,)]
        admin.close()
        started = time.monotonic()
        assert not listener.wait(0.5, stop)  # the broken connection: a sleep, no error
        assert time.monotonic() - started >= 0.45
        assert listener.connection is None
        assert not listener.wait(0.1, stop)  # listening again
        store(pg_runtime, 1, first_uid=100)
        assert listener.wait(5.0, stop)
    finally:
        listener.close()


def test_sqlite_announces_nothing_and_a_listener_sleeps_the_round(tmp_path: Path) -> None:
    """SQLite has one instance: no notification, the processor's round is a sleep."""
    database = peewee.SqliteDatabase(str(tmp_path / "ledger.db"))
    wakeups.announce_inbound(database)  # no NOTIFY statement on SQLite
    listener = wakeups.InboundListener(database)
    started = time.monotonic()
    assert not listener.wait(0.3, threading.Event())
    assert time.monotonic() - started >= 0.3
    assert listener.connection is None
