"""Goods and quantity stated in a complaint (best effort, labelled forms first).

Labelled: ``货物/货品/商品/品名/物品/托寄物: X`` and ``goods/item/product/contents: X``
(a colon is required, so ``货物破损`` is not read as goods called 破损);
``数量/件数/箱数: 3箱`` and ``quantity/qty: 3 boxes``.
Unlabelled fall-backs: ``3 cartons of ceramic tiles`` (quantity ``3 cartons``, goods
``ceramic tiles``), ``寄了3箱瓷砖，`` (``3箱``, ``瓷砖``) and ``共5件`` (``5件``).
A quantity is written back as number and unit: ``3箱`` for a Chinese unit, ``3 boxes``
for an English one.
"""

from __future__ import annotations

import re

from complaintd.classify.prefilter import Needles, Scan, scan, search_from

_ZH_UNITS = "箱|件|台|个|個|包|托|盒|袋|套|只|瓶|卷|捆|桶|吨|噸|公斤|千克|张|張|片|块|塊"
_EN_UNITS = (
    r"(?:kg|pcs|pieces?|pallets?|cartons?|boxes|box|units?|bags?|sets?|cases?|crates?"
    r"|rolls?|drums?|packages?|parcels?|tons?)(?![a-z])"
)
_UNIT = rf"(?:{_ZH_UNITS}|{_EN_UNITS})"
_ZH_UNIT_RE = re.compile(rf"(?:{_ZH_UNITS})")
_NUMBER = r"\d+(?:\.\d+)?"

_GOODS_LABEL_RE = re.compile(
    r"(?:货物名称|货品名称|商品名称|物品名称|托寄物内容|托寄物|内件|品名|货物|货品|商品|物品"
    r"|貨物名稱|貨品名稱|商品名稱|物品名稱|貨物|貨品"
    r"|(?<![a-z])(?:description\s+of\s+goods|goods|items?|products?|commodity|contents?))"
    r"\s*:\s*(?P<v>[^\n,;，；。:]{1,60}?)"
    r"(?=\s*(?:[\n,;，；。]|数量|數量|件数|箱数|重量|quantity|qty|weight|$))",
    re.IGNORECASE | re.ASCII,
)
_QUANTITY_LABEL_RE = re.compile(
    r"(?:数量|數量|件数|件數|箱数|箱數|(?<![a-z])(?:quantity|qty|no\.\s*of\s+(?:pieces|packages)))"
    rf"\s*:?\s*(?:为|為|是|共)?\s*(?P<n>{_NUMBER})\s*(?P<u>{_UNIT})?",
    re.IGNORECASE | re.ASCII,
)
_EN_QUANTITY_OF_RE = re.compile(
    rf"(?<![\w.])(?P<n>{_NUMBER})\s+(?P<u>{_EN_UNITS})\s+of\s+"
    r"(?P<g>[a-z][a-z0-9' -]{0,40}?)"
    r"(?=\s*(?:[.,;:!?()\n]|$)|\s+(?:was|were|is|are|has|have|had|arrived|from|to|in|on|at"
    r"|for|that|which|and|but|with|got|came|all)(?![a-z]))",
    re.IGNORECASE | re.ASCII,
)
_ZH_QUANTITY_GOODS_RE = re.compile(
    r"(?:寄了?|发了?|發了?|运了?|運了?|托运了?|托運了?|买了?|買了?|订了?|訂了?)"
    rf"\s*(?P<n>\d+)\s*(?P<u>{_ZH_UNITS})"
    r"(?:(?P<g>[\u4e00-\u9fff]{1,10}?)(?=[，。,.;；！!\s]|全部|都|到|在|被|时|時|$))?"
)
_ZH_TOTAL_RE = re.compile(
    rf"(?:一共|总共|總共|合计|合計|共计|共計|共)\s*(?P<n>\d+)\s*(?P<u>{_ZH_UNITS})"
)


