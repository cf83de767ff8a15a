"""Which language to answer a customer in: ``zh-CN`` or ``en`` (pure, no I/O).

Only the first ``SAMPLE_CHARS`` characters are looked at - the language of a mail is
settled in its first lines, and this keeps a 20 KB body cheap.  URLs and e-mail
addresses are removed first: a Chinese mail with an English signature block should
not be pushed towards English by ``www.example.com``.

Decision: Chinese ideographs (simplified or traditional, including the extension
blocks) are weighted ``CJK_WEIGHT`` each - one character carries about as much as a
short English word - and the mail is Chinese when there are at least ``MIN_CJK`` of them
and they make up ``ZH_SHARE`` of the weighted letters.  Otherwise it is English when
there are at least ``MIN_LATIN`` Latin letters, and ``default`` when there is nothing to
go on (digits, punctuation, a waybill number).

The balance leans Chinese on purpose: Chinese business mail very often ends in an
English signature block or names English products, while English mail rarely carries
more than a name in characters.  A *short* English note with several Chinese words in
it can therefore come out ``zh-CN``.
"""

from __future__ import annotations

import re

LANGUAGES: tuple[str, ...] = ("zh-CN", "en")
SAMPLE_CHARS = 4096
CJK_WEIGHT = 3
MIN_CJK = 2
MIN_LATIN = 3
ZH_SHARE = 0.2

_CJK_RE = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f]"
)
# ASCII and Latin-1/Latin Extended letters; full-width ＡＢＣ is typed in Chinese IMEs
# and deliberately not counted.
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
# The look-behind makes an address match start only at a token start: without it a
# long run of letters would be re-scanned from every position (quadratic time).
_NOISE_RE = re.compile(
    r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)


def letter_counts(text: str) -> tuple[int, int]:
    """Return (CJK ideographs, Latin letters) in the sample of ``text``, noise removed."""
    sample = _NOISE_RE.sub(" ", text[:SAMPLE_CHARS])
    return len(_CJK_RE.findall(sample)), len(_LATIN_RE.findall(sample))


def detect_language(text: str, default: str = "zh-CN") -> str:
    """Return ``"zh-CN"`` or ``"en"`` for ``text``; ``default`` when it gives no clue."""
    cjk, latin = letter_counts(text)
    weighted = cjk * CJK_WEIGHT
    if cjk >= MIN_CJK and weighted >= ZH_SHARE * (weighted + latin):
        return "zh-CN"
    if latin >= MIN_LATIN:
        return "en"
    return default
