"""Answers end to end, through real Dovecot and SMTP, written as mail clients' Reply
buttons write them: the customer's answer to a proposal, a department's incomplete form
and its follow-up, contact sheets cancelled by closing or invalidating, and a severity
raised after the acknowledgement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from complaintd.store.db import close_database, open_database
from complaintd.store.event_action import EventAction
from complaintd.store.models import Event, Ticket
from tests.integration.clients import ALL_CLIENTS, Client, reply
from tests.integration.desk import Desk
from tests.integration.mails import mail, parsed, text_of
from tests.support.smtpsink import SinkMessage

T0 = "2026-11-20T10:00:00+08:00"
T1 = "2026-11-20T11:00:00+08:00"
T2 = "2026-11-20T15:00:00+08:00"
T3 = "2026-11-21T09:00:00+08:00"
CUSTOMER = "zhang.wei@customer.example"
SIGNATURE_ZH = "张伟\n深圳市鹏程贸易有限公司 采购部\n电话：0755-8888 1234"
PROPOSAL = "按申报价值赔偿破损货物800元，并免费补发一箱。"
# Latin text that a Chinese mail may carry: numbers, addresses, the time zone, file names.
LATIN_DATA = re.compile(
    r"TS-\d{6}-\d{4}|[\w.+-]+@[\w.-]+|UTC[+-]\d\d:\d\d|SF\d+|[\w-]+\.(?:jpg|pdf|png)"
)


def sent_to(desk: Desk, address: str) -> list[SinkMessage]:
    return [m for m in desk.smtp.messages if address in m.rcpt_tos]


def subjects_to(desk: Desk, address: str) -> list[str]:
    return [str(parsed(m)["Subject"]) for m in sent_to(desk, address)]


def events(desk: Desk, number: str, action: EventAction) -> list[dict[str, Any]]:
    """The audit trail's ``action`` events of ticket ``number``, oldest first."""
    open_database(f"sqlite:///{desk.config_path.parent}/complaintd.db")
    try:
        ticket = Ticket.get(Ticket.number == number)
        query = Event.select().where((Event.ticket == ticket) & (Event.action == action))
        return [dict(e.detail) for e in query.order_by(Event.id)]
    finally:
        close_database()


def new_ticket(desk: Desk, body: str = "运单号 SF1234567890123 的货物外箱压坏，瓷砖碎了。") -> str:
    desk.append(mail("货物破损投诉", body))
    desk.once(now=T0)
    return str(desk.tickets()[-1]["number"])


@pytest.fixture
def proposed(desk: Desk) -> Iterator[tuple[Desk, str, SinkMessage]]:
    """A ticket with a solution proposed to the customer, and the proposal mail."""
    number = new_ticket(desk)
    result = desk.cli("tickets", "propose", number, "--text", PROPOSAL, now=T1)
    assert result.code == 0, result.err
    [proposal] = [m for m in sent_to(desk, CUSTOMER) if PROPOSAL[:8] in text_of(parsed(m))]
    yield desk, number, proposal


# --- the customer's answer to a proposal -----------------------------------------------------


@pytest.mark.parametrize("client", ALL_CLIENTS)
def test_agreement_by_reply_button_moves_to_implementing(
    proposed: tuple[Desk, str, SinkMessage], client: Client
) -> None:
    desk, number, proposal = proposed
    desk.append(reply(proposal, "同意，谢谢。", client=client, signature=SIGNATURE_ZH))
    desk.once(now=T2)
    assert desk.show(number)["status"] == "implementing"
    agreed = parsed(sent_to(desk, CUSTOMER)[-1])
    assert PROPOSAL in text_of(agreed) and agreed["Subject"] != parsed(proposal)["Subject"]


@pytest.mark.parametrize("client", ALL_CLIENTS)
def test_a_refusal_goes_back_to_investigating_with_the_objection(
    proposed: tuple[Desk, str, SinkMessage], client: Client
) -> None:
    desk, number, proposal = proposed
    answer = "这个方案我没法同意，这批瓷砖的货值是2560元，我有发票。"
    desk.append(reply(proposal, answer, client=client, signature=SIGNATURE_ZH))
    desk.once(now=T2)
    assert desk.show(number)["status"] == "investigating"
    [objection] = events(desk, number, EventAction.OBJECTION)
    assert objection["text"].startswith(answer)
    assert PROPOSAL not in objection["text"]  # the quoted proposal is not the objection
    told = text_of(parsed(sent_to(desk, CUSTOMER)[-1]))
    assert "货值是2560元" in told and "方案执行中" not in told


