"""Charset labels and the decode chain shared by bodies, headers and filenames.

Chinese mail is routinely mislabelled: GBK text is sent as ``gb2312``, Big5 as
``big5`` with HKSCS characters, UTF-8 under a legacy label, and 8-bit text with
no label at all.  :func:`decode_bytes` never invents characters: a decode is
*clean* only when it succeeds with ``errors="strict"`` and yields no U+FFFD.

Order of attempts (first clean one wins)::

    declared label (GB family -> gb18030; Big5 -> big5hkscs, cp950)
    -> utf-8 -> gb18030 -> big5hkscs -> cp950 -> charset-normalizer's guess

When nothing is clean the caller gets a best-effort text in which every
undecodable byte is written as a ``\\xNN`` escape (Python's
``errors="backslashreplace"``) and a literal U+FFFD as ``\\ufffd``, so stored
text never contains U+FFFD, plus a note saying what was tried and why it failed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache

import charset_normalizer

from complaintd.parse.cjk import common_share, prefer_big5

# Labels that Python does not know, or knows under a narrower codec than mail needs.
_ALIASES: dict[str, str] = {
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "csgb2312": "gb18030",
    "csgbk": "gb18030",
    "windows-936": "gb18030",
    "x-euc-cn": "gb18030",
    "cn-gb": "gb18030",
    "x-gb2312": "gb18030",
    "gb2312-80": "gb18030",
    "x-mac-chinesesimp": "gb18030",
    "big-5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "windows-950": "cp950",
    "x-mac-chinesetrad": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "windows-949": "cp949",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "windows-874": "cp874",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
}

# Python codec name -> the superset mail senders actually mean.  GB 2312 and GBK
# labels routinely carry GBK/GB 18030 characters; GB 18030 decodes all of them.
# HZ (RFC 1843) is a 7-bit escape encoding, not a GB byte superset, so it keeps
# its own codec.
_SUPERSETS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "gb18030": ("gb18030",),
    "big5": ("big5hkscs", "cp950"),
    "big5hkscs": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "euc_kr": ("cp949",),
    "shift_jis": ("cp932",),
    "iso2022_jp": ("iso2022_jp_2",),
}

# Codecs Python accepts that are no text encoding a mail could mean.
_REFUSED = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})

# Fallbacks after the declared label: UTF-8 (modern clients), then the Chinese
# legacy encodings our customers' clients use.
_FALLBACKS: tuple[str, ...] = ("utf-8", "gb18030", "big5hkscs", "cp950")
_MULTIBYTE_PREFIXES = ("gb", "big5", "cp9", "euc", "shift", "iso2022", "hz", "utf")
# Codecs whose ASCII bytes may encode non-ASCII text (escape or shift based).
_NOT_ASCII_SAFE = ("utf-16", "utf-32", "utf-7", "iso2022", "hz")
# A declared or UTF-8 decode with at most one bad byte per this many good
# non-ASCII characters is a damaged text in that charset, not a mislabel.
_NEAR_MISS_RATIO = 20
# charset-normalizer guesses wildly on a few bytes (cp1006 for "caf\xe9"), reads
# any even-length garbage as UTF-16 and loves DOS code pages; so it only runs on
# enough bytes and may only pick charsets that mail is actually sent in.
_GUESS_MIN_BYTES = 32
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
_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")
_HIGH_LATIN1 = re.compile(r"[\x80-\xff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MOJIBAKE_SHARE = 0.6


@dataclass(frozen=True)
class Decoded:
    """Result of decoding one byte string."""

    text: str  # never contains U+FFFD
    charset: str  # Python codec name actually used
    clean: bool  # strict decode, no U+FFFD
    note: str | None = None  # how the charset was chosen, or why nothing was clean


def codecs_for(label: str | None) -> tuple[str, ...]:
    """Return the Python codecs to try for a MIME charset label, best first.

    Unknown, empty or non-text labels give ``()``.
    """
    name = _clean_label(label)
    if not name:
        return ()
    name = _ALIASES.get(name, name)
    canonical = _lookup(name)
    if canonical is None:
        return ()
    return _SUPERSETS.get(canonical, (canonical,))


def _clean_label(label: str | None) -> str:
    """Lower-case a charset label and drop quotes, comments and parameters."""
    if not label or not label.isascii():
        return ""
    head = label.strip().strip("\"'").lower().split(";")[0].split()
    return head[0] if head else ""


@cache
def _lookup(name: str) -> str | None:
    """Return Python's canonical codec name, or None for unknown/non-text codecs."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: a NUL in the label
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return info.name


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
    if data.isascii() and _ascii_safe(declared_codecs):
        codec = declared_codecs[0] if declared_codecs else "ascii"
        return Decoded(data.decode("ascii"), codec, True)
    result = _sniff_utf8(data, declared_codecs, hint_only)
    if result is None:
        result = _decode_chain(data, declared, declared_codecs, guess)
    return _repair_mojibake(result, declared_codecs)


