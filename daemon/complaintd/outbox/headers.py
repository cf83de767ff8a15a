"""Header values of outgoing mail, folded so that no line can pass 998 octets (pure).

RFC 5322 2.1.1: a line SHOULD be at most 78 characters and MUST be at most 998 octets.
Every value is made of tokens that can stand on a line of their own - words, RFC 2047
encoded-words of at most 75 characters, addresses (at most 254 octets, RFC 5321),
Message-IDs (one too long for any line is left out), RFC 2231 parameter segments - and
:func:`fold` breaks the line before any token that would pass 78 octets.  A word too
long for a line turns its text into encoded-words, which can be cut anywhere between
characters.  So the 998-octet limit holds for any input, however long or strange.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from complaintd.outbox.addresses import AddressError, wire_address

LINE_OCTETS = 78  # RFC 5322 2.1.1: SHOULD
MAX_LINE_OCTETS = 998  # RFC 5322 2.1.1: MUST (CRLF not counted)
MAX_REFERENCES = 20  # keep References short; the oldest and newest ids matter most
_WORD_BYTES = 39  # UTF-8 bytes per encoded-word: 52 base64 characters, 64 with markup
_LONGEST_WORD = LINE_OCTETS - 1  # an ASCII word on a continuation line of its own
_SEGMENT = 56  # characters of one RFC 2231 parameter segment
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')
_MSG_ID = re.compile(r"[\x21-\x3b\x3d\x3f-\x7e]+")  # printable ASCII except < and >
_MEDIA_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")  # RFC 6838 4.2
_LONGEST_ID_LINE = len("In-Reply-To: <>")
_FOLD = "\r\n "


class Folded(str):
    """A header value folded here, ready to be written as it is (UTF-8 where RFC 6532)."""


def fold(tokens: Sequence[str], used: int) -> Folded:
    """``tokens`` joined by spaces, a new line begun before any that would pass 78 octets.

    ``used`` is what the first line holds already (``len("Subject: ")``).  A token
    always follows some text on its line, so no line is blank.
    """
    parts: list[str] = []
    width = used
    for token in tokens:
        size = len(token.encode("utf-8"))
        if not parts:
            width += size
        elif width + 1 + size > LINE_OCTETS:
            parts.append(_FOLD)
            width = 1 + size
        else:
            parts.append(" ")
            width += 1 + size
        parts.append(token)
    return Folded("".join(parts))


def unstructured(name: str, text: str) -> Folded:
    """Free text (Subject): folded ASCII words when each fits a line, else encoded-words."""
    words = text.split(" ")
    if _plain(text, words, _LONGEST_WORD):
        return fold(words, len(name) + 2)
    return fold(encoded_words(text), len(name) + 2)


def _plain(text: str, words: list[str], longest: int) -> bool:
    """True when ``words`` may be written as they are: ASCII, short, none an encoded-word."""
    return text.isascii() and not any(
        len(word) > longest or (word.startswith("=?") and word.endswith("?=")) for word in words
    )


def encoded_words(text: str) -> list[str]:
    """``text`` as RFC 2047 UTF-8 B-words of whole characters, each under 75 characters."""
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for character in text:
        width = len(character.encode("utf-8"))
        if size + width > _WORD_BYTES:
            words.append(_b_word("".join(chunk)))
            chunk, size = [], 0
        chunk.append(character)
        size += width
    words.append(_b_word("".join(chunk)))
    return words


def _b_word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode('utf-8')).decode('ascii')}?="


def mailbox(name: str, display_name: str, address: str) -> Folded:
    """``Display Name <address>`` (or the bare address), the name quoted or encoded."""
    written = _header_address(address) or address
    if not display_name:
        return Folded(written)
    return fold([*_phrase(display_name), f"<{written}>"], len(name) + 2)


def _phrase(display_name: str) -> list[str]:
    """A display name as words: ASCII as it is or quoted (RFC 5322 3.2.4), else B-words."""
    words = display_name.split(" ")
    if not _plain(display_name, words, _LONGEST_WORD - 2):  # room for the quotes
        return encoded_words(display_name)
    if not _SPECIALS.search(display_name):
        return words
    escaped = display_name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'.split(" ")  # folding white space may stand inside quotes


def address_list(name: str, addresses: Iterable[str]) -> Folded:
    """``a@x, b@y`` folded; an address no server could take is left out of the header.

    Such an address fails its mail before SMTP anyway (see :mod:`.addresses`); with none
    left the header is the empty group ``undisclosed-recipients:;`` (RFC 5322 A.1.3).
    """
    written = [w for w in (_header_address(a) for a in addresses) if w]
    if not written:
        return Folded("undisclosed-recipients:;")
    return fold([f"{a}," for a in written[:-1]] + written[-1:], len(name) + 2)


def _header_address(address: str) -> str | None:
    try:
        return wire_address(address)
    except AddressError:
        return None


def msg_ids(name: str, ids: Iterable[str]) -> Folded | None:
    """``<id> <id> ...`` of the ids a header line can hold, at most ``MAX_REFERENCES``.

    An id that is not printable ASCII, or too long for a line of its own, cannot be
    written as RFC 5322 3.6.4 asks and is left out; None when none is left.
    """
    usable = [f"<{i}>" for i in dict.fromkeys(ids) if _writable_id(i)]
    if not usable:
        return None
    return fold(capped(usable), len(name) + 2)


def _writable_id(message_id: str) -> bool:
    fits = len(message_id) + _LONGEST_ID_LINE <= MAX_LINE_OCTETS
    return fits and _MSG_ID.fullmatch(message_id) is not None


def capped(chain: list[str]) -> list[str]:
    """The first and the newest ids of a chain longer than ``MAX_REFERENCES``."""
    if len(chain) <= MAX_REFERENCES:
        return chain
    return chain[:1] + chain[-(MAX_REFERENCES - 1) :]


def media_type(content_type: str) -> tuple[str, str]:
    """``(maintype, subtype)`` of a well-formed type, else application/octet-stream."""
    maintype, _, subtype = content_type.strip().lower().partition("/")
    if _MEDIA_TOKEN.fullmatch(maintype) and _MEDIA_TOKEN.fullmatch(subtype):
        return maintype, subtype
    return "application", "octet-stream"


def attachment_disposition(filename: str) -> Folded:
    """``attachment; filename*=utf-8''...``, split in RFC 2231 continuations when long."""
    if not filename:
        return Folded("attachment")
    segments = _percent_segments(filename)
    if len(segments) == 1:
        return Folded(f"attachment; filename*=utf-8''{segments[0]}")
    charset = ["utf-8''"] + [""] * (len(segments) - 1)  # named in the first segment only
    params = [
        f"filename*{index}*={prefix}{segment}"
        for index, (prefix, segment) in enumerate(zip(charset, segments, strict=True))
    ]
    return Folded("attachment;" + _FOLD + (";" + _FOLD).join(params))


def _percent_segments(text: str) -> list[str]:
    """``text`` percent-encoded in UTF-8, cut between characters into short segments."""
    segments: list[str] = []
    current = ""
    for character in text:
        encoded = quote(character, safe="")
        if current and len(current) + len(encoded) > _SEGMENT:
            segments.append(current)
            current = ""
        current += encoded
    return [*segments, current]
