"""Customers with non-ASCII addresses, end to end: Dovecot -> intake -> outbox -> aiosmtpd.

Chinese webmail sends RFC 6532 mail whose From: is UTF-8 (``张三 <张三@公司.example>``).
A server that offers SMTPUTF8 gets the acknowledgement with the address intact; one that
does not gets the other mail of the same flush, and that one row fails alone, with the
reason, while the pass exits 0.  An IDN domain with an ASCII local part needs nothing
from the server: it goes as its A-label.
"""

from __future__ import annotations

import email.policy
from collections.abc import Iterator
from email import message_from_string
from pathlib import Path

import pytest

from tests.integration.desk import Desk, write_config
from tests.integration.mails import mail, parsed
from tests.support.dovecot import DovecotServer
from tests.support.smtpsink import SinkMessage, SmtpSink

T0 = "2026-11-20T10:00:00+08:00"
UTF8_ADDRESS = "张三@公司.example"
IDN_ADDRESS = "lisi@公司.example"


def rfc6532_complaint(address: str = UTF8_ADDRESS, name: str = "张三") -> bytes:
    """A complaint as Chinese webmail sends it from an internationalized address."""
    return (
        f"From: {name} <{address}>\r\n"
        "To: complaints@lida.example\r\n"
        "Subject: 运单SF1234567890123 货物破损\r\n"
        "Date: Fri, 20 Nov 2026 09:30:00 +0800\r\n"
        f"Message-ID: <20261120093000.{abs(hash(address))}@mail.xn--55qx5d.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "你好，我的包裹 SF1234567890123 到货时外箱压坏，里面的杯子碎了两个。请尽快处理。\r\n"
        "\r\n"
        "张三\r\n"
    ).encode()


def ascii_complaints(*numbers: int) -> list[bytes]:
    return [
        mail("Late parcel", f"Parcel {i} is late.", sender=(f"C{i}", f"c{i}@customer.example"))
        for i in numbers
    ]


@pytest.fixture
def ascii_only_desk(
    tmp_path: Path, dovecot: DovecotServer, imap_folder: str, desk_env: None
) -> Iterator[Desk]:
    """A desk whose SMTP server does not offer SMTPUTF8."""
    with SmtpSink(smtputf8=False) as sink:
        config = write_config(
            tmp_path / "complaintd.toml",
            imap_port=dovecot.port,
            smtp_port=sink.port,
            folder=imap_folder,
            database_url=f"sqlite:///{tmp_path}/complaintd.db",
        )
        yield Desk(config, dovecot, imap_folder, sink)


def outbox(desk: Desk) -> dict[str, dict]:
    """``outbox list --format json`` by recipient."""
    result = desk.cli("outbox", "list", "--format", "json")
    assert result.code == 0, result.err
    return {row["to"][0]: row for row in result.json()}


def sent_to(desk: Desk, address: str) -> SinkMessage:
    [message] = [m for m in desk.smtp.messages if m.rcpt_tos == (address,)]
    return message


def test_utf8_address_fails_alone_where_the_server_has_no_smtputf8(
    ascii_only_desk: Desk,
) -> None:
    desk = ascii_only_desk
    desk.append(
        *ascii_complaints(0, 1),
        rfc6532_complaint(),
        rfc6532_complaint(IDN_ADDRESS, "李四"),
        *ascii_complaints(2),
    )
    result = desk.once(now=T0)  # exits 0
    assert "failed 1" in result.err and "sent 4" in result.err
    rows = outbox(desk)
    failed = rows[UTF8_ADDRESS]
    assert failed["status"] == "failed"
    assert "张三@公司.example has a non-ASCII local part" in failed["error"]
    assert "SMTPUTF8" in failed["error"] and "does not offer" in failed["error"]
    assert {to: row["status"] for to, row in rows.items() if to != UTF8_ADDRESS} == {
        "c0@customer.example": "sent",
        "c1@customer.example": "sent",
        "c2@customer.example": "sent",
        IDN_ADDRESS: "sent",
    }
    # The IDN domain went as its A-label, in the envelope and in To:.
    idn = sent_to(desk, "lisi@xn--55qx5d.example")
    assert "SMTPUTF8" not in idn.mail_options
    assert str(parsed(idn)["To"]) == "lisi@xn--55qx5d.example" and idn.raw.isascii()
    # The failure is in the ticket's history and the next pass does not try again.
    desk.once(now="2026-11-20T11:00:00+08:00")
    assert outbox(desk)[UTF8_ADDRESS]["status"] == "failed"
    assert desk.smtp.data_commands == 4


def test_utf8_address_is_delivered_intact_where_the_server_offers_smtputf8(desk: Desk) -> None:
    desk.append(rfc6532_complaint(), *ascii_complaints(0))
    desk.once(now=T0)
    assert {row["status"] for row in outbox(desk).values()} == {"sent"}
    message = sent_to(desk, UTF8_ADDRESS)
    assert "SMTPUTF8" in message.mail_options
    assert b"\r\nTo: " + UTF8_ADDRESS.encode() + b"\r\n" in message.raw
    ack = message_from_string(message.raw.decode("utf-8"), policy=email.policy.default)
    [to] = ack["To"].addresses
    assert (to.username, to.domain) == ("张三", "公司.example")
    ascii_ack = sent_to(desk, "c0@customer.example")
    assert "SMTPUTF8" not in ascii_ack.mail_options and ascii_ack.raw.isascii()


@pytest.mark.postgres
def test_on_postgres_the_row_fails_alone_and_can_be_cancelled(
    tmp_path: Path, dovecot: DovecotServer, imap_folder: str, desk_env: None, pg_url: str
) -> None:
    with SmtpSink(smtputf8=False) as sink:
        config = write_config(
            tmp_path / "complaintd.toml",
            imap_port=dovecot.port,
            smtp_port=sink.port,
            folder=imap_folder,
            database_url=pg_url,
        )
        desk = Desk(config, dovecot, imap_folder, sink)
        desk.append(rfc6532_complaint(), *ascii_complaints(0, 1))
        desk.once(now=T0)
        rows = outbox(desk)
        assert [rows[a]["status"] for a in (UTF8_ADDRESS, "c0@customer.example")] == [
            "failed",
            "sent",
        ]
        cancelled = desk.cli(
            "outbox", "cancel", str(rows[UTF8_ADDRESS]["id"]), "--reason", "asked by phone"
        )
        assert cancelled.code == 0, cancelled.err
        assert outbox(desk)[UTF8_ADDRESS]["status"] == "cancelled"
        assert len(sink.messages) == 2
