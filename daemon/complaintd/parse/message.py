"""parse_message: raw RFC 5322 bytes in, :class:`ParsedMessage` out.

Pure (no I/O, no clock) and total on mail: malformed input is parsed as well as
possible and the problems are listed in ``defects``.  Only input that is not
mail at all (empty, or no header field) raises :class:`PermanentError`.

The stdlib parser runs once with ``policy=compat32``: it is about five times
faster than ``policy=default`` (which builds header objects eagerly for MIME
parameters) and keeps raw header bytes available for our own charset handling.
"""

from __future__ import annotations

import re
from email.errors import MissingHeaderBodySeparatorDefect
from email.message import Message

from complaintd.errors import PermanentError
from complaintd.parse.automated import SIGNAL_HEADERS, Signals, classify
from complaintd.parse.headers import (
    HeaderIndex,
    decode_text,
    parse_addresses,
    parse_date,
    parse_msg_ids,
    unfold,
)
from complaintd.parse.mime import Walk, walk_message
from complaintd.parse.model import Address, ParsedMessage
from complaintd.parse.quotes import strip_reply
from complaintd.parse.storable import storable
from complaintd.parse.tolerant import parse_bytes, parse_headers, repair_header_block

# Decoded headers kept in ParsedMessage.headers: what classification and
# threading may want later.  Kept small on purpose - the dict is stored.
SELECTED_HEADERS = (
    "auto-submitted",
    "precedence",
    "list-id",
    "x-auto-response-suppress",
    "x-autoreply",
    "x-autorespond",
    "x-failed-recipients",
    "x-mailer",
    "user-agent",
    "importance",
    "x-priority",
    "content-language",
    "thread-topic",
    "thread-index",
    # The topmost one only: the desk's MTA prepends its verdict (RFC 8601 section 5).
    "authentication-results",
)
# Headers the automated-mail rules read (a superset of what is stored).
_SIGNAL_HEADERS = tuple(dict.fromkeys((*SELECTED_HEADERS, *SIGNAL_HEADERS)))
_HEADER_VALUE_MAX = 300
_LONG_HEADERS = {"authentication-results": 4000}  # verdicts follow long comments
_NAME_MAX = 200  # a display name taken from an address-less From
# Where the sender is looked for, in order (Return-Path comes last, separately).
_SENDER_FALLBACKS = ("from", "reply-to", "sender")
_MAX_DEFECTS = 50
_SINGLE_HEADERS = ("from", "subject", "date", "message-id")  # RFC 5322 section 3.6: at most one
_ANGLE = re.compile(r"<([^<>]*)>")
_LEADING_NOISE = (b"\xef\xbb\xbf", b"\r\n", b"\n", b"\r")


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse one raw message.  Never raises on malformed mail.

    Raises :class:`PermanentError` only when ``raw`` is empty or not mail at
    all (no header field can be found).  No text in the result holds a NUL or a lone
    surrogate (:mod:`complaintd.parse.storable`).
    """
    data = _trim_leading(bytes(raw))
    if not data.strip():
        raise PermanentError("empty message")
    notes: list[str] = []
    msg = _parse_bytes(data, notes)
    index = HeaderIndex(msg)
    if not len(index):
        raise PermanentError("not a mail message: no header fields found")
    return storable(_build(msg, index, notes))


def _trim_leading(data: bytes) -> bytes:
    """Drop a UTF-8 BOM and blank lines some stores put before the headers."""
    changed = True
    while changed:
        changed = False
        for noise in _LEADING_NOISE:
            if data.startswith(noise):
                data, changed = data[len(noise) :], True
    return data


def _parse_bytes(data: bytes, notes: list[str]) -> Message:
    """Run the stdlib parser; re-parse once if the header block needed repair."""
    msg = _parse_once(data, notes)
    if len(msg) and not any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in msg.defects):
        return msg
    repaired, repairs = repair_header_block(data)
    if repaired == data:
        return msg
    again = _parse_once(repaired, notes)
    if len(again) >= len(msg):
        notes.extend(f"header block: {repair}" for repair in repairs)
        return again
    return msg


def _parse_once(data: bytes, notes: list[str]) -> Message:
    """One stdlib parse; on pathological nesting keep the headers only."""
    try:
        return parse_bytes(data)
    except RecursionError:
        notes.append("MIME structure nested too deeply; body not parsed")
        return parse_headers(data)


def _build(msg: Message, index: HeaderIndex, notes: list[str]) -> ParsedMessage:
    """Assemble the ParsedMessage from the parsed tree."""
    hint = _charset_hint(msg)
    walk = walk_message(msg, hint)
    notes.extend(walk.notes)
    body = walk.body()
    subject = decode_text(index.first("subject"), hint, notes)
    return_path = _return_path(index)
    from_addr, sender_source = _sender(index, hint, notes, return_path)
    selected = _selected_headers(index, hint, notes)
    signals = _signals(index, hint, notes, subject, from_addr, return_path, msg, walk)
    kind, reason, rule = classify(signals, body.text)
    return ParsedMessage(
        message_id=next(iter(parse_msg_ids(index.all("message-id")[:1])), None),
        in_reply_to=parse_msg_ids(index.all("in-reply-to")),
        references=parse_msg_ids(index.all("references")),
        subject=subject,
        from_addr=from_addr,
        reply_to=parse_addresses(index.all("reply-to"), hint, notes),
        to=parse_addresses(index.all("to"), hint, notes),
        cc=parse_addresses(index.all("cc"), hint, notes),
        delivered_to=_delivered_to(index, hint, notes),
        date=parse_date(index.first("date"), notes),
        body=body,
        reply_text=strip_reply(body.text),
        attachments=tuple(walk.attachments),
        automated=kind,
        automated_reason=reason,
        automated_rule=rule,
        return_path=return_path,
        headers=selected,
        defects=_defects(msg, index, notes),
        sender_source=sender_source,
    )


def _sender(
    index: HeaderIndex, hint: str | None, notes: list[str], return_path: str | None
) -> tuple[Address | None, str | None]:
    """The sender and the header it came from.

    From first; when From holds no address at all (a web form's bare name, a
    broken gateway), Reply-To, then Sender, then Return-Path - the desk must be
    able to answer.  The name written in such a From is kept as the display name.
    """
    for name in _SENDER_FALLBACKS:
        found = parse_addresses(index.all(name), hint, notes)
        if found:
            return _named(found[0], index, hint, notes, name), name
    if return_path:
        return _named(Address("", return_path), index, hint, notes, "return-path"), "return-path"
    return None, None


def _named(
    sender: Address, index: HeaderIndex, hint: str | None, notes: list[str], source: str
) -> Address:
    """``sender``, noting a fallback and naming it after an address-less From."""
    if source == "from":
        return sender
    notes.append(f"sender: From has no address; {source} used")
    written = decode_text(index.first("from"), hint, notes)
    name = written.split("<")[0].strip().strip('"').strip()  # "Tom Brinck <hammer>"
    if sender.name or not name or "@" in written:
        return sender
    return Address(name[:_NAME_MAX], sender.email)


def _charset_hint(msg: Message) -> str | None:
    """The first declared text charset: used for undeclared 8-bit header bytes."""
    for count, part in enumerate(msg.walk()):
        charset = part.get_content_charset() if part.get_content_maintype() == "text" else None
        if charset or count > 20:
            return charset
    return None


def _selected_headers(index: HeaderIndex, hint: str | None, notes: list[str]) -> dict[str, str]:
    """Decoded values of :data:`SELECTED_HEADERS` that are present."""
    found: dict[str, str] = {}
    for name in SELECTED_HEADERS:
        if name in index:
            limit = _LONG_HEADERS.get(name, _HEADER_VALUE_MAX)
            found[name] = decode_text(index.first(name), hint, notes)[:limit]
    return found


def _return_path(index: HeaderIndex) -> str | None:
    """Return-Path address lower-cased: None when absent, '' for ``<>`` (RFC 5321 4.4)."""
    raw = index.first("return-path")
    if raw is None:
        return None
    value = unfold(raw).strip()
    match = _ANGLE.search(value)
    address = match.group(1) if match else value
    return address.strip().lower() if address.isascii() else ""


def _delivered_to(index: HeaderIndex, hint: str | None, notes: list[str]) -> tuple[str, ...]:
    """Envelope recipients from Delivered-To, X-Original-To and Envelope-To."""
    values = [*index.all("delivered-to"), *index.all("x-original-to"), *index.all("envelope-to")]
    return tuple(address.email for address in parse_addresses(values, hint, notes))


def _signals(
    index: HeaderIndex,
    hint: str | None,
    notes: list[str],
    subject: str,
    from_addr: Address | None,
    return_path: str | None,
    msg: Message,
    walk: Walk,
) -> Signals:
    """Collect what the automated-mail rules look at."""
    headers = {n: decode_text(index.first(n), hint, notes) for n in _SIGNAL_HEADERS if n in index}
    sender = from_addr.email if from_addr else decode_text(index.first("from"), hint, notes)
    report_type = msg.get_param("report-type")
    return Signals(
        headers=headers,
        subject=subject,
        sender=sender.lower(),
        return_path=return_path,
        content_type=msg.get_content_type(),
        report_type=report_type.strip().lower() if isinstance(report_type, str) else "",
        report_parts=tuple(walk.report_parts),
    )


def _defects(msg: Message, index: HeaderIndex, notes: list[str]) -> tuple[str, ...]:
    """Parser defects, duplicate single headers and our notes, de-duplicated."""
    found: dict[str, None] = {}
    for part in msg.walk():
        for defect in part.defects:
            found[f"{type(defect).__name__} in {part.get_content_type()}"] = None
    for name in _SINGLE_HEADERS:
        if len(index.all(name)) > 1:
            found[f"{len(index.all(name))} {name} header fields"] = None
    found.update((note[:300], None) for note in notes)
    return tuple(found)[:_MAX_DEFECTS]
