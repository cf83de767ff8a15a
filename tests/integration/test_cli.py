"""What agents and admins do on the command line (issue 9), on a desk wired to the real
Dovecot and SMTP test servers: the story of a ticket, the worklist, text from files and
stdin, help, pipes, the ledger's path, the daemon's log and the dates in mail.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from complaintd.store.event_action import EventAction
from tests.integration.clients import Client, reply
from tests.integration.desk import Desk
from tests.integration.mails import mail, parsed, text_of

T0 = "2026-11-20T10:00:00+08:00"
T1 = "2026-11-20T14:00:00+08:00"
AGENT = "agent1@lida.example"
CUSTOMER = "zhang.wei@customer.example"
PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF-photo-of-a-crushed-box" * 20
ANSWER = (
    "调查结果：成立\n"
    "原因：业务人员操作失误\n"
    "责任：深圳分拨中心装卸班组\n"
    "处理方案：按申报价值赔偿破损货物，并免费补发一箱。\n"
    "备注：已对班组进行培训。"
)


def sent_to(desk: Desk, address: str) -> list[EmailMessage]:
    """Every mail the desk sent to ``address``, oldest first."""
    return [parsed(m) for m in desk.smtp.messages if address in m.rcpt_tos]


def ok(desk: Desk, *args: str, now: str = T1) -> str:
    """stdout of a command that must succeed."""
    result = desk.cli(*args, now=now)
    assert result.code == 0, result.err
    return result.out


# --- tickets show -----------------------------------------------------------------------


def ticket_with_a_history(desk: Desk) -> str:
    """A damage complaint with a photo; qc answers; an agent takes it and gives a command
    that is refused; a note from the command line."""
    desk.append(
        mail(
            "货物破损投诉",
            "运单号 SF1234567890123 的货物外箱压坏，里面的瓷砖碎了。",
            attachments=[("破损照片.jpg", "image/jpeg", PHOTO)],
            message_id="c-story@customer.example",
        )
    )
    desk.once(now=T0)
    [ticket] = desk.tickets()
    number = str(ticket["number"])
    [sheet] = sent_to(desk, "qc@lida.example")
    desk.append(reply(sheet, ANSWER, client=Client.QQMAIL, sender=("质检 李工", "qc@lida.example")))
    [notice] = sent_to(desk, AGENT)
    desk.append(
        reply(
            notice,
            "#take\n#dispatch warehouse",
            client=Client.GMAIL,
            sender=("客服 小王", AGENT),
            signature="小王\n利达物流客服中心",
        )
    )
    desk.once(now=T1)
    ok(desk, "tickets", "note", number, "--text", "已电话联系客户，客户要求周五前答复")
    return number


def test_show_tells_the_story_facts_sheets_and_one_timeline(staffed_desk: Desk) -> None:
    desk = staffed_desk
    number = ticket_with_a_history(desk)
    story = ok(desk, "tickets", "show", number)
    head, _, rest = story.partition("Contact sheets")
    sheets, _, timeline = rest.partition("Timeline")
    # The facts.
    assert number in head and "SF1234567890123" in head
    assert f"Customer:   张伟 <{CUSTOMER}>" in head
    assert f"Owner:      {AGENT}" in head
    assert "Answer due:" in head and "Asia/Shanghai" in head
    # The sheet and what the department answered.
    assert "qc  answered" in sheets
    assert "by qc@lida.example" in sheets
    assert "Finding: valid" in sheets and "Cause: staff_error" in sheets
    assert "深圳分拨中心装卸班组" in sheets and "免费补发一箱" in sheets
    # The timeline: the complaint in full, automatic mail one line each, then what people did.
    lines = timeline.splitlines()
    assert "瓷砖碎了" in timeline and "[attachment] 破损照片.jpg (image/jpeg" in timeline
    [ack] = [line for line in lines if "-> ack" in line]
    assert (
        f"to {CUSTOMER}" in ack and "[sent]" in ack and ack.lstrip().startswith("2026-11-20 10:00")
    )
    assert "处理流程" not in timeline  # the acknowledgement's text is not repeated ...
    assert "处理流程" in ok(desk, "tickets", "show", number, "--full")  # ... unless asked
    assert any(f"took the ticket  by {AGENT}" in line for line in lines)
    refused = lines.index(next(line for line in lines if f"refused  by {AGENT}" in line))
    assert "#dispatch" in lines[refused + 1]
    note = next(i for i, line in enumerate(lines) if "note  by cli:" in line)
    assert "已电话联系客户" in lines[note + 1]
    order = [
        next(i for i, line in enumerate(lines) if marker in line)
        for marker in (
            "<- complaint",
            "-> ack",
            "<- department_reply",
            "qc answered: valid",  # what the department's mail did, right after it
            "<- agent_reply",
            "took the ticket",  # what the agent's mail did, right after it
            "note  by",
        )
    ]
    assert order == sorted(order), timeline


def test_show_json_has_owner_and_every_event_in_the_desks_zone(staffed_desk: Desk) -> None:
    desk = staffed_desk
    number = ticket_with_a_history(desk)
    shown = desk.show(number)
    assert shown["owner"] == AGENT
    actions = [event["action"] for event in shown["events"]]
    for action in (
        EventAction.TICKET_CREATED,
        EventAction.SHEET_DISPATCHED,
        EventAction.STATUS_CHANGED,
        EventAction.NOTE,
    ):
        assert action in actions
    assert EventAction.OWNERSHIP_TAKEN in actions and EventAction.AGENT_MAIL_PROBLEMS in actions
    # in the order they happened
    assert actions.index(EventAction.OWNERSHIP_TAKEN) < actions.index(EventAction.NOTE)
    assert all(set(event) == {"at", "actor", "action", "detail"} for event in shown["events"])
    times = [event["at"] for event in shown["events"]]
    times += [
        e["detail"]["due_at"]
        for e in shown["events"]
        if e["action"] == EventAction.SHEET_DISPATCHED
    ]
    times.append(shown["contact_sheets"][0]["answer"]["at"])
    assert times and all(t.endswith("+08:00") for t in times), times
    note = next(e for e in shown["events"] if e["action"] == EventAction.NOTE)
    assert note["actor"].startswith("cli") and "周五前答复" in note["detail"]["text"]
    ack = next(m for m in shown["messages"] if m["kind"] == "ack")
    assert ack["delivery"]["status"] == "sent"


# --- tickets list -----------------------------------------------------------------------

LATE = "2026-11-20T15:00:00+08:00"


def three_tickets(desk: Desk) -> dict[str, str]:
    """General (due +24 h), serious (+2 h) and important (+8 h), an hour apart."""
    arrivals = [
        (
            "general",
            T0,
            "快递延误",
            "运单号 SF1111111111111 还没到，已经晚了两天。",
            ("李雷", "li.lei@a.example"),
        ),
        (
            "serious",
            "2026-11-20T11:00:00+08:00",
            "再不处理我就找律师",
            "运单号 SF2222222222222 的货丢了，我要找律师起诉。",
            ("韩梅梅", "han.meimei@b.example"),
        ),
        (
            "important",
            "2026-11-20T12:00:00+08:00",
            "Scratched furniture",
            "The table on waybill SF3333333333333 arrived scratched.",
            ("Mary Turner", "m.turner@c.example"),
        ),
    ]
    numbers = {}
    for severity, at, subject, body, sender in arrivals:
        desk.append(mail(subject, body, sender=sender))
        desk.once(now=at)
        numbers[severity] = str(desk.tickets()[-1]["number"])
    return numbers


def listed(desk: Desk, *args: str) -> list[str]:
    return [
        t["number"]
        for t in json.loads(ok(desk, "tickets", "list", "--format", "json", *args, now=LATE))
    ]


def test_list_is_sorted_by_due_time_with_due_and_age_columns(desk: Desk) -> None:
    n = three_tickets(desk)
    assert listed(desk) == [n["serious"], n["important"], n["general"]]
    table = ok(desk, "tickets", "list", now=LATE).splitlines()
    assert table[0].split() == [
        "NUMBER",
        "STATUS",
        "SEVERITY",
        "CATEGORY",
        "DUE",
        "AGE",
        "OWNER",
        "CUSTOMER",
        "WAYBILLS",
        "SUBJECT",
    ]
    rows = {line.split()[0]: line for line in table[1:]}
    # The serious one was due at 13:00 and is overdue at 15:00; the others are not.
    assert "11-20 13:00 !" in rows[n["serious"]] and "4h 0m" in rows[n["serious"]]
    assert "11-20 20:00" in rows[n["important"]] and "!" not in rows[n["important"]]
    assert "11-21 10:00" in rows[n["general"]] and "5h 0m" in rows[n["general"]]


def test_list_filters_overdue_owner_and_pages(desk: Desk) -> None:
    n = three_tickets(desk)
    documents = json.loads(ok(desk, "tickets", "list", "--format", "json", now=LATE))
    assert all("events" in d and "owner" in d and "messages" not in d for d in documents)
    assert listed(desk, "--overdue") == [n["serious"]]
    assert listed(desk, "--limit", "2") == [n["serious"], n["important"]]
    assert listed(desk, "--limit", "1", "--offset", "1") == [n["important"]]
    assert listed(desk, "--offset", "3") == []
    assert listed(desk, "--owner", AGENT) == []  # nobody has taken any


@pytest.mark.parametrize(
    ("text", "which"),
    [
        ("SF2222222222222", "serious"),  # a waybill
        ("sf3333333333333", "important"),  # any case
        ("han.meimei@B.example", "serious"),  # the customer's address
        ("李雷", "general"),  # the customer's name
        ("Scratched", "important"),  # the subject
        ("晚了两天", "general"),  # only in the body
        ("50%", None),  # LIKE wildcards are text
    ],
)
def test_search_finds_by_waybill_customer_subject_and_body(
    desk: Desk, text: str, which: str | None
) -> None:
    n = three_tickets(desk)
    assert listed(desk, "--search", text) == ([n[which]] if which else [])


def test_csv_is_read_back_by_the_csv_module(desk: Desk) -> None:
    n = three_tickets(desk)
    rows = list(
        csv.DictReader(io.StringIO(ok(desk, "tickets", "list", "--format", "csv", now=LATE)))
    )
    assert [row["number"] for row in rows] == [n["serious"], n["important"], n["general"]]
    serious = rows[0]
    assert serious["customer_name"] == "韩梅梅" and serious["subject"] == "再不处理我就找律师"
    assert serious["waybills"] == "SF2222222222222"
    assert (serious["overdue"], rows[1]["overdue"]) == ("yes", "no")
    assert serious["due_at"] == "2026-11-20T13:00:00+08:00"
    assert float(serious["age_hours"]) == 4.0


def test_an_unknown_status_is_bad_usage(desk: Desk) -> None:
    result = desk.cli("tickets", "list", "--status", "open")
    assert result.code == 2
    assert "invalid choice: 'open'" in result.err and "investigating" in result.err


# --- the desk's text from --text, --file or stdin -----------------------------------------


def open_ticket(desk: Desk) -> str:
    desk.append(mail("货物延误", "运单号 SF1234567890123 还没到。"))
    desk.once(now=T0)
    return str(desk.tickets()[-1]["number"])


def last_text_to_customer(desk: Desk) -> str:
    return text_of(sent_to(desk, CUSTOMER)[-1])


def test_reply_text_from_a_file(desk: Desk, tmp_path: Path) -> None:
    number = open_ticket(desk)
    letter = tmp_path / "reply.txt"
    letter.write_bytes("\ufeff张先生，您好！\n\n您的货物已到达深圳分拨中心，明天派送。\n".encode())
    ok(desk, "tickets", "reply", number, "--file", str(letter))
    text = last_text_to_customer(desk)
    assert "明天派送" in text
    assert text.count("您好") == 1 and "尊敬的" not in text  # the agent's own greeting only
    assert "\ufeff" not in text


def test_propose_and_close_read_stdin(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    number = open_ticket(desk)
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO("补发一箱，运费我司承担。\n".encode()))
    )
    ok(desk, "tickets", "propose", number, "-")
    assert "补发一箱" in last_text_to_customer(desk)
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO("已补发，运单 SF9988776655443。".encode()))
    )
    ok(desk, "tickets", "close", number, "--file", "-")
    assert "SF9988776655443" in last_text_to_customer(desk)
    assert desk.show(number)["status"] == "follow_up"


def test_tickets_reopen_takes_a_closed_ticket_back_and_refuses_an_open_one(desk: Desk) -> None:
    """Each reopening mails the (English) customer one letter: the desk's reason when it
    gave one, and the new committed answer time."""
    customer = "emily.carter@customer.example"
    complaint = "Waybill SF1234567890123 was due on Monday and has still not arrived."
    desk.append(mail("Late delivery", complaint, sender=("Emily Carter", customer)))
    desk.once(now=T0)
    number = str(desk.tickets()[-1]["number"])
    still_open = desk.cli("tickets", "reopen", number, now=T1)
    assert still_open.code == 2 and "still open" in still_open.err
    ok(desk, "tickets", "close", number, "--resolution", "已补发，运单 SF9988776655443。")
    reopened = desk.cli("tickets", "reopen", number, now=T1)  # the reason is optional
    assert reopened.code == 0, reopened.err
    assert f"{number}: investigating" in reopened.err
    shown = desk.show(number)
    assert shown["status"] == "investigating"
    [event] = [e for e in shown["events"] if e["detail"].get("previous") == "follow_up"]
    assert event["detail"]["reason"] == "reopened by the desk"
    assert event["actor"].startswith("cli")
    [letter] = _reopen_letters(desk, customer)
    assert "The reason" not in text_of(letter)  # no reason given: none made up
    _check_reopen_letter(letter, number, desk.show(number)["due_at"])
    ok(desk, "tickets", "close", number, "--resolution", "已补发。")
    reason = "You called to say the replacement parcel was damaged too."
    ok(desk, "tickets", "reopen", number, "--reason", reason)
    reasons = [
        e["detail"]["reason"]
        for e in desk.show(number)["events"]
        if e["detail"].get("previous") == "follow_up"
    ]
    assert reasons == ["reopened by the desk", reason]
    letters = _reopen_letters(desk, customer)
    assert len(letters) == 2
    assert reason in " ".join(text_of(letters[1]).split())
    _check_reopen_letter(letters[1], number, desk.show(number)["due_at"])


def _reopen_letters(desk: Desk, customer: str) -> list[EmailMessage]:
    """The desk's letters to ``customer`` saying it reopened their complaint."""
    return [m for m in sent_to(desk, customer) if "We have reopened" in m["Subject"]]


