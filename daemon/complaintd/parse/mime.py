"""Walk the MIME tree (RFC 2045/2046): pick the readable body, collect attachments.

Rules, in the spirit of what mail clients display:

* ``multipart/alternative``: the first non-empty ``text/plain`` wins, else the
  HTML (converted), else the last alternative (RFC 2046 section 5.1.4).  The
  HTML alternative is kept for :attr:`BodyText.html` either way.
* ``multipart/related``: the root (``start`` parameter or first part) is the
  body; the other parts are inline resources (RFC 2387).
* ``multipart/mixed`` and anything unknown: every inline text part adds to the
  body, in order; everything else is an attachment.
* ``text/plain; format=flowed``: soft line breaks joined (RFC 3676).
* ``message/rfc822``: a forwarded message - a header line, its text, its
  attachments.  Inside ``multipart/report`` (a bounce, RFC 6522) the returned
  message is kept whole as ``original-message.eml`` instead.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass, field, replace
from email.message import Message

from complaintd.parse.charset import Decoded, decode_bytes
from complaintd.parse.filenames import safe_filename
from complaintd.parse.flowed import unflow
from complaintd.parse.headers import HeaderIndex, decode_text, decode_words, raw_to_text, unfold
from complaintd.parse.html_text import html_to_text
from complaintd.parse.model import Attachment, BodyText
from complaintd.parse.tolerant import TolerantMessage, parse_bytes

MAX_DEPTH = 24  # deeper nesting is an attack or a loop, not a message
_BODY_TYPES = ("text/plain", "text/html")
_RENDERINGS = ("text/enriched", "text/richtext", "text/rtf")  # skipped when not chosen
_FORWARDED_TYPES = ("message/rfc822", "message/global", "message/news")
# Machine-readable report parts (RFC 3464, 3798, 5965) and their default names.
REPORT_PART_NAMES: dict[str, str] = {
    "message/delivery-status": "delivery-status.txt",
    "message/global-delivery-status": "delivery-status.txt",
    "text/rfc822-headers": "original-headers.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "message/feedback-report": "feedback-report.txt",
}
ORIGINAL_MESSAGE_NAME = "original-message.eml"
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never useful, and NUL breaks SQL
# A MIME parameter: plain text, or RFC 2231 (charset, language, %-decoded text).
_ParamValue = str | tuple[str | None, str | None, str] | None
# RFC 2046 section 5.1.1: "--" boundary, boundary of at most 70 characters.
_DELIMITER_LINE = re.compile(rb'^--([^\s"]{1,70})[ \t]*\r?$', re.MULTILINE)
_CID_REF = re.compile(r"cid:([^\"'\s)>]+)", re.IGNORECASE)


@dataclass(frozen=True)
class _Context:
    """Where the walk is: depth, and what the current subtree contributes."""

    depth: int = 0
    text: bool = True  # contributes body text (False: a non-chosen alternative)
    nested: bool = False  # inside a forwarded message
    in_report: bool = False  # inside multipart/report
    resource: bool = False  # a non-root part of multipart/related

    def child(self, **changes: bool) -> _Context:
        """The context one level deeper, with some flags changed."""
        return replace(self, depth=self.depth + 1, **changes)


@dataclass
class _Segment:
    """One contribution to the body text."""

    text: str
    from_html: bool
    decoded: Decoded | None = None  # None for generated text (forward headers)
    declared: str | None = None
    raw: bytes = b""


@dataclass
class Walk:
    """Everything collected from the MIME tree."""

    hint: str | None  # charset for undeclared 8-bit header text
    segments: list[_Segment] = field(default_factory=list)
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report_parts: list[str] = field(default_factory=list)  # content types seen

    def body(self) -> BodyText:
        """Assemble the :class:`BodyText` from the collected segments."""
        return _assemble(self)


def walk_message(msg: Message, hint: str | None) -> Walk:
    """Walk ``msg`` and return the body segments, attachments and notes."""
    walk = Walk(hint)
    _visit(msg, walk, _Context())
    walk.attachments = _mark_referenced(walk.attachments, walk.html)
    return walk


def _visit(part: Message, walk: Walk, ctx: _Context) -> None:
    """Dispatch one MIME entity."""
    if ctx.depth > MAX_DEPTH:
        walk.notes.append(f"MIME nesting deeper than {MAX_DEPTH}; rest ignored")
        return
    ctype = part.get_content_type()
    if part.is_multipart():
        _visit_container(part, ctype, walk, ctx)
    elif ctype.startswith("multipart/"):
        _visit_broken_multipart(part, ctype, walk, ctx)
    elif ctx.resource or not _is_body(part, ctype):
        if ctx.text or not _is_rendering(part, ctype):
            _add_attachment(part, ctype, walk, ctx)
    elif ctx.text:
        _add_segment(part, ctype, walk, ctx)
    elif ctype == "text/html" and walk.html is None and not ctx.nested:
        walk.html = _decode_part(part, ctype, walk)[0]


def _visit_container(part: Message, ctype: str, walk: Walk, ctx: _Context) -> None:
    """Dispatch a multipart or a parsed message/* entity."""
    if ctype in _FORWARDED_TYPES:
        _visit_forwarded(part, walk, ctx)
    elif ctype.startswith("message/"):
        _add_attachment(part, ctype, walk, ctx)
    elif ctype == "multipart/alternative":
        _visit_alternative(part, walk, ctx)
    elif ctype == "multipart/related":
        _visit_related(part, walk, ctx)
    else:
        in_report = ctx.in_report or ctype == "multipart/report"
        for child in _children(part):
            _visit(child, walk, ctx.child(in_report=in_report))


def _visit_broken_multipart(part: Message, ctype: str, walk: Walk, ctx: _Context) -> None:
    """A multipart the stdlib could not split (missing or wrong boundary).

    The boundary is guessed from the first ``--token`` line (RFC 2046 section
    5.1.1 delimiter syntax) and the part re-parsed; failing that, its raw text
    is read as plain text so nothing is lost.
    """
    recovered = _recover_multipart(part, ctype)
    if recovered is not None:
        walk.notes.append(f"{ctype}: boundary missing or wrong; recovered from the body")
        _visit_container(recovered, ctype, walk, ctx)
    elif ctx.text:
        walk.notes.append(f"{ctype}: no boundary found; body read as text/plain")
        _add_segment(part, "text/plain", walk, ctx)


def _recover_multipart(part: Message, ctype: str) -> Message | None:
    """Re-parse ``part`` with a boundary guessed from its body, or None."""
    payload = _payload(part)
    match = _DELIMITER_LINE.search(payload)
    if match is None or payload.count(b"--" + match.group(1)) < 2:
        return None
    header = f'Content-Type: {ctype}; boundary="'.encode() + match.group(1) + b'"\r\n\r\n'
    try:
        rebuilt = parse_bytes(header + payload)
    except RecursionError:  # pathological nesting: keep the text instead
        return None
    return rebuilt if rebuilt.is_multipart() else None


def _children(part: Message) -> list[Message]:
    """The sub-entities of a multipart or message/* entity."""
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _visit_alternative(part: Message, walk: Walk, ctx: _Context) -> None:
    """Visit every alternative; only the chosen one contributes text."""
    children = _children(part)
    chosen = _choose_alternative(children)
    for index, child in enumerate(children):
        _visit(child, walk, ctx.child(text=ctx.text and index == chosen))


def _choose_alternative(children: list[Message]) -> int:
    """Index of the alternative to read: plain text, then HTML, then the last."""
    for index, child in enumerate(children):
        if child.get_content_type() == "text/plain" and _payload(child).strip():
            return index
    for index, child in enumerate(children):
        if _contains_html(child):
            return index
    return len(children) - 1


def _contains_html(part: Message, depth: int = 0) -> bool:
    """True when ``part`` is, or (as a multipart) leads with, an HTML body."""
    if depth > MAX_DEPTH:
        return False
    if not part.is_multipart():
        return part.get_content_type() == "text/html"
    return any(_contains_html(child, depth + 1) for child in _children(part)[:1])


def _visit_related(part: Message, walk: Walk, ctx: _Context) -> None:
    """The root is the body; the other parts are inline resources (RFC 2387)."""
    children = _children(part)
    root = _related_root(part, children)
    for index, child in enumerate(children):
        _visit(child, walk, ctx.child(resource=ctx.resource or index != root))


def _related_root(part: Message, children: list[Message]) -> int:
    """Index of the part named by the ``start`` parameter, else 0."""
    start = part.get_param("start")
    if isinstance(start, str) and start.strip("<> "):
        wanted = start.strip("<> ")
        for index, child in enumerate(children):
            if _content_id(child) == wanted:
                return index
    return 0


def _visit_forwarded(part: Message, walk: Walk, ctx: _Context) -> None:
    """A forwarded message: header line, its text and its attachments."""
    inner = next(iter(_children(part)), None)
    if inner is None:
        _add_attachment(part, part.get_content_type(), walk, ctx)
    elif ctx.in_report:
        walk.report_parts.append(part.get_content_type())
        _add_attachment(part, part.get_content_type(), walk, ctx)
    else:
        if ctx.text:
            walk.segments.append(_Segment(_forward_header(inner, walk), False))
        _visit(inner, walk, ctx.child(nested=True))


def _forward_header(inner: Message, walk: Walk) -> str:
    """The header block shown before a forwarded message's text."""
    index = HeaderIndex(inner)
    lines = ["---------- Forwarded message ----------"]
    # Message-ID is shown too: in a bounce it names the returned original.
    for name in ("From", "Date", "Subject", "To", "Cc", "Message-ID"):
        value = decode_text(index.first(name.lower()), walk.hint, walk.notes)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def _is_rendering(part: Message, ctype: str) -> bool:
    """Another rendering of the text (RFC 1896 enriched text), not a file."""
    return ctype in _RENDERINGS and part.get_content_disposition() != "attachment"


def _is_body(part: Message, ctype: str) -> bool:
    """A text/plain or text/html part that is not an attached file."""
    if ctype not in _BODY_TYPES or part.get_content_disposition() == "attachment":
        return False
    return not (part.get_param("filename", header="content-disposition") or part.get_param("name"))


def _add_segment(part: Message, ctype: str, walk: Walk, ctx: _Context) -> None:
    """Decode a body part and append it to the body text."""
    text, decoded, declared, raw = _decode_part(part, ctype, walk)
    if ctype == "text/html":
        if walk.html is None and not ctx.nested:
            walk.html = text
        text = html_to_text(text)
    elif _param_word(part, "format") == "flowed":
        text = unflow(text, delsp=_param_word(part, "delsp") == "yes")
    walk.segments.append(_Segment(text, ctype == "text/html", decoded, declared, raw))


def _param_word(part: Message, name: str) -> str:
    """A Content-Type parameter as a stripped, lower-cased word ('' when absent)."""
    value = part.get_param(name)
    return value.strip().lower() if isinstance(value, str) else ""


def _decode_part(part: Message, ctype: str, walk: Walk) -> tuple[str, Decoded, str | None, bytes]:
    """Decode a text part: (clean text, decode result, declared charset, raw bytes)."""
    raw = _payload(part)
    declared = _declared_charset(part)
    if ctype == "text/html" and declared is None:
        declared = _meta_charset(raw)
    decoded = decode_bytes(raw, declared)
    return _clean_text(decoded.text), decoded, declared, raw


def _declared_charset(part: Message) -> str | None:
    """The charset parameter of the part, if any (RFC 2045 section 5.1)."""
    charset = part.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    if not isinstance(charset, str):
        return None
    return _TEXT_CONTROL.sub("", charset).strip() or None  # it is stored with the message


def _meta_charset(raw: bytes) -> str | None:
    """Charset named by an HTML <meta> tag near the start of the document."""
    match = _META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii") if match else None


def _clean_text(text: str) -> str:
    """Normalise line ends to LF and drop control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _TEXT_CONTROL.sub("", text)


def _payload(part: Message) -> bytes:
    """Transfer-decoded bytes of a leaf part (RFC 2045 section 6).

    The stdlib only recognises an exact encoding name; "base64 " or
    "Base64; x" would leave the body encoded, so those are finished here.
    """
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return b""
    wanted = _transfer_encoding(part)
    seen = str(part.get("content-transfer-encoding", "")).lower()
    if wanted == seen:
        return data
    if wanted == "base64":
        return _lenient_b64(data)
    return quopri.decodestring(data) if wanted == "quoted-printable" else data


def _transfer_encoding(part: Message) -> str:
    """The Content-Transfer-Encoding, stripped and lower-cased."""
    value = str(part.get("content-transfer-encoding", "")).lower()
    words = value.split(";")[0].split()
    return words[0] if words else ""


def _lenient_b64(data: bytes) -> bytes:
    """Base64-decode, ignoring stray characters and missing padding."""
    compact = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    try:
        return base64.b64decode(compact + b"=" * (-len(compact) % 4))
    except (binascii.Error, ValueError):
        return data


def _add_attachment(part: Message, ctype: str, walk: Walk, ctx: _Context) -> None:
    """Record a non-body entity as an attachment with a safe file name."""
    if ctype in REPORT_PART_NAMES:
        walk.report_parts.append(ctype)
    name = _filename(part, walk) or _default_name(ctype, ctx)
    filename = safe_filename(name, ctype, len(walk.attachments) + 1)
    cid = _content_id(part)
    disposition = part.get_content_disposition()
    inline = (
        disposition == "inline" or ctx.resource or (cid is not None and disposition != "attachment")
    )
    data = _entity_bytes(part, walk)
    ctype = _TEXT_CONTROL.sub("", ctype)  # a NUL in the header would reach the ledger
    walk.attachments.append(Attachment(filename, ctype, data, inline, cid))


def _default_name(ctype: str, ctx: _Context) -> str | None:
    """Descriptive names for report parts and returned messages."""
    if ctype in _FORWARDED_TYPES and ctx.in_report:
        return ORIGINAL_MESSAGE_NAME
    return REPORT_PART_NAMES.get(ctype)


def _entity_bytes(part: Message, walk: Walk) -> bytes:
    """Payload bytes; parsed message/* entities are serialised back."""
    if not part.is_multipart():
        return _payload(part)
    try:
        return b"".join(child.as_bytes() for child in _children(part))
    except Exception as exc:  # the stdlib generator on hostile input: note it, go on
        walk.notes.append(f"could not serialise {part.get_content_type()}: {exc!r}"[:200])
        return b""


def _filename(part: Message, walk: Walk) -> str | None:
    """The decoded file name: RFC 2231, RFC 2047 words or raw 8-bit text."""
    for name, header in (("filename", "content-disposition"), ("name", "content-type")):
        value = _param(part, name, header, walk)
        text = _param_text(value, walk) if value else ""
        if text.strip():
            return text
    return None


def _param(part: Message, name: str, header: str, walk: Walk) -> _ParamValue:
    """A header parameter, decoding raw 8-bit header text first.

    The stdlib turns undeclared 8-bit parameter bytes into U+FFFD, so such a
    header is decoded by the charset chain and re-parsed from the text.
    """
    raw = _raw_header(part, header)
    if raw is None:
        return None
    source = part
    if not raw.isascii():
        source = TolerantMessage()
        source[header] = raw_to_text(unfold(raw), walk.hint, walk.notes)
    value = source.get_param(name, header=header)
    return value if isinstance(value, (str, tuple)) else None


def _raw_header(part: Message, name: str) -> str | None:
    """First raw value of header ``name`` (lower-case) in ``part``."""
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return None


def _param_text(value: str | tuple[str | None, str | None, str], walk: Walk) -> str:
    """Decode a parameter value: RFC 2231 ``charset''%XX`` or RFC 2047 words."""
    if isinstance(value, tuple):
        charset, _language, text = value
        try:
            data = text.encode("latin-1")  # the stdlib %-decodes into latin-1 code points
        except UnicodeEncodeError:
            return text
        return decode_bytes(data, charset or None, guess=False).text
    return decode_words(value, walk.notes)


def _content_id(part: Message) -> str | None:
    """Content-ID without angle brackets (RFC 2392), or None."""
    raw = _raw_header(part, "content-id")
    if raw is None or not raw.isascii():
        return None
    value = _TEXT_CONTROL.sub("", unfold(raw)).strip().strip("<>").strip()
    return value or None


def _mark_referenced(attachments: list[Attachment], html: str | None) -> list[Attachment]:
    """Mark attachments whose Content-ID the HTML references (cid:) as inline."""
    if not html or "cid:" not in html.lower():
        return attachments
    referenced = {ref.strip() for ref in _CID_REF.findall(html)}
    return [replace(a, inline=True) if a.content_id in referenced else a for a in attachments]


def _assemble(walk: Walk) -> BodyText:
    """Join the segments into one :class:`BodyText`."""
    segments = [s for s in walk.segments if s.text.strip()]
    decoded = [s for s in segments if s.decoded is not None]
    first = decoded[0] if decoded else None
    unclean = [s for s in decoded if s.decoded is not None and not s.decoded.clean]
    return BodyText(
        text="\n\n".join(s.text.strip("\n") for s in segments),
        charset=first.decoded.charset if first and first.decoded else None,
        declared_charset=first.declared if first else None,
        from_html=bool(decoded) and all(s.from_html for s in decoded),
        html=walk.html,
        undecoded=b"\n".join(s.raw for s in unclean) if unclean else None,
        decode_note=" | ".join(str(s.decoded.note) for s in unclean if s.decoded) or None,
    )
