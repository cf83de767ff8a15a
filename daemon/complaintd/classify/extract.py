"""Registration details from a complaint's subject and body (pure: no I/O, no clock).

Waybill numbers - the defaults know the common Chinese carriers:

* SF Express ``SF`` + 12-13 digits; JD ``JD`` + up to 4 letters + 9-15 digits
  (``JDVA…``, ``JDX…``); YTO ``YT`` + 13 digits; J&T ``JT`` + 13 digits;
* EMS / China Post ``E[A-Z]#########CN`` and every other UPU S10 id
  (``[A-Z]{2}`` + 9 digits + ``[A-Z]{2}``); UPS ``1Z`` + 16; DHL: 10 digits after "DHL";
* ZTO / STO / Yunda / Best and other plain 12-15 digit numbers (optionally with a short
  letter prefix) **only after a label** - 运单号, 快递单号, 单号 (but not 订单号), 运单,
  a carrier's name, waybill, tracking number, AWB … - because unlabelled long numbers are
  as often order numbers, bank references or timestamps.  A label may introduce a list:
  ``运单号：753…01、753…02 和 753…03``.

An 11-digit mobile number (``1[3-9]…``, optionally ``86``-prefixed) is never a waybill,
whatever pattern produced it: it goes to ``phones``.  Order numbers are read after
订单号 / order no. / PO labels, plus ``PO-2026-0012`` style ids.  Ids are upper-cased and
deduplicated in text order.

Each pattern (default or operator's) yields the named group ``id`` when it has one, else
the whole match; the id may be a list, split on commas, 、, semicolons, slashes, ``&``,
和/及/and and blanks.  Operator patterns are matched case-insensitively like the defaults
(ids are upper-cased anyway).  Only the first ``EXTRACT_SCAN_CHARS`` characters of the
body are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from complaintd.classify import dates, goods
from complaintd.classify.matching import normalize
from complaintd.classify.places import Route, find_route
from complaintd.classify.prefilter import Needles, Scan, finditer_from, scan

EXTRACT_SCAN_CHARS = 32_000

_ID_SEPARATOR_RE = re.compile(r"\s*(?:[,/;、，；&]|和|及|\band\b)\s*|\s+", re.IGNORECASE | re.ASCII)
_ID_LIST_JOIN = r"(?:\s*(?:[,/;、，；&]|和|及|and)\s*)"
_MOBILE_ID_RE = re.compile(r"(?:86)?1[3-9]\d{9}")
# Label fillers: "运单号是：", "tracking number is #".
_FILLER = r"(?:\s|[:#=]|is(?![a-z])|are(?![a-z])|是|为|為)*"

_WAYBILL_LABEL = (
    r"(?:运单(?:号码|号|编号)?|快递单(?:号码|号)?|物流单号|快递号|(?<![订訂账帳工关關])单号"
    r"|運單(?:號碼|號|編號)?|快遞單(?:號碼|號)?|物流單號|(?<![订訂账帳工关關])單號"
    r"|中通|申通|韵达|韻達|百世|极兔|極兔|德邦|天天快递"
    r"|(?<![a-z])(?:air\s+waybill|waybill|tracking|awb|consignment|zto|sto|yunda"
    r"|best\s+express|j&t|deppon)(?:\s*(?:numbers?|nos?\.?|#|ids?|codes?))?(?![a-z]))"
)
_LABELLED_NUMBER = r"(?<![A-Z0-9])[A-Z]{0,4}\d{12,15}(?![A-Z0-9])"
# Every way _WAYBILL_LABEL can begin, lower case (see _LEADS).
_WAYBILL_LABEL_LEADS = (
    *("运单", "快递单", "物流单号", "快递号", "单号", "運單", "快遞單", "物流單號", "單號"),
    *("中通", "申通", "韵达", "韻達", "百世", "极兔", "極兔", "德邦", "天天快递"),
    *("air", "waybill", "tracking", "awb", "consignment", "zto", "sto", "yunda", "best"),
    *("j&t", "deppon"),
)

_ORDER_LABEL = (
    r"(?:订单(?:号码|号|编号)?|訂單(?:號碼|號|編號)?|采购订单号?|采购单号|採購單號"
    r"|合同(?:号|编号|編號)|(?<![a-z])(?:purchase\s+order|order|p\.?o\.?)"
    r"(?:\s*(?:numbers?|nos?\.?|#|ids?|num))?(?![a-z]))"
)
# Every way _ORDER_LABEL can begin, lower case (see _LEADS).
_ORDER_LABEL_LEADS = (
    *("订单", "訂單", "采购订单", "采购单号", "採購單號", "合同"),
    *("purchase", "order", "po", "p.o"),
)
# At least three digits in a row, at least four characters, and not a year, a date or
# an amount of money ("订单2026年", "订单 5000元").
_ORDER_ID = (
    r"(?<![A-Z0-9-])(?=[A-Z0-9-]*\d{3})[A-Z0-9][A-Z0-9-]{2,30}[A-Z0-9]"
    r"(?![A-Z0-9]|[年月日号號元块塊])"
)


def _labelled(label: str, item: str) -> str:
    """Regex source: ``label``, fillers, then a list of ``item`` in group ``id``."""
    return rf"{label}{_FILLER}(?P<id>{item}(?:{_ID_LIST_JOIN}{item})*)"


def _compile_all(sources: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Compile default pattern sources (case-insensitive for ASCII letters only)."""
    return tuple(re.compile(source, re.IGNORECASE | re.ASCII) for source in sources)


