"""The pure parse stage: raw mail bytes in, :class:`ParsedMessage` out.

Public API::

    parse_message(raw: bytes) -> ParsedMessage
    bounced_message_ids(raw_or_parsed: bytes | ParsedMessage) -> tuple[str, ...]
    strip_reply(text: str) -> str
    html_to_text(markup: str) -> str
    safe_filename(name: str | None, content_type: str, index: int) -> str
    decode_bytes(data: bytes, declared: str | None, *, guess: bool = True) -> Decoded
"""

from __future__ import annotations

from complaintd.parse.bounces import bounced_message_ids
from complaintd.parse.charset import Decoded, decode_bytes
from complaintd.parse.filenames import safe_filename
from complaintd.parse.html_text import html_to_text
from complaintd.parse.message import parse_message
from complaintd.parse.model import (
    Address,
    Attachment,
    AutomatedKind,
    AutomatedRule,
    BodyText,
    ParsedMessage,
)
from complaintd.parse.quotes import strip_reply

__all__ = [
    "Address",
    "Attachment",
    "AutomatedKind",
    "AutomatedRule",
    "BodyText",
    "Decoded",
    "ParsedMessage",
    "bounced_message_ids",
    "decode_bytes",
    "html_to_text",
    "parse_message",
    "safe_filename",
    "strip_reply",
]
