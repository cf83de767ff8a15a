"""Building outgoing mail (pure): headers for threading and loop safety, MIME bytes.

Every automatic mail carries ``Auto-Submitted`` (RFC 3834 section 5) and
``X-Auto-Response-Suppress: All`` (Exchange's equivalent), so well-behaved responders
do not answer it; every mail to a customer carries In-Reply-To/References of the thread
(RFC 5322 section 3.6.4).  No header is ever built from text that could carry CR/LF.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
MAX_REFERENCES = 20
SMTP_COMPAT32 = compat32.clone(
    linesep="\r\n"
)  # keep References short; the oldest and newest ids matter most


@dataclass(frozen=True)
class OutgoingMail:
    """One mail the desk sends, before it becomes bytes."""

    kind: str
    from_address: str
    from_name: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    message_id: str  # without angle brackets
    date: datetime
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    reply_to: str | None = None
    auto_submitted: str | None = "auto-generated"  # None for mail a person wrote
    attachments: tuple[tuple[str, str, bytes], ...] = field(default=())  # name, type, data


def header_safe(text: str) -> str:
    """``text`` with control characters (CR, LF, ...) replaced by spaces, one line."""
    return " ".join(_UNSAFE.sub(" ", text).split())


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID (RFC 5322 3.6.4) in our own domain, no brackets."""
    return f"{uuid.uuid4().hex}@{domain}"


def address_domain(address: str) -> str:
    """The domain part of an address."""
    return address.rpartition("@")[2] or "localhost"


def thread_references(references: list[str], parent: str | None) -> tuple[str, ...]:
    """References for a reply: the thread so far plus the parent, deduplicated, capped."""
    chain = [r for r in references if r]
    if parent:
        chain.append(parent)
    unique = list(dict.fromkeys(chain))
    if len(unique) > MAX_REFERENCES:
        unique = unique[:1] + unique[-(MAX_REFERENCES - 1) :]
    return tuple(unique)


def build_message(mail: OutgoingMail) -> bytes:
    """The mail as CRLF MIME bytes: text and HTML alternatives, then attachments.

    Built with the ``compat32`` MIME classes: the modern ``EmailMessage`` API re-parses
    every header it is given and made composing an acknowledgement cost milliseconds.
    Every header value here is made single-line by :func:`header_safe` first.
    """
    body: Message = MIMEText(mail.text, "plain", "utf-8")
    if mail.html:
        alternative = MIMEMultipart("alternative")
        alternative.attach(body)
        alternative.attach(MIMEText(mail.html, "html", "utf-8"))
        body = alternative
    if mail.attachments:
        mixed = MIMEMultipart("mixed")
        mixed.attach(body)
        for filename, content_type, data in mail.attachments:
            mixed.attach(_attachment(filename, content_type, data))
        body = mixed
    for name, value in _headers(mail):
        body[name] = value  # type: ignore[assignment]  # compat32 takes Header objects too
    return body.as_bytes(policy=SMTP_COMPAT32)


def _headers(mail: OutgoingMail) -> list[tuple[str, str | Header]]:
    """Every top-level header, in the order they are written."""
    headers: list[tuple[str, str | Header]] = [
        ("From", formataddr((header_safe(mail.from_name), mail.from_address), charset="utf-8")),
        ("To", ", ".join(header_safe(a) for a in mail.to)),
        ("Subject", Header(header_safe(mail.subject), "utf-8")),
        ("Date", format_datetime(mail.date)),
        ("Message-ID", f"<{mail.message_id}>"),
    ]
    if mail.in_reply_to:
        headers.append(("In-Reply-To", f"<{mail.in_reply_to}>"))
    if mail.references:
        headers.append(("References", " ".join(f"<{r}>" for r in mail.references)))
    if mail.reply_to:
        headers.append(("Reply-To", header_safe(mail.reply_to)))
    if mail.auto_submitted:
        headers.append(("Auto-Submitted", mail.auto_submitted))
    headers.append(("X-Auto-Response-Suppress", "All"))
    headers.append(("X-Complaintd-Kind", mail.kind))
    return headers


def _attachment(filename: str, content_type: str, data: bytes) -> MIMEBase:
    """One base64 attachment; the file name RFC 2231-encoded when not ASCII."""
    maintype, _, subtype = content_type.partition("/")
    part = MIMEBase(maintype or "application", subtype or "octet-stream")
    part.set_payload(data)
    encode_base64(part)
    name = header_safe(filename)
    part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
    return part
