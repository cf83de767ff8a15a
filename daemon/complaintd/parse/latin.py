"""Is a Latin-1 reading real Western text, or Chinese bytes in disguise?

GB 2312 text is a run of high bytes; read as Latin-1 (or Windows-1252) it turns
into runs like ``ÄúºÃ£¬`` - symbols, C1 controls and lower-case letters followed
by upper-case ones, all inside one run.  Real Western text puts one or two
accented letters inside words of ASCII letters (``Grüße``, ``été``).

Two verdicts with two levels of proof:

* :func:`mojibake_marks` counts the signs that cannot come from real text.  A
  text that decoded cleanly under its *declared* charset is re-read only when
  there is at least one such mark ("ÕÄÖÜ" has none and is left alone).
* :func:`plausible_latin` says whether *unlabelled* bytes read well as
  Western text: no marks, no run longer than a Western word holds, and no
  accented letter before an ASCII character a Western word never puts there
  (Big5 and GBK trail bytes such as "`" or a capital after "µ");
  :func:`isolated_letters` whether they can hardly be anything else.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# An accented letter right before ASCII that no Western word puts there: a
# lower-case letter before an upper-case one ("µP"), or "@[\\]^_`{|}~" -
# the ASCII trail bytes of Big5 and GBK characters.
_HIGH_NEXT = re.compile(r"([^\x00-\x7f])(?=([\x21-\x7e]))")
_TRAIL_SYMBOLS = frozenset("@[\\]^_`{|}~")
# Runs of non-ASCII characters; a no-break space separates words like a space.
_HIGH_RUN = re.compile(r"[^\x00-\x7f\xa0]+")
# Quotes, brackets, dashes and "¡¿" may stand next to a word: "“Édith”", "¿Qué".
_EDGE_PUNCTUATION = frozenset({"Pi", "Pf", "Ps", "Pe", "Pd", "Po"})
# Longest run of accented letters real Western text has ("ÇÃO" in capitals);
# unlabelled bytes with a longer run are not Western text.  Even a text that
# decoded cleanly under its label is no Western text with a run of
# _MOJIBAKE_RUN letters (three GB characters), but "ÕÄÖÜ" may be.
_LONGEST_WESTERN_RUN = 3
_MOJIBAKE_RUN = 5


def mojibake_marks(text: str) -> int:
    """How many runs of non-ASCII characters hold a symbol, a control or a case flip.

    ``text`` is a Latin-1 or Windows-1252 reading.  A lone "°" or "«" is
    punctuation, and so are quotes and dashes at the edges of a run ("»Äpfel").
    """
    return sum(1 for run in _HIGH_RUN.findall(text) if len(run) > 1 and _marked(run))


def plausible_latin(text: str) -> bool:
    """True when every run of non-ASCII characters could be part of a Western word."""
    if _bad_neighbours(text):
        return False
    for run in _HIGH_RUN.findall(text):
        if len(_core(run)) > _LONGEST_WESTERN_RUN or (len(run) > 1 and _marked(run)):
            return False
        if len(run) == 1 and unicodedata.category(run)[0] == "C":
            return False
    return True


def _bad_neighbours(text: str) -> bool:
    """A non-ASCII letter followed by an ASCII character no Western word has there."""
    for match in _HIGH_NEXT.finditer(text):
        accented, following = match.group(1), match.group(2)
        if following in _TRAIL_SYMBOLS or (accented.islower() and following.isupper()):
            return True
    return False


def isolated_letters(text: str) -> bool:
    """True when two or more non-ASCII letters each stand alone between ASCII.

    That is how Western words carry accents ("DÄR SER DU"); Chinese text of
    two or more characters almost always puts two high bytes side by side.
    """
    runs = _HIGH_RUN.findall(text)
    return len(runs) >= 2 and all(len(run) == 1 and run.isalpha() for run in runs)


def _core(run: str) -> str:
    """A run without the punctuation at its edges."""
    start, end = 0, len(run)
    while start < end and unicodedata.category(run[start]) in _EDGE_PUNCTUATION:
        start += 1
    while end > start and unicodedata.category(run[end - 1]) in _EDGE_PUNCTUATION:
        end -= 1
    return run[start:end]


def _marked(run: str) -> bool:
    """A symbol, digit or control in the run, punctuation inside it, a case flip,
    or a run too long for any word.

    Real text has "°", "½" or "©" next to ASCII, never next to "Ø" or "ç".
    """
    if any(unicodedata.category(ch)[0] in "CSNZ" for ch in run):
        return True
    core = _core(run)
    if len(core) >= _MOJIBAKE_RUN:
        return True
    if any(not ch.isalpha() for ch in core):
        return True
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(core))
