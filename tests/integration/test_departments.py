"""Departments and desk agents end to end, through real Dovecot and SMTP.

A complaint comes in, a contact sheet goes to the right department with the photo,
the department answers from its own address with a Chinese form in a GBK-encoded
Outlook-style reply, a forged answer from another address is rejected, an agent
proposes by email, the customer agrees, an agent closes.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from email.message import EmailMessage

import pytest

from tests.integration.clients import Client, reply
from tests.integration.desk import Desk
from tests.integration.mails import mail, parsed, text_of

T0 = "2026-11-20T10:00:00+08:00"
T1 = "2026-11-20T14:00:00+08:00"
T2 = "2026-11-21T09:00:00+08:00"
CUSTOMER = "zhang.wei@customer.example"
PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF-photo-of-a-crushed-box" * 20


def sent_to(desk: Desk, address: str) -> list[EmailMessage]:
    return [parsed(m) for m in desk.smtp.messages if address in m.rcpt_tos]


def outlook_gbk_reply(
    sheet: EmailMessage, sender: str, answer: str, message_id: str | None = None
) -> bytes:
    """A reply as Chinese Outlook writes it: GBK under a gb2312 label, quoted original."""
    quoted = text_of(sheet)
    body = (
        f"{answer}\r\n\r\n-----原始邮件-----\r\n发件人: 客服中心 <complaints@lida.example>\r\n"
        f"发送时间: 2026年11月20日 10:00\r\n收件人: {sender}\r\n主题: {sheet['Subject']}\r\n\r\n"
        + quoted.replace("\n", "\r\n")
    )
    encoded = base64.encodebytes(body.encode("gbk")).decode("ascii")
    subject = base64.b64encode(f"答复: {sheet['Subject']}".encode("gbk")).decode("ascii")
    name = base64.b64encode("质检部 李工".encode("gbk")).decode("ascii")
    return (
        f"From: =?gb2312?B?{name}?= <{sender}>\r\n"
        f"To: {sheet['Reply-To']}\r\n"
        f"Subject: =?gb2312?B?{subject}?=\r\n"
        f"Message-ID: <{message_id or f'answer-{abs(hash(sender))}@lida.example'}>\r\n"
        f"In-Reply-To: {sheet['Message-ID']}\r\n"
        f"References: {sheet['Message-ID']}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="gb2312"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "X-Mailer: Microsoft Outlook 16.0\r\n\r\n"
        f"{encoded}"
    ).encode("ascii")


ANSWER = (
    "李经理您好，调查结果如下：\r\n"
    "调查结果：成立\r\n"
    "原因：业务人员操作失误\r\n"
    "责任：深圳分拨中心装卸班组\r\n"
    "处理方案：按申报价值赔偿破损货物，并免费补发一箱。\r\n"
    "备注：已对班组进行培训。"
)


def test_the_whole_department_and_agent_workflow(staffed_desk: Desk) -> None:
    desk = staffed_desk
    desk.append(
        mail(
            "货物破损投诉",
            "运单号 SF1234567890123 的货物外箱压坏，里面的瓷砖碎了。",
            attachments=[("破损照片.jpg", "image/jpeg", PHOTO)],
            message_id="c-dep@customer.example",
        )
    )
    desk.once(now=T0)
    [ticket] = desk.tickets()
    number = ticket["number"]
    assert ticket["status"] == "investigating"  # the sheet went out
    [sheet_mail] = sent_to(desk, "qc@lida.example")
    assert "[" + number + "/S1-" in sheet_mail["Subject"]  # the sheet token rides along
    assert sheet_mail["Reply-To"].startswith(f"complaints+{number.lower()}.s")
    photos = [p for p in sheet_mail.iter_attachments() if p.get_filename() == "破损照片.jpg"]
    assert photos and photos[0].get_content() == PHOTO
    sheet_text = text_of(sheet_mail)
    assert "SF1234567890123" in sheet_text and "瓷砖碎了" in sheet_text
    assert "调查结果：" in sheet_text
    assert sent_to(desk, "agent1@lida.example"), "agents hear of every new ticket"

    # A forged answer: right token, wrong address. Never applied; admins are told.
    desk.append(
        outlook_gbk_reply(sheet_mail, "mallory@evil.example", ANSWER.replace("成立", "不成立"))
    )
    desk.once(now=T1)
    shown = desk.show(number)
    assert shown["contact_sheets"][0]["status"] == "open"
    [rejected] = sent_to(desk, "boss@lida.example")  # admins hear of the rejected answer
    assert "未采信原因：发件地址不是“Quality Control”登记的邮箱。" in text_of(rejected)

    # The department answers from its own address.
    desk.append(outlook_gbk_reply(sheet_mail, "qc@lida.example", ANSWER))
    desk.once(now=T1)
    sheet = desk.show(number)["contact_sheets"][0]
    assert sheet["status"] == "answered"
    assert sheet["answer"]["finding"] == "valid"
    assert sheet["answer"]["cause"] == "staff_error"
    assert sheet["answer"]["responsible"] == "深圳分拨中心装卸班组"
    assert "免费补发一箱" in sheet["answer"]["solution"]
    summary = [m for m in sent_to(desk, "agent1@lida.example") if "免费补发一箱" in text_of(m)]
    assert summary, "agents get the collected answers and a suggested solution"

    # An agent proposes by replying to the desk's mail about the ticket.
    agent_mail = summary[-1]
    desk.append(
        mail(
            f"Re: {agent_mail['Subject']}",
            "#propose 按申报价值赔偿破损货物，并免费补发一箱。",
            sender=("客服 小王", "agent1@lida.example"),
            to=agent_mail["Reply-To"],
            in_reply_to=agent_mail["Message-ID"].strip("<>"),
        )
    )
    desk.once(now=T1)
    assert desk.show(number)["status"] == "solution_proposed"
    [proposal] = [
        m for m in sent_to(desk, "zhang.wei@customer.example") if "免费补发" in text_of(m)
    ]

    # The customer agrees.
    desk.append(
        mail(
            f"Re: {proposal['Subject']}",
            "同意，谢谢。",
            to=proposal["Reply-To"],
            in_reply_to=proposal["Message-ID"].strip("<>"),
        )
    )
    desk.once(now=T2)
    assert desk.show(number)["status"] == "implementing"

    # An agent closes.
    desk.append(
        mail(
            f"Re: [{number}] 进展",
            "#close 已赔偿并补发，运单 SF9988776655443。",
            sender=("客服 小王", "agent1@lida.example"),
            to=agent_mail["Reply-To"],
        )
    )
    desk.once(now=T2)
    shown = desk.show(number)
    assert shown["status"] == "follow_up"
    resolution = sent_to(desk, "zhang.wei@customer.example")[-1]
    assert "SF9988776655443" in text_of(resolution)


def test_an_incomplete_answer_is_sent_back_with_what_is_missing(staffed_desk: Desk) -> None:
    desk = staffed_desk
    desk.append(mail("货物破损投诉", "运单号 SF1234567890123 的货物外箱压坏。"))
    desk.once(now=T0)
    number = desk.tickets()[0]["number"]
    [sheet_mail] = sent_to(desk, "qc@lida.example")
    partial = "我们正在调查。\r\n原因：业务人员操作失误"  # no finding
    desk.append(outlook_gbk_reply(sheet_mail, "qc@lida.example", partial, "partial@lida.example"))
    desk.once(now=T1)
    assert desk.show(number)["contact_sheets"][0]["status"] == "open"
    [request] = [m for m in sent_to(desk, "qc@lida.example") if "请补全" in m["Subject"]]
    assert "“调查结果”一栏未填写" in text_of(request)
    assert request["Reply-To"] == sheet_mail["Reply-To"]  # the answer still reaches the sheet
    assert not [m for m in sent_to(desk, "boss@lida.example") if "请补全" in m["Subject"]]

    desk.append(outlook_gbk_reply(request, "qc@lida.example", ANSWER, "full@lida.example"))
    desk.once(now=T2)
    sheet = desk.show(number)["contact_sheets"][0]
    assert sheet["status"] == "answered" and sheet["answer"]["cause"] == "staff_error"


def test_serious_complaint_starts_the_emergency_response(staffed_desk: Desk) -> None:
    desk = staffed_desk
    desk.append(mail("紧急：货物起火", "运单 SF1234567890123 的货物在运输中起火，有人受伤。"))
    desk.once(now=T0)
    [ticket] = desk.tickets()
    assert ticket["severity"] == "serious"
    assert "emergency" in ticket["tags"]
    [alert] = sent_to(desk, "lead@lida.example")
    assert ticket["number"] in alert["Subject"]
    assert "起火" in text_of(alert)
    # Why, in the desk's words: the keyword found, the rule named for whoever tunes them.
    assert re.search(r"来信中有“(起火|受伤)”字样（规则 severity:serious\.\w+）。", text_of(alert))
    assert "keyword" not in text_of(alert)


def test_raising_to_serious_at_the_command_line_names_the_administrator(
    staffed_desk: Desk,
) -> None:
    desk = staffed_desk
    desk.append(mail("Late parcel", "My parcel SF1234567890123 is a week late."))
    desk.once(now=T0)
    number = desk.tickets()[0]["number"]
    assert desk.cli("tickets", "set", number, "--severity", "serious", now=T1).code == 0
    [alert] = sent_to(desk, "lead@lida.example")
    said = " ".join(text_of(alert).split())
    assert re.search(r"由管理员 \S+（命令行操作）调为严重投诉。", said), said
    assert "cli:" not in said and "set to serious" not in said


def test_agent_commands_and_plain_text(staffed_desk: Desk) -> None:
    desk = staffed_desk
    desk.append(
        mail(
            "Late parcel",
            "My parcel SF1234567890123 is a week late.",
            sender=("Mary", "mary@example.org"),
        )
    )
    desk.once(now=T0)
    number = desk.tickets()[0]["number"]
    [notice] = sent_to(desk, "agent1@lida.example")
    desk.append(
        mail(
            f"Re: {notice['Subject']}",
            "Dear Mary, we are checking with the depot.\n"
            "#severity serious\n#note called the depot\n#sevrity x",
            sender=("Agent", "agent1@lida.example"),
            to=notice["Reply-To"],
        )
    )
    desk.once(now=T1)
    shown = desk.show(number)
    assert shown["severity"] == "serious"
    to_customer = sent_to(desk, "mary@example.org")
    assert any("checking with the depot" in text_of(m) for m in to_customer)
    assert not any("#note" in text_of(m) or "#sevrity" in text_of(m) for m in to_customer)
    assert sent_to(desk, "lead@lida.example"), "severity raised to serious starts the emergency"


def test_only_configured_agents_may_command(staffed_desk: Desk) -> None:
    desk = staffed_desk
    desk.append(mail("Late parcel", "late", sender=("Mary", "mary@example.org")))
    desk.once(now=T0)
    number = desk.tickets()[0]["number"]
    [notice] = sent_to(desk, "agent1@lida.example")
    desk.append(
        mail(
            f"Re: {notice['Subject']}",
            "#close nothing to see",
            sender=("Eve", "eve@evil.example"),
            to=notice["Reply-To"],
        )
    )
    desk.once(now=T1)
    assert desk.show(number)["status"] != "follow_up"


def test_cli_dispatch_to_an_unknown_department_is_refused(staffed_desk: Desk) -> None:
    desk = staffed_desk
    desk.append(mail("Late parcel", "late"))
    desk.once(now=T0)
    number = desk.tickets()[0]["number"]
    result = desk.cli("tickets", "dispatch", number, "nosuch", now=T1)
    assert result.code == 2 and "no department 'nosuch'" in result.err
    ok = desk.cli("tickets", "dispatch", number, "qc", now=T1)
    assert ok.code == 0, ok.err
    assert [s["department"] for s in desk.show(number)["contact_sheets"]] == ["qc"]


def _words(html: str) -> str:
    """An HTML body as one line of words (tags dropped)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _agent_notice(desk: Desk) -> tuple[str, EmailMessage]:
    """A damage complaint registered (sheet to qc): its number and the agents' notice."""
    desk.append(mail("货物破损投诉", "运单号 SF1234567890123 的货物外箱压坏。"))
    desk.once(now=T0)
    [notice] = sent_to(desk, "agent1@lida.example")
    return desk.tickets()[0]["number"], notice


