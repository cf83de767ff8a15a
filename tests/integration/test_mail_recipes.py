"""Desk mail is composed by the sender from what was fixed when it was queued.

The transaction that queues a mail stores its headers (Message-ID, recipients, Date,
subject, threading) and the template values; the sender renders the bodies and writes
the MIME bytes when it sends.  Mail queued while the server was down goes out once, as
it was fixed at commit; a template broken in between holds the mail, loses nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

from complaintd.render.templates import default_templates_dir
from complaintd.store.db import close_database, open_database
from complaintd.store.message_kind import Direction
from complaintd.store.models import InboundMessage, Message, Outbox
from tests.integration.clients import Client, reply
from tests.integration.desk import Desk
from tests.integration.mails import mail, parsed, text_of
from tests.support.samples import generate_mailbox

T0 = "2026-11-20T10:00:00+08:00"
LATER = "2026-11-20T10:05:00+08:00"
MUCH_LATER = "2026-11-20T10:30:00+08:00"


@contextmanager
def ledger(desk: Desk) -> Iterator[None]:
    open_database(f"sqlite:///{desk.config_path.parent}/complaintd.db")
    try:
        yield
    finally:
        close_database()


def received_by_message_id(desk: Desk) -> Counter[str]:
    return Counter(m.parsed()["Message-ID"].strip("<>") for m in desk.smtp.messages)


def test_mail_queued_while_the_server_is_down_goes_once_as_fixed_at_commit(
    staffed_desk: Desk,
) -> None:
    desk = staffed_desk
    desk.smtp.stop()
    desk.append(*generate_mailbox(16, seed=3, photo_share=0.5))
    desk.once(now=T0)
    with ledger(desk):
        queued = {row.message_id: row for row in Outbox.select()}
        assert queued and all(
            row.recipe and bytes(row.raw_message) == b"" for row in queued.values()
        )
        outgoing = list(Message.select().where(Message.direction == Direction.OUT))
        assert {m.message_id for m in outgoing} <= set(queued)
        assert all(m.subject and m.body == "" for m in outgoing)  # bodies: when sent
    number = desk.tickets()[0]["number"]
    story = desk.cli("tickets", "show", number, "--full").out
    assert "queued" in story and "(written when it is sent" in story

    desk.smtp.start()
    desk.once(now=LATER)
    assert received_by_message_id(desk) == Counter(set(queued))  # each once
    with ledger(desk):
        sent = {row.message_id: row for row in Outbox.select()}
        assert {row.status for row in sent.values()} == {"sent"}
        assert all(bytes(row.raw_message) == b"" for row in sent.values())  # kept once: below
        records = {
            m.message_id: m for m in Message.select().where(Message.direction == Direction.OUT)
        }
    photos = 0
    for message in desk.smtp.messages:
        mail = message.parsed()
        message_id = mail["Message-ID"].strip("<>")
        # The Date is the moment the mail was queued (T0), not when it finally went.
        assert parsedate_to_datetime(mail["Date"]).isoformat() == T0
        assert set(message.rcpt_tos) == set(queued[message_id].rcpt_to)
        if message_id in records:
            record = records[message_id]
            assert mail["Subject"] == record.subject
            text = mail.get_body(preferencelist=("plain",))
            assert text is not None and text.get_content() == record.body != ""
            assert record.html and "<html" in record.html
        photos += sum(
            1 for part in mail.iter_attachments() if part.get_content_type().startswith("image/")
        )
    assert photos > 0, "no contact sheet carried the customer's photos"
    story = desk.cli("tickets", "show", number, "--full").out
    assert "(written when it is sent" not in story and "sent" in story


def test_a_template_broken_before_sending_holds_the_mail_until_it_is_fixed(desk: Desk) -> None:
    templates = desk.config_path.parent / "templates"
    shutil.copytree(default_templates_dir(), templates)
    text = desk.config_path.read_text(encoding="utf-8")
    desk.config_path.write_text(f'templates_dir = "{templates}"\n{text}', encoding="utf-8")
    desk.smtp.stop()
    desk.append(*generate_mailbox(4, seed=5))
    desk.once(now=T0)

    acks = {path: path.read_text(encoding="utf-8") for path in templates.glob("*/ack.html")}
    for path, good in acks.items():  # an operator's edit gone wrong
        path.write_text(good.replace("{% block content %}", "{% block content %}{{ 1 / 0 }}", 1))
    desk.smtp.start()
    result = desk.once(now=LATER)
    assert "pending" in result.err and "could not compose the mail" in result.err
    assert "ack.html" in result.err and "ZeroDivisionError" in result.err
    assert not desk.smtp.messages

    for path, good in acks.items():
        path.write_text(good, encoding="utf-8")
    desk.once(now=MUCH_LATER)
    with ledger(desk):
        queued = [row.message_id for row in Outbox.select()]
    assert received_by_message_id(desk) == Counter(queued)


def test_once_sends_while_it_processes(desk: Desk) -> None:
    """A ``once`` started as a process sends each acknowledgement as its transaction
    commits, from its sending child, while it goes on with the backlog."""
    desk.append(*generate_mailbox(200, seed=11))
    process = desk.spawn("once")
    assert process.wait(timeout=300) == 0, desk.log()
    with ledger(desk):
        queued = [row.message_id for row in Outbox.select()]
        last_processed = max(row.processed_at for row in InboundMessage.select())
    assert received_by_message_id(desk) == Counter(queued)
    first_accepted = min(message.received_at for message in desk.smtp.messages)
    assert first_accepted < last_processed


COMPLAINT_LINES = ("运单号 SF1234567890123 的货物外箱压坏，里面的瓷砖碎了。", "请尽快处理并赔偿。")


def test_staff_mail_quotes_the_complaint_it_refers_to_and_replies_thread_by_message_id(
    staffed_desk: Desk,
) -> None:
    """The agent notice and the contact sheet name the complaint's message instead of
    holding its text, and go out quoting it in full.  The customer then answers the
    acknowledgement with Gmail's Reply button (quoted original, signature) to the plain
    desk address under a subject of their own: only In-Reply-To and References - the
    desk's time-ordered Message-IDs - can put it in the ticket, and they do."""
    desk = staffed_desk
    desk.append(
        mail("货物破损投诉", "\n".join(COMPLAINT_LINES), message_id="c-ref@customer.example")
    )
    desk.once(now=T0)
    [ticket] = desk.tickets()
    with ledger(desk):
        complaint = Message.get((Message.kind == "complaint") & (Message.direction == "in"))
        recipes = {row.kind: str(row.recipe) for row in Outbox.select()}
    for kind in ("agent_new_ticket", "contact_sheet"):
        assert f'"complaint_from":{complaint.id}' in recipes[kind]
        assert COMPLAINT_LINES[0] not in recipes[kind]
    staff = [parsed(m) for m in desk.smtp.messages if "complaints@lida.example" not in m.rcpt_tos]
    staff = [m for m in staff if "zhang.wei@customer.example" not in str(m["To"])]
    assert {"agent_new_ticket", "contact_sheet"} <= {str(m["X-Complaintd-Kind"]) for m in staff}
    for staff_mail in staff:
        assert all(line in text_of(staff_mail) for line in COMPLAINT_LINES), staff_mail["Subject"]

    [ack] = [parsed(m) for m in desk.smtp.messages if "zhang.wei@customer.example" in m.rcpt_tos]
    desk.append(
        reply(
            ack,
            "补充一下：破损的一共是三箱。",
            client=Client.GMAIL,
            signature="张伟\n13800138000",
            to="complaints@lida.example",
            subject="Re: 补充情况",
            message_id="answer-ref@gmail.example",
        )
    )
    desk.once(now=LATER)
    assert len(desk.tickets()) == 1
    messages = desk.show(ticket["number"])["messages"]
    [answer] = [m for m in messages if m["kind"] == "customer_reply"]
    assert "三箱" in answer["body"] and "13800138000" not in answer["body"]


ABANDON = """
import sys, time
from complaintd.clock import SystemClock
from complaintd.config import load_config
from complaintd.runtime import open_runtime
from complaintd.service.sending import BackgroundSender

runtime = open_runtime(load_config(sys.argv[1]), SystemClock())
sender = BackgroundSender(runtime)
sender.start()
child = sender._process
assert child is not None and child.is_alive(), "no sending child was forked"
started = time.monotonic()
sender.abandon()  # as when the pass raised
assert not child.is_alive() and child.exitcode == 0, child.exitcode
print(f"{time.monotonic() - started:.2f}")
"""


def test_a_pass_that_fails_does_not_leave_its_sending_child_behind(desk: Desk) -> None:
    desk.smtp.stop()
    desk.append(*generate_mailbox(3, seed=2))
    desk.once(now=T0)  # mail queued, server down
    result = subprocess.run(
        [sys.executable, "-c", ABANDON, str(desk.config_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 30
