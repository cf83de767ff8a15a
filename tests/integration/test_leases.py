"""Mailbox leases and the instance registry on the real PostgreSQL (and SQLite)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from complaintd.clock import FixedClock
from complaintd.store import leases, migrations
from complaintd.store.claims import ClaimLost, wall_clock
from complaintd.store.db import close_database, open_database
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.models import InboundMessage
from complaintd.store.queries import mark_inbound_done

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


@pytest.fixture
def postgres(pg_url: str) -> Iterator[str]:
    database = open_database(pg_url)
    migrations.upgrade(database, FixedClock(NOW))
    yield pg_url
    close_database()


def expire(mailbox: str) -> None:
    """The holder stopped renewing long ago (as a killed instance does)."""
    leases.MailboxLease.update(lease_until=wall_clock() - timedelta(seconds=1)).where(
        leases.MailboxLease.mailbox == mailbox
    ).execute()


@pytest.mark.postgres
def test_one_holder_at_a_time_and_a_dead_ones_mailbox_is_taken(postgres: str) -> None:
    assert leases.acquire("complaints", "a")
    assert leases.acquire("complaints", "a")  # renewing is taking again
    assert not leases.acquire("complaints", "b")
    assert leases.leases()["complaints"].holder == "a"
    expire("complaints")
    assert leases.acquire("complaints", "b")
    with pytest.raises(ClaimLost), leases.MailboxLease._meta.database.atomic():
        leases.fence("complaints", "a")  # the old holder can commit nothing more
    assert leases.renew_all("a", ["complaints"]) == set()
    assert leases.renew_all("b", ["complaints"]) == {"complaints"}
    leases.release("complaints", "b")
    assert leases.acquire("complaints", "c")  # released: taken at once


@pytest.mark.postgres
def test_a_takeover_waits_for_the_holders_commit_under_way(postgres: str) -> None:
    """The fence's row lock: a taker cannot slip in between the holder's check and commit."""
    assert leases.acquire("fax", "a")
    took: list[bool] = []
    database = leases.MailboxLease._meta.database
    with database.atomic():
        leases.fence("fax", "a")
        expire("fax")  # within the same transaction: the lease "ran out" meanwhile

        def take() -> None:
            took.append(leases.acquire("fax", "b"))
            close_database()

        taker = threading.Thread(target=take)
        taker.start()
        time.sleep(0.5)
        assert not took, "the taker did not wait for the holder's transaction"
    taker.join(timeout=10)
    assert took == [True]


@pytest.mark.postgres
def test_instances_alive_are_those_that_beat(postgres: str) -> None:
    started = wall_clock()
    leases.heartbeat("host1:10:aa", started)
    leases.heartbeat("host2:20:bb", started)
    leases.stopped("host2:20:bb")
    alive = leases.alive(wall_clock())
    assert [(i.holder, i.host, i.pid) for i in alive] == [("host1:10:aa", "host1", 10)]
    assert leases.alive(wall_clock() + timedelta(seconds=leases.LEASE_SECONDS + 1)) == []


@pytest.mark.postgres
def test_a_row_taken_over_is_not_finished_by_its_old_holder(postgres: str) -> None:
    row = InboundMessage.create(
        mailbox="complaints",
        mailbox_kind="complaint",
        uidvalidity=1,
        uid=1,
        sha256="x",
        size=1,
        fetched_at=NOW,
        claimed_by="new-holder",
        lease_until=wall_clock() + timedelta(seconds=30),
    )
    assert not mark_inbound_done(row.id, InboundStatus.PROCESSED, None, NOW, "old-holder")
    assert mark_inbound_done(row.id, InboundStatus.PROCESSED, None, NOW, "new-holder")
    assert not mark_inbound_done(row.id, InboundStatus.PROCESSED, None, NOW, "new-holder")


def test_sqlite_has_one_instance_and_grants_every_lease(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path}/ledger.db")
    try:
        migrations.upgrade(database, FixedClock(NOW))
        assert leases.acquire("complaints", "killed-once")
        assert leases.acquire("complaints", "next-once")
        assert leases.leases()["complaints"].holder == "next-once"
    finally:
        close_database()