def _check_reopen_letter(letter: EmailMessage, number: str, due_at: str) -> None:
    """An English letter, text and HTML, naming ``number`` and the new time ``due_at``."""
    due = datetime.fromisoformat(due_at)
    assert due > datetime.fromisoformat(T1)
    when = f"{due.day} {due:%B %Y, %H:%M} (Beijing time)"
    for part in ("plain", "html"):
        body = " ".join(re.sub(r"<[^>]+>", "", text_of(letter, part)).split())
        assert f"we have reopened your complaint {number}, which had been closed" in body
        assert f"We will answer you by {when}" in body
        assert not re.search("[\u4e00-\u9fff]", body)


def _reach(desk: Desk, number: str, status: str) -> None:
    """Bring a new ticket to ``status`` the way the desk and the customer do."""
    if status == "investigating":
        ok(desk, "tickets", "reply", number, "--text", "我们正在核实，请稍候。")
    if status in ("solution_proposed", "implementing"):
        ok(desk, "tickets", "propose", number, "--text", "补发一箱，运费我司承担。")
    if status == "implementing":
        proposal = sent_to(desk, CUSTOMER)[-1]
        desk.append(reply(proposal, "同意，谢谢。", client=Client.QQMAIL))
        desk.once(now=T1)
    assert desk.show(number)["status"] == status


