"""Tell undeclared Big5 from GB text by how common the decoded characters are.

Big5 lead and trail byte ranges lie inside GBK's, so any Big5 byte string is
also valid GB 18030 - it just decodes to rare characters, kana and Cyrillic
letters.  Real text mostly uses the "level 1" sets: GB 2312 0xB0A1-0xD7F9
(3,755 common simplified hanzi) and Big5 0xA440-0xC67E (5,401 common
traditional characters).  The reading with the clearly higher share of common
characters wins; ties go to GB, the far more frequent case in our mail.
"""

from __future__ import annotations

from functools import cache

_SAMPLE = 2000  # characters examined; enough to decide, cheap for long bodies
_MARGIN = 0.2  # Big5 must beat GB by this share of common characters


@cache
def _common_chars() -> frozenset[str]:
    """Level-1 GB 2312 hanzi, level-1 Big5 characters and CJK punctuation."""
    chars: set[str] = set()
    chars.update(_decode_block("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)))
    big5_trails = (*range(0x40, 0x7F), *range(0xA1, 0xFF))
    chars.update(_decode_block("big5", range(0xA4, 0xC7), big5_trails))
    chars.update(chr(cp) for cp in range(0x3000, 0x3040))  # CJK symbols and punctuation
    chars.update(chr(cp) for cp in range(0xFF01, 0xFF5F))  # full-width forms
    return frozenset(chars)


def _decode_block(codec: str, leads: range, trails: range | tuple[int, ...]) -> set[str]:
    """Every character of a two-byte code block that the codec defines."""
    found: set[str] = set()
    for lead in leads:
        for trail in trails:
            try:
                found.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return found


def common_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common CJK ones."""
    wide = [ch for ch in text[: _SAMPLE * 4] if ord(ch) > 0x7F][:_SAMPLE]
    if not wide:
        return 0.0
    common = _common_chars()
    return sum(ch in common for ch in wide) / len(wide)


def prefer_big5(gb_text: str, big5_text: str) -> bool:
    """True when the Big5 reading is clearly more plausible than the GB one."""
    return common_share(big5_text) > common_share(gb_text) + _MARGIN
