"""Header field decoding: unfolding, RFC 2047 words, raw 8-bit, addresses, ids, dates.

Header values come from the stdlib parser as ``str`` in which undeclared 8-bit
bytes are surrogate escapes.  They are turned back into bytes and decoded by the
charset chain, so GBK/Big5/UTF-8 sent raw in Subject or From come out right.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta, timezone
from email.message import Message
from email.utils import parsedate_to_datetime

from mailparser.dates import parse_mail_date
from mailparser.utils import get_addresses

from complaintd.parse.charset import decode_bytes
from complaintd.parse.model import Address

# RFC 2047 section 2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
# encoded-text is printable ASCII without "?" (section 2); spaces are tolerated, and
# so is a TAB: Exchange folds long words inside the encoded text.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([\x20-\x3e\x40-\x7e\t]*)\?=")
# RFC 5322 section 2.2.3: unfolding removes CRLF before WSP; lone CR/LF also seen.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s+")
_MSG_ID = re.compile(r"<([^<>]*)>")
_ADDR_SPEC = r"[^\s<>@\",;:()\\\[\]]+@[^\s<>@\",;:()\\\[\]]+"
# Lexical atoms of an address list (RFC 5322 section 3.2): an encoded word, a
# quoted string, a comment, an angle-bracketed part, a separator, other text.
_ADDRESS_TOKEN = re.compile(
    rf"(?P<word>{_ENCODED_WORD.pattern})"
    r'|(?P<quoted>"(?:[^"\\]|\\.)*(?:"|$))'
    r"|(?P<comment>\((?:[^()\\]|\\.)*(?:\)|$))"
    r"|(?P<angle><[^<>]*(?:>|$))"
    r"|(?P<separator>[,;:])"
    r'|(?P<text>[^"(<,;:=]+|.)',
    re.DOTALL,
)
_COMMENT = re.compile(r"\((?:[^()\\]|\\.)*\)")
_QUOTED_PAIR = re.compile(r"\\(.)")
_DOMAIN = r"[\w-]+(?:\.[\w-]+)+"  # a dot: "a@b" in garbage is no address
_ANGLE_ADDRESS = re.compile(rf"<\s*(?:mailto:)?(?P<address>{_ADDR_SPEC})\s*>")
# A bare address starts a word ("jdöe@x.cn" is one address, and the scan stays
# linear); an ASCII local part is preferred, the 8-bit one is the fallback.
_WORD_START = r"(?<![^\s\"'<(\[:,;])"
_BARE_ASCII_ADDRESS = re.compile(
    rf"{_WORD_START}(?P<address>[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-]+@{_DOMAIN})"
)
_BARE_ADDRESS = re.compile(rf"{_WORD_START}(?P<address>[^\s<>@\",;:()\\\[\]]+@{_DOMAIN})")
_SIMPLE_ADDRESS = re.compile(
    rf"""\s*(?:(?:"(?P<quoted>[^"\\]*)"|(?P<name>[^"<>@,;:()\\\[\]]*?))\s*<(?P<angle>{_ADDR_SPEC})>"""
    rf"""|(?P<bare>{_ADDR_SPEC}))\s*(?:,|$)"""
)

Pieces = list[tuple[str | bytes, str]]


class HeaderIndex:
    """Raw header values by lower-cased name, in message order."""

    def __init__(self, msg: Message) -> None:
        """Index the raw (surrogate-escaped) values of ``msg``'s header fields."""
        self._values: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            self._values.setdefault(name.strip().lower(), []).append(str(value))

    def all(self, name: str) -> list[str]:
        """Every raw value of header ``name`` (empty list when absent)."""
        return self._values.get(name, [])

    def first(self, name: str) -> str | None:
        """The first raw value of header ``name``, or None when absent."""
        values = self._values.get(name)
        return values[0] if values else None

    def __contains__(self, name: object) -> bool:
        """True when header ``name`` (lower-case) is present."""
        return name in self._values

    def __len__(self) -> int:
        """Number of distinct header names."""
        return len(self._values)


def unfold(value: str) -> str:
    """Join folded lines (RFC 5322 section 2.2.3) and drop control characters."""
    return _CONTROL.sub("", _LINE_BREAK.sub("", value))


