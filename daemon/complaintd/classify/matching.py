"""Keyword scanning shared by the category and severity rules.

All keywords of one rule set are compiled into a single alternation, longest keyword
first, and scanned left to right without overlaps.  That gives lexer semantics
("leftmost, then longest"): where a specific phrase and a generic word start at the same
place the phrase wins and uses the text up, so ``missing tracking`` is one information
hit rather than a loss hit plus an information hit.

Matching rules:

* Text and keywords are NFKC-normalised first (full-width ``ＳＦ``/``：`` become ASCII)
  and curly apostrophes become ``'``.
* Chinese (any non-Latin) keywords match as plain substrings.
* A keyword side that is an ASCII letter or digit must sit on a word boundary, judged
  against ASCII letters and digits only: ``late`` misses ``latest``/``template`` but
  still hits in ``包裹late了``, and ``12315`` does not fire inside a longer number.
* Matching is case-insensitive for ASCII letters; a space matches any run of
  whitespace (NFKC has made ideographic and no-break spaces plain); a trailing
  ``*`` accepts any further letters (``damag*`` -> damage, damaged, damaging).
* Negation: a hit directly preceded by a negation is dropped - Chinese 没/沒/未/无/無/
  不是/并非/不存在 (optionally followed by fillers such as 有, 任何, 发现, 明显, 被, 人),
  or English not/no/never/without/nobody/…n't (optionally followed by be/been/was/any/
  one …).  So ``没有破损``, ``未发现明显破损``, ``not damaged``, ``wasn't damaged``,
  ``no one was injured`` do not count.  Only the words right before the keyword are
  looked at; ``not only late but damaged`` is out of scope.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from complaintd.classify.prefilter import Needles, fold_case

# Why 24: long enough for "没有发现任何明显的" or "has not been any", short enough that a
# negation in the previous clause does not reach the keyword.
_NEGATION_WINDOW = 24

_ZH_NEGATION_RE = re.compile(
    r"(?:没|沒|未|无|無|不是|并非|並非|不存在)"
    r"(?:有|任何|什么|什麼|出现|出現|发现|發現|明显的?|明顯的?"
    r"|人员|人員|人|被|造成|遭受|受到|见|見|过|過)*"
    r"\s*$"
)
_EN_NEGATION_RE = re.compile(
    r"(?<![A-Za-z'])(?:not|no|never|without|nobody|nothing|[A-Za-z]+n't)"
    r"(?:\s+(?:one|body|been|any|be|was|were|is|are|get|got"
    r"|seem|seems|look|looks|appear|appears))*"
    r"\s+$",
    re.IGNORECASE,
)
# Why str.replace and not str.translate: translate looks every character of a
# non-ASCII text up in a dict (~65 us for a 2 KB mail); three replaces cost ~0.2 us.
_APOSTROPHES = ("\u2019", "\u2018", "\u02bc")
# Full-width ASCII and the ideographic space: nearly all that NFKC changes in Chinese
# mail.  Each maps to its NFKC form, which leaves the NFKC form of the whole text alone.
_WIDE_RE = re.compile("[\u3000\uff01-\uff5e]")
_NARROW = {chr(code): unicodedata.normalize("NFKC", chr(code)) for code in range(0xFF01, 0xFF5F)}
_NARROW["\u3000"] = " "
# Negation words must contain one of these (the English ones, lower-cased); a window
# without any cannot be a negation, and that skips both regexes for most hits.
_ZH_NEGATION_CHARS = ("没", "沒", "未", "无", "無", "不", "并", "並")
_EN_NEGATION_PARTS = ("no", "n't", "never", "thout")
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_NOT_BEFORE = r"(?<![A-Za-z0-9])"
_NOT_AFTER = r"(?![A-Za-z0-9])"
# re.ASCII: case-insensitive for ASCII letters only.  Unicode IGNORECASE would let
# Turkish "İ"/"ı" match "i" while "İ".lower() is no key of ours.
_FLAGS = re.IGNORECASE | re.ASCII


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, without the full pass where it can.

    Full NFKC of a 2 KB Chinese mail costs ~60 us, mostly for the full-width commas and
    colons.  Replacing those by their NFKC forms first does not change the NFKC form of
    the text (a character's compatibility decomposition is that of its NFKC form), and
    if nothing else needs normalising the text is then already the answer.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    for char in set(_WIDE_RE.findall(text)):
        text = text.replace(char, _NARROW[char])
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def normalize(text: str) -> str:
    """Return ``text`` NFKC-normalised with curly apostrophes made straight."""
    if text.isascii():  # ASCII is NFKC-normal and has no curly apostrophe
        return text
    text = _nfkc(text)
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "'")
    return text


def check_keyword(keyword: str) -> str:
    """Return the normalised keyword, or raise ``ValueError`` saying why it is unusable."""
    if not isinstance(keyword, str):
        raise ValueError(f"keyword {keyword!r} is not a string")
    cleaned = normalize(keyword).strip()
    if not cleaned.rstrip("*"):
        raise ValueError(f"keyword {keyword!r} is empty")
    if "*" in cleaned.rstrip("*") or cleaned.endswith("**"):
        raise ValueError(f"keyword {keyword!r}: '*' is only allowed once, at the end")
    return cleaned


def keyword_key(keyword: str) -> str:
    """The lookup key of a keyword or of matched text: lower case, single spaces."""
    return " ".join(keyword.split()).lower()


def _literal_regex(text: str) -> str:
    """Regex source for ``text`` with each whitespace run matching any whitespace run."""
    return r"\s+".join(re.escape(part) for part in text.split(" "))


def _tail_regex(key: str) -> str:
    """Regex source for everything of keyword ``key`` after its first character."""
    core = key.removesuffix("*")
    source = _literal_regex(core[1:])
    if key.endswith("*"):
        source += "[A-Za-z]*"
    if core[-1] in _ASCII_WORD or key.endswith("*"):
        source += _NOT_AFTER
    return source


def _group_regex(first: str, keys: Sequence[str]) -> str:
    """One alternative for all keywords starting with ``first`` (keys longest first)."""
    head = (_NOT_BEFORE if first in _ASCII_WORD else "") + re.escape(first)
    return head + "(?:" + "|".join(_tail_regex(key) for key in keys) + ")"


def _by_first_char(keys: Sequence[str]) -> dict[str, list[str]]:
    """Keys grouped by their first character, the longest keyword first in each group."""
    groups: dict[str, list[str]] = {}
    for key in sorted(keys, key=lambda key: -len(key.rstrip("*"))):
        groups.setdefault(key[0], []).append(key)
    return groups


def scanner_regex(keys: Sequence[str]) -> re.Pattern[str]:
    """Compile keyword keys into one alternation, dispatched on the first character.

    This regex defines the matching; :class:`KeywordScanner` gets the same hits faster
    (it tries only the branch of the character found where a keyword's first word is).
    Without capture groups and with the first character factored out, ``re`` rejects
    most alternatives at a position in one comparison.  Within a first character the
    longest keyword comes first.
    """
    groups = _by_first_char(keys)
    # The lookahead class rejects a position whose character starts no keyword in one
    # set test, instead of trying every alternative there (most positions start none).
    firsts = "".join(sorted({re.escape(c) for c in groups}))
    alternatives = "|".join(_group_regex(c, ks) for c, ks in groups.items())
    return re.compile(f"(?=[{firsts}])(?:{alternatives})", _FLAGS)


def is_negated(text: str, start: int) -> bool:
    """Tell whether the keyword found at ``start`` is directly preceded by a negation."""
    window = text[max(0, start - _NEGATION_WINDOW) : start]
    if any(char in window for char in _ZH_NEGATION_CHARS) and _ZH_NEGATION_RE.search(window):
        return True
    # Why lower(): the English regex is case-insensitive, and none of the letters
    # n o t h u e v r has a non-ASCII case partner that lower() would miss.
    folded = window.lower()
    if not any(part in folded for part in _EN_NEGATION_PARTS):
        return False
    return _EN_NEGATION_RE.search(window) is not None


def _first_word(key: str) -> str:
    """The literal text every match of keyword ``key`` starts with (lower case)."""
    return key.split(" ")[0].removesuffix("*")


def _head_regexes(keys: Sequence[str]) -> dict[str, re.Pattern[str]]:
    """One compiled :func:`scanner_regex` branch per first character of ``keys``.

    At a given position only the branch of the character found there can match, so
    trying that one branch is the same as trying the whole alternation there.
    """
    groups = _by_first_char(keys)
    return {first: re.compile(_group_regex(first, ks), _FLAGS) for first, ks in groups.items()}


@dataclass(frozen=True)
class Hit:
    """One keyword found in the text: its position and every (group, keyword) listing it."""

    start: int
    owners: tuple[tuple[int, str], ...]  # (index of the keyword group, keyword as written)


class KeywordScanner:
    """Finds the keywords of several groups (one group per rule) in a text.

    Same hits as ``scanner_regex(keys).finditer(text)``, faster: that regex is tried at
    every position, while here one Aho-Corasick pass over the lower-cased text finds the
    few places where a keyword's first word occurs, and only the regex branch for the
    character there is tried, left to right, each search resuming after the last match.
    """

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        """Index every keyword by its lookup key and build the scanning automaton."""
        owners: dict[str, list[tuple[int, str]]] = {}
        for index, keywords in enumerate(groups):
            for keyword in keywords:
                owners.setdefault(keyword_key(check_keyword(keyword)), []).append((index, keyword))
        self._owners = {key: tuple(found) for key, found in owners.items()}
        # Wildcard stems, longest first, to map "damaged" back to "damag*".
        stems = sorted((key for key in owners if key.endswith("*")), key=len, reverse=True)
        self._stems = tuple((key[:-1], key) for key in stems)
        self._heads = _head_regexes(list(owners))
        self._needles = Needles(_first_word(key) for key in owners)

    def _owners_of(self, matched: str) -> tuple[tuple[int, str], ...]:
        """The owners of the keyword that produced ``matched`` (empty if none is known)."""
        key = keyword_key(matched)
        if key in self._owners:
            return self._owners[key]
        stem_key = next((full for stem, full in self._stems if key.startswith(stem)), None)
        return self._owners.get(stem_key or "", ())

    def scan(self, text: str, folded: str | None = None) -> Iterator[Hit]:
        """Yield the non-negated hits in ``text`` (already normalised), left to right.

        ``folded`` is ``fold_case(text)`` when the caller has it already.
        """
        low = fold_case(text) if folded is None else folded
        resume = 0
        for start in self._needles.starts(low):
            if start < resume or _inside_word(text, low, start):
                continue
            match = self._heads[low[start]].match(text, start)
            if match is None:
                continue
            resume = match.end()
            owners = self._owners_of(match.group())
            if owners and not is_negated(text, start):
                yield Hit(start, owners)


def _inside_word(text: str, low: str, start: int) -> bool:
    """A keyword starting with an ASCII letter or digit cannot start inside a word.

    The branch regex checks that too; this only saves calling it for "no" in "know".
    """
    return start > 0 and low[start] in _ASCII_WORD and text[start - 1] in _ASCII_WORD


@functools.lru_cache(maxsize=64)
def scanner_for(groups: tuple[tuple[str, ...], ...]) -> KeywordScanner:
    """Return the (cached) scanner for ``groups``, so each rule set compiles only once."""
    return KeywordScanner(groups)
