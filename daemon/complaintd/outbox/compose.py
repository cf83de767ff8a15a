"""Building outgoing mail (pure): headers for threading and loop safety, MIME bytes.

Every automatic mail carries ``Auto-Submitted`` (RFC 3834 section 5) and
``X-Auto-Response-Suppress: All`` (Exchange's equivalent), so well-behaved responders
do not answer it; every mail to a customer carries In-Reply-To/References of the thread
(RFC 5322 section 3.6.4).  No header is ever built from text that could carry CR/LF.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.policy import Compat32
from email.utils import format_datetime

from complaintd.outbox.headers import (
    MAX_LINE_OCTETS,
    Folded,
    address_list,
    attachment_disposition,
    capped,
    mailbox,
    media_type,
    msg_ids,
    unstructured,
)
from complaintd.store.mail_kind import MailKind, ReportKind

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class _SmtpPolicy(Compat32):
    """compat32 with CRLF that writes ready header values as they are.

    compat32 passes every header through :class:`email.header.Header` again, which
    made composing one acknowledgement cost most of a millisecond, cannot break a long
    word, and turns a UTF-8 address into an encoded-word no server can deliver to.  The
    values built here (:class:`~.headers.Folded`) are folded already and are written as
    they are, in UTF-8 (RFC 6532 where an address needs it; all else is ASCII); the
    library's MIME headers when short and ASCII too; only anything else takes its way.
    """

    def fold_binary(self, name: str, value: str) -> bytes:
        if isinstance(value, Folded):
            return f"{name}: {value}{self.linesep}".encode()
        if _is_folded_ascii(f"{name}: {value}", self.max_line_length):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


def _is_folded_ascii(header: str, limit: int | None) -> bool:
    """True for ASCII text whose lines (continuations start with a space) fit ``limit``."""
    if not header.isascii():
        return False
    lines = header.split("\r\n")
    return all(
        "\r" not in line
        and "\n" not in line
        and len(line) <= (limit or MAX_LINE_OCTETS)
        and (index == 0 or line.startswith(" "))
        for index, line in enumerate(lines)
    )


SMTP_COMPAT32 = _SmtpPolicy(linesep="\r\n")


@dataclass(frozen=True)
class OutgoingMail:
    """One mail the desk sends, before it becomes bytes."""

    kind: MailKind | ReportKind
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
    # Images the HTML shows by ``cid:`` (content id, file name, PNG bytes): sent as
    # multipart/related with the HTML, which every client renders and none blocks as
    # Gmail and Outlook block ``data:`` URIs.
    inline_images: tuple[tuple[str, str, bytes], ...] = field(default=())


def header_safe(text: str) -> str:
    """``text`` with control characters (CR, LF, ...) replaced by spaces, one line."""
    return " ".join(_UNSAFE.sub(" ", text).split())


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID (RFC 5322 3.6.4) in our own domain, no brackets.

    32 hex digits, as a UUID's: the time in milliseconds (12), then 80 random bits.
    Ids made one after the other sort together, so the ledger's Message-ID indexes
    (``message``, ``outbox``) grow at one end, as their other keys do: random ids put
    each new entry on a page of its own, every transaction rewriting most of the index.
    """
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}@{domain}"


def address_domain(address: str) -> str:
    """The domain part of an address."""
    return address.rpartition("@")[2] or "localhost"


def thread_references(references: list[str], parent: str | None) -> tuple[str, ...]:
    """References for a reply: the thread so far plus the parent, deduplicated, capped."""
    chain = [r for r in references if r]
    if parent:
        chain.append(parent)
    return tuple(capped(list(dict.fromkeys(chain))))


def _boundary(kind: str, message_id: str) -> str:
    """A multipart boundary that cannot occur in the parts, which are all base64.

    ``_`` is not in the base64 alphabet, so no body line can equal ``--boundary``, and
    the library's search of the whole text for a collision is not needed.  It is drawn
    from the Message-ID, so a mail composed again (after a crash, from its recipe) is
    the same bytes.
    """
    digest = hashlib.blake2b(f"{message_id}/{kind}".encode(), digest_size=16).hexdigest()
    return f"=_{kind}_{digest}"


def build_message(mail: OutgoingMail) -> bytes:
    """The mail as CRLF MIME bytes: text and HTML alternatives, then attachments.

    The bytes are those the ``compat32`` MIME classes write (``MIMEText`` parts in UTF-8,
    ``MIMEMultipart`` with our boundaries, ``MIMEBase`` attachments, flattened with
    :data:`SMTP_COMPAT32`; ``tests/unit/test_outgoing_bytes.py`` compares the two), but
    written directly: the library's classes and generator cost about a millisecond per
    mail, the most expensive step of queueing a timed mail.  No line can pass 998
    octets (RFC 5322 2.1.1): the header values are folded by :mod:`.headers`, and every
    body part - UTF-8 text, HTML, attachments - is base64 in lines of 76 characters,
    whatever the text holds.
    """
    top = _headers(mail)
    body = _text_part("plain", mail.text)
    seed = mail.message_id
    if mail.html:
        body = _multipart("alt", "alternative", [body, _html_part(mail)], seed)
    if mail.attachments:
        files = [_attachment(*attachment) for attachment in mail.attachments]
        body = _multipart("mix", "mixed", [body, *files], seed)
    head, payload = body
    return _flat((head + top, payload))