def raw_to_text(value: str, hint: str | None, notes: list[str]) -> str:
    """Decode undeclared 8-bit bytes (surrogate escapes) in a header value.

    RFC 5322 headers are ASCII; RFC 6532 allows UTF-8.  Legacy clients send
    raw GBK or Big5, so the body's charset is tried first as a ``hint``.
    """
    if value.isascii():
        return value
    data = value.encode("utf-8", "surrogateescape")
    decoded = decode_bytes(data, hint, guess=False, hint_only=True)
    if not decoded.clean:
        notes.append(f"raw 8-bit header: {decoded.note}")
    return decoded.text


def decode_words(value: str, notes: list[str]) -> str:
    """Decode RFC 2047 encoded words, leniently (also inside quotes and words).

    Adjacent words of one charset are joined as bytes before decoding: senders
    split multi-byte characters across words, which RFC 2047 section 5 forbids
    but GBK and UTF-8 mailers do anyway.
    """
    if "=?" not in value:
        return value
    pieces = _split_words(value)
    return "".join(_decode_run(run, charset, notes) for run, charset in _merge_runs(pieces))


def _split_words(value: str) -> Pieces:
    """Split into literal text (charset "") and encoded-word bytes (their charset)."""
    pieces: Pieces = []
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        # RFC 2047 section 6.2: whitespace between adjacent encoded words is dropped.
        if gap and not (gap.isspace() and pieces and isinstance(pieces[-1][0], bytes)):
            pieces.append((gap, ""))
        data = _word_bytes(match.group(2), match.group(3))
        pieces.append((match.group(0), "") if data is None else (data, match.group(1)))
        pos = match.end()
    if value[pos:]:
        pieces.append((value[pos:], ""))
    return pieces


def _word_bytes(encoding: str, text: str) -> bytes | None:
    """Bytes of one encoded word (B or Q, RFC 2047 section 4), None if broken."""
    if encoding in "bB":
        compact = "".join(text.split()).rstrip("=")
        try:
            return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
        except (binascii.Error, ValueError):
            return None
    # RFC 2047 section 4.2: "_" is a space, "=XX" a byte; a2b_qp(header=True) does both.
    # A TAB is what is left of a fold inside the word, never text.
    return binascii.a2b_qp(text.replace("\t", "").encode("ascii", "surrogateescape"), header=True)


def _merge_runs(pieces: Pieces) -> Pieces:
    """Concatenate consecutive byte pieces that share a charset."""
    merged: Pieces = []
    for data, charset in pieces:
        if merged and isinstance(data, bytes):
            last, last_charset = merged[-1]
            if isinstance(last, bytes) and last_charset.lower() == charset.lower():
                merged[-1] = (last + data, charset)
                continue
        merged.append((data, charset))
    return merged


def _decode_run(data: str | bytes, charset: str, notes: list[str]) -> str:
    """Decode one merged run; literal text passes through."""
    if isinstance(data, str):
        return data
    # RFC 2231 section 5 allows a language suffix: charset*language.
    decoded = decode_bytes(data, charset.split("*")[0], guess=False)
    if not decoded.clean:
        notes.append(f"encoded word ({charset}): {decoded.note}")
    return decoded.text


def decode_text(value: str | None, hint: str | None, notes: list[str]) -> str:
    """Fully decode an unstructured header value to one stripped line."""
    if value is None:
        return ""
    text = decode_words(raw_to_text(unfold(value), hint, notes), notes)
    return _WHITESPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def parse_addresses(values: list[str], hint: str | None, notes: list[str]) -> tuple[Address, ...]:
    """Parse address header values into decoded, lower-cased mailboxes.

    Structure is parsed before RFC 2047 decoding so that a decoded comma or
    angle bracket in a display name cannot split or forge an address.  Real
    clients and web forms also write what RFC 5322 does not allow (``张三
    a@b.cn``, ``"a@b.cn"``, a raw comma inside a Q-encoded name): those are
    read the way mail clients read them, with a note.
    """
    found: dict[str, Address] = {}
    for value in values:
        text = raw_to_text(unfold(value), hint, notes)
        for name, email in _mailboxes(text, notes):
            _add_address(found, name, email, notes)
    return tuple(found.values())


