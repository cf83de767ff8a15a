"""Outgoing mail (pure parts): headers, loop safety, SMTP failure classes, answers."""

from __future__ import annotations

import email.policy
import re
import time
from datetime import UTC, datetime
from email import message_from_bytes

import aiosmtplib
import pytest

from complaintd.outbox.compose import (
    OutgoingMail,
    build_message,
    header_safe,
    new_message_id,
    thread_references,
)
from complaintd.outbox.sender import classify_failure, retry_delay
from complaintd.store.mail_kind import MailKind
from complaintd.store.outbox_status import DeliveryOutcome
from complaintd.store.ticket_status import TicketStatus
from complaintd.workflow.status import IllegalTransition, can_transition, check_transition

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def outgoing(**overrides: object) -> OutgoingMail:
    fields: dict[str, object] = {
        "kind": MailKind.ACK,
        "from_address": "complaints@lida.example",
        "from_name": "Lida 客服",
        "to": ("a@x.example",),
        "subject": "[TS-202611-0001] 已受理",
        "text": "您好",
        "html": "<p>您好</p>",
        "message_id": "m1@lida.example",
        "date": NOW,
        "in_reply_to": "c1@x.example",
        "references": ("c0@x.example", "c1@x.example"),
        "reply_to": "complaints+ts-202611-0001.c.abcdefghijkl@lida.example",
    }
    fields.update(overrides)
    return OutgoingMail(**fields)  # type: ignore[arg-type]


def parsed(raw: bytes):  # type: ignore[no-untyped-def]
    return message_from_bytes(raw, policy=email.policy.default)


def test_automatic_mail_carries_rfc3834_and_thread_headers() -> None:
    message = parsed(build_message(outgoing()))
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["In-Reply-To"] == "<c1@x.example>"
    assert message["References"] == "<c0@x.example> <c1@x.example>"
    assert message["Message-ID"] == "<m1@lida.example>"
    assert message.get_body(preferencelist=("html",)) is not None
    assert message["Subject"] == "[TS-202611-0001] 已受理"


def test_mail_written_by_a_person_has_no_auto_submitted() -> None:
    message = parsed(build_message(outgoing(auto_submitted=None)))
    assert message["Auto-Submitted"] is None
    assert message["X-Auto-Response-Suppress"] == "All"


@pytest.mark.parametrize(
    "subject", ["x\r\nBcc: evil@x.example", "x\nBcc: evil@x.example", "x\u2028Bcc: evil@x.example"]
)
def test_no_header_injection_from_customer_text(subject: str) -> None:
    raw = build_message(outgoing(subject=subject, from_name="A\r\nBcc: evil@x.example"))
    message = parsed(raw)
    assert message["Bcc"] is None
    assert b"\r\nBcc:" not in raw
    assert header_safe(subject) == "x Bcc: evil@x.example"


def test_references_are_deduplicated_and_capped() -> None:
    chain = [f"m{i}@x" for i in range(40)]
    refs = thread_references([*chain, "m3@x"], "parent@x")
    assert refs[0] == "m0@x" and refs[-1] == "parent@x"
    assert len(refs) == 20 and len(set(refs)) == 20


def test_retry_delay_doubles_and_caps() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert retry_delay(30).total_seconds() == 3600


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (aiosmtplib.SMTPResponseException(451, "try later"), DeliveryOutcome.TEMPORARY),
        (aiosmtplib.SMTPResponseException(550, "no such user"), DeliveryOutcome.PERMANENT),
        (aiosmtplib.SMTPDataError(554, "rejected"), DeliveryOutcome.PERMANENT),
        (aiosmtplib.SMTPConnectError("refused"), DeliveryOutcome.TEMPORARY),
        (aiosmtplib.SMTPServerDisconnected("gone"), DeliveryOutcome.TEMPORARY),
        (ConnectionRefusedError(111, "refused"), DeliveryOutcome.TEMPORARY),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(450, "mailbox busy", "a@x")]
            ),
            DeliveryOutcome.TEMPORARY,
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, "unknown", "a@x")]
            ),
            DeliveryOutcome.PERMANENT,
        ),
    ],
    ids=["451", "550", "554-data", "connect", "disconnect", "refused", "rcpt-450", "rcpt-550"],
)
def test_smtp_failures_are_classified_by_rfc5321_code(
    error: Exception, kind: DeliveryOutcome
) -> None:
    assert classify_failure(error)[0] == kind


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("received", "investigating", True),
        ("investigating", "solution_proposed", True),
        ("solution_proposed", "implementing", True),
        ("solution_proposed", "investigating", True),
        ("implementing", "follow_up", True),
        ("follow_up", "closed", True),
        ("closed", "investigating", True),
        ("received", "invalid", True),
        ("invalid", "solution_proposed", False),
        ("closed", "implementing", False),
        ("received", "closed", False),
        ("follow_up", "solution_proposed", False),
    ],
)
def test_status_machine(current: str, target: str, allowed: bool) -> None:
    """DESIGN.md's steps, in its words."""
    assert can_transition(TicketStatus(current), TicketStatus(target)) is allowed
    if not allowed:
        with pytest.raises(IllegalTransition, match=f"cannot go from {current} to {target}"):
            check_transition("TS-202611-0001", TicketStatus(current), TicketStatus(target))


@pytest.mark.parametrize(
    "subject",
    [
        "[TS-202611-0001] 我们已收到您的投诉：货物破损，外包装压坏，请尽快处理" * 3,
        "Re: 😀 émoji and ß " * 6,
        "plain ASCII subject",
    ],
)
def test_long_headers_fold_to_short_lines_and_read_back(subject: str) -> None:
    references = tuple(f"r{i}-{'x' * 40}@mail.example" for i in range(12))
    raw = build_message(outgoing(subject=subject, references=references))
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    message = parsed(raw)
    assert message["Subject"] == subject.strip()
    assert message["References"].split() == [f"<{r}>" for r in references]


def test_multipart_boundaries_never_occur_in_the_parts() -> None:
    text = "--=_alt_ looks like a boundary\n" * 5
    raw = build_message(outgoing(text=text, attachments=(("a.txt", "text/plain", text.encode()),)))
    message = parsed(raw)
    assert message.get_body(preferencelist=("plain",)).get_content() == text
    assert [p.get_filename() for p in message.iter_attachments()] == ["a.txt"]


def test_message_ids_are_unique_and_later_ones_sort_after() -> None:
    """Our Message-IDs: 32 hex digits in our domain, never twice, and an id made a
    millisecond later sorts after (the ledger's Message-ID indexes grow at one end)."""
    ids = [new_message_id("lida.example") for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{32}@lida\.example", i) for i in ids)
    earlier = new_message_id("lida.example")
    time.sleep(0.002)
    assert new_message_id("lida.example") > earlier
