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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from complaintd.classify.dates import shipping_date
from complaintd.classify.goods import goods_and_quantity
from complaintd.classify.matching import normalize

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

_ORDER_LABEL = (
    r"(?:订单(?:号码|号|编号)?|訂單(?:號碼|號|編號)?|采购订单号?|采购单号|採購單號"
    r"|合同(?:号|编号|編號)|(?<![a-z])(?:purchase\s+order|order|p\.?o\.?)"
    r"(?:\s*(?:numbers?|nos?\.?|#|ids?|num))?(?![a-z]))"
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


DEFAULT_PATTERNS = ExtractPatterns(
    waybill=_compile_all(
        (
            r"(?<![A-Z0-9])SF\d{12,13}(?!\d)",
            r"(?<![A-Z0-9])JD[A-Z]{0,4}\d{9,15}(?!\d)",
            r"(?<![A-Z0-9])YT\d{13}(?!\d)",
            r"(?<![A-Z0-9])JT\d{13}(?!\d)",
            r"(?<![A-Z0-9])[A-Z]{2}\d{9}[A-Z]{2}(?![A-Z0-9])",
            r"(?<![A-Z0-9])1Z[0-9A-Z]{16}(?![A-Z0-9])",
            r"(?<![a-z])DHL[^\d\n]{0,20}?(?P<id>\d{10})(?!\d)",
            _labelled(_WAYBILL_LABEL, _LABELLED_NUMBER),
        )
    ),
    order=_compile_all(
        (
            _labelled(_ORDER_LABEL, _ORDER_ID),
            r"(?<![A-Z0-9-])PO-\d{4}-\d+(?!\d)",
        )
    ),
)

_MOBILE_RE = re.compile(r"(?<![\dA-Za-z])(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?!\d)")
_LANDLINE_RE = re.compile(
    r"(?<![\d-])(?:\((0\d{2,3})\)|(0\d{2,3})-)\s?(\d{7,8})(?!\d)"
    r"(?:\s*(?:转|轉|ext\.?|x)\s*(\d{1,5}))?",
    re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True)
class Registration:
    """What is registered on intake besides the sender and the attachments."""

    waybills: tuple[str, ...]
    order_numbers: tuple[str, ...]
    shipping_date: date | None
    goods: str | None
    quantity: str | None
    phones: tuple[str, ...]


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """``values`` without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(values))


def _match_ids(pattern: re.Pattern[str], text: str) -> Iterable[tuple[int, str]]:
    """(position, upper-cased id) for every id a pattern finds, lists split up."""
    for match in pattern.finditer(text):
        group = "id" if "id" in pattern.groupindex else 0
        found = match.group(group)
        if found:
            start = match.start(group)
            for piece in _ID_SEPARATOR_RE.split(found):
                if piece:
                    yield start, piece.upper()


def find_ids(patterns: Sequence[re.Pattern[str]], text: str) -> tuple[str, ...]:
    """Ids found by any of ``patterns``, deduplicated in text order."""
    found = [hit for pattern in patterns for hit in _match_ids(pattern, text)]
    found.sort(key=lambda hit: hit[0])  # stable: list members keep their order
    return _unique(value for _start, value in found)


def _landline(match: re.Match[str]) -> str:
    """``0XX-XXXXXXXX`` with ``-ext`` when an extension was given."""
    area, local, extension = match.group(1) or match.group(2), match.group(3), match.group(4)
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def find_phones(text: str) -> tuple[str, ...]:
    """Mobile numbers (11 digits, country code dropped) and landlines, in text order."""
    mobiles = [(m.start(), re.sub(r"\D", "", m.group(1))) for m in _MOBILE_RE.finditer(text)]
    landlines = [(m.start(), _landline(m)) for m in _LANDLINE_RE.finditer(text)]
    return _unique(phone for _start, phone in sorted(mobiles + landlines))


def find_waybills(text: str, patterns: ExtractPatterns = DEFAULT_PATTERNS) -> tuple[str, ...]:
    """Waybill ids in ``text`` (normalised), never a mobile number."""
    return tuple(w for w in find_ids(patterns.waybill, text) if not _MOBILE_ID_RE.fullmatch(w))


def extract_registration(
    subject: str, text: str, reference: date, patterns: ExtractPatterns = DEFAULT_PATTERNS
) -> Registration:
    """Waybills, orders, shipping date, goods, quantity and phones from a complaint.

    ``reference`` is the day the complaint arrived (desk time zone); it gives the year
    to dates written without one.
    """
    combined = normalize(subject) + "\n" + normalize(text[:EXTRACT_SCAN_CHARS])
    goods, quantity = goods_and_quantity(combined)
    return Registration(
        waybills=find_waybills(combined, patterns),
        order_numbers=find_ids(patterns.order, combined),
        shipping_date=shipping_date(combined, reference),
        goods=goods,
        quantity=quantity,
        phones=find_phones(combined),
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
