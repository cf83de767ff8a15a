"""The conversation as people write it: a staffed desk, replies made by clients' Reply buttons.

Every reply here is built by :mod:`tests.integration.clients` as the client writes it:
In-Reply-To the desk's mail, References = that mail's References plus its Message-ID,
the original quoted below (or pasted), a signature.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from tests.integration.clients import ALL_CLIENTS, Client, reply
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
    assert "叉车压痕" in told.get_body(preferencelist=("plain",)).get_content()
