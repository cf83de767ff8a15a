"""The outbox against a real SMTP server that fails in the ways real servers fail.

Every mail ends delivered exactly once, or failed and listed: none is lost.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from complaintd.cli.commands import cli_actor
from complaintd.clock import FixedClock, parse_now
from complaintd.config import load_config
from complaintd.outbox.sender import claim_due, flush_outbox
from complaintd.runtime import open_runtime
from complaintd.store.event_action import EventAction
from complaintd.store.models import Event, Outbox
from tests.integration.desk import CliResult, Desk
from tests.integration.mails import mail

T0 = "2026-11-20T10:00:00+08:00"


def complaints(n: int) -> list[bytes]:
    return [
        mail("Late parcel", f"Parcel {i} is late.", sender=(f"C{i}", f"c{i}@customer.example"))
        for i in range(n)
    ]


def outbox(desk: Desk, status: str | None = None) -> list[dict]:
    args = ["outbox", "list", "--format", "json"] + (["--status", status] if status else [])
    result = desk.cli(*args)
    assert result.code == 0, result.err
    return list(result.json())


def assert_each_delivered_once(desk: Desk, count: int) -> None:
    recipients = [m.rcpt_tos[0] for m in desk.smtp.messages]
    assert sorted(recipients) == sorted(f"c{i}@customer.example" for i in range(count))
    assert {row["status"] for row in outbox(desk)} == {"sent"}


def test_tempfail_then_success_delivers_exactly_once(desk: Desk) -> None:
    desk.smtp.mode = "tempfail_first:3"
    desk.append(*complaints(5))
    desk.once(now=T0)
    pending = outbox(desk, "pending")
    assert len(pending) == 3 and all("451" in row["error"] for row in pending)
    desk.once(now=T0)  # not yet due: backoff
    assert len(desk.smtp.messages) == 2
    desk.once(now="2026-11-20T10:05:00+08:00")
    assert_each_delivered_once(desk, 5)


def test_permanent_failure_is_failed_listed_and_retryable(desk: Desk) -> None:
    desk.smtp.mode = "permfail"
    desk.append(*complaints(2))
    desk.once(now=T0)
    failed = outbox(desk, "failed")
    assert len(failed) == 2 and all(row["error"].startswith("550") for row in failed)
    desk.smtp.mode = "ok"
    result = desk.cli("outbox", "retry", "--all", now=T0)
    assert result.code == 0, result.err
    assert_each_delivered_once(desk, 2)


def test_server_down_then_back(desk: Desk) -> None:
    desk.smtp.stop()
    desk.append(*complaints(12))
    result = desk.once(now=T0)
    assert "pending 12" in result.err
    # ... and why they wait, and until when (the server is named)
    assert "outbox: mail waits; next try 2026-11-20T10:01:00+08:00; last error" in result.err
    assert f"127.0.0.1 on port {desk.smtp.port}" in result.err
    rows = outbox(desk)
    assert all("Connect" in row["error"] or "refused" in row["error"].lower() for row in rows)
    # Once the server is known to be down, the rest of the batch is not tried in vain.
    assert sum(row["error"].startswith("not tried: ") for row in rows) >= 12 - 4
    desk.smtp.start()
    desk.once(now="2026-11-20T10:02:00+08:00")
    assert_each_delivered_once(desk, 12)


def test_mail_not_tried_while_the_server_stays_down_backs_off_row_by_row(desk: Desk) -> None:
    """Rows not tried are written together, yet each keeps its own count and backoff: a
    mail queued later (fewer attempts) is due again sooner than those before it."""
    desk.smtp.stop()
    desk.append(*complaints(6))
    desk.once(now=T0)  # 1st attempt: next try a minute later
    desk.append(*complaints(9)[6:])
    desk.once(now="2026-11-20T10:02:00+08:00")  # the first 6 again, the 3 new for the 1st time
    open_runtime(load_config(str(desk.config_path)), FixedClock(parse_now(T0)))
    rows = list(Outbox.select().order_by(Outbox.id))
    assert [row.attempts for row in rows] == [2] * 6 + [1] * 3
    second = parse_now("2026-11-20T10:02:00+08:00")
    expected = [second + timedelta(minutes=2)] * 6 + [second + timedelta(minutes=1)] * 3
    assert [row.next_attempt_at for row in rows] == expected
    assert {(row.status, row.claimed_by, row.lease_until) for row in rows} == {
        ("pending", None, None)
    }
    assert all(row.raw_message == b"" for row in rows), "nothing composed for a server down"
    desk.smtp.start()
    desk.once(now="2026-11-20T10:05:00+08:00")
    assert_each_delivered_once(desk, 9)


def test_gives_up_at_the_deadline(desk: Desk) -> None:
    desk.smtp.mode = "tempfail"
    desk.append(*complaints(1))
    desk.once(now=T0)
    desk.once(now="2026-11-23T10:00:00+08:00")  # past the 48 h retry deadline
    [row] = [r for r in outbox(desk) if r["kind"] == "ack"]  # not the progress update due now
    assert row["status"] == "failed" and "gave up at the deadline" in row["error"]


def test_unknown_outbox_id_is_exit_1(desk: Desk) -> None:
    assert desk.cli("outbox", "retry", "999").code == 1


class TickingClock:
    """Each reading is two minutes after the one before: a long flush, compressed."""

    def __init__(self, start: datetime) -> None:
        self.instant = start

    def now(self) -> datetime:
        self.instant += timedelta(minutes=2)
        return self.instant


def test_a_row_due_again_during_a_flush_is_left_pending_not_stuck_sending(desk: Desk) -> None:
    # issue 12 item 3: flush_async claimed such a row ('sending') and then dropped it as
    # already seen, so it stayed 'sending' until the lease ran out.
    desk.smtp.mode = "tempfail"
    desk.append(*complaints(2))
    desk.once(now=T0)  # both acknowledgements wait for their retry, due a minute later
    desk.smtp.mode = "tempfail_first:1"
    runtime = open_runtime(load_config(str(desk.config_path)), TickingClock(parse_now(T0)))
    counts = flush_outbox(runtime, concurrency=1)
    assert counts == Counter({"sent": 1, "pending": 1})
    statuses = {row["status"] for row in outbox(desk)}
    assert statuses == {"sent", "pending"}, "a row was left claimed by a flush that ended"
    desk.once(now="2026-11-20T11:00:00+08:00")
    assert_each_delivered_once(desk, 2)


def cancel(desk: Desk, outbox_id: int, reason: str = "customer withdrew it by phone") -> CliResult:
    return desk.cli("outbox", "cancel", str(outbox_id), "--reason", reason, now=T0)


def cancel_events() -> list[Event]:
    return list(Event.select().where(Event.action == EventAction.MAIL_CANCELLED).order_by(Event.id))


def test_cancelled_pending_mail_is_never_sent_and_the_audit_trail_says_who_and_why(
    desk: Desk,
) -> None:
    desk.smtp.stop()
    desk.append(*complaints(2))
    desk.once(now=T0)
    first, second = outbox(desk, "pending")
    result = cancel(desk, first["id"])
    assert result.code == 0, result.err
    assert f"outbox mail {first['id']}: cancelled" in result.err
    [listed] = outbox(desk, "cancelled")
    assert listed["id"] == first["id"]
    assert listed["error"].startswith(f"cancelled by {cli_actor()}: customer withdrew it by phone")
    [event] = cancel_events()
    assert (event.actor, event.ticket_id) == (cli_actor(), Outbox.get_by_id(first["id"]).ticket_id)
    assert event.detail == {
        "kind": "ack",
        "message_id": first["message_id"],
        "outbox": first["id"],
        "was": "pending",
        "reason": "customer withdrew it by phone",
    }
    desk.smtp.start()
    desk.once(now="2026-11-20T11:00:00+08:00")
    assert [m.rcpt_tos for m in desk.smtp.messages] == [tuple(second["to"])]
    assert outbox(desk, "cancelled")[0]["id"] == first["id"]


def test_cancelled_failed_mail_is_not_retried(desk: Desk) -> None:
    desk.smtp.mode = "permfail"
    desk.append(*complaints(1))
    desk.once(now=T0)
    [failed] = outbox(desk, "failed")
    assert cancel(desk, failed["id"], "address belongs to a competitor").code == 0
    [row] = outbox(desk, "cancelled")
    assert row["error"].endswith(f"(last error: {failed['error']})")
    desk.smtp.mode = "ok"
    retried = desk.cli("outbox", "retry", "--all", now=T0)
    assert retried.code == 0 and "0 mail(s) back in the queue" in retried.err
    assert desk.cli("outbox", "retry", str(failed["id"])).code == 1
    assert desk.smtp.messages == []
    assert [e.detail["was"] for e in cancel_events()] == ["failed"]


def test_cancelling_twice_changes_nothing_the_second_time(desk: Desk) -> None:
    desk.smtp.stop()
    desk.append(*complaints(1))
    desk.once(now=T0)
    [row] = outbox(desk)
    assert cancel(desk, row["id"]).code == 0
    again = cancel(desk, row["id"], "another reason")
    assert again.code == 0 and "cancelled already; nothing changed" in again.err
    assert [e.detail["reason"] for e in cancel_events()] == ["customer withdrew it by phone"]


def test_sent_mail_unknown_ids_and_mail_being_sent_cannot_be_cancelled(desk: Desk) -> None:
    desk.append(*complaints(1))
    desk.once(now=T0)
    [sent] = outbox(desk)
    result = cancel(desk, sent["id"])
    assert result.code == 1 and "was sent already" in result.err
    unknown = cancel(desk, 999)
    assert unknown.code == 1 and "no outbox mail 999" in unknown.err
    # A pass has claimed the next mail and is talking to the server right now.
    desk.smtp.stop()
    desk.append(*complaints(2)[1:])
    desk.once(now=T0)  # pending, due again in a minute
    later = parse_now("2026-11-20T10:05:00+08:00")
    runtime = open_runtime(load_config(str(desk.config_path)), FixedClock(later))
    [claimed] = claim_due(runtime, due_by=later)
    being_sent = cancel(desk, claimed.outbox_id)
    assert being_sent.code == 1 and "is being sent at this moment" in being_sent.err
    assert outbox(desk, "sending")[0]["id"] == claimed.outbox_id
    assert cancel_events() == []


def test_cancel_without_a_reason_as_design_lists_it_says_who_cancelled(desk: Desk) -> None:
    desk.smtp.stop()
    desk.append(*complaints(1))
    desk.once(now=T0)
    [row] = outbox(desk, "pending")
    result = desk.cli("outbox", "cancel", str(row["id"]), now=T0)  # DESIGN.md: outbox cancel ID
    assert result.code == 0, result.err
    assert f"outbox mail {row['id']}: cancelled" in result.err
    default = f"no reason given; cancelled by {cli_actor()}"
    assert [e.detail["reason"] for e in cancel_events()] == [default]
    [cancelled] = outbox(desk, "cancelled")
    assert cancelled["error"].startswith(f"cancelled by {cli_actor()}: {default}")


def test_an_empty_reason_is_a_usage_error(desk: Desk) -> None:
    blank = cancel(desk, 1, "   ")
    assert blank.code == 2 and "--reason is empty" in blank.err