@pytest.mark.parametrize("client", ALL_CLIENTS)
@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("你们可以再多赔一点吗？", "question"),
        ("同意，但运费要退。", "condition"),
        ("不是不同意，只是金额太少了。", "hedged"),
    ],
)
def test_a_question_or_condition_leaves_the_ticket_and_records_it(
    proposed: tuple[Desk, str, SinkMessage], client: Client, answer: str, why: str
) -> None:
    desk, number, proposal = proposed
    before = len(sent_to(desk, CUSTOMER))
    desk.append(reply(proposal, answer, client=client, signature=SIGNATURE_ZH))
    desk.once(now=T2)
    assert desk.show(number)["status"] == "solution_proposed"
    [unclear] = events(desk, number, EventAction.PROPOSAL_ANSWER_UNCLEAR)
    assert unclear["why"] == why and unclear["text"].startswith(answer)
    assert len(sent_to(desk, CUSTOMER)) == before  # nobody told "solution confirmed"


def test_english_refusal_from_gmail(proposed: tuple[Desk, str, SinkMessage]) -> None:
    desk, number, proposal = proposed
    text = "I'm afraid I can't accept this. The tiles were worth CNY 2,560."
    desk.append(
        reply(
            proposal,
            text,
            client=Client.GMAIL,
            sender=("张伟", CUSTOMER),
            signature="Zhang Wei\nPengcheng Trading",
        )
    )
    desk.once(now=T2)
    assert desk.show(number)["status"] == "investigating"
    assert events(desk, number, EventAction.OBJECTION)[0]["text"].startswith(text)


def test_one_click_link_with_its_prefilled_subject(proposed: tuple[Desk, str, SinkMessage]) -> None:
    """The disagree link: subject and first line pre-filled, the reason typed after."""
    desk, number, proposal = proposed
    desk.append(
        reply(
            proposal,
            "不同意 / I do not agree. 原因 / Reason: 运费也应该退。",
            client=Client.QQMAIL,
            subject=f"[{number}] 不同意 / Disagree",
        )
    )
    desk.once(now=T2)
    assert desk.show(number)["status"] == "investigating"


# --- the incomplete-form loop ------------------------------------------------------------------


def sheet_mail(desk: Desk) -> EmailMessage:
    [sheet] = [
        m for m in sent_to(desk, "qc@lida.example") if "工作联系单：" in parsed(m)["Subject"]
    ]
    return parsed(sheet)


def incomplete_requests(desk: Desk) -> list[EmailMessage]:
    return [parsed(m) for m in sent_to(desk, "qc@lida.example") if "请补全" in parsed(m)["Subject"]]


# Names the test configuration gives in English (a real desk names them in Chinese).
CONFIGURED_NAMES = ("Lida Logistics Customer Service", "Quality Control")


def assert_all_chinese(message: EmailMessage, data: str) -> None:
    """No English line a Chinese clerk would stumble over (customer data and configured
    names aside)."""
    for line in text_of(message).splitlines():
        if line.strip() and line.strip() in data:
            continue
        bare = LATIN_DATA.sub(" ", line)
        for name in CONFIGURED_NAMES:
            bare = bare.replace(name, " ")
        assert not re.search(r"[A-Za-z]{2,}", bare), line


@pytest.mark.parametrize(
    "client", [Client.OUTLOOK_ZH, Client.FOXMAIL, Client.QQMAIL, Client.MAIL163, Client.OUTLOOK]
)
def test_incomplete_answer_is_asked_for_in_chinese_prefilled_and_merged(
    staffed_desk: Desk, client: Client
) -> None:
    desk = staffed_desk
    complaint = "运单号 SF1234567890123 的货物外箱压坏，瓷砖碎了。"
    number = new_ticket(desk, complaint)
    sheet = sheet_mail(desk)
    first = "我们正在调查，先回复已知情况：\n原因：业务人员操作失误\n责任：深圳分拨中心装卸班组"
    desk.append(
        reply(
            sheet, first, client=client, sender=("质检部 李工", "qc@lida.example"), signature="李工"
        )
    )
    desk.once(now=T1)
    assert desk.show(number)["contact_sheets"][0]["status"] == "open"
    [request] = incomplete_requests(desk)
    text = text_of(request)
    assert "“调查结果”一栏未填写" in text
    lines = text.splitlines()
    assert "原因：业务人员操作失误" in lines and "责任：深圳分拨中心装卸班组" in lines
    assert "调查结果：成立 / 不成立" in lines
    assert_all_chinese(request, complaint + "货物破损投诉")
    assert request["Reply-To"] == sheet["Reply-To"]

    # The follow-up brings the finding only: still no solution for a valid finding.
    desk.append(
        reply(request, "调查结果：成立", client=client, sender=("质检部 李工", "qc@lida.example"))
    )
    desk.once(now=T2)
    assert desk.show(number)["contact_sheets"][0]["status"] == "open"
    second = incomplete_requests(desk)[-1]
    assert "“处理方案”一栏未填写" in text_of(second)
    assert "调查结果：成立" in text_of(second).splitlines()
    assert_all_chinese(second, complaint + "货物破损投诉")

    # Then only the solution: the three replies make one answer.
    desk.append(
        reply(
            second,
            "处理方案：按申报价值赔偿800元，并免费补发一箱。",
            client=client,
            sender=("质检部 李工", "qc@lida.example"),
        )
    )
    desk.once(now=T3)
    answered = desk.show(number)["contact_sheets"][0]
    assert answered["status"] == "answered"
    assert answered["answer"]["finding"] == "valid"
    assert answered["answer"]["cause"] == "staff_error"
    assert answered["answer"]["responsible"] == "深圳分拨中心装卸班组"
    assert "赔偿800元" in answered["answer"]["solution"]
    assert len(incomplete_requests(desk)) == 2

    # A correction of one field later keeps the rest of the recorded answer.
    desk.append(
        reply(
            second,
            "更正：\n处理方案：按实际货值赔偿1200元，并免费补发一箱。",
            client=client,
            sender=("质检部 李工", "qc@lida.example"),
        )
    )
    desk.once(now=T3)
    corrected = desk.show(number)["contact_sheets"][0]["answer"]
    assert (corrected["finding"], corrected["cause"]) == ("valid", "staff_error")
    assert "赔偿1200元" in corrected["solution"]
    assert len(incomplete_requests(desk)) == 2


