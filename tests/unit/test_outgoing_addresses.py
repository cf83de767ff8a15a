"""Customers' non-ASCII addresses: what goes on the wire and into To:, and when it cannot."""

from __future__ import annotations

import email.policy
from datetime import UTC, datetime
from email import message_from_string

import pytest

from complaintd.outbox.addresses import AddressError, needs_smtputf8, wire_address
from complaintd.outbox.compose import OutgoingMail, build_message
from complaintd.outbox.sender import Envelope, Undeliverable, smtp_transaction
from complaintd.store.mail_kind import MailKind

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "wire"),
    [
        ("zhang.wei@customer.example", "zhang.wei@customer.example"),
        ("Zhang.Wei@Customer.Example", "Zhang.Wei@Customer.Example"),
        ("zhangsan@公司.example", "zhangsan@xn--55qx5d.example"),
        ("zhangsan@公司。example", "zhangsan@xn--55qx5d.example"),  # a full-width dot, as typed
        ("info@bücher.de", "info@xn--bcher-kva.de"),
        ("张三@公司.example", "张三@公司.example"),  # needs SMTPUTF8: kept intact
        ("张三@customer.example", "张三@customer.example"),
        ('"quoted.name"@customer.example', '"quoted.name"@customer.example'),
    ],
)
def test_wire_form_of_an_address(address: str, wire: str) -> None:
    assert wire_address(address) == wire


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("zhang.wei", "not a mail address"),
        ("zhang.wei@", "not a mail address"),
        ("@customer.example", "not a mail address"),
        ("zhang wei@customer.example", "spaces"),
        ("a@b.example>\r\nRCPT TO:<evil@x.example", "control characters"),
        ("a@☃.example", "not a valid IDN"),
        ("a@-公司.example", "not a valid IDN"),
        ("a" * 250 + "@customer.example", "SMTP allows 254"),
        ("张" * 80 + "@customer.example", "SMTP allows 254"),
    ],
)
def test_an_address_no_server_could_take_is_refused_with_the_reason(
    address: str, reason: str
) -> None:
    with pytest.raises(AddressError, match=reason):
        wire_address(address)


def envelope(*rcpt: str, mail_from: str = "complaints@lida.example") -> Envelope:
    return Envelope(1, mail_from, rcpt, b"")


def offering(*extensions: str):  # type: ignore[no-untyped-def]
    return lambda name: name.lower() in extensions


def test_ascii_and_idn_addresses_need_nothing_from_the_server() -> None:
    transaction = smtp_transaction(envelope("a@公司.example", "b@x.example"), offering())
    assert transaction.rcpt_to == ["a@xn--55qx5d.example", "b@x.example"]
    assert transaction.options == [] and not needs_smtputf8(transaction.rcpt_to)


def test_a_utf8_local_part_goes_with_smtputf8_when_offered() -> None:
    transaction = smtp_transaction(envelope("张三@公司.example"), offering("smtputf8", "8bitmime"))
    assert transaction.rcpt_to == ["张三@公司.example"]
    assert transaction.options == ["SMTPUTF8", "BODY=8BITMIME"]


def test_a_utf8_local_part_is_undeliverable_without_smtputf8() -> None:
    with pytest.raises(Undeliverable, match=r"张三@公司\.example .*needs SMTPUTF8.*does not offer"):
        smtp_transaction(envelope("张三@公司.example"), offering("8bitmime"))


def test_an_unsendable_address_is_undeliverable_before_any_smtp() -> None:
    with pytest.raises(Undeliverable, match="not a valid IDN"):
        smtp_transaction(envelope("a@☃.example"), offering("smtputf8"))


def mail_to(*to: str) -> bytes:
    return build_message(
        OutgoingMail(
            kind=MailKind.ACK,
            from_address="complaints@lida.example",
            from_name="Lida 客服",
            to=to,
            subject="[TS-202611-0001] 已受理",
            text="您好",
            html=None,
            message_id="m1@lida.example",
            date=NOW,
        )
    )


def header_lines(raw: bytes, name: bytes) -> list[bytes]:
    head = raw.split(b"\r\n\r\n", 1)[0]
    return [line for line in head.split(b"\r\n") if line.startswith(name + b": ")]


def test_to_carries_a_utf8_address_as_rfc6532_utf8() -> None:
    raw = mail_to("张三@公司.example")
    assert header_lines(raw, b"To") == ["To: 张三@公司.example".encode()]
    message = message_from_string(raw.decode("utf-8"), policy=email.policy.default)
    [address] = message["To"].addresses
    assert (address.username, address.domain) == ("张三", "公司.example")


def test_to_carries_an_idn_domain_as_its_a_label() -> None:
    raw = mail_to("zhangsan@公司.example", "b@x.example")
    assert header_lines(raw, b"To") == [b"To: zhangsan@xn--55qx5d.example, b@x.example"]
    assert raw.isascii()


def test_an_unsendable_address_is_left_out_of_to() -> None:
    assert header_lines(mail_to("a@☃.example"), b"To") == [b"To: undisclosed-recipients:;"]
    assert header_lines(mail_to("a@☃.example", "b@x.example"), b"To") == [b"To: b@x.example"]
