"""ISO-2022 decoders Python lacks, and spotting ISO-2022 text that has no label.

Registered as codecs on import (decode only):

* ``iso2022_jp_ms`` - ISO-2022-JP as Windows (CP50220/50221/50222) and Japanese
  phones write it: JIS X 0208 rows with the NEC and IBM extensions of CP932
  (circled numbers, U+FA0F 﨏 ...), half-width katakana by ``ESC ( I`` or SO/SI.
  This is what the WHATWG iso-2022-jp decoder reads too; Python's iso2022_jp_2
  rejects those rows.
* ``iso2022_cn`` - ISO-2022-CN (RFC 1922) with GB 2312 (``ESC $ ) A``).  Its CNS
  11643 sets have no Python codec; their bytes are decode errors.

ISO-2022 text is 7-bit, so an unlabelled one passes any ASCII test with its
escape sequences intact; :func:`escape_codecs` names the codecs to try for it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

_ESC, _SO, _SI = 0x1B, 0x0E, 0x0F
_JP_ESCAPE = re.compile(rb"\x1b(?:\$[@B]|\$\([DOPQ]|\$A|\(I|\(J)")
_KR_ESCAPE = re.compile(rb"\x1b\$\)C")
_CN_ESCAPE = re.compile(rb"\x1b\$(?:\)[AGE]|\*H|\+[I-M])")
_JP_CODECS = ("iso2022_jp_2", "iso2022_jp_ms", "iso2022_jp_3")

# ISO-2022-JP state of the MS decoder: what the next bytes are.
_ASCII, _KATAKANA, _JIS0208 = "ascii", "katakana", "jis0208"
_JP_DESIGNATIONS = {
    b"(B": _ASCII,
    b"(J": _ASCII,  # JIS X 0201 Roman: mail means ASCII by it
    b"(I": _KATAKANA,
    b"$@": _JIS0208,
    b"$B": _JIS0208,
}
_GB2312 = "gb2312"


def escape_codecs(data: bytes) -> tuple[str, ...]:
    """Codecs for 7-bit ``data`` by the ISO-2022 escapes it holds; () if none."""
    if b"\x1b" not in data:
        return ()
    if _KR_ESCAPE.search(data):
        return ("iso2022_kr",)
    if _CN_ESCAPE.search(data):
        return ("iso2022_cn",)
    if _JP_ESCAPE.search(data):
        return _JP_CODECS
    return ()


class _Decoder:
    """Shared error handling: ``fail`` reports a bad byte range the codec way."""

    def __init__(self, codec: str, data: bytes, errors: str) -> None:
        self.codec, self.data, self.errors = codec, data, errors
        self.out: list[str] = []

    def fail(self, start: int, end: int, reason: str) -> int:
        """Apply the error handler to ``data[start:end]``; return where to go on."""
        error = UnicodeDecodeError(self.codec, self.data, start, end, reason)
        replacement, resume = codecs.lookup_error(self.errors)(error)
        self.out.append(str(replacement))
        return resume if resume >= 0 else len(self.data) + resume

    def ascii(self, pos: int) -> int:
        """Copy the ASCII byte at ``pos`` (an 8-bit byte is an error)."""
        if self.data[pos] >= 0x80:
            return self.fail(pos, pos + 1, "8-bit byte in a 7-bit encoding")
        self.out.append(chr(self.data[pos]))
        return pos + 1


def decode_iso2022_jp_ms(data: bytes, errors: str = "strict") -> str:
    """Decode Windows/WHATWG ISO-2022-JP (JIS X 0208 + CP932 extensions)."""
    decoder = _Decoder("iso2022_jp_ms", data, errors)
    state, pos = _ASCII, 0
    while pos < len(data):
        byte = data[pos]
        if byte == _ESC:
            new_state = _JP_DESIGNATIONS.get(data[pos + 1 : pos + 3])
            if new_state is None:
                pos = decoder.fail(pos, pos + 1, "unknown escape sequence")
            else:
                state, pos = new_state, pos + 3
        elif byte in (_SO, _SI):
            state, pos = (_KATAKANA if byte == _SO else _ASCII), pos + 1
        elif byte in (0x0A, 0x0D) or state == _ASCII:
            state = _ASCII  # a line ends in ASCII
            pos = decoder.ascii(pos)
        else:
            pos = _jp_character(decoder, state, pos)
    return "".join(decoder.out)


def _jp_character(decoder: _Decoder, state: str, pos: int) -> int:
    """Decode one katakana or JIS X 0208 character at ``pos``; return the next position."""
    data = decoder.data
    width = 1 if state == _KATAKANA else 2
    chunk = data[pos : pos + width]
    try:
        if state == _KATAKANA:
            decoder.out.append(bytes([chunk[0] | 0x80]).decode("cp932"))
        else:
            decoder.out.append(_jis_to_sjis(chunk).decode("cp932"))
    except (UnicodeDecodeError, ValueError, IndexError):
        return decoder.fail(pos, min(pos + width, len(data)), "illegal multibyte sequence")
    return pos + width


def _jis_to_sjis(pair: bytes) -> bytes:
    """Convert one JIS X 0208 row/cell pair (0x21-0x7E each) to Shift_JIS bytes."""
    if len(pair) != 2 or not all(0x21 <= b <= 0x7E for b in pair):
        raise ValueError("not a JIS X 0208 pair")
    row, cell = pair
    lead = (row + 1) // 2 + (0x70 if row <= 0x5E else 0xB0)
    odd_row_trail = cell + (0x1F if cell <= 0x5F else 0x20)  # 0x7F is skipped
    trail = odd_row_trail if row % 2 else cell + 0x7E
    return bytes((lead, trail))


def decode_iso2022_cn(data: bytes, errors: str = "strict") -> str:
    """Decode ISO-2022-CN (RFC 1922): ASCII, and GB 2312 shifted in by SO."""
    decoder = _Decoder("iso2022_cn", data, errors)
    g1: str | None = None  # the set designated to G1, if we can decode it
    shifted, pos = False, 0
    while pos < len(data):
        byte = data[pos]
        if byte == _ESC:
            g1, pos = _cn_escape(decoder, g1, pos)
        elif byte in (_SO, _SI):
            shifted, pos = byte == _SO, pos + 1
        elif byte in (0x0A, 0x0D) or not shifted:
            shifted = False  # RFC 1922: a line ends in ASCII
            pos = decoder.ascii(pos)
        else:
            pos = _cn_character(decoder, g1, pos)
    return "".join(decoder.out)


def _cn_escape(decoder: _Decoder, g1: str | None, pos: int) -> tuple[str | None, int]:
    """Apply a designation at ``pos``; CNS 11643 sets are designated but undecodable."""
    sequence = decoder.data[pos + 1 : pos + 4]
    if sequence == b"$)A":
        return _GB2312, pos + 4
    if sequence in (b"$)G", b"$)E"):
        return None, pos + 4
    if sequence[:2] in (b"$*", b"$+") and len(sequence) == 3:
        return g1, pos + 4  # G2/G3 designations: only used through SS2/SS3
    return g1, decoder.fail(pos, pos + 1, "unknown escape sequence")


def _cn_character(decoder: _Decoder, g1: str | None, pos: int) -> int:
    """Decode one shifted-in two-byte character at ``pos``; return the next position."""
    pair = decoder.data[pos : pos + 2]
    if g1 is None or len(pair) != 2:
        return decoder.fail(pos, pos + len(pair), "character set without a decoder")
    try:
        decoder.out.append(bytes(b | 0x80 for b in pair).decode(g1))
    except UnicodeDecodeError:
        return decoder.fail(pos, pos + 2, "illegal multibyte sequence")
    return pos + 2


def _codec_info(name: str, decode: Callable[[bytes, str], str]) -> codecs.CodecInfo:
    """CodecInfo for a decode-only codec."""

    def decode_wrapper(data: ReadableBuffer, errors: str = "strict", /) -> tuple[str, int]:
        raw = bytes(data)
        return decode(raw, errors), len(raw)

    def no_encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
        raise UnicodeEncodeError(name, text, 0, len(text), "decode-only codec")

    return codecs.CodecInfo(no_encode, decode_wrapper, name=name)


_REGISTERED = {
    "iso2022_jp_ms": _codec_info("iso2022_jp_ms", decode_iso2022_jp_ms),
    "iso2022_cn": _codec_info("iso2022_cn", decode_iso2022_cn),
}


def _search(name: str) -> codecs.CodecInfo | None:
    """Codec search function for the decoders above."""
    return _REGISTERED.get(name.replace("-", "_").replace("iso_2022", "iso2022"))


codecs.register(_search)
