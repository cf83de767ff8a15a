"""Cheap pre-scans that let the expensive regexes run only where they can match.

Python's ``re`` can skip ahead quickly only in a pattern that starts with a literal or a
character class (and not a case-insensitive letter).  A pattern that starts with a
look-behind, an alternation or ``SF`` under ``re.IGNORECASE`` is tried in full at every
position of the text, which is what made classification slow.

So the callers first find, at C speed, a *superset* of the positions where such a
pattern can match - the places where a literal that every match must start with occurs
(one Aho-Corasick pass over the case-folded text finds all of them at once) - and then
run the real pattern only there with :func:`finditer_from` / :func:`search_from`.
Because the real pattern still decides, the result is exactly what ``finditer`` /
``search`` would give, as long as no true match start is left out; the tests compare
both ways on the sample mailbox and on random text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick_rs


def fold_case(text: str) -> str:
    """``text`` lower-cased, with the same length, so positions line up with ``text``.

    A match of an ``re.IGNORECASE`` pattern on ``text`` is, letter for letter, a match
    of the lower-case pattern on this string - except that ``re`` also lets ``İ`` match
    ``i`` and ``ſ`` match ``s`` (``K`` matches ``k`` and lower-cases to it): needles
    that must find those are written without ``i``/``s``.
    """
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    # Why: "İ" is the only character whose lower case is two characters long; its simple
    # lower case "i" is also what re's IGNORECASE compares it with.
    return text.replace("\u0130", "i").lower()


class Needles:
    """A fixed set of literal strings, all found in one pass over a text.

    ``ahocorasick_rs`` (the Rust ``aho-corasick`` crate) with its DFA: about 5 ns a
    character for a few hundred needles.  Overlapping matches are reported, so no start
    position can hide inside another needle's match.
    """

    def __init__(self, needles: Iterable[str]) -> None:
        """Build the automaton once (callers keep the instance at module level or cached)."""
        self._needles = tuple(dict.fromkeys(needle for needle in needles if needle))
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                self._needles,
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.DFA,
            )
            if self._needles
            else None
        )

    def _matches(self, haystack: str) -> list[tuple[int, int, int]]:
        """(needle index, start, end) of every occurrence, in character positions."""
        if self._automaton is None:
            return []
        return self._automaton.find_matches_as_indexes(haystack, overlapping=True)

    def find(self, haystack: str) -> dict[str, list[int]]:
        """Start positions of every occurrence, overlaps included, per needle found."""
        found: dict[str, list[int]] = {}
        for index, start, _end in self._matches(haystack):
            found.setdefault(self._needles[index], []).append(start)
        return found

    def starts(self, haystack: str) -> list[int]:
        """Where any needle starts in ``haystack``: sorted, without repeats."""
        return sorted({start for _index, start, _end in self._matches(haystack)})


@dataclass(frozen=True)
class Scan:
    """A text, its :func:`fold_case` copy and where each needle of a set occurs in that."""

    text: str
    low: str
    found: dict[str, list[int]]

    def starts(self, needles: Iterable[str], shift: int = 0) -> list[int]:
        """Sorted positions where one of ``needles`` starts, moved by ``shift`` (min. 0)."""
        found = self.found
        return sorted({max(0, at + shift) for needle in needles for at in found.get(needle, ())})


def scan(text: str, needles: Needles, low: str | None = None) -> Scan:
    """Fold ``text`` (unless ``low`` is its folded copy already) and find ``needles``."""
    folded = fold_case(text) if low is None else low
    return Scan(text, folded, needles.find(folded))


def finditer_from(
    pattern: re.Pattern[str], text: str, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, trying ``pattern`` only at ``starts`` (sorted, >= 0).

    ``starts`` must include every position where ``pattern`` can match, and the pattern
    must not match the empty string.  Like ``finditer``, the next match is looked for
    only after the end of the previous one; look-behinds still see the whole text.
    """
    resume = 0
    for start in starts:
        if start < resume:
            continue
        match = pattern.match(text, start)
        if match is not None:
            resume = match.end()
            yield match


def search_from(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> re.Match[str] | None:
    """``pattern.search(text)``, trying only ``starts`` (see :func:`finditer_from`)."""
    return next(finditer_from(pattern, text, starts), None)
