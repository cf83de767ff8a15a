"""Intake under odd and hostile senders (issue 11, items 10-12), through the real Dovecot and
SMTP sink: reused Message-IDs, floods from one sender, a new or restored ledger, and a
mistyped database path."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from complaintd.store.db import close_database
from tests.integration.desk import Desk
from tests.integration.mails import mail

NOW = "2026-11-20T10:00:00+08:00"
PROCESSED = "$Complaintd"


def _events(desk: Desk, number: str, action: str) -> list[dict[str, Any]]:
    return [e for e in desk.show(number)["events"] if e["action"] == action]


def _kinds_sent(desk: Desk) -> Counter[str]:
    return Counter(str(m.parsed()["X-Complaintd-Kind"]) for m in desk.smtp.messages)


# --- item 10: a Message-ID alone does not make a duplicate ------------------------------


def _erp_mail(sender: tuple[str, str], subject: str, body: str) -> bytes:
    """Mail from a badly configured ERP mail module: every mail gets the same Message-ID."""
    return mail(subject, body, sender=sender, message_id="1.0@erp.localdomain")


def test_reused_message_id_from_another_sender_is_a_new_complaint(desk: Desk) -> None:
    desk.append(
        _erp_mail(
            ("王芳", "wang.fang@huadong-trade.example"), "到货破损", "运单 SF1111111111111 破损。"
        )
    )
    desk.once(now=NOW)
    desk.append(
        _erp_mail(
            ("李强", "li.qiang@nanfang-parts.example"), "货物丢失", "运单 SF2222222222222 丢了。"
        )
    )
    result = desk.once(now=NOW)
    assert "new_ticket 1" in result.err and "duplicate" not in result.err, result.err
    first, second = desk.tickets()
    assert second["customer"]["email"] == "li.qiang@nanfang-parts.example"
    [note] = _events(desk, second["number"], "message_id_reused")
    assert note["detail"]["first_ticket"] == first["number"]
    assert note["detail"]["message_id"] == "1.0@erp.localdomain"
    acknowledged = {m.rcpt_tos[0] for m in desk.smtp.messages}
    assert acknowledged == {"wang.fang@huadong-trade.example", "li.qiang@nanfang-parts.example"}


def test_a_second_delivery_with_other_trace_headers_is_a_duplicate(desk: Desk) -> None:
    """The MTA timed out and delivered again: new Received and Delivered-To lines on top of
    the same mail.  Same Message-ID, same sender, subject and text: one ticket."""
    original = mail("Lost parcel", "Parcel SF3333333333333 is lost.", message_id="m-7@cust.example")
    first = b"Delivered-To: complaints@lida.example\r\nReceived: from mx1 by imap1; 09:31\r\n"
    again = b"Delivered-To: service@lida.example\r\nReceived: from mx2 by imap1; 09:36\r\n"
    desk.append(first + original)
    desk.once(now=NOW)
    desk.append(again + original)
    result = desk.once(now=NOW)
    assert "duplicate 1" in result.err, result.err
    [ticket] = desk.tickets()
    [event] = _events(desk, ticket["number"], "duplicate_ignored")
    assert event["detail"]["basis"] == "same sender, subject and text"


def test_same_sender_reusing_an_id_for_new_text_is_a_new_complaint(desk: Desk) -> None:
    """The same ERP sends a second, different complaint under the same fixed ID."""
    sender = ("王芳", "wang.fang@huadong-trade.example")
    desk.append(_erp_mail(sender, "到货破损", "运单 SF1111111111111 破损。"))
    desk.once(now=NOW)
    desk.append(_erp_mail(sender, "又一单破损", "运单 SF4444444444444 也破损了。"))
    result = desk.once(now=NOW)
    assert "new_ticket 1" in result.err, result.err
    assert len(desk.tickets()) == 2


# --- item 11: floods ------------------------------------------------------------------------


def _flood(count: int, sender: tuple[str, str] = ("Spam Bot", "bot@flood.example")) -> list[bytes]:
    """A script mailing complaints in a loop: one sender, a fresh Message-ID and waybill each."""
    return [
        mail(
            f"投诉 第{n}单 货物破损",
            f"运单号 SF{n:013d} 的货物包装破损，外箱压坏，要求赔偿。",
            sender=sender,
        )
        for n in range(1, count + 1)
    ]


def test_two_hundred_complaints_in_a_minute_are_one_flood(staffed_desk: Desk) -> None:
    """Before: 200 tickets, 199 raised by the repeat rule, 199 emergency alerts, 200 contact
    sheets and 200 agent notices.  Now: five tickets, then one flood ticket collecting the
    rest, one acknowledgement and one alert."""
    desk = staffed_desk
    desk.append(*_flood(200))
    started = time.perf_counter()
    result = desk.once(now=NOW)
    seconds = time.perf_counter() - started
    assert "flood 195, new_ticket 5" in result.err, result.err
    tickets = desk.tickets()
    assert len(tickets) == 5
    assert {t["severity"] for t in tickets} == {tickets[0]["severity"]}  # none escalated
    flood = desk.show(tickets[-1]["number"])
    assert "flood" in flood["tags"]
    complaints = [m for m in flood["messages"] if m["kind"] == "complaint"]
    assert len(complaints) == 196  # its own and the 195 collected, every one kept
    assert len([e for e in flood["events"] if e["action"] == "flood_collapsed"]) == 195
    sent = _kinds_sent(desk)
    assert sent == Counter({"contact_sheet": 5, "agent_new_ticket": 5, "ack": 1, "flood": 1})
    [alert] = [m for m in desk.smtp.messages if m.parsed()["X-Complaintd-Kind"] == "flood"]
    assert set(alert.rcpt_tos) == {"agent1@lida.example", "boss@lida.example"}
    assert "bot@flood.example" in alert.parsed().get_body(("plain",)).get_content()
    print(
        f"\n200 complaints from one sender: {len(tickets)} tickets, {sum(sent.values())} mails"
        f" sent ({dict(sent)}), pass {seconds:.1f} s"
    )


def test_a_flood_leaves_other_senders_and_later_mail_alone(staffed_desk: Desk) -> None:
    desk = staffed_desk
    desk.append(*_flood(8)[:4], mail("Late parcel", "SF5555555555555 is late."), *_flood(8)[4:])
    desk.once(now=NOW)
    assert len(desk.tickets()) == 6  # 5 of the flood, 1 of the other customer
    desk.append(*_flood(1))
    desk.once(now="2026-11-20T10:11:00+08:00")  # the window of 10 minutes has passed
    tickets = desk.tickets()
    assert len(tickets) == 7
    assert "repeat complaint" in tickets[-1]["severity_rule"]  # a repeat of the earlier burst
    assert _kinds_sent(desk)["flood"] == 1


def test_a_backlog_drained_at_once_is_not_a_flood(desk: Desk, imap_connect: Any) -> None:
    """The daemon was down for two days; a busy customer wrote every six hours.  One pass
    takes all eight in, but they arrived spread out (the server's INTERNALDATE): eight
    tickets, the later ones repeat complaints as always."""
    client = imap_connect()
    first = datetime(2026, 11, 18, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for n, raw in enumerate(_flood(8, sender=("陈经理", "chen@yueda-intl.example"))):
        client.append(desk.folder, raw, msg_time=first + timedelta(hours=6 * n))
    result = desk.once(now=NOW)
    assert "new_ticket 8" in result.err and "flood" not in result.err, result.err
    tickets = desk.tickets()
    assert all("repeat complaint" in (t["severity_rule"] or "") for t in tickets[1:])


def test_complaints_of_one_burst_do_not_escalate_each_other(desk: Desk) -> None:
    sender = ("A", "a@customer.example")
    desk.append(mail("Late parcel", "SF6666666666666 is late.", sender=sender))
    desk.once(now=NOW)
    desk.append(mail("Another late parcel", "SF7777777777777 too.", sender=sender))
    desk.once(now="2026-11-20T10:03:00+08:00")
    first, second = desk.tickets()
    assert first["severity"] == second["severity"]
    assert "repeat" not in (second["severity_rule"] or "")


def test_flood_handling_can_be_turned_off(staffed_desk_with: Any) -> None:
    desk = staffed_desk_with("flood_max_tickets = 0")
    desk.append(*_flood(8))
    result = desk.once(now=NOW)
    assert "new_ticket 8" in result.err and "flood" not in result.err, result.err


# --- item 12: a new or restored ledger, a mistyped path ----------------------------------


def _flag_only(desk: Desk) -> Desk:
    """The desk configured to flag processed mail instead of moving it."""
    text = desk.config_path.read_text()
    desk.config_path.write_text(text.replace(f'processed_folder = "{desk.folder}_done"\n', ""))
    return desk


def test_mail_processed_by_an_earlier_ledger_is_not_acknowledged_again(desk: Desk) -> None:
    _flag_only(desk)
    earlier = [
        mail("货物破损", "运单 SF1000000000001 破损。", sender=("A", "a@customer.example")),
        mail("Late parcel", "SF1000000000002 is late.", sender=("B", "b@customer.example")),
    ]
    desk.dovecot.append_many("complaints", desk.folder, earlier, flags=[PROCESSED])
    desk.append(mail("Lost parcel", "SF1000000000003 is lost.", sender=("C", "c@customer.example")))
    result = desk.once(now=NOW)
    assert "new_ticket 3" in result.err, result.err
    assert [m.rcpt_tos for m in desk.smtp.messages] == [("c@customer.example",)]
    first = desk.tickets()[0]
    [why] = _events(desk, first["number"], "ack_suppressed")
    assert PROCESSED in why["detail"]["reason"]


def test_check_says_a_new_ledger_meets_a_mailbox_with_processed_mail(desk: Desk) -> None:
    _flag_only(desk)
    processed = [mail("Late parcel", "SF1000000000004 is late.")]
    desk.dovecot.append_many("complaints", desk.folder, processed, flags=[PROCESSED])
    result = desk.cli("check", "--connect")
    assert result.code == 1
    assert "the ledger looks new: 1 message(s)" in result.err and "database.url" in result.err
    desk.once(now=NOW)
    assert desk.cli("check", "--connect").code == 0  # the ledger has fetched it now


def test_check_says_a_restored_ledger_is_older_than_the_mailbox(desk: Desk) -> None:
    _flag_only(desk)
    database = desk.config_path.parent / "complaintd.db"
    backup = desk.config_path.parent / "backup.db"
    desk.append(mail("Late parcel", "SF1000000000005 is late."))
    desk.once(now=NOW)
    _copy_ledger(database, backup)  # the nightly backup
    desk.append(mail("Lost parcel", "SF1000000000006 is lost."))
    desk.once(now=NOW)
    _copy_ledger(backup, database)  # restored after a disk failure
    result = desk.cli("check", "--connect")
    assert result.code == 1
    assert "older than the mailbox (restored from a backup?)" in result.err, result.err


def _copy_ledger(source: Path, target: Path) -> None:
    """Copy an SQLite ledger with SQLite's online backup, as an operator's backup does."""
    close_database()
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)


def test_check_says_a_new_ledger_meets_a_processed_folder(desk: Desk) -> None:
    desk.append(mail("Late parcel", "SF1000000000007 is late."))
    desk.once(now=NOW)  # moved to the processed folder
    text = desk.config_path.read_text().replace("complaintd.db", "typo.db")
    desk.config_path.write_text(text)
    result = desk.cli("check", "--connect")
    assert result.code == 1
    assert f"{desk.folder}_done holds 1 message(s)" in result.err, result.err


def test_a_database_directory_that_does_not_exist_is_a_configuration_error(desk: Desk) -> None:
    missing = desk.config_path.parent / "complaintdd"
    text = desk.config_path.read_text().replace(
        f"{desk.config_path.parent}/complaintd.db", f"{missing}/complaintd.db"
    )
    desk.config_path.write_text(text)
    for command in (("once",), ("check", "--connect"), ("db", "upgrade")):
        result = desk.cli(*command, now=NOW)
        assert result.code == 2, (command, result.err)
        assert "database.url" in result.err and "No such file or directory" in result.err
    assert not missing.exists()
