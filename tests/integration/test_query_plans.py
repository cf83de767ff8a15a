"""No statement complaintd runs reads a ledger table whole (issue 17, item 3).

A staffed desk on a ledger with history takes in real mail from Dovecot, runs its jobs
two days later and sends to a real SMTP server, every statement captured as it ran
(``tests.support.sql_plans``); each one's plan, with the parameters of a real call, must
find its rows by index.  SQLite chooses plans without table sizes (complaintd never runs
``ANALYZE``), so a small ledger gets the plans a large one would.  ``make plans`` shows
the same on a million tickets, with timings.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.desk import Desk
from tests.support.samples import generate_mailbox
from tests.support.smtpsink import SmtpSink
from tests.support.sql_plans import (
    Statement,
    build_ledger,
    explain,
    load_statements,
    merge,
    plan_problems,
    run_clock,
)

LEDGER_END = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _complaintd(config: Path, *args: str) -> None:
    command = [sys.executable, "-m", "complaintd", "--config", str(config), *args]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _captured_once(config: Path, out: Path, now: datetime) -> list[Statement]:
    """``complaintd once`` at ``now`` in a process that records every statement."""
    command = [sys.executable, "-m", "tests.support.sql_plans", "capture", str(out), "--"]
    command += ["--config", str(config), "--now", now.isoformat(), "once"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return load_statements(out)


@pytest.fixture
def ledger_statements(staffed_desk: Desk, tmp_path: Path) -> list[Statement]:
    """The statements of a pass over new mail and of the jobs' pass two days later, on
    a ledger of 3,000 tickets."""
    _complaintd(staffed_desk.config_path, "db", "upgrade")
    build_ledger(tmp_path / "complaintd.db", 3000, LEDGER_END)
    staffed_desk.append(*generate_mailbox(24, seed=17, photo_share=0.2))
    now = run_clock(LEDGER_END)
    first = _captured_once(staffed_desk.config_path, tmp_path / "once.json", now)
    later = _captured_once(staffed_desk.config_path, tmp_path / "jobs.json", now + timedelta(2))
    return merge(first, later)


def test_no_statement_scans_a_ledger_table(
    ledger_statements: list[Statement], tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    shapes = [s.shape for s in ledger_statements]
    # The capture saw the work itself, not only the start-up: intake, jobs and sending.
    assert any(s.startswith('INSERT INTO "ticket"') for s in shapes)
    assert any(s.startswith('INSERT OR IGNORE INTO "timed_step"') for s in shapes)
    assert any('FROM "outbox"' in s and "LIMIT" in s for s in shapes)
    assert smtp_sink.messages  # mail went out: the flush ran its claims
    found = {}
    with sqlite3.connect(tmp_path / "complaintd.db") as connection:
        for statement in ledger_statements:
            problems = plan_problems(statement.sql, explain(connection, statement))
            if problems:
                found[statement.shape] = problems
    assert found == {}


def test_the_checker_sees_scans_and_sorts_before_a_limit(
    tmp_path: Path, staffed_desk: Desk
) -> None:
    """The judge itself: a statement without a usable index is named, one with is not."""
    _complaintd(staffed_desk.config_path, "db", "upgrade")
    with sqlite3.connect(tmp_path / "complaintd.db") as connection:
        scan = Statement("", 'SELECT "id" FROM "outbox" AS "t1" WHERE "t1"."last_error" = ?', ["x"])
        assert plan_problems(scan.sql, explain(connection, scan)) == ["SCAN outbox"]
        by_key = Statement("", "SELECT id FROM ticket WHERE number = ?", ["TS-202612-0001"])
        assert plan_problems(by_key.sql, explain(connection, by_key)) == []
        # The outbox claim before migration 13's rewrite: every due row sorted for 200.
        old_claim = Statement(
            "",
            'SELECT "t1"."id", "t1"."raw_message" FROM "outbox" AS "t1" WHERE'
            ' ((("t1"."status" = ?) AND ("t1"."next_attempt_at" <= ?)) OR ("t1"."status" = ?))'
            ' ORDER BY "t1"."next_attempt_at", "t1"."id" LIMIT ?',
            ["pending", "2026-12-01 02:00:00", "sending", 200],
        )
        problems = plan_problems(old_claim.sql, explain(connection, old_claim))
        assert problems == ["SORT before LIMIT on outbox"]