# --- closing or invalidating cancels the open sheets ----------------------------------------------


@pytest.mark.parametrize(
    ("command", "heading"),
    [
        (("tickets", "close", "--resolution", "已与客户协商，赔偿500元。"), "进入回访阶段"),
        (("tickets", "set", "--invalid", "签收时外包装完好，签收单无异常批注。"), "无效投诉"),
    ],
)
def test_closing_or_invalidating_cancels_open_sheets_once(
    staffed_desk: Desk, command: tuple[str, ...], heading: str
) -> None:
    desk = staffed_desk
    number = new_ticket(desk)
    sheet = sheet_mail(desk)
    verb, action, *rest = command
    result = desk.cli(verb, action, number, *rest, now=T1)
    assert result.code == 0, result.err
    desk.once(now=T2)
    desk.once(now=T3)
    [shown] = desk.show(number)["contact_sheets"]
    assert shown["status"] == "cancelled"
    cancelled = [s for s in subjects_to(desk, "qc@lida.example") if "已撤销" in s]
    assert len(cancelled) == 1, cancelled  # told once, however many passes run
    [notice] = [
        parsed(m) for m in sent_to(desk, "qc@lida.example") if "已撤销" in parsed(m)["Subject"]
    ]
    assert heading in text_of(notice) and rest[-1] in text_of(notice)
    assert_all_chinese(notice, "")
    assert notice["Reply-To"] == sheet["Reply-To"]
    assert [e["department"] for e in events(desk, number, EventAction.SHEET_CANCELLED)] == ["qc"]

    # A late answer on the cancelled sheet is kept on file; the sheet stays cancelled.
    answer = "调查结果：成立\n原因：业务人员操作失误\n处理方案：赔偿500元"
    desk.append(
        reply(notice, answer, client=Client.OUTLOOK_ZH, sender=("质检部", "qc@lida.example"))
    )
    desk.once(now=T3)
    [shown] = desk.show(number)["contact_sheets"]
    assert shown["status"] == "cancelled" and shown["answer"]["cause"] == "staff_error"


# --- a severity raised after the acknowledgement ---------------------------------------------


def test_raising_severity_keeps_the_promise_and_sets_an_internal_target(staffed_desk: Desk) -> None:
    desk = staffed_desk
    number = new_ticket(desk)
    before = desk.show(number)
    ack = text_of(parsed(sent_to(desk, CUSTOMER)[0]))
    result = desk.cli("tickets", "set", number, "--severity", "serious", now=T1)
    assert result.code == 0, result.err
    after = desk.show(number)
    assert after["severity"] == "serious"
    assert after["due_at"] == before["due_at"]  # what the acknowledgement promised stands
    sheet_before, sheet_after = before["contact_sheets"][0], after["contact_sheets"][0]
    assert before["severity"] == "general" and sheet_before["due_at"].startswith("2026-11-22T10")
    assert sheet_after["due_at"] < sheet_before["due_at"]  # serious: 4 h from the raise
    assert sheet_after["due_at"].startswith("2026-11-20T15:00")
    [alert] = [parsed(m) for m in sent_to(desk, "lead@lida.example")]
    text = text_of(alert)
    promised = "2026年11月21日 10:00（北京时间）"  # general: 24 h from 10:00, as told
    assert promised in ack
    assert f"已向客户承诺的答复时间为 {promised}" in text
    assert "内部目标为 2026年11月20日 13:00（北京时间）" in text  # serious: 2 h from the raise
    [changed] = events(desk, number, EventAction.SEVERITY_CHANGED)
    assert changed["internal_due_at"].startswith("2026-11-20T05:00")  # 13:00 in UTC
