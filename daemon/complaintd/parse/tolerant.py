"""The stdlib parser, hardened against the inputs that make it raise or stop.

``email.message.Message.get_param`` raises ``TypeError`` on malformed RFC 2231
continuations (``boundary*=x; boundary*0=y``), and the parser itself calls it
to find multipart boundaries - so one bad parameter would make the whole
message unparseable.  :class:`TolerantMessage` answers "no such parameter"
instead; the MIME walk then recovers the boundary from the body.

The stdlib also stops reading headers at the first line that is not a field,
so a line a forwarding gateway pasted above the headers, or a field continued
on a line without indentation, turns the whole header block into body text.
:func:`repair_header_block` finds the header block the way tolerant parsers
do, on a copy: the stored raw bytes are never changed.
"""

from __future__ import annotations

import re
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from functools import lru_cache
from typing import Any, cast

# What the stdlib's RFC 2231 decoding raises on malformed continuations.
_PARAM_ERRORS = (TypeError, ValueError, IndexError)
# MIME fields whose values may carry RFC 822 comments (RFC 2045 section 5.1:
# "text/plain; charset=us-ascii (Plain text)"), which the stdlib reads as part
# of the type, the encoding or the parameter before them.
_COMMENTED_FIELDS = frozenset({"content-type", "content-transfer-encoding", "content-disposition"})


@lru_cache(maxsize=256)  # the parser asks for the same Content-Type many times
def without_comments(value: str) -> str:
    """A MIME field value without its RFC 822 comments (quoted strings untouched).

    Only comments where a comment can stand go: first, or after a token and
    before the next ";" or the end.  ``name=photo (1).jpg`` keeps its
    parentheses: more of the value follows them.  One pass, so a hostile
    value full of parentheses costs linear time.
    """
    kept: list[str] = []
    position = 0
    for start, end in _comment_spans(value):
        before, after = value[position:start], value[end:].lstrip()
        if start == 0 or not value[:start].strip() or not after or after.startswith(";"):
            kept.append(before.rstrip())
            position = end
    kept.append(value[position:])
    return "".join(kept).strip()