@pytest.mark.parametrize(
    "status", ["received", "investigating", "solution_proposed", "implementing"]
)
@pytest.mark.parametrize(
    ("command", "outcome"),
    [
        (("close", "--resolution", "已补发。"), "follow_up"),
        (("set", "--invalid", "重复投诉。"), "invalid"),
    ],
    ids=["close", "invalid"],
)
def test_the_desk_closes_or_invalidates_from_every_open_status(
    desk: Desk, status: str, command: tuple[str, ...], outcome: str
) -> None:
    """DESIGN.md: "The desk may close (-> follow_up) or invalidate a ticket from any open
    status" - from the command line, with the customer told."""
    number = open_ticket(desk)
    _reach(desk, number, status)
    told = len(sent_to(desk, CUSTOMER))
    ok(desk, "tickets", command[0], number, *command[1:])
    assert desk.show(number)["status"] == outcome
    assert len(sent_to(desk, CUSTOMER)) == told + 1


def test_bad_text_sends_nothing(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = open_ticket(desk)
    before = len(desk.smtp.messages)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("您的货物明天派送。".encode("gbk"))
    result = desk.cli("tickets", "reply", number, "--file", str(gbk))
    assert result.code == 2 and "not UTF-8" in result.err
    assert desk.cli("tickets", "reply", number, "--file", str(tmp_path / "none.txt")).code == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO("  \n"))
    assert desk.cli("tickets", "reply", number, "-").code == 2
    assert desk.cli("tickets", "reply", number).code == 2  # no text at all
    assert desk.cli("tickets", "reply", number, "--text", "x", "--file", str(gbk)).code == 2
    assert len(desk.smtp.messages) == before
    assert [m["kind"] for m in desk.show(number)["messages"]] == ["complaint", "ack"]


