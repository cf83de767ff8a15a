"""SIGTERM mid-backlog: the daemon finishes what it is doing, hands everything back and
exits 0 within 10 s; its log has one line per event and never a secret."""

from __future__ import annotations

import re
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

from tests.integration.desk import TOKEN_SECRET, Desk
from tests.integration.test_operations import ticket_count, wait_until
from tests.support.samples import generate_mailbox

MESSAGES = 300


def rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database, timeout=10) as connection:
        return list(connection.execute(sql))


def test_sigterm_mid_backlog_exits_0_in_10_s_and_loses_nothing(desk: Desk) -> None:
    database = desk.config_path.parent / "complaintd.db"
    desk.append(*generate_mailbox(MESSAGES, seed=16))
    daemon = desk.spawn("run")
    wait_until(lambda: len(desk.smtp.messages) >= 5, timeout=60, desk=desk)
    asked = time.monotonic()
    daemon.send_signal(signal.SIGTERM)
    code = daemon.wait(timeout=15)
    took = time.monotonic() - asked
    log = desk.log()
    assert code == 0, log[-3000:]
    assert took < 10, f"stopped in {took:.1f} s"
    assert "released 1 mailbox lease(s)" in log
    done_at_stop = ticket_count(database)
    assert done_at_stop < MESSAGES, "the backlog was finished before the stop: make it bigger"
    assert rows(database, "SELECT holder FROM mailbox_lease") == [(None,)]
    assert (
        rows(database, "SELECT count(*) FROM inbound_message WHERE claimed_by IS NOT NULL")[0][0]
        == 0
    )
    assert rows(database, "SELECT count(*) FROM outbox WHERE status = 'sending'")[0][0] == 0

    desk.once()
    statuses = Counter(status for (status,) in rows(database, "SELECT status FROM inbound_message"))
    assert sum(statuses.values()) == MESSAGES and set(statuses) <= {"processed", "duplicate"}
    sent = Counter(m.parsed()["Message-ID"] for m in desk.smtp.messages if m.accepted)
    assert sent and max(sent.values()) == 1, "a mail went twice"
    assert rows(database, "SELECT count(*) FROM outbox WHERE status != 'sent'")[0][0] == 0

    # One line per event, with the ticket number and the Message-ID.
    numbers = [number for (number,) in rows(database, "SELECT number FROM ticket")]
    made = re.findall(r"inbound \d+ <([^>]*)>: new_ticket (TS-\d{6}-\d{4})", log)
    assert made and {number for _, number in made} <= set(numbers)
    assert re.search(r"TS-\d{6}-\d{4} ack <[^>]+> \(outbox \d+\) sent", log)
    assert TOKEN_SECRET not in log
