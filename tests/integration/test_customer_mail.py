"""Customer mail through the outbox: acknowledgement, loop safety, replies, proposals."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from complaintd.store.event_action import EventAction
from complaintd.store.ticket_status import TicketStatus
from tests.integration.desk import Desk
from tests.integration.mails import mail, parsed, text_of
from tests.support.smtpsink import SinkMessage

NOW = "2026-11-20T10:00:00+08:00"
LATER = "2026-11-21T10:00:00+08:00"
CUSTOMER = ("张伟", "zhang.wei@customer.example")


def customer_mails(desk: Desk, at_least: int = 0) -> list[SinkMessage]:
    """Mail the desk sent to customers (not to its own departments and agents)."""
    desk.smtp.wait_for(at_least)
    return [m for m in desk.smtp.messages if not m.rcpt_tos[0].endswith("@lida.example")]


def open_ticket(
    desk: Desk,
    subject: str = "货物破损",
    body: str = "运单号 SF1234567890123 的货物破损了。",
    **kwargs: Any,
) -> str:
    desk.append(mail(subject, body, message_id=kwargs.pop("message_id", None), **kwargs))
    desk.once(now=NOW)
    return str(desk.tickets()[-1]["number"])


def test_new_complaint_is_acknowledged_in_chinese_with_loop_headers(desk: Desk) -> None:
    desk.append(
        mail(
            "货物破损", "运单号 SF1234567890123 的货物破损了。", message_id="c-ack@customer.example"
        )
    )
    desk.once(now=NOW)
    [sent] = customer_mails(desk, 1)
    ack = parsed(sent)
    assert sent.mail_from == "complaints@lida.example"  # bounces come back to us
    assert sent.rcpt_tos == ("zhang.wei@customer.example",)
    assert "[TS-202611-0001]" in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ack["In-Reply-To"] == "<c-ack@customer.example>"
    assert "c-ack@customer.example" in ack["References"]
    assert ack["Reply-To"].startswith("complaints+ts-202611-0001.c.")
    text = text_of(ack)
    assert "TS-202611-0001" in text and "SF1234567890123" in text
    assert "2026年11月20日" in text and "（北京时间）" in text  # in the desk's zone
    assert ack.get_body(preferencelist=("html",)) is not None
    [ticket] = desk.tickets()
    kinds = [m["kind"] for m in desk.show(ticket["number"])["messages"]]
    assert kinds == ["complaint", "ack"]
    assert desk.cli("outbox", "list", "--status", "pending", "--format", "json").json() == []


def test_english_complaint_gets_an_english_ack(desk: Desk) -> None:
    desk.append(
        mail(
            "Damaged parcel",
            "My parcel SF1234567890123 arrived crushed.",
            sender=("Mary Turner", "m.turner@example.org"),
        )
    )
    desk.once(now=NOW)
    text = text_of(parsed(customer_mails(desk, 1)[0]))
    assert "TS-202611-0001" in text
    assert "complaint" in text.lower()


def test_auto_reply_storm_sends_nothing(desk: Desk) -> None:
    open_ticket(desk)
    customer_mails(desk, 1)
    storm = [
        mail(
            "自动回复: [TS-202611-0001] 已受理",
            "我正在休假，将于下周回来。",
            headers={"Auto-Submitted": "auto-replied"},
            sender=("休假", f"ooo{i}@customer.example"),
        )
        for i in range(150)
    ] + [
        mail(
            "Out of Office: your complaint",
            "I am out of the office.",
            headers={"X-Autoreply": "yes", "Precedence": "auto_reply"},
            sender=("Away", f"away{i}@example.org"),
        )
        for i in range(150)
    ]
    desk.append(*storm)
    result = desk.once(now=NOW)
    assert "automated 300" in result.err
    assert len(customer_mails(desk)) == 1  # only the first acknowledgement, ever
    assert len(desk.tickets()) == 1


def test_robot_senders_and_second_complaint_in_window_get_no_ack(desk: Desk) -> None:
    desk.append(mail("Late parcel", "Late.", sender=("Shop", "noreply@shop.example")))
    desk.append(mail("Late parcel", "Late.", sender=("A", "a@customer.example")))
    desk.append(mail("Another late parcel", "Also late.", sender=("A", "a@customer.example")))
    desk.once(now=NOW)
    assert len(desk.tickets()) == 3
    sent = customer_mails(desk, 1)
    assert [m.rcpt_tos for m in sent] == [("a@customer.example",)]


def test_a_new_complaint_after_the_ack_window_is_acknowledged_again(desk: Desk) -> None:
    desk.append(mail("Late parcel", "Late.", sender=("A", "a@customer.example")))
    desk.once(now=NOW)
    desk.append(mail("Late again", "Still late.", sender=("A", "a@customer.example")))
    desk.once(now="2026-11-20T22:00:00+08:00")  # 12 h later: within the 24 h window
    desk.append(mail("Lost now", "Now it is lost.", sender=("A", "a@customer.example")))
    desk.once(now="2026-11-21T10:30:00+08:00")  # 24.5 h after the first acknowledgement
    tickets = desk.tickets()
    assert len(tickets) == 3
    assert "repeat complaint" in desk.show(tickets[-1]["number"])["severity_rule"]
    # (the first ticket's answer time has come meanwhile: it got a progress update too)
    kinds = [m["kind"] for t in tickets for m in desk.show(t["number"])["messages"]]
    assert kinds.count("ack") == 2


def test_further_customer_mail_is_added_without_new_ack(desk: Desk) -> None:
    number = open_ticket(desk, message_id="first@customer.example")
    desk.append(
        mail(f"Re: [{number}] 货物破损", "补充照片。", in_reply_to="first@customer.example")
    )
    desk.once(now=NOW)
    assert len(customer_mails(desk)) == 1
    kinds = [m["kind"] for m in desk.show(number)["messages"]]
    assert kinds == ["complaint", "ack", "customer_reply"]


def test_desk_reply_goes_to_the_customer(desk: Desk) -> None:
    number = open_ticket(desk)
    result = desk.cli("tickets", "reply", number, "--text", "我们正在核实，请稍候。", now=NOW)
    assert result.code == 0, result.err
    reply = parsed(customer_mails(desk, 2)[1])
    assert "我们正在核实" in text_of(reply)
    assert reply["Auto-Submitted"] is None  # written by a person
    assert desk.show(number)["status"] == "investigating"


def test_proposal_agreed_by_one_click_link(desk: Desk) -> None:
    number = open_ticket(desk)
    result = desk.cli("tickets", "propose", number, "--text", "赔偿运费并补发货物。", now=NOW)
    assert result.code == 0, result.err
    proposal = parsed(customer_mails(desk, 2)[1])
    html = proposal.get_body(preferencelist=("html",))
    assert html is not None and "mailto:complaints+ts-202611-0001.c." in str(html.get_content())
    assert desk.show(number)["status"] == "solution_proposed"
    # What a mail client sends from the one-click link: subject and body pre-filled.
    desk.append(
        mail(
            f"[{number}] 同意 / Agree",
            "同意 / I agree.",
            to=proposal["Reply-To"],
            in_reply_to=proposal["Message-ID"].strip("<>"),
        )
    )
    desk.once(now=LATER)
    assert desk.show(number)["status"] == "implementing"
    agreed = parsed(customer_mails(desk, 3)[2])
    assert "赔偿运费并补发货物" in text_of(agreed)


def test_proposal_disagreed_records_the_objection(desk: Desk) -> None:
    number = open_ticket(desk)
    desk.cli("tickets", "propose", number, "--text", "Refund the freight charge.", now=NOW)
    desk.append(mail(f"Re: [{number}] solution", "不同意，货物本身损坏了，需要赔偿货款。"))
    desk.once(now=LATER)
    shown = desk.show(number)
    assert shown["status"] == "investigating"
    # The objection is answered; a progress update due now may arrive before or after it
    # (mail goes out over several connections at once).
    later = [text_of(parsed(m)) for m in customer_mails(desk, 3)[2:]]
    assert any("需要赔偿货款" in text for text in later), later


def test_close_then_customer_writes_reopens(desk: Desk) -> None:
    number = open_ticket(desk)
    assert desk.cli("tickets", "close", number, "--resolution", "已赔偿。", now=NOW).code == 0
    assert desk.show(number)["status"] == "follow_up"
    desk.cli("tickets", "propose", number, "--text", "x", now=NOW)  # illegal now: refused
    # the survey closes it (a later issue); move it on as the survey job will
    from complaintd.store.db import open_database
    from complaintd.store.models import Ticket

    open_database(f"sqlite:///{desk.config_path.parent}/complaintd.db")
    Ticket.update(status=TicketStatus.CLOSED).where(Ticket.number == number).execute()
    desk.append(mail(f"Re: [{number}] 已结案", "问题又出现了，货物还是没到。"))
    desk.once(now=LATER)
    assert desk.show(number)["status"] == "investigating"
    kinds = [m["kind"] for m in desk.show(number)["messages"]]
    assert kinds[-2:] == ["customer_reply", "reopened"]


def test_illegal_transition_is_refused_with_a_clear_message(desk: Desk) -> None:
    number = open_ticket(desk)
    assert desk.cli("tickets", "set", number, "--invalid", "不属于本公司承运", now=NOW).code == 0
    result = desk.cli("tickets", "propose", number, "--text", "x", now=NOW)
    assert result.code == 2
    assert "cannot go from invalid to solution_proposed" in result.err
    invalid_mail = parsed(customer_mails(desk, 2)[1])
    assert "不属于本公司承运" in text_of(invalid_mail)


def test_header_injection_in_customer_subject_is_neutralised(desk: Desk) -> None:
    raw = mail("PLACEHOLDER", "damaged", sender=("A", "a@x.example"))
    # An RFC 2047 word may carry CR LF: "Broken\r\nBcc: victim@evil.example" once decoded.
    evil = "=?utf-8?b?QnJva2VuDQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGU=?="
    desk.append(raw.replace(b"Subject: PLACEHOLDER", f"Subject: {evil}".encode()))
    desk.once(now=NOW)
    ack = parsed(customer_mails(desk, 1)[0])
    assert ack["Bcc"] is None
    assert customer_mails(desk)[0].rcpt_tos == ("a@x.example",)


def test_bounce_of_our_ack_is_attached_and_flagged(desk: Desk) -> None:
    number = open_ticket(desk)
    ack = parsed(customer_mails(desk, 1)[0])
    bounce = dsn_for(ack, "zhang.wei@customer.example")
    desk.append(bounce)
    desk.once(now=NOW)
    shown = desk.show(number)
    assert "bounced" in shown["tags"]
    assert shown["messages"][-1]["kind"] == "bounce"
    assert len(customer_mails(desk)) == 1  # a bounce is never answered


def dsn_for(original: EmailMessage, recipient: str) -> bytes:
    """A delivery status notification (RFC 3464) for ``original``, as Postfix writes it."""
    headers = "".join(f"{k}: {v}\r\n" for k, v in original.items())
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\r\n"
        "To: complaints@lida.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.customer.example>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\n"
        f"This is the mail system. Your message to {recipient} could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.customer.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"{headers}"
        "--B--\r\n"
    ).encode()


def test_a_crm_forwarded_complaint_asking_for_no_auto_reply_is_a_ticket_without_ack(
    desk: Desk,
) -> None:
    """Shop CRMs put X-Auto-Response-Suppress: All on every mail they forward (issue 11)."""
    desk.append(
        mail(
            "客户投诉转发：货物破损",
            "客户王先生反映运单号 SF1234567890123 的货物外箱破损。",
            sender=("某某商城客服系统", "service@shop.example"),
            headers={"X-Auto-Response-Suppress": "All"},
        )
    )
    desk.once(now=NOW)
    [ticket] = desk.tickets()
    assert customer_mails(desk) == []
    events = desk.show(ticket["number"])["events"]
    [suppressed] = [e for e in events if e["action"] == EventAction.ACK_SUPPRESSED]
    assert "X-Auto-Response-Suppress" in suppressed["detail"]["reason"]
