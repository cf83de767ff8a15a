"""Nothing is ever lost: SIGKILL the ingesting process at random points, restart, check.

Every fetched message must end as exactly one ticket event (a message of a ticket, or a
recorded automated/duplicate event), no message may be deleted from the server, and
ticket serials must have no gaps.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter

import pytest

from complaintd.outbox.recorder import RECORD_LIMIT
from complaintd.store.db import close_database, open_database
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.message_kind import Direction
from complaintd.store.models import Event, InboundMessage, Message, Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from tests.integration.desk import Desk
from tests.support.samples import generate_mailbox

pytestmark = pytest.mark.slow

MESSAGES = 360
KILLS = 12


def kill_at_random_points(desk: Desk, raws: list[bytes], rng: random.Random) -> int:
    """Deliver the mail in waves; after each, start ``once`` and SIGKILL it at a random
    moment (start-up, fetch, analysis, ledger writes, disposal or sending); return kills."""
    kills = 0
    waves = [raws[i::KILLS] for i in range(KILLS)]
    for wave in waves:
        desk.append(*wave)
        process = desk.spawn("once")
        time.sleep(rng.uniform(0.2, 1.6))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    return kills


def test_sigkill_mid_ingest_loses_and_duplicates_nothing(desk: Desk) -> None:
    raws = generate_mailbox(MESSAGES, seed=7)
    kills = kill_at_random_points(desk, raws, random.Random(20261123))
    print(f"SIGKILLed {kills} of {KILLS} runs")
    assert kills > 0, "every run finished before its kill: make the waves bigger"
    desk.once()

    url = f"sqlite:///{desk.config_path.parent}/complaintd.db"
    open_database(url)
    try:
        assert_every_message_is_one_event()
        assert_serials_have_no_gaps()
        assert_every_mail_delivered(desk, kills)
    finally:
        close_database()
    on_server = desk.dovecot.count("complaints", desk.folder) + desk.dovecot.count(
        "complaints", f"{desk.folder}_done"
    )
    assert on_server == MESSAGES


def assert_every_message_is_one_event() -> None:
    inbound = list(
        InboundMessage.select(InboundMessage.id, InboundMessage.status, InboundMessage.uid)
    )
    assert len(inbound) == MESSAGES
    assert len({row.uid for row in inbound}) == MESSAGES
    assert Counter(row.status for row in inbound).keys() <= {
        InboundStatus.PROCESSED,
        InboundStatus.DUPLICATE,
    }
    messages_per_inbound = Counter(
        m.inbound_id for m in Message.select(Message.inbound).where(Message.inbound.is_null(False))
    )
    assert max(messages_per_inbound.values()) == 1
    recorded = {
        e.inbound_id for e in Event.select(Event.inbound).where(Event.inbound.is_null(False))
    }
    for row in inbound:
        assert messages_per_inbound[row.id] == 1 or row.id in recorded, (
            f"inbound {row.id} left no trace"
        )
    message_ids = Counter(
        m.message_id
        for m in Message.select(Message.message_id).where(Message.direction == Direction.IN)
    )
    assert max(message_ids.values()) == 1


def assert_every_mail_delivered(desk: Desk, kills: int) -> None:
    """Every outbox row was accepted by the server; a kill may resend what was in flight."""
    rows = list(Outbox.select(Outbox.message_id, Outbox.status))
    assert rows, "no acknowledgement was queued"
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    received = Counter(
        m.parsed()["Message-ID"].strip("<>") for m in desk.smtp.messages if m.accepted
    )
    assert all(received[row.message_id] >= 1 for row in rows)
    resent = sum(count - 1 for count in received.values())
    # At most what was accepted and not yet written down per kill: the outcomes that
    # may wait unwritten, and the mails in flight on the 4 connections.
    assert resent <= kills * (RECORD_LIMIT + 4)


def assert_serials_have_no_gaps() -> None:
    serials = sorted(int(t.number.rsplit("-", 1)[1]) for t in Ticket.select(Ticket.number))
    assert serials == list(range(1, len(serials) + 1))


def test_sigkill_of_the_daemon_loses_nothing(desk: Desk) -> None:
    """The same promise for ``run``: IDLE watcher, analysis and sender all killed at once."""
    rng = random.Random(7)
    raws = generate_mailbox(120, seed=11)
    database = desk.config_path.parent / "complaintd.db"
    kills = 0
    for wave in (raws[0::3], raws[1::3], raws[2::3]):
        daemon = desk.spawn("run")
        time.sleep(1.0)
        desk.append(*wave)
        time.sleep(rng.uniform(0.1, 1.0))
        daemon.send_signal(signal.SIGKILL)
        daemon.wait(timeout=30)
        kills += 1
    desk.once()
    assert database.exists()
    open_database(f"sqlite:///{database}")
    try:
        inbound = list(InboundMessage.select(InboundMessage.status))
        assert len(inbound) == len(raws)
        assert {row.status for row in inbound} <= {InboundStatus.PROCESSED, InboundStatus.DUPLICATE}
        per_inbound = Counter(
            m.inbound_id
            for m in Message.select(Message.inbound).where(Message.inbound.is_null(False))
        )
        assert max(per_inbound.values()) == 1
        assert_serials_have_no_gaps()
        assert_every_mail_delivered(desk, kills)
    finally:
        close_database()
