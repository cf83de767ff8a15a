"""The daemon and the operator's commands: run with IDLE, signals, check, db, quarantine."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from complaintd.workflow import pipeline
from tests.integration.desk import Desk
from tests.integration.mails import mail

NOW = "2026-11-20T10:00:00+08:00"
LATER = "2026-11-25T10:00:00+08:00"  # every first answer is overdue by then


def wait_until(condition, timeout: float = 15.0, desk: Desk | None = None) -> None:  # type: ignore[no-untyped-def]
    """Poll ``condition``; on time-out fail with the tail of the daemon's log."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            log = desk.log()[-4000:] if desk else ""
            raise AssertionError(f"condition not met in {timeout} s; daemon log:\n{log}")
        time.sleep(0.02)


def count_rows(database: Path, table: str) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=1) as connection:
            return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def ticket_count(database: Path) -> int:
    return count_rows(database, "ticket")


def watching(database: Path) -> bool:
    """The daemon's watcher has selected the mailbox at least once."""
    return count_rows(database, "mailbox_state") > 0


def test_run_picks_up_new_mail_by_idle_and_stops_on_sigterm(desk: Desk) -> None:
    database = desk.config_path.parent / "complaintd.db"
    daemon = desk.spawn("run")
    try:
        wait_until(lambda: watching(database), desk=desk)
        time.sleep(0.5)  # let the watcher enter IDLE
        desk.append(mail("Lost parcel", "My parcel SF1234567890123 is lost."))
        wait_until(lambda: ticket_count(database) == 1, desk=desk)
        desk.append(mail("Late parcel", "Still late.", sender=("B", "b@x.example")))
        wait_until(lambda: ticket_count(database) == 2, desk=desk)
        # The daemon's sender delivers the acknowledgements without waiting for a pass.
        acknowledged = {m.rcpt_tos[0] for m in desk.smtp.wait_for(2, timeout=15)}
        assert acknowledged == {"zhang.wei@customer.example", "b@x.example"}
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=30)
    assert code == 0, desk.log()


def test_run_reloads_config_on_sighup_and_keeps_going_on_a_bad_one(desk: Desk) -> None:
    database = desk.config_path.parent / "complaintd.db"
    daemon = desk.spawn("-v", "run")
    try:
        wait_until(lambda: watching(database), desk=desk)
        good = desk.config_path.read_text()
        desk.config_path.write_text(good.replace("[smtp]", "[smtp]\nbogus_key = 1"))
        daemon.send_signal(signal.SIGHUP)
        time.sleep(3.0)
        desk.config_path.write_text(good)
        daemon.send_signal(signal.SIGHUP)
        time.sleep(3.0)
        desk.append(mail("Lost parcel", "Lost."))
        wait_until(lambda: ticket_count(database) == 1, desk=desk)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    log = desk.log()
    assert "configuration not reloaded: smtp.bogus_key: unknown key" in log
    assert "configuration reloaded" in log


def test_check_validates_and_connects(desk: Desk) -> None:
    result = desk.cli("check", "--connect")
    assert result.code == 0, result.err
    assert "mailbox complaints" in result.err and "ok" in result.err


def test_check_names_the_bad_key(desk: Desk) -> None:
    text = desk.config_path.read_text().replace(
        'timezone = "Asia/Shanghai"', 'timezone = "Asia/Atlantis"'
    )
    desk.config_path.write_text(text)
    result = desk.cli("check")
    assert result.code == 2
    assert "desk.timezone" in result.err and "unknown time zone" in result.err


def test_check_connect_reports_a_server_that_is_down(desk: Desk) -> None:
    text = desk.config_path.read_text().replace(f"port = {desk.dovecot.port}", "port = 9")
    desk.config_path.write_text(text)
    result = desk.cli("check", "--connect")
    assert result.code == 1
    refused = "nothing answers at 127.0.0.1:9 (connection refused): is the server running"
    assert f"\nmailbox complaints: {refused}" in result.err
    assert result.err.count("mailbox complaints") == 1  # named once, not twice
    passed = desk.cli("once")
    assert passed.code == 1
    assert f"error: mailbox complaints: {refused}" in passed.err
    assert "nothing to do" not in passed.err  # a pass that never connected did not run