# --- help ---------------------------------------------------------------------------------


def subcommand_parsers() -> list[tuple[str, object]]:
    """Every (command path, parser) of complaintd but ``outbox`` (its own owner's work)."""
    import argparse

    from complaintd.cli.main import build_parser

    found: list[tuple[str, object]] = []

    def walk(path: str, parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    if f"{path} {name}".strip() != "outbox":
                        found.append((f"{path} {name}".strip(), child))
                        walk(f"{path} {name}".strip(), child)

    walk("", build_parser())
    return found


@pytest.mark.parametrize(
    ("path", "parser"), subcommand_parsers(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_subcommand_has_a_real_help(path: str, parser: object) -> None:
    import argparse

    assert isinstance(parser, argparse.ArgumentParser)
    assert parser.description and len(parser.description) > 20, path
    undocumented = [
        a.dest
        for a in parser._actions
        if not a.help and not isinstance(a, argparse._SubParsersAction)
    ]
    assert undocumented == [], path


def test_help_is_printed_and_exits_0(desk: Desk) -> None:
    result = desk.cli("tickets", "reply", "--help")
    assert result.code == 0
    assert "--file F" in result.out and "standard input" in result.out


# --- pipes --------------------------------------------------------------------------------


def test_piping_into_head_ends_quietly(desk: Desk) -> None:
    long_body = "\n".join(f"第{i}行：货物还没到，运单号 SF1234567890123。" for i in range(4000))
    desk.append(mail("货物延误", long_body))
    desk.once(now=T0)
    [ticket] = desk.tickets()
    base = f"{sys.executable} -m complaintd --config {desk.config_path}"
    for command in (
        f"tickets show {ticket['number']} --full",
        f"tickets show {ticket['number']} --format json",
        "tickets list --format csv",
    ):
        run = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {base} {command} | head -1"],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        assert run.stderr == "" and len(run.stdout.splitlines()) == 1, run.stderr


# --- the ledger's path --------------------------------------------------------------------


def test_relative_sqlite_path_is_next_to_the_config_file(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = desk.config_path.read_text()
    desk.config_path.write_text(
        re.sub(r'url = "sqlite:///[^"]*"', 'url = "sqlite:///data/ledger.db"', text)
    )
    (desk.config_path.parent / "data").mkdir()  # complaintd never creates it (issue 11, 12)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    desk.append(mail("货物延误", "运单号 SF1234567890123 还没到。"))
    desk.once(now=T0)
    assert (desk.config_path.parent / "data" / "ledger.db").is_file()
    assert list(elsewhere.iterdir()) == []
    monkeypatch.chdir(desk.config_path.parent / "data")  # another directory, the same ledger
    assert len(desk.tickets()) == 1


# --- outbox list --------------------------------------------------------------------------


def test_outbox_list_has_a_header_and_lists_failed_mail(desk: Desk) -> None:
    desk.smtp.mode = "permfail"
    open_ticket(desk)
    lines = ok(desk, "outbox", "list", "--status", "failed").splitlines()
    assert lines[0].split() == ["ID", "STATUS", "KIND", "TICKET", "ATTEMPTS", "TO", "ERROR"]
    [row] = lines[1:]
    assert "failed" in row and "ack" in row and "550" in row and CUSTOMER in row
    assert ok(desk, "outbox", "list", "--status", "pending").splitlines()[1:] == []


# --- dates in mail ------------------------------------------------------------------------


def with_english_name(desk: Desk) -> None:
    text = desk.config_path.read_text()
    desk.config_path.write_text(
        text.replace(
            'name = "Lida Logistics Customer Service"',
            'name = "利达物流客户服务中心"\nname_en = "Lida Logistics Customer Service"',
            1,
        )
    )


def test_mail_dates_are_in_the_desks_zone_and_language(desk: Desk) -> None:
    with_english_name(desk)
    desk.append(
        mail(
            "Late parcel",
            "My parcel SF1234567890123 is late.",
            sender=("Mary Turner", "m.turner@c.example"),
        )
    )
    desk.append(mail("货物延误", "运单号 SF9876543210987 还没到。"))
    desk.once(now=T0)
    english, chinese = sent_to(desk, "m.turner@c.example")[0], sent_to(desk, CUSTOMER)[0]
    for ack in (english, chinese):
        assert ack["Date"].endswith("+0800"), ack["Date"]  # 10:00 in Beijing, not 02:00 UTC
        assert " 10:00:00 " in ack["Date"]
    assert "Lida Logistics Customer Service" in english["From"]
    assert "利达物流客户服务中心" in chinese["From"]
    english_text, chinese_text = text_of(english), text_of(chinese)
    assert "20 November 2026, 10:00 (Beijing time)" in english_text  # received
    assert "21 November 2026, 10:00 (Beijing time)" in english_text  # the promise (24 h)
    assert "Lida Logistics Customer Service" in english_text and "利达" not in english_text
    assert "2026年11月20日 10:00（北京时间）" in chinese_text
    assert "UTC+08:00" not in english_text + chinese_text


# --- the daemon's log ---------------------------------------------------------------------


def wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_run_logs_each_fetch_ticket_and_mail_at_info(desk: Desk) -> None:
    daemon = desk.spawn("run")
    try:
        desk.append(
            mail("货物延误", "运单号 SF1234567890123 还没到。", message_id="log-1@customer.example")
        )
        wait_for(lambda: len(desk.smtp.messages) == 1)
        wait_for(lambda: " sent: " in desk.log())
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
    log = desk.log()
    fetched = [line for line in log.splitlines() if "fetched <log-1@customer.example>" in line]
    created = [
        line for line in log.splitlines() if "<log-1@customer.example>: new_ticket TS-" in line
    ]
    sent = [
        line
        for line in log.splitlines()
        if re.search(r"TS-\d{6}-\d{4} ack <[^>]+> \(outbox 1\) sent", line)
    ]
    assert (len(fetched), len(created), len(sent)) == (1, 1, 1), log
    assert all(" INFO " in line for line in fetched + created + sent)


def test_a_refused_imap_login_is_said_once(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTD_IMAP_PASSWORD", "wrong")
    daemon = desk.spawn("run")
    try:
        time.sleep(8)  # the watcher retries after 1, 2 and 4 seconds
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    log = desk.log()
    refused = [line for line in log.splitlines() if "refused the login" in line]
    assert len(refused) == 1, log
    assert "user 'complaints'" in refused[0] and "AUTHENTICATIONFAILED" in refused[0]
    assert "b'" not in refused[0] and "Traceback" not in log


def test_once_thaws_what_it_froze_for_the_garbage_collector(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``once`` keeps the garbage collector off its start-up objects during the pass and
    gives them back after it: a process that goes on (here, the tests) leaks nothing."""
    desk.append(mail("货物破损", "箱子压坏了，运单 SF1234567890123。"))
    frozen: list[int] = []
    real_freeze = gc.freeze

    def freeze() -> None:
        real_freeze()
        frozen.append(gc.get_freeze_count())

    monkeypatch.setattr(gc, "freeze", freeze)
    result = desk.once()
    assert result.code == 0, result.err
    assert frozen and frozen[0] > 0
    assert gc.get_freeze_count() == 0