def _answer_to(desk: Desk, number: str) -> EmailMessage:
    """The desk's answer to the agent's commands (the only later mail to the agent)."""
    [answer] = [m for m in sent_to(desk, "agent1@lida.example")[1:] if number in m["Subject"]]
    return answer


@pytest.mark.parametrize("client", [Client.FOXMAIL, Client.OUTLOOK_ZH])
def test_refused_commands_are_explained_in_the_agents_chinese(
    staffed_desk: Desk, client: Client
) -> None:
    """A Chinese agent's reply from Foxmail / Chinese Outlook on a zh-CN desk: every
    refusal is a Chinese sentence naming statuses, levels and departments as the desk's
    mail does, and nobody is called by an event-log name."""
    desk = staffed_desk
    number, notice = _agent_notice(desk)
    commands = "李先生您好，已安排赔付。\n#sevrity 严重\n#dispatch 法务部\n#close 已赔付\n"
    commands += "#propose 再补偿 100 元\n#severity 紧急\n#severity 严重\n"
    desk.append(reply(notice, commands, client=client, sender=("李娜", "agent1@lida.example")))
    desk.once(now=T1)
    assert desk.show(number)["status"] == "follow_up"
    answer = _answer_to(desk, number)
    assert "请核对您的回复" in answer["Subject"]
    text = " ".join(text_of(answer).split())
    assert "#sevrity：没有这个指令，您是不是要写 #severity？" in text
    assert (
        "#dispatch：没有代码为“法务部”的部门。现有部门：qc（Quality Control）、ops（Operations）。"
        in text
    )
    assert (
        "#propose：这宗投诉目前的状态是“回访中”，现在还不能提出解决方案，只能转为“已结案”或“调查中”。"
        in text
    )
    assert (
        "#severity：“紧急”不是可用的严重程度，"
        "请写 serious（严重）、important（重要）或 general（一般）。" in text
    )
    assert not re.search(r"unknown|cannot|needs|is not|follow_up", text)
    [alert] = sent_to(desk, "lead@lida.example")
    alert_text = " ".join(text_of(alert).split())
    assert "由李娜（agent1@lida.example）调为严重投诉。" in alert_text
    assert "set to serious" not in alert_text


