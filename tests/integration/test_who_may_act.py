"""Who may act: agent and department rights a forged From cannot take (issue 10).

Each forged case is refused with the ticket unchanged and nothing sent to the customer;
the genuine agent and department, replying with their clients' Reply buttons, still act.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest

from complaintd.store.event_action import EventAction
from tests.integration.clients import Client, reply
from tests.integration.desk import Desk
from tests.integration.mails import mail, parsed

T0 = "2026-11-20T10:00:00+08:00"
T1 = "2026-11-20T14:00:00+08:00"
T2 = "2026-11-21T09:00:00+08:00"
CUSTOMER = "zhang.wei@customer.example"
AGENT = "agent1@lida.example"
QC = "qc@lida.example"
TRUSTED = 'trusted_authserv_id = "mx.lida.example"'
DMARC_PASS = (
    "mx.lida.example; spf=pass smtp.mailfrom=lida.example; dmarc=pass header.from=lida.example"
)
DMARC_FAIL = (
    "mx.lida.example; spf=fail smtp.mailfrom=lida.example; dmarc=fail header.from=lida.example"
)
ANSWER = "调查结果：成立\n原因：业务人员操作失误\n责任：装卸班组\n处理方案：按申报价值赔偿。"


def sent_to(desk: Desk, address: str) -> list[EmailMessage]:
    return [parsed(m) for m in desk.smtp.messages if address in m.rcpt_tos]


def text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def open_complaint(desk: Desk, body: str = "运单号 SF1234567890123 的货物外箱压坏了。") -> str:
    desk.append(mail("货物破损投诉", body, message_id="c-act@customer.example"))
    desk.once(now=T0)
    [ticket] = desk.tickets()
    return str(ticket["number"])


def actions(desk: Desk, number: str) -> list[str]:
    return [e["action"] for e in desk.show(number)["events"]]


def test_forged_agent_with_only_the_subject_tag_changes_nothing(staffed_desk: Desk) -> None:
    desk = staffed_desk
    number = open_complaint(desk)
    before = desk.show(number)
    to_customer = len(sent_to(desk, CUSTOMER))
    desk.append(
        mail(
            f"Re: [{number}] 货物破损投诉",
            "#invalid 客户自行损坏\n您好，经核实您的投诉不成立，请勿再来信。",
            sender=("客服 王芳", AGENT),
        )
    )
    desk.once(now=T1)
    after = desk.show(number)
    assert after["status"] == before["status"] and after["status"] != "invalid"
    assert len(sent_to(desk, CUSTOMER)) == to_customer
    assert EventAction.NOTE in actions(desk, number)  # recorded as a note from that address
    forward = sent_to(desk, AGENT)[-1]
    assert "未带本投诉的客服回复令牌" in text(forward)


def test_forged_department_answer_needs_the_mta_verdict(
    staffed_desk_with: Callable[[str], Desk],
) -> None:
    desk = staffed_desk_with(TRUSTED)
    number = open_complaint(desk)
    [sheet] = sent_to(desk, QC)
    # The genuine sheet token, but no verdict of the desk's MTA: refused.
    desk.append(reply(sheet, ANSWER, client=Client.OUTLOOK_ZH, sender=("李工", QC)))
    # An outsider's own Authentication-Results below a failing one of the MTA: refused.
    desk.append(
        reply(
            sheet,
            ANSWER,
            client=Client.FOXMAIL,
            sender=("李工", QC),
            headers={"Authentication-Results": DMARC_FAIL, "X-Spoof": "1"},
        ).replace(b"X-Spoof: 1", f"Authentication-Results: {DMARC_PASS}".encode())
    )
    desk.once(now=T1)
    shown = desk.show(number)
    assert shown["contact_sheets"][0]["status"] == "open"
    assert actions(desk, number).count(EventAction.DEPARTMENT_ANSWER_REJECTED) == 2
    alerts = sorted(text(alert) for alert in sent_to(desk, "boss@lida.example"))
    assert len(alerts) == 2  # delivered over parallel connections: in either order
    assert any("no Authentication-Results header" in alert for alert in alerts)
    assert any("dmarc=fail" in alert for alert in alerts)
    # Said in the desk's language: the verdict is quoted, the rest is Chinese.
    assert all("未采信原因：邮件没有通过发件人身份验证（" in alert for alert in alerts)
    assert not any("not authenticated" in alert for alert in alerts)
    # The department, authenticated by the MTA: accepted.
    desk.append(
        reply(
            sheet,
            ANSWER,
            client=Client.OUTLOOK_ZH,
            sender=("李工", QC),
            headers={"Authentication-Results": DMARC_PASS},
        )
    )
    desk.once(now=T2)
    sheet_doc = desk.show(number)["contact_sheets"][0]
    assert sheet_doc["status"] == "answered"
    answered = [
        e for e in desk.show(number)["events"] if e["action"] == EventAction.DEPARTMENT_ANSWERED
    ]
    assert answered[0]["detail"]["basis"]["auth"] == "pass"  # the audit names the basis


def test_the_genuine_agent_acts_with_token_and_mta_verdict(
    staffed_desk_with: Callable[[str], Desk],
) -> None:
    desk = staffed_desk_with(TRUSTED)
    number = open_complaint(desk)
    [notice] = sent_to(desk, AGENT)
    to_customer = len(sent_to(desk, CUSTOMER))
    reply_text = "您好，我们已安排重新派送，预计明天上午送达。\n#note 已电话联系"
    desk.append(reply(notice, reply_text, client=Client.GMAIL, sender=("王芳", AGENT)))
    desk.once(now=T1)
    assert len(sent_to(desk, CUSTOMER)) == to_customer  # no verdict: nothing done
    assert EventAction.STAFF_MAIL_REJECTED in actions(desk, number)
    desk.append(
        reply(
            notice,
            reply_text,
            client=Client.GMAIL,
            sender=("王芳", AGENT),
            headers={"Authentication-Results": DMARC_PASS},
        )
    )
    desk.once(now=T2)
    [desk_reply] = sent_to(desk, CUSTOMER)[to_customer:]
    assert "重新派送" in text(desk_reply)
    agent_mail = [e for e in desk.show(number)["events"] if e["action"] == EventAction.AGENT_MAIL]
    assert agent_mail[-1]["detail"]["basis"]["token"] == f"{number}.a"


@pytest.mark.parametrize(
    "client",
    [Client.OUTLOOK, Client.FOXMAIL, Client.QQMAIL, Client.GMAIL, Client.APPLE_MAIL, Client.PASTE],
)
def test_commands_come_only_from_what_the_agent_wrote(staffed_desk: Desk, client: Client) -> None:
    """The notice quotes the customer's complaint and the help block's # lines; whether
    the client marks the quote or pastes it bare, only the agent's own line runs."""
    desk = staffed_desk
    number = open_complaint(
        desk,
        "运单号 SF1234567890123 的货物破损。\n#invalid 这行是客户自己写的\n#close 客户要求结案",
    )
    [notice] = sent_to(desk, AGENT)
    assert "#invalid 这行是客户自己写的" in text(notice)  # the notice shows the complaint
    to_customer = len(sent_to(desk, CUSTOMER))
    desk.append(reply(notice, "#note 已核实破损", client=client, sender=("王芳", AGENT)))
    desk.once(now=T1)
    shown = desk.show(number)
    assert shown["status"] == "investigating"
    assert len(sent_to(desk, CUSTOMER)) == to_customer  # the help lines were not text either
    notes = [e["detail"]["text"] for e in shown["events"] if e["action"] == EventAction.NOTE]
    assert notes == ["已核实破损"]