def _decode_chain(
    data: bytes, declared: str | None, declared_codecs: tuple[str, ...], guess: bool
) -> Decoded:
    """Declared codec, fallbacks, charset-normalizer, then a best effort."""
    failures: list[str] = []
    if declared and not declared_codecs:
        failures.append(f"declared charset {declared!r} is unknown")
    result = _try_chain(data, declared_codecs, failures)
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
    re-encode those as UTF-8 (or send the raw bytes labelled iso-8859-1).  If
    every non-ASCII character is Latin-1 and their bytes read as plausible
    Chinese (see :mod:`complaintd.parse.cjk`), the Chinese reading wins.
    """
    if not result.clean or result.charset not in _LATIN1_READINGS:
        return result
    text = result.text
    if (
        text.isascii()
        or _BEYOND_LATIN1.search(text)
        or len(_HIGH_LATIN1.findall(text)) < (_MOJIBAKE_MIN)
    ):
        return result
    raw = text.encode("latin-1")
    for codec in _unique((*declared_codecs, "gb18030", "big5hkscs")):
        fixed = _strict(raw, codec, [])
        if fixed is not None and "\ufffd" not in fixed and common_share(fixed) >= _MOJIBAKE_SHARE:
            note = f"repaired mojibake: {result.charset} text re-read as {codec}"
            return Decoded(fixed, codec, True, note)
    return result


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
    """Try the declared codecs, then the fallbacks; None when none is clean."""
    trusted = (*declared_codecs, "utf-8")
    for codec in _unique((*declared_codecs, *_FALLBACKS)):
        text = _strict(data, codec, failures)
        if text is not None and "\ufffd" not in text:
            return _clean_choice(data, text, codec, declared_codecs)
        if codec in trusted and (text is not None or _near_miss(data, codec)):
            return _damaged(data, codec, failures)
    return None


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
        big5 = _big5_alternative(data, text)
        if big5 is not None:
            return Decoded(big5[0], big5[1], True, f"decoded as {big5[1]} (Big5 scored higher)")
    return Decoded(text, codec, True, note)


def _big5_alternative(data: bytes, gb_text: str) -> tuple[str, str] | None:
    """Return (text, codec) when a clean Big5 reading is clearly more plausible."""
    for codec in ("big5hkscs", "cp950"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\ufffd" not in text and prefer_big5(gb_text, text):
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
    """Last resort: charset-normalizer's best guess, accepted only if clean."""
    best = charset_normalizer.from_bytes(data, cp_isolation=_GUESS_CANDIDATES).best()
    if best is None or not best.encoding:
        failures.append("charset-normalizer: no plausible charset")
        return None
    codec = best.encoding
    text = _strict(data, codec, failures)
    if text is None or "\ufffd" in text:
        failures.append(f"charset-normalizer guessed {codec}, which is not clean")
        return None
    return Decoded(text, codec, True, f"guessed {codec} by charset-normalizer")


def _best_effort(data: bytes, declared_codecs: tuple[str, ...], failures: list[str]) -> Decoded:
    """No clean decode: use the candidate with the fewest bad bytes, escaped."""
    candidates = _unique((*declared_codecs, *_FALLBACKS))
    codec = min(candidates, key=lambda c: _bad_count(data, c))
    text = data.decode(codec, "backslashreplace").replace("\ufffd", "\\ufffd")
    tried = "; ".join(failures)
    note = f"no charset decoded cleanly ({tried}); text is {codec} with bad bytes as \\xNN"
    return Decoded(text, codec, False, note)


def _bad_count(data: bytes, codec: str) -> int:
    """Number of replacement characters a lenient decode produces."""
    try:
        return data.decode(codec, "replace").count("\ufffd")
    except LookupError:
        return len(data)