@dataclass(frozen=True)
class ExtractPatterns:
    """Regexes that find waybill and order ids (group ``id``, else the whole match)."""

    waybill: tuple[re.Pattern[str], ...]
    order: tuple[re.Pattern[str], ...]


_SF = r"(?<![A-Z0-9])SF\d{12,13}(?!\d)"
_JD = r"(?<![A-Z0-9])JD[A-Z]{0,4}\d{9,15}(?!\d)"
_YT = r"(?<![A-Z0-9])YT\d{13}(?!\d)"
_JT = r"(?<![A-Z0-9])JT\d{13}(?!\d)"
_S10 = r"(?<![A-Z0-9])[A-Z]{2}\d{9}[A-Z]{2}(?![A-Z0-9])"
_UPS = r"(?<![A-Z0-9])1Z[0-9A-Z]{16}(?![A-Z0-9])"
_DHL = r"(?<![a-z])DHL[^\d\n]{0,20}?(?P<id>\d{10})(?!\d)"
_LABELLED_WAYBILL = _labelled(_WAYBILL_LABEL, _LABELLED_NUMBER)
_LABELLED_ORDER = _labelled(_ORDER_LABEL, _ORDER_ID)
_PO = r"(?<![A-Z0-9-])PO-\d{4}-\d+(?!\d)"

DEFAULT_PATTERNS = ExtractPatterns(
    waybill=_compile_all((_SF, _JD, _YT, _JT, _S10, _UPS, _DHL, _LABELLED_WAYBILL)),
    order=_compile_all((_LABELLED_ORDER, _PO)),
)


def _key(source: str) -> tuple[str, int]:
    """What identifies the default pattern compiled from ``source``: source and flags.

    An operator's copy of a default source is compiled with other flags (Unicode case
    folding), so it is not mistaken for the default and takes the plain way.
    """
    (compiled,) = _compile_all((source,))
    return compiled.pattern, compiled.flags


# Speed: every match of these default patterns starts where one of the lower-case
# literals does, so they are tried only there (prefilter.finditer_from) instead of at
# every character.
_LEADS: dict[tuple[str, int], tuple[str, ...]] = {
    _key(_SF): ("sf",),
    _key(_JD): ("jd",),
    _key(_YT): ("yt",),
    _key(_JT): ("jt",),
    _key(_UPS): ("1z",),
    _key(_DHL): ("dhl",),
    _key(_LABELLED_WAYBILL): _WAYBILL_LABEL_LEADS,
    _key(_LABELLED_ORDER): _ORDER_LABEL_LEADS,
    _key(_PO): ("po-",),
}
# The S10 id has no literal to look for: it starts two letters before nine digits.
_S10_KEY = _key(_S10)
_S10_DIGITS_RE = re.compile(r"[0-9](?=[0-9]{8}[A-Za-z])")
# One pass finds the literals of the dates and goods modules too (extract_registration).
_NEEDLES = Needles(
    (*(lead for leads in _LEADS.values() for lead in leads), *dates.LEADS, *goods.LEADS)
)

