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

from complaintd.store.db import close_database, open_database
from complaintd.store.models import Event, InboundMessage, Message, Ticket
from complaintd.testing.samples import generate_mailbox
from tests.integration.desk import Desk

pytestmark = pytest.mark.slow

MESSAGES = 300
KILLS = 8


def kill_at_random_points(desk: Desk, rng: random.Random) -> int:
    """Start ``once`` repeatedly and SIGKILL it after a random delay; return kills done."""
    kills = 0
    for _ in range(KILLS):
        process = desk.spawn("once")
        time.sleep(rng.uniform(0.3, 2.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    return kills


def test_sigkill_mid_ingest_loses_and_duplicates_nothing(desk: Desk) -> None:
    raws = generate_mailbox(MESSAGES, seed=7)
    desk.append(*raws)
    kills = kill_at_random_points(desk, random.Random(20261123))
    assert kills > 0, "the process finished before any kill: make the mailbox bigger"
    desk.once()

    url = f"sqlite:///{desk.config_path.parent}/complaintd.db"
    open_database(url)
    try:
        assert_every_message_is_one_event()
        assert_serials_have_no_gaps()
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
    assert Counter(row.status for row in inbound).keys() <= {"processed", "duplicate"}
    messages_per_inbound = Counter(m.inbound_id for m in Message.select(Message.inbound))
    assert max(messages_per_inbound.values()) == 1
    recorded = {
        e.inbound_id for e in Event.select(Event.inbound).where(Event.inbound.is_null(False))
    }
    for row in inbound:
        assert messages_per_inbound[row.id] == 1 or row.id in recorded, (
            f"inbound {row.id} left no trace"
        )
    message_ids = Counter(
        m.message_id for m in Message.select(Message.message_id).where(Message.direction == "in")
    )
    assert max(message_ids.values()) == 1


def assert_serials_have_no_gaps() -> None:
    serials = sorted(int(t.number.rsplit("-", 1)[1]) for t in Ticket.select(Ticket.number))
    assert serials == list(range(1, len(serials) + 1))