def _comment_spans(value: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost, closed comment outside quoted strings."""
    spans: list[tuple[int, int]] = []
    depth, start, quoted, escaped = 0, 0, False, False
    for index, char in enumerate(value):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"' and not depth:
            quoted = True
        elif char == "(":
            start = index if not depth else start
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if not depth:
                spans.append((start, index + 1))
    return spans


class TolerantMessage(Message):
    """A compat32 message whose parameter lookups never raise or read comments."""

    def get(self, name: str, failobj: Any = None) -> Any:
        """Like :meth:`Message.get`; MIME fields come back without comments.

        The stdlib's own content-type, parameter and payload decoding all read
        through here, so ``text/plain (comment); charset=utf-8`` is text/plain.
        """
        value = super().get(name, failobj)
        if isinstance(value, str) and "(" in value and name.lower() in _COMMENTED_FIELDS:
            return without_comments(value)
        return value

    def get_param(self, *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`Message.get_param`, but ``failobj`` on malformed parameters."""
        try:
            return super().get_param(*args, **kwargs)
        except _PARAM_ERRORS:
            return _failobj(args, kwargs, 1)

    def get_params(self, *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`Message.get_params`, but ``failobj`` on malformed parameters."""
        try:
            return super().get_params(*args, **kwargs)
        except _PARAM_ERRORS:
            return _failobj(args, kwargs, 0)


def _failobj(args: tuple[Any, ...], kwargs: dict[str, Any], position: int) -> Any:
    """The caller's ``failobj`` argument, positional or keyword (default None)."""
    if "failobj" in kwargs:
        return kwargs["failobj"]
    return args[position] if len(args) > position else None


def parse_bytes(data: bytes) -> TolerantMessage:
    """Parse a whole message (compat32 policy) into :class:`TolerantMessage` parts."""
    parser = BytesParser(_class=TolerantMessage, policy=policy.compat32)
    return cast(TolerantMessage, parser.parsebytes(data))


def parse_headers(data: bytes) -> TolerantMessage:
    """Parse only the header block; the body stays one unparsed payload."""
    parser = BytesHeaderParser(_class=TolerantMessage, policy=policy.compat32)
    return cast(TolerantMessage, parser.parsebytes(data))


# RFC 5322 section 3.6.8 field-name (printable ASCII but ":"), then the colon.
_FIELD = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")
# RFC 5322 section 4.5 obsolete syntax: white space before the colon ("Subject  : x").
_OBS_FIELD = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]+:")
# A field with a name RFC 5322 does not allow ("X-Bad name: v", "X-状态: v"): one to
# three words of letters, digits, "-" and "_" (or 8-bit bytes), then the colon.
_BAD_FIELD = re.compile(rb"^[\w\x80-\xff-]{1,40}(?:[ \t]+[\w\x80-\xff-]{1,40}){0,2}[ \t]*:(?!//)")
# Fields every real header block has some of; a line of junk or body text has none.
_KNOWN_FIELD = re.compile(
    rb"^(?:from|to|cc|subject|date|message-id|received|return-path|mime-version|content-type"
    rb"|content-transfer-encoding|reply-to|sender|delivered-to|in-reply-to|references"
    rb"|x-[\x21-\x39\x3b-\x7e]*)[ \t]*:",
    re.IGNORECASE,
)
# Where the header block ends: a blank line, or one of white space only (which the
# stdlib reads as folding, but which ends the headers for mail clients).
_BLANK_LINE = re.compile(rb"\r?\n(?=[ \t]*(?:\r?\n|\r(?!\n)))|\r(?=[ \t]*\r)")
_WHITE_LINE = re.compile(rb"[ \t]+(?=\r?\n|\r)")
_LINE_END = re.compile(rb"^(?:\r\n|\r|\n)")
_JUNK_LINES_MAX = 5  # lines (blank ones included) a gateway may put above the headers
_KNOWN_FIELDS_MIN = 2  # what makes the lines after the junk a header block
_LOOKAHEAD_LINES = 40


def repair_header_block(data: bytes) -> tuple[bytes, list[str]]:
    """``data`` with its header block made readable, and what was done.

    Junk lines above the first field are skipped, and a line of white space
    ends the header block like a blank one.  In the block, a line that is not
    a field but is followed by well-known fields continues the field above it
    (joined with one space of folding); ``Name :`` loses the space before its
    colon; fields with names RFC 5322 forbids are dropped with their
    continuations.  Where no field follows a non-field line, the body begins
    there, as the stdlib reads it: a body glued to the headers stays body.
    Returns ``data`` itself when nothing needed repair.
    """
    start, junk = _header_start(data)
    end, closed = _header_end(data, start)
    lines, notes = _repair_lines(data[start:end].splitlines(keepends=True), closed)
    if junk:
        notes.insert(0, f"skipped {len(junk)} line(s) above the header fields: {junk[0][:80]!r}")
    rest = data[end:]
    white = _WHITE_LINE.match(rest)
    if white:
        notes.append("a line of white space ended the header block")
        rest = rest[white.end() :]
    return b"".join(lines) + rest, notes


def _header_start(data: bytes) -> tuple[int, list[bytes]]:
    """Offset where the header fields begin, and the junk lines above them."""
    lines = data[: 200 * (_JUNK_LINES_MAX + _LOOKAHEAD_LINES)].splitlines(keepends=True)
    offset = 0
    for index, line in enumerate(lines[: _JUNK_LINES_MAX + 1]):
        if _FIELD.match(line) or _OBS_FIELD.match(line) or (index == 0 and line[:5] == b"From "):
            if index and _is_header_block(lines[index : index + _LOOKAHEAD_LINES]):
                return offset, [junk.rstrip() for junk in lines[:index] if junk.strip()]
            return 0, []
        offset += len(line)
    return 0, []


def _is_header_block(lines: list[bytes]) -> bool:
    """True when ``lines`` open with at least two well-known header fields."""
    known = 0
    for line in lines:
        if not line.strip():
            break
        known += bool(_KNOWN_FIELD.match(line))
    return known >= _KNOWN_FIELDS_MIN


def _header_end(data: bytes, start: int) -> tuple[int, bool]:
    """Where the header block ends, and whether a blank line ends it.

    A line of white space followed by an indented line or a field is folding
    (RFC 5322 section 4.2 obsolete syntax), not the end.
    """
    for match in _BLANK_LINE.finditer(data, start):
        if not _folds_on(data, match.end()):
            return match.end(), True
    return len(data), False


def _folds_on(data: bytes, position: int) -> bool:
    """True when the white-space line at ``position`` is followed by more header."""
    white = _WHITE_LINE.match(data, position)
    if white is None:
        return False
    following = _LINE_END.sub(b"", data[white.end() : white.end() + 200], count=1)
    return following[:1] in (b" ", b"\t") or bool(_FIELD.match(following))


def _repair_lines(lines: list[bytes], closed: bool) -> tuple[list[bytes], list[str]]:
    """The header lines repaired (see :func:`repair_header_block`), and notes.

    ``closed``: a blank line ends the block (see :func:`_line_kind`).
    """
    field_follows = _known_field_follows(lines)
    kept: list[bytes] = []
    notes: list[str] = []
    dropping = False
    for index, line in enumerate(lines):
        kind = _line_kind(line, index, field_follows[index], closed)
        if kind == "body":
            return kept + lines[index:], notes
        if kind != "indented":
            dropping = kind == "drop"
        if kind in ("field", "indented") and not dropping:
            kept.append(line)
        elif kind == "obsolete":
            kept.append(_OBS_FIELD.sub(rb"\1:", line, count=1))
        elif kind == "continuation":
            kept.append(b" " + line)
        if kind in _NOTED:
            notes.append(f"{_NOTED[kind]}: {line.rstrip()[:60]!r}")
    return kept, notes


_NOTED = {
    "obsolete": "space before the colon removed",
    "drop": "field with an invalid name dropped",
    "continuation": "unindented line joined to the field above",
}


def _line_kind(line: bytes, index: int, field_follows: bool, closed: bool) -> str:
    """What one header-block line is: field, indented, obsolete, continuation, drop or body.

    A line that is no field continues the field above when well-known fields
    follow it (``field_follows``), unless it looks like a field with an invalid
    name.  Otherwise the body begins there - except that in a block a blank
    line ends (``closed``), a line with a colon is a field with an invalid
    name ("X-Script/function/ !#: TEST"), dropped.
    """
    if line[:1] in (b" ", b"\t"):
        return "indented"
    if _OBS_FIELD.match(line):
        return "obsolete"
    if _FIELD.match(line) or (index == 0 and line[:5] == b"From "):
        return "field"
    if field_follows and index and not line.startswith(b"--"):  # "--" opens a MIME part
        return "drop" if _BAD_FIELD.match(line) else "continuation"
    return "drop" if b":" in line and index and closed else "body"


def _known_field_follows(lines: list[bytes]) -> list[bool]:
    """For each line, whether a well-known field line comes after it."""
    follows = [False] * len(lines)
    seen = False
    for index in range(len(lines) - 1, -1, -1):
        follows[index] = seen
        seen = seen or bool(_KNOWN_FIELD.match(lines[index]))
    return follows
