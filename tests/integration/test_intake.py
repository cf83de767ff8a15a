"""Intake end to end: real Dovecot, real CLI, SQLite ledger."""

from __future__ import annotations

import re

import pytest

from complaintd.fetch import imap
from tests.integration.desk import Desk
from tests.integration.mails import mail
from tests.support.samples import generate_mailbox

NOW = "2026-11-20T10:00:00+08:00"


def test_complaint_becomes_ticket_with_registration(desk: Desk) -> None:
    desk.append(
        mail(
            "货物破损投诉",
            "你好，运单号 SF1234567890123 的货物到货时外箱压坏，里面的瓷砖碎了 3 箱。\n"
            "发货日期：2026年11月2日\n请尽快处理。\n张伟 13812345678",
            charset="gbk",
            attachments=[("破损照片.jpg", "image/jpeg", b"\xff\xd8\xff\xe0fake-jpeg")],
        )
    )
    result = desk.once(now=NOW)
    assert "new_ticket 1" in result.err
    [ticket] = desk.tickets()
    assert ticket["number"] == "TS-202611-0001"
    assert (ticket["status"], ticket["category"], ticket["source"]) == (
        "received",
        "damage",
        "email",
    )
    assert ticket["waybills"] == ["SF1234567890123"]
    assert ticket["customer"] == {
        "name": "张伟",
        "email": "zhang.wei@customer.example",
        "fax": None,
    }
    assert ticket["language"] == "zh-CN"
    assert ticket["shipping_date"] == "2026-11-02"
    assert ticket["attachment_count"] == 1
    assert ticket["created_at"] == "2026-11-20T10:00:00+08:00"
    shown = desk.show("TS-202611-0001")
    [message] = [m for m in shown["messages"] if m["direction"] == "in"]
    assert message["kind"] == "complaint" and message["direction"] == "in"
    assert "外箱压坏" in message["body"] and "\ufffd" not in message["body"]
    assert message["attachments"][0]["filename"] == "破损照片.jpg"


def test_nothing_is_deleted_and_processed_mail_is_moved(desk: Desk) -> None:
    desk.append(mail("Delayed parcel", "My parcel SF1234567890123 is late by a week."))
    desk.once(now=NOW)
    assert desk.dovecot.count("complaints", desk.folder) == 0
    assert desk.dovecot.count("complaints", f"{desk.folder}_done") == 1


