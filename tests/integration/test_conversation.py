"""The conversation as people write it: a staffed desk, replies made by clients' Reply buttons.

Every reply here is built by :mod:`tests.integration.clients` as the client writes it:
In-Reply-To the desk's mail, References = that mail's References plus its Message-ID,
the original quoted below (or pasted), a signature.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest

from complaintd.store.event_action import EventAction
from tests.integration.clients import ALL_CLIENTS, Client, as_message, reply
from tests.integration.desk import Desk
from tests.integration.mails import mail, parsed

T0 = "2026-11-20T10:00:00+08:00"
T1 = "2026-11-20T14:00:00+08:00"
T2 = "2026-11-21T09:00:00+08:00"
T3 = "2026-11-21T15:00:00+08:00"
CUSTOMER = "zhang.wei@customer.example"
AGENT = "agent1@lida.example"


def sent_to(desk: Desk, address: str) -> list[EmailMessage]:
    """Every mail the desk sent to ``address``, oldest first."""
    return [parsed(m) for m in desk.smtp.messages if address in m.rcpt_tos]


def open_complaint(desk: Desk) -> str:
    """A damage complaint on a staffed desk: ack, contact sheet to qc, agent notice."""
    desk.append(
        mail(
            "货物破损投诉",
            "运单号 SF1234567890123 的货物外箱压坏，里面的瓷砖碎了。",
            message_id="c-conv@customer.example",
        )
    )
    desk.once(now=T0)
    [ticket] = desk.tickets()
    return str(ticket["number"])


def events(desk: Desk, number: str) -> list[str]:
    return [e["action"] for e in desk.show(number).get("events", [])]


@pytest.mark.parametrize("client", ALL_CLIENTS)
def test_customer_reply_to_the_ack_is_the_customers_not_a_forged_answer(
    staffed_desk: Desk, client: Client
) -> None:
    desk = staffed_desk
    number = open_complaint(desk)
    [ack] = sent_to(desk, CUSTOMER)
    before = len(desk.smtp.messages)
    desk.append(
        reply(
            ack,
            "补充一下：外箱上有明显的叉车压痕，照片见附件。",
            client=client,
            signature="张伟\n深圳市华南建材有限公司",
            attachments=[("压痕.jpg", "image/jpeg", b"\xff\xd8\xff\xe0JFIF-dent" * 10)],
        )
    )
    desk.once(now=T1)
    shown = desk.show(number)
    kinds = [m["kind"] for m in shown["messages"]]
    assert kinds.count("customer_reply") == 1, kinds
    assert "rejected_reply" not in kinds
    [added] = [m for m in shown["messages"] if m["kind"] == "customer_reply"]
    assert "叉车压痕" in added["body"]
    assert "原始邮件" not in added["body"] and "Original" not in added["body"]
    new_mail = desk.smtp.messages[before:]
    alerts = [parsed(m) for m in new_mail if "boss@lida.example" in m.rcpt_tos]
    assert alerts == []  # no forged-answer alert to the admins
    # The agents hear what the customer wrote.
    [told] = [parsed(m) for m in new_mail if AGENT in m.rcpt_tos]
    assert "叉车压痕" in text(told)


def text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def message_ids(message: EmailMessage) -> set[str]:
    return {*str(message["References"] or "").split(), str(message["In-Reply-To"] or "")}


def internal_ids(desk: Desk) -> set[str]:
    """Message-IDs of the mail the desk sent its own people."""
    return {
        str(parsed(m)["Message-ID"])
        for m in desk.smtp.messages
        if not any(r == CUSTOMER for r in m.rcpt_tos)
    }


@pytest.mark.parametrize("client", ALL_CLIENTS)
def test_customer_agrees_with_the_reply_button_after_sheets_and_notices(
    staffed_desk: Desk, client: Client
) -> None:
    desk = staffed_desk
    number = open_complaint(desk)
    assert desk.cli("tickets", "propose", number, "--text", "赔偿货值 800 元。", now=T1).code == 0
    desk.once(now=T1)
    proposal = sent_to(desk, CUSTOMER)[-1]
    # Mail to a customer references their own thread only, never internal mail.
    assert not message_ids(proposal) & internal_ids(desk)
    desk.append(reply(proposal, "同意这个方案，谢谢。", client=client, signature="张伟"))
    desk.once(now=T2)
    shown = desk.show(number)
    assert shown["status"] == "implementing"
    assert not [m for m in shown["messages"] if m["kind"] == "rejected_reply"]
    forward = sent_to(desk, AGENT)[-1]
    assert "同意这个方案" in text(forward) and "方案落实中" in text(forward)


def test_a_reply_whose_references_name_a_contact_sheet_is_still_the_customers(
    staffed_desk: Desk,
) -> None:
    """Mail sent by an earlier version listed every Message-ID of the ticket in References;
    the customer's Reply carries them back.  Who they are and the token they hold decide."""
    desk = staffed_desk
    number = open_complaint(desk)
    [sheet] = sent_to(desk, "qc@lida.example")
    [ack] = sent_to(desk, CUSTOMER)
    old_style = as_message(ack)
    del old_style["References"]
    old_style["References"] = f"<c-conv@customer.example> {sheet['Message-ID']}"
    desk.append(reply(old_style, "我还想补充：收货时司机态度很差。", client=Client.QQMAIL))
    desk.once(now=T1)
    kinds = [m["kind"] for m in desk.show(number)["messages"]]
    assert "customer_reply" in kinds and "rejected_reply" not in kinds
    assert not sent_to(desk, "boss@lida.example")  # no forged-answer alert