def test_an_agent_writing_english_is_answered_in_english(staffed_desk: Desk) -> None:
    """The desk speaks zh-CN, but the agent wrote English from Outlook: the answer is English."""
    desk = staffed_desk
    number, notice = _agent_notice(desk)
    text = "Dear customer, we are checking with the depot.\n#sevrity serious\n#dispatch legal\n"
    desk.append(
        reply(notice, text, client=Client.OUTLOOK, sender=("Mary Li", "agent1@lida.example"))
    )
    desk.once(now=T1)
    answer = " ".join(text_of(_answer_to(desk, number)).split())
    assert "#sevrity: there is no such command. Did you mean #severity?" in answer
    assert (
        "#dispatch: there is no department with the code “legal”. The departments are:"
        " qc (Quality Control), ops (Operations)." in answer
    )
    assert not re.search("[\u4e00-\u9fff]", answer.split("How to act")[0])


def test_an_agent_reopens_a_closed_ticket_and_dispatch_before_that_is_refused(
    staffed_desk: Desk,
) -> None:
    """A closed ticket gets no contact sheets (they would be chased while it stays
    closed): the Chinese agent is told so in Chinese, reopens it with #重开, then the
    sheet goes out.  #reopen on the ticket, open again, is refused."""
    desk = staffed_desk
    number, notice = _agent_notice(desk)
    closed = desk.cli("tickets", "close", number, "--resolution", "已按申报价值赔偿。", now=T1)
    assert closed.code == 0, closed.err
    agent = ("李娜", "agent1@lida.example")
    desk.append(reply(notice, "#dispatch ops", client=Client.FOXMAIL, sender=agent))
    desk.once(now=T1)
    shown = desk.show(number)
    assert shown["status"] == "follow_up"
    assert [s["department"] for s in shown["contact_sheets"]] == ["qc"]
    text = " ".join(text_of(_answer_to(desk, number)).split())
    assert (
        "#dispatch：这宗投诉目前的状态是“回访中”，已经不在处理中，所以没有执行。"
        "如需继续处理，请先用 #reopen（或 #重开）重新受理。" in text
    )

    again = "#重开 客户来电说赔偿款还没到账\n#dispatch ops\n#reopen"
    desk.append(reply(notice, again, client=Client.FOXMAIL, sender=agent))
    desk.once(now=T2)
    shown = desk.show(number)
    assert shown["status"] == "investigating"
    assert [s["department"] for s in shown["contact_sheets"]] == ["qc", "ops"]
    [reopened] = [e for e in shown["events"] if e["detail"].get("previous") == "follow_up"]
    assert reopened["actor"] == "agent1@lida.example"
    assert reopened["detail"]["reason"] == "客户来电说赔偿款还没到账"
    answers = [m for m in sent_to(desk, "agent1@lida.example")[1:] if number in m["Subject"]]
    text = " ".join(text_of(answers[-1]).split())
    assert "#reopen：这宗投诉目前的状态是“调查中”，还没有结案，不需要重开。" in text
    [letter] = [m for m in sent_to(desk, CUSTOMER) if "重新受理" in m["Subject"]]
    assert letter["Subject"].startswith(f"[{number}] 您的投诉已重新受理")
    due = datetime.fromisoformat(shown["due_at"])
    assert due > datetime.fromisoformat(T2)  # the new promise, counted from the reopening
    for body in (" ".join(text_of(letter).split()), _words(text_of(letter, "html"))):
        assert f"您的投诉 {number} 此前已经结案，现我们已将其重新受理" in body
        assert "客户来电说赔偿款还没到账" in body
        assert f"{due.year}年{due.month}月{due.day}日 {due:%H:%M}（北京时间）" in body


def test_an_english_agent_is_told_in_english_that_a_closed_ticket_takes_no_sheets(
    staffed_desk: Desk,
) -> None:
    desk = staffed_desk
    number, notice = _agent_notice(desk)
    invalid = desk.cli("tickets", "set", number, "--invalid", "Not our parcel.", now=T1)
    assert invalid.code == 0, invalid.err
    text = "Please check with the depot.\n#note asked by phone\n#dispatch ops"
    desk.append(
        reply(notice, text, client=Client.OUTLOOK, sender=("Mary Li", "agent1@lida.example"))
    )
    desk.once(now=T1)
    assert [s["department"] for s in desk.show(number)["contact_sheets"]] == ["qc"]
    answer = " ".join(text_of(_answer_to(desk, number)).split())
    assert (
        "#dispatch: the complaint's status is “Invalid complaint”, so it is no longer being"
        " handled and nothing was done. To handle it again, reopen it first with #reopen." in answer
    )
