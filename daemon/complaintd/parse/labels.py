"""MIME charset labels -> the Python codecs to decode with, best first.

A label is looked up, in this order, as:

1. one of our mail aliases (labels mailers send that nobody else knows, such as
   ``x-mac-chinesesimp``);
2. a Python codec name (so ``iso-8859-1`` stays Latin-1 and ``us-ascii`` ASCII);
3. a WHATWG Encoding Standard label (https://encoding.spec.whatwg.org/#names-and-labels,
   the table browsers and most mail clients use), through the ``webencodings`` package;
4. the same, after dropping the decorations mailers add to standard names:
   ``x-`` (``x-euc-kr``), ``iso-`` before a non-ISO name (``iso-gb2312``) and
   ``windows-``/``win-``/``ms``/``ibm-`` before a code page number (``x-windows-950``,
   ``windows-932``).

The codec found is then widened to the superset that senders actually mean
(GB 2312 -> GB 18030, Big5 -> Big5-HKSCS, Latin-1 -> Windows-1252, ...).
"""

from __future__ import annotations

import codecs
import re
from functools import cache

import webencodings

import complaintd.parse.iso2022  # noqa: F401  (registers iso2022_jp_ms and iso2022_cn)

# Labels neither Python nor WHATWG knows, seen in real mail.
_ALIASES: dict[str, str] = {
    "gb_2312": "gb18030",
    "csgbk": "gb18030",
    "x-euc-cn": "gb18030",
    "cn-gb": "gb18030",
    "x-mac-chinesesimp": "gb18030",
    "x-mac-chinesetrad": "big5hkscs",
    "big-5": "big5hkscs",
    "x-big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "ks_c_5601": "cp949",
    "x-unicode20utf8": "utf-8",
    "iso-2022-cn-ext": "iso2022_cn",
    "csiso2022cn": "iso2022_cn",
    "x-iso-2022-jp-ms": "iso2022_jp_ms",
    "cp50220": "iso2022_jp_ms",
    "cp50221": "iso2022_jp_ms",
    "cp50222": "iso2022_jp_ms",
}

# WHATWG encoding names whose decoder Python knows under another name.
# ("replacement" and "x-user-defined" are browser-only: no mail means them.)
_WHATWG_CODECS: dict[str, str] = {
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso8859-8",
    "x-mac-cyrillic": "mac-cyrillic",
    "macintosh": "mac-roman",
    "windows-874": "cp874",
    "iso-2022-jp": "iso2022_jp",
}
_BROWSER_ONLY = frozenset({"replacement", "x-user-defined"})

# ISO-2022-JP in its variants; 8-bit text under the label is EUC-JP or Shift_JIS.
_ISO2022_JP = ("iso2022_jp_2", "iso2022_jp_ms", "iso2022_jp_3", "euc_jp", "cp932")

# Python codec name -> the codecs to try, best first.  GB 2312 and GBK labels
# routinely carry GBK/GB 18030 characters; GB 18030 decodes all of them.
# Latin-1 labels carry Windows-1252 quotes and dashes (WHATWG decodes them so).
# ISO-2022-JP mail from Windows and Japanese phones uses the CP932 extensions
# (NEC and IBM rows), see complaintd.parse.iso2022; Japanese mailers also put
# EUC-JP and Shift_JIS bytes under that label.  HZ (RFC 1843) is a 7-bit
# escape encoding, not a GB byte superset, so it keeps its own codec.
_SUPERSETS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "gb18030": ("gb18030",),
    "big5": ("big5hkscs", "cp950"),
    "big5hkscs": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "euc_kr": ("cp949",),
    "shift_jis": ("cp932",),
    "iso8859-1": ("cp1252", "iso8859-1"),
    "iso2022_jp": _ISO2022_JP,
    "iso2022_jp_1": _ISO2022_JP,
}

# Codecs Python accepts that are no text encoding a mail could mean.
_REFUSED = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})
_X_PREFIX = re.compile(r"^(x-)+")
_ISO_PREFIX = re.compile(r"^iso[-_ ]?(?=[a-z])")
_CODE_PAGE = re.compile(r"^(?:windows|win|ms|ibm|cp)[-_ ]?(\d{3,5})$")


def codecs_for(label: str | None) -> tuple[str, ...]:
    """Return the Python codecs to try for a MIME charset label, best first.

    Unknown, empty or non-text labels give ``()``.
    """
    name = clean_label(label)
    return _codecs_for_name(name) if name else ()


def clean_label(label: str | None) -> str:
    """Lower-case a charset label and drop quotes, comments and parameters."""
    if not label or not label.isascii():
        return ""
    head = label.strip().strip("\"'").lower().split(";")[0].split()
    return head[0] if head else ""


@cache
def _codecs_for_name(name: str) -> tuple[str, ...]:
    """Codecs for a cleaned label, trying the label and its undecorated forms."""
    for variant in _variants(name):
        codec = _ALIASES.get(variant) or _python_codec(variant) or _whatwg_codec(variant)
        if codec is not None:
            canonical = _python_codec(codec) or codec
            return _SUPERSETS.get(canonical, (canonical,))
    return ()


def _variants(name: str) -> tuple[str, ...]:
    """The label, then without ``x-``, without ``iso-``, then as ``cpNNN``."""
    bare = _X_PREFIX.sub("", name)
    plain = _ISO_PREFIX.sub("", bare)
    page = _CODE_PAGE.match(plain)
    code_page = f"cp{page.group(1)}" if page else plain
    return tuple(dict.fromkeys((name, bare, plain, code_page)))


@cache
def _python_codec(name: str) -> str | None:
    """Python's canonical codec name, or None for unknown and non-text codecs."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: a NUL in the label
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return info.name


def _whatwg_codec(name: str) -> str | None:
    """The Python codec for a WHATWG label, None for unknown or browser-only ones."""
    encoding = webencodings.lookup(name)
    if encoding is None or encoding.name in _BROWSER_ONLY:
        return None
    return _WHATWG_CODECS.get(encoding.name, encoding.name)