def test_db_upgrade_is_idempotent(desk: Desk) -> None:
    first = desk.cli("db", "upgrade")
    assert first.code == 0 and "applied 0001" in first.err
    second = desk.cli("db", "upgrade")
    assert second.code == 0 and "up to date" in second.err


def test_bad_now_is_a_usage_error(desk: Desk) -> None:
    result = desk.cli("tickets", "list", now="yesterday")
    assert result.code == 2 and "ISO-8601" in result.err


def test_now_may_follow_the_command(desk: Desk) -> None:
    """``tickets list --overdue --now LATER`` is what people type when simulating a day."""
    desk.append(mail("Late", "My parcel SF1234567890123 is late.", sender=("B", "b@x.example")))
    desk.once(now=NOW)
    listed = desk.cli("tickets", "list", "--overdue", "--format", "json", "--now", LATER)
    assert listed.code == 0, listed.err
    assert len(listed.json()) == 1  # overdue by then, so --now was taken
    assert desk.cli("tickets", "list", "--overdue", "--format", "json", now=NOW).json() == []
    wrong = desk.cli("tickets", "list", "--bogus")
    assert wrong.code == 2 and "unrecognized arguments: --bogus" in wrong.err


def test_unknown_ticket_is_exit_1(desk: Desk) -> None:
    result = desk.cli("tickets", "show", "TS-209901-0001")
    assert result.code == 1 and "no ticket" in result.err


def test_failing_message_is_quarantined_listed_and_retried(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure we cannot cause with real mail (a bug in a stage) is injected here."""
    real_ingest = pipeline.ingest

    def failing_ingest(runtime, inbound, analysis):  # type: ignore[no-untyped-def]
        if analysis.parsed.subject == "Poison":
            raise ValueError("stage exploded")
        return real_ingest(runtime, inbound, analysis)

    monkeypatch.setattr(pipeline, "ingest", failing_ingest)
    desk.append(
        mail("Poison", "body", headers={"X-Test": "POISON"}),
        mail("Fine", "A normal late parcel.", sender=("B", "b@x.example")),
    )
    result = desk.once(now=NOW)
    assert "failed 1" in result.err and "new_ticket 1" in result.err
    failed = desk.cli("inbound", "failed", "--format", "json").json()
    assert len(failed) == 1 and "ValueError: stage exploded" in failed[0]["error"]
    assert desk.dovecot.count("complaints", f"{desk.folder}_failed") == 1

    monkeypatch.setattr(pipeline, "ingest", real_ingest)
    retried = desk.cli("inbound", "retry", str(failed[0]["id"]), now=NOW)
    assert retried.code == 0, retried.err
    assert desk.cli("inbound", "failed", "--format", "json").json() == []
    assert len(desk.tickets()) == 2


def test_fax_mailbox_makes_fax_tickets(desk: Desk, tmp_path: Path) -> None:
    from tests.integration.desk import write_config

    desk.dovecot.append_many("fax", "INBOX", [])
    config = write_config(
        tmp_path / "fax.toml",
        imap_port=desk.dovecot.port,
        smtp_port=2525,
        folder=desk.folder,
        database_url=f"sqlite:///{tmp_path}/fax.db",
        fax_folder="INBOX",
    )
    fax_desk = Desk(config, desk.dovecot, desk.folder)
    fax_desk.append(
        mail(
            "Fax from +86 21 5555 0198",
            "货物延误，运单号 SF3344556677889。",
            sender=("Fax Gateway", "gateway@fax.lida.example"),
        ),
        folder="INBOX",
        user="fax",
    )
    fax_desk.once(now=NOW)
    [ticket] = fax_desk.tickets()
    assert ticket["source"] == "fax"
    assert ticket["customer"]["fax"] == "+862155550198"
    assert ticket["customer"]["email"] is None