def test_agents_hear_every_customer_mail_threaded_under_their_own(staffed_desk: Desk) -> None:
    desk = staffed_desk
    open_complaint(desk)
    [notice] = sent_to(desk, AGENT)
    [ack] = sent_to(desk, CUSTOMER)
    desk.append(
        reply(ack, "请问什么时候能赔？", client=Client.MAIL163, message_id="q1@163.example")
    )
    desk.once(now=T1)
    desk.append(
        reply(ack, "另外外箱照片补上。", client=Client.GMAIL, message_id="q2@gmail.example")
    )
    desk.once(now=T2)
    first, second = sent_to(desk, AGENT)[1:]
    assert first["In-Reply-To"] == notice["Message-ID"]
    assert second["In-Reply-To"] == first["Message-ID"]
    assert notice["Message-ID"] in str(second["References"])
    assert first["Subject"] == second["Subject"]  # one subject per ticket
    assert "请问什么时候能赔" in text(first) and "外箱照片" in text(second)


def test_agent_traps_signature_colleague_line_take_and_refusals(staffed_desk: Desk) -> None:
    desk = staffed_desk
    number = open_complaint(desk)
    [notice] = sent_to(desk, AGENT)
    to_customer = len(sent_to(desk, CUSTOMER))
    desk.append(
        reply(
            notice,
            "#note 已电话联系客户，客户情绪稳定\n#take",
            client=Client.FOXMAIL,
            sender=("王芳", AGENT),
            signature="王芳\n利达物流客户服务中心\n电话：021-5555 8021",
        )
    )
    desk.once(now=T1)
    assert len(sent_to(desk, CUSTOMER)) == to_customer  # the signature is not a reply
    shown = desk.show(number)
    assert shown["owner"] == AGENT
    assert EventAction.OWNERSHIP_TAKEN in events(desk, number)

    desk.append(reply(notice, "收到，这单我来跟进", client=Client.QQMAIL, sender=("王芳", AGENT)))
    desk.once(now=T2)
    assert len(sent_to(desk, CUSTOMER)) == to_customer  # meant for colleagues
    told = sent_to(desk, AGENT)[-1]
    assert "没有发给客户" in text(told) and "收到，这单我来跟进" in text(told)

    desk.append(reply(notice, "#sevrity serious", client=Client.OUTLOOK_ZH, sender=("王芳", AGENT)))
    desk.once(now=T3)
    told = sent_to(desk, AGENT)[-1]
    assert "#severity" in text(told)  # the suggestion reaches the agent
    assert desk.show(number)["severity"] != "serious"


def test_replies_without_plus_addressing_reach_their_sheet_and_agent_scope(
    staffed_desk_with: Callable[[str], Desk],
) -> None:
    desk = staffed_desk_with("plus_addressing = false")
    number = open_complaint(desk)
    [sheet] = sent_to(desk, "qc@lida.example")
    [notice] = sent_to(desk, AGENT)
    assert sheet["Reply-To"] == "complaints@lida.example"
    assert f"[{number}/S1-" in sheet["Subject"] and f"[{number}/A-" in notice["Subject"]
    answer = "调查结果：成立\n原因：业务人员操作失误\n责任：装卸班组\n处理方案：赔偿货值。"
    desk.append(reply(sheet, answer, client=Client.OUTLOOK_ZH, sender=("李工", "qc@lida.example")))
    desk.append(reply(notice, "#severity important", client=Client.GMAIL, sender=("王芳", AGENT)))
    desk.once(now=T1)
    shown = desk.show(number)
    assert shown["contact_sheets"][0]["status"] == "answered"
    assert shown["severity"] == "important"