def test_processed_mail_is_moved_a_batch_of_uids_at_a_time(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big backlog is moved in several commands (one naming 20,000 UIDs was refused)."""
    monkeypatch.setattr(imap, "DISPOSE_BATCH", 2)
    desk.append(*(mail(f"Delayed parcel {i}", f"Parcel {i} is late.") for i in range(5)))
    desk.once(now=NOW)
    assert desk.dovecot.count("complaints", desk.folder) == 0
    assert desk.dovecot.count("complaints", f"{desk.folder}_done") == 5


def test_second_pass_fetches_nothing_new(desk: Desk) -> None:
    desk.append(mail("Delayed parcel", "My parcel is late."))
    desk.once(now=NOW)
    second = desk.once(now=NOW)
    assert "fetched 0" in second.err
    assert len(desk.tickets()) == 1


def test_same_message_id_in_two_mailboxes_is_one_ticket(desk: Desk) -> None:
    raw = mail("Lost parcel", "Parcel lost.", message_id="dup-1@customer.example")
    desk.append(raw)
    desk.once(now=NOW)
    desk.append(raw)  # delivered again (e.g. a resend or a copy into another folder)
    result = desk.once(now=NOW)
    assert "duplicate 1" in result.err
    assert len(desk.tickets()) == 1


def test_customer_reply_threads_by_subject_tag(desk: Desk) -> None:
    desk.append(mail("Damaged goods", "The box was crushed.", message_id="c1@customer.example"))
    desk.once(now=NOW)
    desk.append(mail("Re: [TS-202611-0001] Damaged goods", "Any news?\n\n> The box was crushed."))
    desk.once(now=NOW)
    [ticket] = desk.tickets()
    kinds = [m["kind"] for m in desk.show(ticket["number"])["messages"]]
    assert kinds == ["complaint", "ack", "customer_reply"]


def test_reply_threads_by_in_reply_to(desk: Desk) -> None:
    desk.append(mail("Damaged goods", "The box was crushed.", message_id="c2@customer.example"))
    desk.once(now=NOW)
    desk.append(mail("Re: hello", "More photos later.", in_reply_to="c2@customer.example"))
    desk.once(now=NOW)
    assert len(desk.tickets()) == 1


def test_stranger_using_a_ticket_tag_gets_a_linked_ticket(desk: Desk) -> None:
    desk.append(mail("Damaged goods", "The box was crushed."))
    desk.once(now=NOW)
    desk.append(
        mail(
            "Re: [TS-202611-0001] Damaged goods",
            "I am someone else.",
            sender=("Mallory", "mallory@elsewhere.example"),
        )
    )
    desk.once(now=NOW)
    first, second = desk.tickets()
    assert second["linked_to"] == first["number"]
    kinds = [m["kind"] for m in desk.show(first["number"])["messages"]]
    assert kinds == ["complaint", "ack"]  # nothing of Mallory's went into it


def test_auto_reply_is_recorded_not_a_complaint(desk: Desk) -> None:
    desk.append(
        mail("自动回复: 您的投诉", "我正在休假。", headers={"Auto-Submitted": "auto-replied"})
    )
    result = desk.once(now=NOW)
    assert "automated 1" in result.err
    assert desk.tickets() == []


def test_repeat_complaint_raises_severity(desk: Desk) -> None:
    desk.append(mail("Delayed parcel", "My parcel is late."))
    desk.once(now="2026-11-01T10:00:00+08:00")
    desk.append(mail("Delayed again", "Another parcel is late."))
    desk.once(now="2026-11-20T10:00:00+08:00")
    first, second = desk.tickets()
    assert first["severity"] == "general"
    assert second["severity"] == "important"
    assert "repeat complaint (TS-202611-0001" in second["severity_rule"]


def test_ticket_serial_restarts_each_month(desk: Desk) -> None:
    desk.append(mail("Late", "late"), mail("Late too", "late", sender=("B", "b@x.example")))
    desk.once(now="2026-11-30T23:00:00+08:00")
    desk.append(mail("Late in December", "late", sender=("C", "c@x.example")))
    desk.once(now="2026-12-01T00:30:00+08:00")
    assert [t["number"] for t in desk.tickets()] == [
        "TS-202611-0001",
        "TS-202611-0002",
        "TS-202612-0001",
    ]


def test_server_down_is_a_clear_error(desk: Desk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = desk.config_path.read_text().replace(f"port = {desk.dovecot.port}", "port = 9")
    desk.config_path.write_text(text)
    result = desk.cli("once", now=NOW)
    assert result.code == 1
    assert "complaints" in result.err and "error" in result.err


@pytest.mark.parametrize("status", ["received", "closed"])
def test_list_filters_by_status(desk: Desk, status: str) -> None:
    desk.append(mail("Late", "late"))
    desk.once(now=NOW)
    assert len(desk.tickets(status)) == (1 if status == "received" else 0)


def test_a_big_backlog_is_analysed_a_window_ahead_not_all_at_once(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fetching and processing 150 messages never holds more than LOOKAHEAD of them
    (raw or analysed) in memory: the rest waits in the ledger until its turn nears."""
    from complaintd.workflow import analysis

    monkeypatch.setattr(analysis, "LOOKAHEAD", 40)
    most = 0
    submit = analysis.Analyzer.submit

    def counting(self: analysis.Analyzer, inbound_id: int, raw: bytes) -> None:
        nonlocal most
        submit(self, inbound_id, raw)
        most = max(most, self.ahead())

    monkeypatch.setattr(analysis.Analyzer, "submit", counting)
    desk.append(*generate_mailbox(150, seed=23))
    result = desk.once()
    assert "fetched 150" in result.err
    assert 32 <= most <= 41  # the workers had a window ahead, and no more
    line = next(line for line in result.err.splitlines() if "fetched 150" in line)
    outcomes = {name: int(count) for name, count in re.findall(r"([a-z_]+) (\d+)", line)}
    outcomes.pop("fetched")
    assert sum(outcomes.values()) == 150  # every message done, none left pending
    assert len(desk.tickets()) == outcomes["new_ticket"] + outcomes.get("new_linked", 0)
