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

from complaintd.classify.prefilter import finditer_from, fold_case

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


# Speed: _NOISE_RE is tried only where it can start (prefilter.finditer_from): at the
# "http"/"https" before a "://", at a "www." ("w" has no other case form for re), and at
# the start of the run of address characters before an "@".
_URL_SCHEME_LENGTHS = (4, 5)
_NON_ASCII_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())


def _is_address_char(char: str) -> bool:
    """``[\\w.+-]`` of ``_NOISE_RE`` (``\\w`` is Unicode there, like ``str.isalnum``)."""
    return char.isalnum() or char in "_.+-"


def _address_start(text: str, at: int) -> int:
    """The start of the run of address characters that ends at ``at`` (the "@")."""
    start = at
    while start > 0 and _is_address_char(text[start - 1]):
        start -= 1
    return start


def _find_all(text: str, needle: str) -> list[int]:
    """Every position where ``needle`` starts in ``text``."""
    found: list[int] = []
    at = text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _noise_starts(sample: str) -> list[int]:
    """Every position where a URL or an e-mail address can start (a superset, sorted)."""
    starts = [at - n for at in _find_all(sample, "://") for n in _URL_SCHEME_LENGTHS]
    starts += [_address_start(sample, at) for at in _find_all(sample, "@")]
    if "w." in sample or "W." in sample:  # cheap test before folding the case
        starts += _find_all(fold_case(sample), "www.")
    return sorted({start for start in starts if start >= 0})


def _without_noise(sample: str) -> str:
    """``_NOISE_RE.sub(" ", sample)``, trying the regex only where it can match."""
    pieces: list[str] = []
    done = 0
    for match in finditer_from(_NOISE_RE, sample, _noise_starts(sample)):
        pieces += [sample[done : match.start()], " "]
        done = match.end()
    return "".join(pieces) + sample[done:] if pieces else sample


def letter_counts(text: str) -> tuple[int, int]:
    """Return (CJK ideographs, Latin letters) in the sample of ``text``, noise removed."""
    sample = _without_noise(text[:SAMPLE_CHARS])
    if sample.isascii():  # no ideographs; bytes.translate counts letters at C speed
        return 0, len(sample.encode("ascii").translate(None, _NON_ASCII_LETTERS))
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