# Speed: each regex is tried only where it can start (prefilter.search_from): after one
# of these lower-case literals, or for "3 cartons of X" at the number before a unit.
_GOODS_LEADS = (
    *("货物", "货品", "商品", "物品", "托寄物", "内件", "品名", "貨物", "貨品"),
    *("description", "goods", "item", "product", "commodity", "content"),
)
_QUANTITY_LEADS = ("数量", "數量", "件数", "件數", "箱数", "箱數", "quantity", "qty", "no.")
_EN_UNIT_LEADS = (
    *("kg", "pcs", "piece", "pallet", "carton", "box", "unit", "bag", "set", "case"),
    *("crate", "roll", "drum", "package", "parcel", "ton"),
)
_ZH_VERB_LEADS = ("寄", "发", "發", "运", "運", "托", "买", "買", "订", "訂")
_ZH_TOTAL_LEADS = ("一共", "总共", "總共", "合计", "合計", "共")
LEADS: tuple[str, ...] = (
    *_GOODS_LEADS,
    *_QUANTITY_LEADS,
    *_EN_UNIT_LEADS,
    *_ZH_VERB_LEADS,
    *_ZH_TOTAL_LEADS,
)
_NEEDLES = Needles(LEADS)
_NUMBER_CHARS = frozenset("0123456789.")


def _quantity(number: str, unit: str | None) -> str:
    """Number and unit as one string: ``3箱``, ``3 boxes``, or the bare number."""
    if not unit:
        return number
    return f"{number}{unit}" if _ZH_UNIT_RE.fullmatch(unit) else f"{number} {unit.lower()}"


def _clean(value: str) -> str | None:
    """A goods value without surrounding blanks and quotes; None when nothing is left."""
    cleaned = value.strip().strip("\"'“”「」『』《》").strip()
    return cleaned or None


def _number_before(text: str, unit: int) -> int | None:
    """Where the number of "3 cartons" starts, given where the unit starts, if any.

    The number must be the whole run of digits and dots before the whitespace, since
    the regex wants neither a word character nor a dot before it.
    """
    end = unit
    while end > 0 and text[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and text[start - 1] in _NUMBER_CHARS:
        start -= 1
    return start if start < end < unit else None


def _en_quantity_starts(seen: Scan) -> list[int]:
    """Where ``_EN_QUANTITY_OF_RE`` can match: at the number before each unit word."""
    starts = (_number_before(seen.text, unit) for unit in seen.starts(_EN_UNIT_LEADS))
    return sorted({start for start in starts if start is not None})


def scan_for_goods(text: str, low: str | None = None) -> Scan:
    """``text`` prepared for the functions below (``low``: its ``fold_case`` copy)."""
    return scan(text, _NEEDLES, low)


def labelled_goods(text: str, seen: Scan | None = None) -> str | None:
    """Goods after a goods label, if any (``seen``: ``scan_for_goods(text)``, if known)."""
    seen = scan_for_goods(text) if seen is None else seen
    match = search_from(_GOODS_LABEL_RE, text, seen.starts(_GOODS_LEADS))
    return _clean(match.group("v")) if match else None


def labelled_quantity(text: str, seen: Scan | None = None) -> str | None:
    """Quantity after a quantity label, if any (``seen`` as for :func:`labelled_goods`)."""
    seen = scan_for_goods(text) if seen is None else seen
    match = search_from(_QUANTITY_LABEL_RE, text, seen.starts(_QUANTITY_LEADS))
    return _quantity(match.group("n"), match.group("u")) if match else None


def unlabelled_goods_and_quantity(
    text: str, seen: Scan | None = None
) -> tuple[str | None, str | None]:
    """(goods, quantity) from ``3 cartons of X`` / ``寄了3箱X`` / ``共5件`` phrasing.

    ``seen`` as for :func:`labelled_goods`.
    """
    seen = scan_for_goods(text) if seen is None else seen
    tries = (
        (_EN_QUANTITY_OF_RE, _en_quantity_starts(seen)),
        (_ZH_QUANTITY_GOODS_RE, seen.starts(_ZH_VERB_LEADS)),
    )
    for regex, starts in tries:
        match = search_from(regex, text, starts)
        if match:
            goods = _clean(match.group("g") or "")
            return goods, _quantity(match.group("n"), match.group("u"))
    total = search_from(_ZH_TOTAL_RE, text, seen.starts(_ZH_TOTAL_LEADS))
    return None, (_quantity(total.group("n"), total.group("u")) if total else None)


def goods_and_quantity(text: str, seen: Scan | None = None) -> tuple[str | None, str | None]:
    """(goods, quantity) stated in ``text``: labelled values win over phrasing.

    ``seen`` is a :class:`Scan` of ``text`` for (at least) ``LEADS``, if the caller has
    one; otherwise it is made here.
    """
    seen = scan_for_goods(text) if seen is None else seen
    fallback_goods, fallback_quantity = unlabelled_goods_and_quantity(text, seen)
    goods = labelled_goods(text, seen) or fallback_goods
    return goods, labelled_quantity(text, seen) or fallback_quantity
