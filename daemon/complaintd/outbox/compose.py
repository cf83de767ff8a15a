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
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
MAX_REFERENCES = 20  # keep References short; the oldest and newest ids matter most


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
    """The mail as CRLF MIME bytes: text and HTML alternatives, then attachments."""
    message = EmailMessage(policy=SMTP)
    local, _, domain = mail.from_address.partition("@")
    message["From"] = Address(header_safe(mail.from_name), local, domain)
    message["To"] = ", ".join(header_safe(a) for a in mail.to)
    message["Subject"] = header_safe(mail.subject)
    message["Date"] = format_datetime(mail.date)
    message["Message-ID"] = f"<{mail.message_id}>"
    _thread_headers(message, mail)
    _loop_headers(message, mail)
    message.set_content(mail.text, charset="utf-8", cte="quoted-printable")
    if mail.html:
        message.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for filename, content_type, data in mail.attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(
            data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=header_safe(filename),
        )
    return message.as_bytes()


def _thread_headers(message: EmailMessage, mail: OutgoingMail) -> None:
    if mail.in_reply_to:
        message["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        message["References"] = " ".join(f"<{r}>" for r in mail.references)
    if mail.reply_to:
        message["Reply-To"] = header_safe(mail.reply_to)


def _loop_headers(message: EmailMessage, mail: OutgoingMail) -> None:
    if mail.auto_submitted:
        message["Auto-Submitted"] = mail.auto_submitted
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Complaintd-Kind"] = mail.kind
