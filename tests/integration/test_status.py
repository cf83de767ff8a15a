"""``complaintd status`` as an operator and a monitoring check read it."""

from __future__ import annotations

import signal
import time
from datetime import datetime, timedelta

from tests.integration.desk import Desk
from tests.integration.mails import mail

NOW = "2026-11-20T10:00:00+08:00"


def test_status_after_a_pass_is_all_well_and_names_what_it_knows(desk: Desk) -> None:
    desk.append(mail("Lost parcel", "My parcel SF1234567890123 is lost."))
    desk.once()
    result = desk.cli("status", "--format", "json")
    assert result.code == 0, result.out
    document = result.json()
    [mailbox] = document["mailboxes"]
    assert mailbox["name"] == "complaints" and mailbox["mode"] == "poll"
    assert mailbox["holder"] is None  # once handed its lease back
    assert mailbox["since_last_check_seconds"] is not None and not mailbox["stale"]
    assert mailbox["lag_seconds"] is not None and mailbox["lag_seconds"] < 60
    assert document["inbound"] == {"pending": 0, "failed": 0, "oldest_waiting_seconds": None}
    assert document["outbox"]["failed"] == 0 and document["outbox"]["retrying"] == 0
    assert document["needs_attention"] == []
    assert document["instances"] == []  # once has stopped
    text = desk.cli("status")
    assert text.code == 0 and "HELD BY" in text.out and "NEEDS ATTENTION" not in text.out


def test_status_exits_1_for_failed_mail_and_a_mailbox_never_fetched(desk: Desk) -> None:
    never = desk.cli("status", "--format", "json")
    assert never.code == 1
    assert never.json()["needs_attention"] == ["mailbox complaints fetched never"]

    desk.smtp.mode = "permfail"
    desk.append(mail("Lost parcel", "My parcel SF1234567890123 is lost."))
    desk.once(now=NOW)
    result = desk.cli("status")
    assert result.code == 1
    assert "NEEDS ATTENTION: 1 outgoing mail(s) failed" in result.out


def test_status_shows_the_running_instance_holding_the_mailbox(desk: Desk) -> None:
    daemon = desk.spawn("run")
    try:
        deadline = time.monotonic() + 20
        while True:
            document = desk.cli("status", "--format", "json").json()
            if document["mailboxes"][0]["holder"] and document["instances"]:
                break
            assert time.monotonic() < deadline, desk.log()[-3000:]
            time.sleep(0.2)
        [instance] = document["instances"]
        assert document["mailboxes"][0]["holder"] == instance["holder"]
        assert instance["pid"] == daemon.pid
        assert document["mailboxes"][0]["mode"] == "idle"  # Dovecot offers IDLE
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=15) == 0
    after = desk.cli("status", "--format", "json").json()
    assert after["mailboxes"][0]["holder"] is None and after["instances"] == []


def test_every_business_time_in_status_follows_the_injected_clock(desk: Desk) -> None:
    """Under ``--now`` a job's finish is the simulated time it ran plus what it took, not
    the real time; only the wall-clock facts (lease checks, heartbeats) stay real."""
    desk.append(mail("Lost parcel", "My parcel SF1234567890123 is lost."))
    desk.once(now=NOW)
    document = desk.cli("status", "--format", "json", now=NOW).json()
    assert document["now"] == NOW
    [mailbox] = document["mailboxes"]
    assert mailbox["last_fetch_at"] == NOW and mailbox["since_last_fetch_seconds"] == 0
    for job in document["jobs"]:
        assert job["last_run_at"] == NOW, job
        started = datetime.fromisoformat(job["last_run_at"])
        finished = datetime.fromisoformat(job["finished_at"])
        took = timedelta(milliseconds=job["duration_ms"])
        assert timedelta(0) <= finished - started <= took + timedelta(seconds=1), job