CRLF = b"\r\n"
_Part = tuple[list[tuple[str, str]], bytes]  # a MIME part: its headers and its payload


def _flat(part: _Part) -> bytes:
    """A part as the generator writes it: each header folded by the policy, a blank
    line, the payload."""
    headers, payload = part
    fold = SMTP_COMPAT32.fold_binary
    return b"".join(fold(name, value) for name, value in headers) + CRLF + payload


def _text_part(subtype: str, text: str) -> _Part:
    """``MIMEText(text, subtype, "utf-8")``: its headers and base64 payload."""
    headers = [
        ("Content-Type", f'text/{subtype}; charset="utf-8"'),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
    ]
    return headers, _base64_lines(text.encode("utf-8"))


def _base64_lines(data: bytes) -> bytes:
    """``data`` in base64 lines of 76 characters, each ending in CRLF."""
    return base64.encodebytes(data).replace(b"\n", CRLF)


def _multipart(
    tag: str, subtype: str, parts: list[_Part], seed: str, start_type: str = ""
) -> _Part:
    """``MIMEMultipart(subtype)`` of ``parts`` with a boundary no base64 line can equal,
    drawn from ``seed`` (the Message-ID); ``start_type``: the ``type`` parameter of a
    multipart/related (RFC 2387)."""
    boundary = _boundary(tag, seed)
    delimiter = b"--" + boundary.encode("ascii")
    flat = [_flat(part) for part in parts]
    payload = (
        delimiter + CRLF + (CRLF + delimiter + CRLF).join(flat) + CRLF + delimiter + b"--" + CRLF
    )
    related = f';\r\n type="{start_type}"' if start_type else ""
    headers = [
        # Folded as compat32 folds it (the line would pass 78 characters), not by it.
        ("Content-Type", Folded(f'multipart/{subtype};\r\n boundary="{boundary}"{related}')),
        ("MIME-Version", "1.0"),
    ]
    return headers, payload


def _html_part(mail: OutgoingMail) -> _Part:
    """The HTML, with the images it shows by ``cid:`` beside it (RFC 2387) when it has any."""
    html = _text_part("html", mail.html or "")
    if not mail.inline_images:
        return html
    images = [_inline_image(*image) for image in mail.inline_images]
    return _multipart("rel", "related", [html, *images], mail.message_id, "text/html")


def _inline_image(content_id: str, filename: str, data: bytes) -> _Part:
    """A PNG the HTML shows as ``cid:content_id``, base64 in lines of 76 characters."""
    headers = [
        ("Content-Type", "image/png"),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-ID", f"<{content_id}>"),
        ("Content-Disposition", f'inline; filename="{_ascii_name(filename)}"'),
    ]
    return headers, _base64_lines(data)


def _ascii_name(filename: str) -> str:
    """A chart's file name as a plain quoted-string (ours are ASCII; anything else goes)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "image.png"


def _headers(mail: OutgoingMail) -> list[tuple[str, str]]:
    """Every top-level header, in the order they are written; none from raw CR/LF text."""
    headers: list[tuple[str, str]] = [
        ("From", mailbox("From", header_safe(mail.from_name), mail.from_address)),
        ("To", address_list("To", (header_safe(a) for a in mail.to))),
        ("Subject", unstructured("Subject", header_safe(mail.subject))),
        ("Date", format_datetime(mail.date)),
        ("Message-ID", f"<{mail.message_id}>"),
    ]
    parent = msg_ids("In-Reply-To", [mail.in_reply_to] if mail.in_reply_to else [])
    if parent:
        headers.append(("In-Reply-To", parent))
    references = msg_ids("References", mail.references)
    if references:
        headers.append(("References", references))
    if mail.reply_to:
        headers.append(("Reply-To", mailbox("Reply-To", "", header_safe(mail.reply_to))))
    if mail.auto_submitted:
        headers.append(("Auto-Submitted", mail.auto_submitted))
    headers.append(("X-Auto-Response-Suppress", "All"))
    headers.append(("X-Complaintd-Kind", mail.kind))
    return headers


def _attachment(filename: str, content_type: str, data: bytes) -> _Part:
    """One base64 attachment; the file name RFC 2231-encoded, in continuations when long."""
    maintype, subtype = media_type(content_type)
    headers = [
        ("Content-Type", f"{maintype}/{subtype}"),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-Disposition", attachment_disposition(header_safe(filename))),
    ]
    return headers, _base64_lines(data)