def _mailboxes(text: str, notes: list[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs of one header value, names still encoded."""
    simple = _simple_addresses(text)
    if simple is not None:
        return simple
    pairs = _list_mailboxes(text, notes)
    if pairs or "=?" not in text:
        return pairs
    # Some mailers encode the whole field, address and all: the address is
    # only found after decoding.  Nothing can be forged: nothing else is there.
    decoded = decode_words(text, notes)
    pairs = _list_mailboxes(decoded, notes) if decoded != text else []
    if pairs:
        notes.append(f"address: found only inside encoded words in {text[:80]!r}")
    return pairs


def _simple_addresses(text: str) -> list[tuple[str, str]] | None:
    """Fast path for plain lists (``a@b``, ``Name <a@b>``, ``"Name" <a@b>``).

    Returns None for anything else (comments, groups, escapes, odd brackets),
    which then goes to the careful scanners.
    """
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _SIMPLE_ADDRESS.match(text, position)
        if match is None or match.end() == position:
            return None if text[position:].strip(" \t,") else found
        name = (match.group("quoted") or match.group("name") or "").strip()
        found.append((name, match.group("angle") or match.group("bare")))
        position = match.end()
    return found


def _list_mailboxes(text: str, notes: list[str]) -> list[tuple[str, str]]:
    """Every mailbox of an address list, one list item at a time.

    An item without an address followed by one with a name is the first half
    of an unquoted "Last, First <a@b>" name, as Outlook users type it.
    """
    pairs: list[tuple[str, str]] = []
    pending: list[str] = []
    for item in _address_items(text):
        found = _item_mailboxes(item, notes)
        if not found:
            pending.append(item.strip())
            continue
        if pending and len(found) == 1 and found[0][0]:
            found = [(", ".join([*pending, found[0][0]]), found[0][1])]
        pending = []
        pairs.extend(found)
    return pairs


def _item_mailboxes(item: str, notes: list[str]) -> list[tuple[str, str]]:
    """mail-parser's RFC 5322 reading of one item, else the lenient one."""
    if not item.strip():
        return []
    strict = [(name, email) for name, email in _robust_addresses(item, notes) if email.strip()]
    return strict or _lenient_mailbox(item, notes)


def _address_items(text: str) -> list[str]:
    """Split an address list at top-level commas and semicolons.

    Quoted strings, comments, angle brackets and RFC 2047 encoded words are
    atoms: a comma or colon inside them separates nothing.  Encoded words come
    back wrapped in quotes, so that an RFC 5322 parser takes a raw comma or
    colon inside one (which RFC 2047 forbids but mailers send) as part of the
    name.  A group name (``team: a@b, c@d;``) is dropped.
    """
    items: list[str] = []
    current: list[str] = []
    for match in _ADDRESS_TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group(0)
        if kind == "separator" and (token != ":" or _is_group_name(current)):
            if token != ":":
                items.append("".join(current))
            current = []
        else:
            current.append(_quote_word(token) if kind == "word" else token)
    items.append("".join(current))
    return [item for item in items if item.strip()]


def _is_group_name(tokens: list[str]) -> bool:
    """True when the text before a colon is a group's display name (RFC 5322 3.4)."""
    text = "".join(tokens)
    return "@" not in text and "<" not in text


def _quote_word(word: str) -> str:
    """An encoded word as a quoted string (it holds no quote in practice)."""
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lenient_mailbox(item: str, notes: list[str]) -> list[tuple[str, str]]:
    """One mailbox read the way mail clients read what RFC 5322 rejects.

    The address is the last ``<...@...>``, else a bare ``local@domain``
    (also inside quotes: ``"a@b.cn"``), else one inside a comment; the rest,
    unquoted, is the display name.  Encoded words and comments never supply
    the address when anything else does.  Several bare addresses and no
    brackets (``a@x.cn b@x.cn``) are a list a mailer wrote without commas.
    """
    masked = _mask(item, _ENCODED_WORD, _COMMENT)
    match = _last(_ANGLE_ADDRESS, masked)
    if match is None:
        bare = _bare_addresses(masked) or _bare_addresses(_mask(item, _ENCODED_WORD))
        if len(bare) > 1:
            notes.append(f"address: a list without commas in {item.strip()[:80]!r}")
            return [("", found.group("address")) for found in bare]
        match = bare[0] if bare else None
    if match is None:
        return []
    name = _display_name(item[: match.start()] + " " + item[match.end() :])
    notes.append(f"address: read leniently from {item.strip()[:80]!r}")
    return [(name, match.group("address"))]


def _mask(text: str, *patterns: re.Pattern[str]) -> str:
    """``text`` with every match of ``patterns`` blanked out (same length)."""
    for pattern in patterns:
        text = pattern.sub(lambda match: " " * len(match.group(0)), text)
    return text


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match of ``pattern`` in ``text``."""
    matches = list(pattern.finditer(text))
    return matches[-1] if matches else None


def _bare_addresses(text: str) -> list[re.Match[str]]:
    """Every ``local@domain`` with an ASCII local part, else the first of any kind."""
    return list(_BARE_ASCII_ADDRESS.finditer(text)) or list(_BARE_ADDRESS.finditer(text))[:1]


def _display_name(rest: str) -> str:
    """What is left around the address, as a display name (comments as a last resort)."""
    comments = [match.group(0)[1:-1] for match in _COMMENT.finditer(rest)]
    name = _COMMENT.sub(" ", rest)
    name = _QUOTED_PAIR.sub(r"\1", name.replace('""', " ")).replace('"', " ")
    name = _WHITESPACE.sub(" ", name).strip(" \t,;:<")
    return name or " ".join(comment.strip() for comment in comments).strip()


def _robust_addresses(text: str, notes: list[str]) -> list[tuple[str, str]]:
    """mail-parser's RFC 5322 scanner, with its diagnostics kept as notes."""
    diagnostics: list[dict[str, object]] = []
    pairs = get_addresses(text, defects=diagnostics)
    notes.extend(f"address: {d.get('reason')} in {str(d.get('raw'))[:80]!r}" for d in diagnostics)
    return pairs


def _add_address(found: dict[str, Address], name: str, email: str, notes: list[str]) -> None:
    """Add one mailbox unless it is empty or already present."""
    key = email.strip().lower()
    if key and key not in found:
        display = decode_words(name, notes).strip()
        found[key] = Address(_WHITESPACE.sub(" ", display), key)


def parse_msg_ids(values: list[str]) -> tuple[str, ...]:
    """Message ids (RFC 5322 section 3.6.4) without angle brackets, in order, unique."""
    ids: dict[str, None] = {}
    for value in values:
        text = unfold(value)
        found = [_compact(m) for m in _MSG_ID.findall(text)]
        if not found:  # some mailers omit the brackets
            found = [token.strip("<>,;") for token in text.split() if "@" in token]
        ids.update((i, None) for i in found if i and i.isascii())
    return tuple(ids)


def _compact(msg_id: str) -> str:
    """Remove folding whitespace that some mailers leave inside an id."""
    return "".join(msg_id.split())


def parse_date(value: str | None, notes: list[str]) -> datetime | None:
    """Parse an RFC 5322 date, keeping the sender's UTC offset; None if hopeless."""
    if value is None:
        return None
    text = unfold(value).strip()
    result = parse_mail_date(text)
    notes.extend(f"date: {reason} in {text[:60]!r}" for reason in result.reasons)
    if result.value is not None:
        return _with_offset(result.value, result.timezone)
    return _stdlib_date(text)


def _with_offset(value: datetime, offset_hours: str | int) -> datetime:
    """Express a UTC datetime in the sender's zone (offset given in hours)."""
    try:
        minutes = round(float(offset_hours) * 60)
        return value.astimezone(timezone(timedelta(minutes=minutes)))
    except (ValueError, OverflowError):
        return value


def _stdlib_date(text: str) -> datetime | None:
    """Fallback for dates mail-parser rejects; naive results are taken as UTC.

    RFC 5322 section 3.3: "-0000" means the zone is unknown, so UTC is the
    honest reading.
    """
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
