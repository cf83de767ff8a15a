"""The decode chain shared by bodies, headers and filenames.

Chinese mail is routinely mislabelled: GBK text is sent as ``gb2312``, Big5 as
``big5`` with HKSCS characters, UTF-8 under a legacy label, and 8-bit text with
no label at all.  :func:`decode_bytes` never invents characters: a decode is
*clean* only when it succeeds with ``errors="strict"`` and yields no U+FFFD.
Labels are resolved in :mod:`complaintd.parse.labels` (WHATWG's table plus
mail's own aliases).

Order of attempts (first clean and plausible one wins)::

    ISO-2022 escapes in 7-bit text -> ISO-2022-JP/KR/CN
    declared label (GB family -> gb18030; Big5 -> big5hkscs, cp950; ...)
    -> utf-8 -> gb18030 -> big5hkscs -> cp950
    -> windows-1252 when unlabelled bytes read as Western text
    -> charset-normalizer's guesses

A GB or Big5 reading is *implausible* when it holds private-use characters
(GB 18030 maps bytes that were never Chinese there), or - for a fallback, not a
declared label - when the bytes read as Western text and the Chinese reading is
mostly rare characters.  Valid text in its declared charset is never
"repaired" unless it is provably mojibake (see :mod:`complaintd.parse.latin`).

When nothing is clean the caller gets a best-effort text in which every
undecodable byte is written as a ``\\xNN`` escape (Python's
``errors="backslashreplace"``) and a literal U+FFFD as ``\\ufffd``, so stored
text never contains U+FFFD, plus a note saying what was tried and why it failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import charset_normalizer

from complaintd.parse.cjk import (
    common_share,
    family_of,
    kana_share,
    prefer_big5,
    private_use_count,
)
from complaintd.parse.iso2022 import escape_codecs
from complaintd.parse.labels import codecs_for
from complaintd.parse.latin import isolated_letters, mojibake_marks, plausible_latin

__all__ = ["Decoded", "codecs_for", "decode_bytes"]

# Fallbacks after the declared label: UTF-8 (modern clients), then the Chinese
# legacy encodings our customers' clients use.
_FALLBACKS: tuple[str, ...] = ("utf-8", "gb18030", "big5hkscs", "cp950")
_LATIN_FALLBACK = "cp1252"
_MULTIBYTE_PREFIXES = ("gb", "big5", "cp9", "euc", "shift", "iso2022", "hz", "utf")
# Codecs whose ASCII bytes may encode non-ASCII text (escape or shift based).
_NOT_ASCII_SAFE = ("utf-16", "utf-32", "utf-7", "iso2022", "hz")
# Codecs whose readings are checked for private-use and rare characters.
_CJK_CODECS = frozenset({"gb18030", "big5hkscs", "cp950", "cp936", "gbk", "gb2312", "big5"})
# A declared GB/Big5 reading may hold the odd private-use character (GB 18030
# maps a few rare hanzi there); more than one in this many is a mislabel.
_DECLARED_PRIVATE_USE_RATIO = 10
# An undeclared Chinese reading of bytes that also read as Western text must
# be mostly common characters (cjk.common_share), and any long one at least
# this plausible (GB readings of Cyrillic or Shift_JIS bytes score far lower).
_FALLBACK_SHARE_IF_LATIN = 0.5
_FALLBACK_SHARE_LONG = 0.3
_LONG_TEXT = 10  # non-ASCII characters
# A declared or UTF-8 decode with at most one bad byte per this many good
# non-ASCII characters is a damaged text in that charset, not a mislabel.
_NEAR_MISS_RATIO = 20
# charset-normalizer guesses wildly on a few bytes (cp1006 for "caf\xe9"), reads
# any even-length garbage as UTF-16 and loves DOS code pages; so it only runs on
# enough bytes and may only pick charsets that mail is actually sent in.
_GUESS_MIN_BYTES = 32
_GUESSES_TRIED = 3
_GUESS_CANDIDATES = [
    "utf_8", "gb18030", "big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp",
    "iso2022_jp", "euc_kr", "cp949", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254",
    "cp1255", "cp1256", "cp1257", "cp1258", "latin_1", "iso8859_2", "iso8859_5", "iso8859_7",
    "iso8859_9", "iso8859_15", "koi8_r", "koi8_u", "tis_620", "cp874",
]  # fmt: skip
# Readings that can hold Latin-1 mojibake of GB/Big5 text, and how sure a
# repair must be (share of common CJK characters, see cjk.common_share).
_LATIN1_READINGS = frozenset({"utf-8", "iso8859-1", "cp1252", "iso8859-15", "latin_1"})
_MOJIBAKE_MIN = 4
_HIGH_LATIN1 = re.compile(r"[\x80-\xff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MOJIBAKE_SHARE = 0.6
# A GB reading with this share of kana is Japanese (EUC-JP), see cjk.kana_share.
_KANA_SHARE = 0.3
# Notes for rejected Chinese readings; the first one disproves a GB/Big5 label.
_PRIVATE_USE_NOTE = "implausible reading with private-use characters"
_RARE_NOTE = "implausible reading of mostly rare characters"


@dataclass(frozen=True)
class Decoded:
    """Result of decoding one byte string."""

    text: str  # never contains U+FFFD
    charset: str  # Python codec name actually used
    clean: bool  # strict decode, no U+FFFD
    note: str | None = None  # how the charset was chosen, or why nothing was clean


def decode_bytes(
    data: bytes, declared: str | None, *, guess: bool = True, hint_only: bool = False
) -> Decoded:
    """Decode ``data`` labelled ``declared`` (may be None) into text.

    ``guess=False`` skips charset-normalizer (used for tiny header fragments,
    where its guesses are noise).  ``hint_only=True`` says ``declared`` was
    not declared for these bytes but borrowed from elsewhere (the body charset
    for raw 8-bit header text); then valid UTF-8 (RFC 6532) always wins.
    """
    declared_codecs = codecs_for(declared)
    if data.isascii():
        escaped = _decode_escapes(data, declared_codecs)
        if escaped is not None:
            return escaped
        if _ascii_safe(declared_codecs):
            codec = declared_codecs[0] if declared_codecs else "ascii"
            return Decoded(data.decode("ascii"), codec, True)
    result = _sniff_utf8(data, declared_codecs, hint_only)
    if result is None:
        result = _decode_chain(data, declared, declared_codecs, guess)
    return _repair_mojibake(result, declared_codecs)


def _decode_escapes(data: bytes, declared_codecs: tuple[str, ...]) -> Decoded | None:
    """7-bit text with ISO-2022 escapes, whatever its label said; None if none.

    Only escape-based codecs can read it: any ASCII reading would show the
    escape sequences as garbage (or, with control characters stripped, as
    ``$B$"$1``).
    """
    sniffed = escape_codecs(data)
    if not sniffed:
        return None
    own = declared_codecs if not _ascii_safe(declared_codecs) else ()
    candidates = _unique((*own, *sniffed))
    failures: list[str] = []
    for codec in candidates:
        text = _strict(data, codec, failures)
        if text is not None:
            note = None if codec in own else f"ISO-2022 escapes: decoded as {codec}"
            return _checked(text, codec, note)
    codec = min(candidates, key=lambda c: _bad_count(data, c))
    return _damaged(data, codec, failures)


def _decode_chain(
    data: bytes, declared: str | None, declared_codecs: tuple[str, ...], guess: bool
) -> Decoded:
    """Declared codec, fallbacks, Western text, charset-normalizer, then a best effort.

    Western text (Windows-1252, WHATWG's default for no label) is only assumed
    for bytes that read as Western words and have no usable label; it comes
    before charset-normalizer, which takes Swedish for Windows-1250 and
    Turkish for Windows-1257 on equal scores.
    """
    failures: list[str] = []
    if declared and not declared_codecs:
        failures.append(f"declared charset {declared!r} is unknown")
    result = _try_chain(data, declared_codecs, failures)
    if result is None and _label_unusable(declared_codecs, failures):
        result = _try_latin(data, failures)
    if result is None and guess and len(data) >= _GUESS_MIN_BYTES:
        result = _try_normalizer(data, failures)
    return result or _best_effort(data, declared_codecs, failures)


def _ascii_safe(declared_codecs: tuple[str, ...]) -> bool:
    """True when ASCII bytes mean ASCII text in the declared codec."""
    return not declared_codecs or not declared_codecs[0].startswith(_NOT_ASCII_SAFE)


def _sniff_utf8(data: bytes, declared_codecs: tuple[str, ...], always: bool) -> Decoded | None:
    """Prefer UTF-8 when the bytes are valid UTF-8 under another label.

    Valid multi-byte UTF-8 almost never arises by accident, so it beats a
    legacy label.  A short run under a multi-byte CJK label could be a
    coincidence (GBK 0xC2 0xB6 is also UTF-8), so there we ask for more proof
    unless the label was only a hint (``always``).
    """
    if not declared_codecs or declared_codecs[0] == "utf-8":
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    cjk_label = declared_codecs[0].startswith(_MULTIBYTE_PREFIXES)
    if cjk_label and not always and not _strong_utf8(text):
        return None
    note = f"declared {declared_codecs[0]} but the bytes are valid UTF-8"
    return _checked(text, "utf-8", note)


def _repair_mojibake(result: Decoded, declared_codecs: tuple[str, ...]) -> Decoded:
    """Undo GB/Big5 text that was read as Latin-1 once too often.

    Webmail forms and relays turn GBK/Big5 bytes into Latin-1 characters and
    re-encode those as UTF-8 (or send the raw bytes labelled iso-8859-1).  The
    text is re-read only when it is provably mojibake - its Latin-1 form shows
    marks no Western text has (:func:`complaintd.parse.latin.mojibake_marks`)
    - and the Chinese reading is clean and mostly common characters.
    """
    if not result.clean or result.charset not in _LATIN1_READINGS:
        return result
    raw = _single_byte_form(result.text)
    if raw is None or len(_HIGH_LATIN1.findall(raw.decode("latin-1"))) < _MOJIBAKE_MIN:
        return result
    if not mojibake_marks(_western_view(raw)):
        return result
    for codec in _unique((*declared_codecs, "gb18030", "big5hkscs")):
        fixed = _strict(raw, codec, [])
        if fixed is not None and _repairs(fixed, codec):
            note = f"repaired mojibake: {result.charset} text re-read as {codec}"
            return Decoded(fixed, codec, True, note)
    return result


def _single_byte_form(text: str) -> bytes | None:
    """The bytes a Latin-1 or Windows-1252 reading came from; None if neither fits."""
    for codec in ("latin-1", _LATIN_FALLBACK):
        try:
            return text.encode(codec)
        except UnicodeEncodeError:
            continue
    return None


def _western_view(data: bytes) -> str:
    """``data`` as Windows-1252 (curly quotes stay quotes), else as Latin-1."""
    try:
        return data.decode(_LATIN_FALLBACK)
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _repairs(fixed: str, codec: str) -> bool:
    """A re-read Chinese text good enough to replace the Latin-1 one."""
    return (
        "\ufffd" not in fixed
        and not private_use_count(fixed)
        and common_share(fixed, family_of(codec)) >= _MOJIBAKE_SHARE
    )


def _strong_utf8(text: str) -> bool:
    """At least two non-ASCII characters, or one outside the 2-byte range."""
    wide = _NON_ASCII.findall(text)
    return len(wide) >= 2 or any(ord(ch) >= 0x800 for ch in wide)


def _checked(text: str, codec: str, note: str | None) -> Decoded:
    """Wrap a strict decode; a literal U+FFFD makes it unclean but keeps the charset."""
    if "\ufffd" not in text:
        return Decoded(text, codec, True, note)
    why = "the text itself contains U+FFFD, shown as \\ufffd"
    return Decoded(text.replace("\ufffd", "\\ufffd"), codec, False, why)


def _try_chain(
    data: bytes, declared_codecs: tuple[str, ...], failures: list[str]
) -> Decoded | None:
    """Every declared codec, then the fallbacks; None when none is clean.

    A declared codec (or UTF-8) that nearly fits gives a damaged text in that
    charset rather than a clean reading in a wrong one.
    """
    found = _first_clean(data, declared_codecs, declared_codecs, failures)
    if found is None:
        found = _first_damaged(data, declared_codecs, failures)
    for codec in _FALLBACKS:
        if found is not None or codec in declared_codecs:
            continue
        found = _first_clean(data, (codec,), declared_codecs, failures)
        if found is None and codec == "utf-8":
            found = _first_damaged(data, (codec,), failures)
    return found


def _first_clean(
    data: bytes, codecs: tuple[str, ...], declared: tuple[str, ...], failures: list[str]
) -> Decoded | None:
    """The first of ``codecs`` that decodes cleanly and plausibly."""
    for codec in codecs:
        text = _strict(data, codec, failures)
        if text is None or "\ufffd" in text:
            continue
        if _plausible(data, text, codec, codec in declared, failures):
            return _clean_choice(data, text, codec, declared)
    return None


def _first_damaged(data: bytes, codecs: tuple[str, ...], failures: list[str]) -> Decoded | None:
    """The first of ``codecs`` the bytes nearly fit (or that holds a literal U+FFFD)."""
    for codec in codecs:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = None
        if (text is not None and "\ufffd" in text) or (text is None and _near_miss(data, codec)):
            return _damaged(data, codec, failures)
    return None


def _plausible(data: bytes, text: str, codec: str, declared: bool, failures: list[str]) -> bool:
    """Reject Chinese readings with private-use characters or, undeclared, rare ones."""
    if codec not in _CJK_CODECS:
        return True
    wide = len(_NON_ASCII.findall(text))
    private = private_use_count(text)
    if declared:
        if private * _DECLARED_PRIVATE_USE_RATIO <= wide:
            return True
    elif not private and _likely_chinese(data, text, codec, wide):
        return True
    failures.append(
        f"{codec}: {_PRIVATE_USE_NOTE} ({private})" if private else f"{codec}: {_RARE_NOTE}"
    )
    return False


def _likely_chinese(data: bytes, text: str, codec: str, wide: int) -> bool:
    """An undeclared Chinese reading: common characters, unless the bytes can't be Western."""
    share = common_share(text, family_of(codec))
    if wide >= _LONG_TEXT and share < _FALLBACK_SHARE_LONG:
        return False
    western = _western_view(data)
    if not plausible_latin(western):
        return True
    return share >= _FALLBACK_SHARE_IF_LATIN and not isolated_letters(western)


def _label_unusable(declared_codecs: tuple[str, ...], failures: list[str]) -> bool:
    """No label, an unknown or ASCII one, or a GB/Big5 one whose reading was private-use.

    Other wrong labels (UTF-8 with a stray byte) keep their bad bytes escaped.
    """
    if declared_codecs in ((), ("ascii",)):
        return True
    disproved = f"{declared_codecs[0]}: {_PRIVATE_USE_NOTE}"
    return any(failure.startswith(disproved) for failure in failures)


def _try_latin(data: bytes, failures: list[str]) -> Decoded | None:
    """Windows-1252 for bytes that read as Western text (WHATWG's default for no label)."""
    if not plausible_latin(_western_view(data)):
        return None
    text = _strict(data, _LATIN_FALLBACK, failures)
    if text is None:
        return None
    tried = f"; tried {'; '.join(failures)}" if failures else ""
    return Decoded(
        text, _LATIN_FALLBACK, True, f"decoded as {_LATIN_FALLBACK} (Western text){tried}"
    )


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    """Drop repeated codec names, keeping the first occurrence."""
    return tuple(dict.fromkeys(items))


def _strict(data: bytes, codec: str, failures: list[str]) -> str | None:
    """Strict decode; on failure record the reason and return None."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        failures.append(f"{codec}: {exc.reason} at byte {exc.start}")
    except LookupError:
        failures.append(f"{codec}: codec unavailable")
    return None


def _clean_choice(data: bytes, text: str, codec: str, declared: tuple[str, ...]) -> Decoded:
    """Accept a clean decode; undeclared GB-vs-Big5 ambiguity is settled here.

    Every Big5 byte string is also valid GB 18030, so an undeclared Big5 text
    would always come out as GB mojibake without this check.
    """
    note = None if codec in declared else f"decoded as {codec} (fallback)"
    if codec == "gb18030" and "gb18030" not in declared:
        japanese = _euc_jp_alternative(data, text)
        if japanese is not None:
            return Decoded(japanese, "euc_jp", True, "decoded as euc_jp (kana in the GB reading)")
        big5 = _big5_alternative(data, text)
        if big5 is not None:
            return Decoded(big5[0], big5[1], True, f"decoded as {big5[1]} (Big5 scored higher)")
    return Decoded(text, codec, True, note)


def _euc_jp_alternative(data: bytes, gb_text: str) -> str | None:
    """The EUC-JP reading when the GB one is long, full of kana and EUC-JP is clean.

    A few kana prove nothing: Big5's most frequent characters (中, 日, 月) are
    kana when read as GB, and Big5 is then settled by :func:`_big5_alternative`.
    """
    if len(_NON_ASCII.findall(gb_text)) < _LONG_TEXT or kana_share(gb_text) < _KANA_SHARE:
        return None
    try:
        text = data.decode("euc_jp")
    except UnicodeDecodeError:
        return None
    return text if "\ufffd" not in text and not private_use_count(text) else None


def _big5_alternative(data: bytes, gb_text: str) -> tuple[str, str] | None:
    """Return (text, codec) when a clean Big5 reading is clearly more plausible."""
    for codec in ("big5hkscs", "cp950"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\ufffd" not in text and not private_use_count(text) and prefer_big5(gb_text, text):
            return text, codec
    return None


def _near_miss(data: bytes, codec: str) -> bool:
    """True when only a few bytes spoil an otherwise plausible decode."""
    try:
        text = data.decode(codec, "replace")
    except LookupError:
        return False
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad
    return good >= _NEAR_MISS_RATIO * bad


def _damaged(data: bytes, codec: str, failures: list[str]) -> Decoded:
    """Decode a damaged text in its own charset with escapes for the bad bytes."""
    text = data.decode(codec, "backslashreplace").replace("\ufffd", "\\ufffd")
    note = "; ".join(failures) or "the text itself contains U+FFFD"
    return Decoded(text, codec, False, f"damaged {codec} text ({note}); bad bytes shown as \\xNN")


def _try_normalizer(data: bytes, failures: list[str]) -> Decoded | None:
    """Last resort: charset-normalizer's guesses, best first; the first clean one."""
    matches = charset_normalizer.from_bytes(data, cp_isolation=_GUESS_CANDIDATES)
    for match in list(matches)[:_GUESSES_TRIED]:
        codec = match.encoding
        text = _strict(data, codec, failures)
        if text is None or "\ufffd" in text:
            failures.append(f"charset-normalizer guessed {codec}, which is not clean")
        elif _plausible(data, text, codec, False, failures):
            return Decoded(text, codec, True, f"guessed {codec} by charset-normalizer")
    failures.append("charset-normalizer: no plausible charset")
    return None


def _best_effort(data: bytes, declared_codecs: tuple[str, ...], failures: list[str]) -> Decoded:
    """No clean decode: use the candidate with the fewest bad bytes, escaped."""
    candidates = _unique((*declared_codecs, *_FALLBACKS))
    codec = min(candidates, key=lambda c: _bad_count(data, c))
    text = data.decode(codec, "backslashreplace").replace("\ufffd", "\\ufffd")
    tried = "; ".join(failures)
    note = f"no charset decoded cleanly ({tried}); text is {codec} with bad bytes as \\xNN"
    return Decoded(text, codec, False, note)


def _bad_count(data: bytes, codec: str) -> int:
    """Replacement and private-use characters a lenient decode produces."""
    try:
        text = data.decode(codec, "replace")
    except LookupError:
        return len(data)
    return text.count("\ufffd") + private_use_count(text)
