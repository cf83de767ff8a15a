"""Build raw test messages with exact control over charsets and headers, and read what
the desk sent."""

from __future__ import annotations

import email.policy
import itertools
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from tests.support.smtpsink import SinkMessage

_counter = itertools.count(1)


def mail(
    subject: str,
    body: str,
    *,
    sender: tuple[str, str] = ("张伟", "zhang.wei@customer.example"),
    to: str = "complaints@lida.example",
    charset: str = "utf-8",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    """A plain-text mail whose body is encoded in ``charset`` (base64)."""
    message = EmailMessage()
    message["From"] = formataddr((str(Header(sender[0], "utf-8")), sender[1]))
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    message["Message-ID"] = f"<{message_id or f'test-{next(_counter)}@customer.example'}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body.encode(charset), maintype="text", subtype="plain", cte="base64")
    message.set_param("charset", "gb2312" if charset == "gbk" else charset)
    for filename, content_type, data in attachments or []:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def parsed(message: SinkMessage) -> EmailMessage:
    """A mail the SMTP sink accepted, parsed with the modern policy."""
    result = message_from_bytes(message.raw, policy=email.policy.default)
    assert isinstance(result, EmailMessage)
    return result


def text_of(message: EmailMessage, subtype: str = "plain") -> str:
    """The plain-text part of a mail (or its ``html`` part)."""
    body = message.get_body(preferencelist=(subtype,))
    assert body is not None
    return str(body.get_content())