_MOBILE_RE = re.compile(r"(?<![\dA-Za-z])(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?!\d)")
_LANDLINE_RE = re.compile(
    r"(?<![\d-])(?:\((0\d{2,3})\)|(0\d{2,3})-)\s?(\d{7,8})(?!\d)"
    r"(?:\s*(?:转|轉|ext\.?|x)\s*(\d{1,5}))?",
    re.IGNORECASE | re.ASCII,
)
# Speed: these start with a literal, so re scans for it at C speed; a phone number
# match starts at the "1" of the mobile number or up to 4 characters before ("+86-"),
# and at the "0" of the area code or 1 before ("(").
_MOBILE_DIGITS_RE = re.compile(r"1(?=[3-9]\d[\s-]?\d{4}[\s-]?\d{4})")
_MOBILE_BACK = (0, 2, 3, 4)
_AREA_CODE_RE = re.compile(r"0(?=[0-9]{2,3}[)-]\s?[0-9]{7})")
_AREA_CODE_BACK = (0, 1)


@dataclass(frozen=True)
class Registration:
    """What is registered on intake besides the sender and the attachments."""

    waybills: tuple[str, ...]
    order_numbers: tuple[str, ...]
    shipping_date: date | None
    goods: str | None
    quantity: str | None
    phones: tuple[str, ...]
    route: Route = field(default_factory=Route)  # where the shipment went, as far as said


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """``values`` without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(values))


def _finditer(pattern: re.Pattern[str], seen: Scan) -> Iterable[re.Match[str]]:
    """``pattern.finditer(seen.text)``, tried only where a default pattern can start."""
    key = (pattern.pattern, pattern.flags)
    if key in _LEADS:
        return finditer_from(pattern, seen.text, seen.starts(_LEADS[key]))
    if key == _S10_KEY:
        starts = [max(0, m.start() - 2) for m in _S10_DIGITS_RE.finditer(seen.text)]
        return finditer_from(pattern, seen.text, starts)
    return pattern.finditer(seen.text)


def _match_ids(pattern: re.Pattern[str], seen: Scan) -> Iterable[tuple[int, str]]:
    """(position, upper-cased id) for every id a pattern finds, lists split up."""
    for match in _finditer(pattern, seen):
        group = "id" if "id" in pattern.groupindex else 0
        found = match.group(group)
        if found:
            start = match.start(group)
            for piece in _ID_SEPARATOR_RE.split(found):
                if piece:
                    yield start, piece.upper()


def scan_for_ids(text: str, low: str | None = None) -> Scan:
    """``text`` prepared for :func:`find_ids` (``low``: its ``fold_case`` copy, if known)."""
    return scan(text, _NEEDLES, low)


def find_ids(
    patterns: Sequence[re.Pattern[str]], text: str, seen: Scan | None = None
) -> tuple[str, ...]:
    """Ids found by any of ``patterns``, deduplicated in text order.

    ``seen`` is ``scan_for_ids(text)`` when the caller has it already.
    """
    if seen is None:
        seen = scan_for_ids(text)
    found = [hit for pattern in patterns for hit in _match_ids(pattern, seen)]
    found.sort(key=lambda hit: hit[0])  # stable: list members keep their order
    return _unique(value for _start, value in found)


def _landline(match: re.Match[str]) -> str:
    """``0XX-XXXXXXXX`` with ``-ext`` when an extension was given."""
    area, local, extension = match.group(1) or match.group(2), match.group(3), match.group(4)
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def _phone_matches(
    pattern: re.Pattern[str], lead: re.Pattern[str], back: tuple[int, ...], text: str
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, tried only ``back`` characters before each ``lead``."""
    starts = sorted({max(0, m.start() - n) for m in lead.finditer(text) for n in back})
    return finditer_from(pattern, text, starts)


