"""Tell undeclared Big5 from GB text by how common the decoded characters are.

Big5 lead and trail byte ranges lie inside GBK's, so any Big5 byte string is
also valid GB 18030 - it just decodes to rare characters, kana and Cyrillic
letters.  Real text mostly uses the "level 1" sets: GB 2312 0xB0A1-0xD7F9
(3,755 common simplified hanzi) and Big5 0xA440-0xC67E (5,401 common
traditional characters).  The reading with the clearly higher share of common
characters wins; ties go to GB, the far more frequent case in our mail.

GB 18030 also decodes its user-defined areas (and bytes that were never
Chinese, such as Latin-1 letters) to private-use characters, which no real
text contains: :func:`private_use_count` lets the caller reject such readings.
"""

from __future__ import annotations

import re
from functools import cache

_SAMPLE = 2000  # characters examined; enough to decide, cheap for long bodies
_MARGIN = 0.2  # Big5 must beat GB by this share of common characters
_KANA = re.compile("[\u3040-\u30ff]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
# Big5 0xC6A1-0xC6FE is no level-1 character: the ETEN extension puts kana and
# Cyrillic there, which would make a GB reading's kana look "common".
_BIG5_LEVEL1_END = 0xC67E


@cache
def _common_chars(family: str) -> frozenset[str]:
    """Level-1 GB 2312 hanzi (``gb``), level-1 Big5 characters (``big5``) or both
    (``any``), with the CJK punctuation all of them use."""
    chars: set[str] = set()
    if family in ("gb", "any"):
        chars.update(_decode_block("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)))
    if family in ("big5", "any"):
        big5_trails = (*range(0x40, 0x7F), *range(0xA1, 0xFF))
        chars.update(_decode_block("big5", range(0xA4, 0xC7), big5_trails, last=_BIG5_LEVEL1_END))
    chars.update(chr(cp) for cp in range(0x3000, 0x3040))  # CJK symbols and punctuation
    chars.update(chr(cp) for cp in range(0xFF01, 0xFF5F))  # full-width forms
    return frozenset(chars)


def _decode_block(
    codec: str, leads: range, trails: range | tuple[int, ...], last: int = 0xFFFF
) -> set[str]:
    """Every character of a two-byte code block (up to code ``last``) the codec defines."""
    found: set[str] = set()
    for lead in leads:
        for trail in trails:
            if lead << 8 | trail > last:
                continue
            try:
                found.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return found


def family_of(codec: str) -> str:
    """``gb`` or ``big5`` for a Chinese codec name, ``any`` for others."""
    if codec.startswith(("gb", "cp936", "hz")):
        return "gb"
    return "big5" if codec.startswith(("big5", "cp950")) else "any"


def common_share(text: str, family: str = "any") -> float:
    """Share of the non-ASCII characters of ``text`` that are common CJK ones.

    ``family`` (see :func:`family_of`) narrows "common" to the level-1 set of
    the encoding the text was read in: a GB reading full of traditional
    characters came from bytes that were not GB text.
    """
    wide = [ch for ch in text[: _SAMPLE * 4] if ord(ch) > 0x7F][:_SAMPLE]
    if not wide:
        return 0.0
    common = _common_chars(family)
    return sum(ch in common for ch in wide) / len(wide)


def prefer_big5(gb_text: str, big5_text: str) -> bool:
    """True when the Big5 reading is clearly more plausible than the GB one."""
    return common_share(big5_text) > common_share(gb_text) + _MARGIN


def private_use_count(text: str) -> int:
    """Number of private-use characters: no real text has them."""
    return len(_PRIVATE_USE.findall(text))


def kana_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are Japanese kana.

    EUC-JP puts its kana exactly where GB 2312 has them (rows 0xA4, 0xA5), so
    Japanese text read as GB is full of kana, which Chinese text never is.
    """
    wide = [ch for ch in text[: _SAMPLE * 4] if ord(ch) > 0x7F][:_SAMPLE]
    return len(_KANA.findall("".join(wide))) / len(wide) if wide else 0.0