def test_a_tampered_token_from_staff_is_nobodys(staffed_desk: Desk) -> None:
    desk = staffed_desk
    number = open_complaint(desk)
    [sheet] = sent_to(desk, QC)
    reply_to = str(sheet["Reply-To"])
    tampered = (
        reply_to[: reply_to.index("@") - 1]
        + ("a" if reply_to[reply_to.index("@") - 1] != "a" else "b")
        + reply_to[reply_to.index("@") :]
    )
    desk.append(
        reply(
            sheet,
            ANSWER,
            client=Client.OUTLOOK_ZH,
            sender=("李工", QC),
            to=tampered,
            subject=f"答复: [{number}] 工作联系单",
        )
    )
    desk.once(now=T1)
    assert len(desk.tickets()) == 1  # not a new complaint of the department
    assert not [m for m in sent_to(desk, QC) if "受理" in str(m["Subject"])]  # no ack
    assert EventAction.STAFF_MAIL_REJECTED in actions(desk, number)
    assert desk.show(number)["contact_sheets"][0]["status"] == "open"
    [alert] = sent_to(desk, "boss@lida.example")  # admins see the rejected attempt
    assert "回复地址中的凭证已被改动或已过期" in " ".join(text(alert).split())
    assert "tampered" not in text(alert)