def find_phones(text: str) -> tuple[str, ...]:
    """Mobile numbers (11 digits, country code dropped) and landlines, in text order."""
    mobiles = [
        (m.start(), re.sub(r"\D", "", m.group(1)))
        for m in _phone_matches(_MOBILE_RE, _MOBILE_DIGITS_RE, _MOBILE_BACK, text)
    ]
    landlines = [
        (m.start(), _landline(m))
        for m in _phone_matches(_LANDLINE_RE, _AREA_CODE_RE, _AREA_CODE_BACK, text)
    ]
    return _unique(phone for _start, phone in sorted(mobiles + landlines))


def find_waybills(
    text: str, patterns: ExtractPatterns = DEFAULT_PATTERNS, seen: Scan | None = None
) -> tuple[str, ...]:
    """Waybill ids in ``text`` (normalised), never a mobile number.

    ``seen`` is ``scan_for_ids(text)`` when the caller has it already.
    """
    found = find_ids(patterns.waybill, text, seen)
    return tuple(w for w in found if not _MOBILE_ID_RE.fullmatch(w))


def extract_registration(
    subject: str, text: str, reference: date, patterns: ExtractPatterns = DEFAULT_PATTERNS
) -> Registration:
    """Waybills, orders, shipping date, goods, quantity and phones from a complaint.

    ``reference`` is the day the complaint arrived (desk time zone); it gives the year
    to dates written without one.
    """
    combined = normalize(subject) + "\n" + normalize(text[:EXTRACT_SCAN_CHARS])
    seen = scan_for_ids(combined)  # also has the literals dates and goods look for
    goods_found, quantity = goods.goods_and_quantity(combined, seen)
    return Registration(
        waybills=find_waybills(combined, patterns, seen),
        order_numbers=find_ids(patterns.order, combined, seen),
        shipping_date=dates.shipping_date(combined, reference, seen),
        goods=goods_found,
        quantity=quantity,
        phones=find_phones(combined),
        route=find_route(combined),
    )


def _compile_config(kind: str, source: object) -> re.Pattern[str]:
    """Compile one operator pattern; ``ValueError`` names it and says why it is bad."""
    if not isinstance(source, str):
        raise ValueError(f"{kind} pattern {source!r} is not a string")
    try:
        compiled = re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(
            f"{kind} pattern {source!r} is not a valid regular expression: {exc}"
        ) from exc
    if compiled.fullmatch("") is not None:
        raise ValueError(f"{kind} pattern {source!r} matches the empty string")
    return compiled


def _config_patterns(
    kind: str, sources: Sequence[str] | None, defaults: tuple[re.Pattern[str], ...], replace: bool
) -> tuple[re.Pattern[str], ...]:
    """Operator patterns followed by the defaults (or instead of them when replace)."""
    if sources is None:
        return defaults
    if isinstance(sources, str) or not isinstance(sources, Sequence):
        raise ValueError(f"{kind} patterns: expected a list of regular expressions")
    compiled = tuple(_compile_config(kind, source) for source in sources)
    return compiled if replace else compiled + defaults


def patterns_from_config(
    waybill: Sequence[str] | None, order: Sequence[str] | None, *, replace: bool = False
) -> ExtractPatterns:
    """Extraction patterns with the operator's extra regexes (from TOML) added.

    ``None`` keeps the defaults of that kind; ``replace=True`` drops the defaults of
    every kind given.  Raises ``ValueError`` naming the bad regex and why.
    """
    return ExtractPatterns(
        waybill=_config_patterns("waybill", waybill, DEFAULT_PATTERNS.waybill, replace),
        order=_config_patterns("order", order, DEFAULT_PATTERNS.order, replace),
    )
