"""What the parse stage hands to the rest of the pipeline.

These are plain frozen dataclasses: the parse stage is pure (bytes in, value out),
so classification and threading can be tested without any mail server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class AutomatedKind(StrEnum):
    """Why a message is machine-generated (RFC 3834 and the usual headers)."""

    AUTO_REPLY = "auto_reply"  # vacation / out-of-office (RFC 3834 auto-replied)
    BOUNCE = "bounce"  # delivery status notification (RFC 3464), mailer-daemon
    LIST = "list"  # mailing-list or bulk mail (List-Id, Precedence: bulk/list)
    AUTO_GENERATED = "auto_generated"  # other robots (Auto-Submitted: auto-generated)


class AutomatedRule(StrEnum):
    """Which evidence made a message automated (see complaintd.parse.automated).

    Two rules only say that no *acknowledgement* may go back - a person may
    well have written the mail (see :attr:`person_may_have_written`).
    """

    REPORT = "report"  # multipart/report or a delivery-status part (DSN, MDN, ARF)
    BOUNCE_SENDER = "bounce_sender"  # From mailer-daemon@ or postmaster@
    BOUNCE_HEADER = "bounce_header"  # X-Failed-Recipients
    BOUNCE_SUBJECT = "bounce_subject"  # "Delivery Status Notification", "系统退信"...
    AUTO_SUBMITTED = "auto_submitted"  # RFC 3834 Auto-Submitted other than "no"
    AUTO_REPLY_HEADER = "auto_reply_header"  # X-Autoreply and kin, (X-)Precedence: auto_reply
    AUTO_REPLY_TEXT = "auto_reply_text"  # out-of-office subject and/or opening lines
    LIST = "list"  # List-* headers, (X-)Precedence: list or bulk
    PRECEDENCE_JUNK = "precedence_junk"  # (X-)Precedence: junk
    NULL_SENDER = "null_sender"  # Return-Path: <> (RFC 5321 section 4.5.5)
    SUPPRESS_REQUEST = "suppress_request"  # X-Auto-Response-Suppress: All/OOF/AutoReply alone
    NOREPLY_ADDRESS = "noreply_address"  # a no-reply From address alone

    @property
    def person_may_have_written(self) -> bool:
        """True when the mail may be a person's: make a ticket, but send no acknowledgement.

        Shops and platforms forward real complaints from ``noreply@`` and CRMs
        add ``X-Auto-Response-Suppress`` to everything.
        """
        return self in (AutomatedRule.SUPPRESS_REQUEST, AutomatedRule.NOREPLY_ADDRESS)


@dataclass(frozen=True)
class Address:
    """One mailbox: display name (decoded, may be empty) and lower-cased address."""

    name: str
    email: str


@dataclass(frozen=True)
class Attachment:
    """A file carried by the message (attachment or inline image)."""

    filename: str  # safe: no path separators, no control characters, never empty
    content_type: str  # lower-cased MIME type
    data: bytes
    inline: bool = False  # Content-Disposition: inline, or an image referenced by cid:
    content_id: str | None = None


@dataclass(frozen=True)
class BodyText:
    """The decoded human-readable body and how it was decoded."""

    text: str  # full text, quotes included; '' when there is none
    charset: str | None  # the charset actually used to decode ('gb18030', 'utf-8', ...)
    declared_charset: str | None  # the charset the mail claimed, if any
    from_html: bool = False  # True when the text was made from an HTML-only part
    html: str | None = None  # the HTML alternative, if there was one
    # Set when no charset decoded the bytes cleanly: the raw part bytes are kept in
    # ``undecoded`` and ``decode_note`` says which charsets were tried and why each failed.
    undecoded: bytes | None = None
    decode_note: str | None = None


@dataclass(frozen=True)
class ParsedMessage:
    """Everything the pipeline needs from one raw message."""

    message_id: str | None  # without angle brackets; None when absent or empty
    in_reply_to: tuple[str, ...]  # message ids, no angle brackets
    references: tuple[str, ...]  # message ids, oldest first, no angle brackets
    subject: str  # decoded (RFC 2047), single line, stripped
    from_addr: Address | None  # the sender: From, or a fallback header (see sender_source)
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    delivered_to: tuple[str, ...]  # Delivered-To / X-Original-To / Envelope-To addresses
    date: datetime | None  # aware; None when missing or unparseable
    body: BodyText
    reply_text: str  # body with quoted replies and signature stripped (ticket view)
    attachments: tuple[Attachment, ...]
    automated: AutomatedKind | None  # None for a message written by a person
    automated_reason: str | None  # which header or rule said so
    return_path: str | None  # None when absent; '' for the null sender <>
    headers: dict[str, str] = field(default_factory=dict)  # selected raw headers, decoded
    defects: tuple[str, ...] = ()  # parser complaints, for the audit trail
    automated_rule: AutomatedRule | None = None  # the evidence behind ``automated``
    # The header from_addr was read from: "from", or when From holds no address at
    # all "reply-to", "sender" or "return-path" (in that order); None without a sender.
    sender_source: str | None = None
