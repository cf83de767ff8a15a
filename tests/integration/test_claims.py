"""The one claim queue (store.claims) on SQLite and PostgreSQL.

Two holders never get the same row; a dead holder's rows are taken again once its lease
has run out (and not before); renew and release act only on the holder's own rows.  On
PostgreSQL two claimers at the same moment take different rows (SKIP LOCKED).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from complaintd.clock import SystemClock
from complaintd.store import migrations
from complaintd.store.claims import claim, release, release_all, renew
from complaintd.store.db import close_database, open_database
from complaintd.store.mail_kind import MailKind
from complaintd.store.models import Outbox
from complaintd.store.outbox_status import OutboxStatus
from tests.integration.desk import Desk

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated ledger of each kind; yields its URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/ledger.db"
    else:
        url = request.getfixturevalue("pg_url")
    migrations.upgrade(open_database(url), SystemClock())
    yield url
    close_database()


def queue_mail(count: int) -> list[int]:
    rows = [
        Outbox.create(
            kind=MailKind.ACK,
            message_id=f"m{i}@desk.example",
            mail_from="complaints@lida.example",
            rcpt_to=["c@x.example"],
            raw_message=b"x",
            status=OutboxStatus.PENDING,
            next_attempt_at=T0,
            created_at=T0,
        )
        for i in range(count)
    ]
    return [row.id for row in rows]


def take(holder: str, limit: int = 3, lease: timedelta = LEASE) -> list[int]:
    rows = claim(
        Outbox,
        Outbox.status == OutboxStatus.PENDING,
        holder=holder,
        lease=lease,
        limit=limit,
        order_by=(Outbox.id,),
    )
    return [row.id for row in rows]


def holders() -> dict[int, str | None]:
    return {row.id: row.claimed_by for row in Outbox.select(Outbox.id, Outbox.claimed_by)}


def test_two_holders_never_share_a_row(ledger: str) -> None:
    ids = queue_mail(5)
    first, second, third = take("a"), take("b"), take("c")
    assert first == ids[:3] and second == ids[3:] and third == []
    assert holders() == {**dict.fromkeys(ids[:3], "a"), **dict.fromkeys(ids[3:], "b")}


def test_a_dead_holders_rows_are_taken_after_its_lease(ledger: str) -> None:
    ids = queue_mail(2)
    assert take("dead", lease=timedelta(seconds=-1)) == ids  # a lease that has run out
    assert take("alive") == ids
    assert take("late", lease=LEASE) == []  # an unexpired lease is respected


def test_renew_and_release_touch_only_the_holders_rows(ledger: str) -> None:
    ids = queue_mail(4)
    mine, theirs = take("me", limit=2), take("them", limit=2)
    assert renew(Outbox, ids, holder="me", lease=LEASE) == 2
    assert release(Outbox, ids, holder="me", also_set={"status": OutboxStatus.SENT}) == 2
    assert holders() == {**dict.fromkeys(mine, None), **dict.fromkeys(theirs, "them")}
    assert {Outbox.get_by_id(i).status for i in mine} == {OutboxStatus.SENT}
    assert release_all(Outbox) == 2 and set(holders().values()) == {None}


def test_alternatives_take_the_rows_one_or_would_in_its_order(ledger: str) -> None:
    """``claim_due``'s two kinds of due rows, asked for apart (migration 13), give the
    rows and order of the one ``OR`` query they replace, columns read for those only."""
    ids = queue_mail(9)
    for offset, row_id in zip((7, 3, 5, 1, 8, 2, 6, 4, 0), ids, strict=True):
        Outbox.update(next_attempt_at=T0 + timedelta(minutes=offset)).where(
            Outbox.id == row_id
        ).execute()
    Outbox.update(status=OutboxStatus.SENDING).where(Outbox.id.in_(ids[::3])).execute()
    Outbox.update(next_attempt_at=T0 + timedelta(hours=1)).where(Outbox.id == ids[1]).execute()
    due_by = T0 + timedelta(minutes=30)
    pending = (Outbox.status == OutboxStatus.PENDING) & (Outbox.next_attempt_at <= due_by)
    sending = Outbox.status == OutboxStatus.SENDING
    order = (Outbox.next_attempt_at, Outbox.id)
    expected = [
        row.id for row in Outbox.select(Outbox.id).where(pending | sending).order_by(*order)
    ]
    assert ids[1] not in expected and len(expected) == 8
    got = claim(
        Outbox,
        (pending, sending),
        holder="a",
        lease=LEASE,
        limit=5,
        order_by=order,
        columns=(Outbox.raw_message,),
    )
    assert [row.id for row in got] == expected[:5]
    assert all(bytes(row.raw_message) == b"x" for row in got)
    rest = claim(Outbox, (pending, sending), holder="b", lease=LEASE, limit=5, order_by=order)
    assert [row.id for row in rest] == expected[5:]
    assert holders() == {
        **dict.fromkeys(ids, None),
        **dict.fromkeys(expected[:5], "a"),
        **dict.fromkeys(expected[5:], "b"),
    }


@pytest.mark.postgres
def test_simultaneous_claimers_on_postgres_take_different_rows(pg_url: str) -> None:
    database = open_database(pg_url)  # peewee gives each thread its own connection
    migrations.upgrade(database, SystemClock())
    ids = queue_mail(40)
    results: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        taken: list[int] = []
        while batch := take(name, limit=2):
            taken += batch
        results[name] = taken
        database.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [row for taken in results.values() for row in taken]
    assert sorted(every) == ids  # each row claimed exactly once, by one of them
    close_database()


def test_a_killed_pass_leaves_claims_a_single_sqlite_instance_takes_back(desk: Desk) -> None:
    """SQLite has one instance: a claim left by a killed pass is never waited out."""
    from complaintd.store.models import InboundMessage
    from tests.integration.mails import mail

    desk.append(mail("货物破损", "运单号 SF1234567890123 的货物破损了。"))
    desk.cli("db", "upgrade")
    assert desk.cli("once", now="2026-11-20T10:00:00+08:00").code == 0
    open_database(f"sqlite:///{desk.config_path.parent}/complaintd.db")
    InboundMessage.update(
        status="pending", claimed_by="dead-host:1:x", lease_until=datetime(2099, 1, 1, tzinfo=UTC)
    ).execute()
    close_database()
    assert desk.cli("once", now="2026-11-20T10:00:00+08:00").code == 0
    open_database(f"sqlite:///{desk.config_path.parent}/complaintd.db")
    [row] = InboundMessage.select()
    # Taken again at once (a duplicate of what the killed pass had already recorded).
    assert (row.status, row.claimed_by, row.lease_until) == ("duplicate", None, None)
    close_database()
