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


def _quantity(number: str, unit: str | None) -> str:
    """Number and unit as one string: ``3箱``, ``3 boxes``, or the bare number."""
    if not unit:
        return number
    return f"{number}{unit}" if _ZH_UNIT_RE.fullmatch(unit) else f"{number} {unit.lower()}"


def _clean(value: str) -> str | None:
    """A goods value without surrounding blanks and quotes; None when nothing is left."""
    cleaned = value.strip().strip("\"'“”「」『』《》").strip()
    return cleaned or None


def labelled_goods(text: str) -> str | None:
    """Goods after a goods label, if any."""
    match = _GOODS_LABEL_RE.search(text)
    return _clean(match.group("v")) if match else None


def labelled_quantity(text: str) -> str | None:
    """Quantity after a quantity label, if any."""
    match = _QUANTITY_LABEL_RE.search(text)
    return _quantity(match.group("n"), match.group("u")) if match else None


def unlabelled_goods_and_quantity(text: str) -> tuple[str | None, str | None]:
    """(goods, quantity) from ``3 cartons of X`` / ``寄了3箱X`` / ``共5件`` phrasing."""
    for regex in (_EN_QUANTITY_OF_RE, _ZH_QUANTITY_GOODS_RE):
        match = regex.search(text)
        if match:
            goods = _clean(match.group("g") or "")
            return goods, _quantity(match.group("n"), match.group("u"))
    total = _ZH_TOTAL_RE.search(text)
    return None, (_quantity(total.group("n"), total.group("u")) if total else None)


def goods_and_quantity(text: str) -> tuple[str | None, str | None]:
    """(goods, quantity) stated in ``text``: labelled values win over phrasing."""
    fallback_goods, fallback_quantity = unlabelled_goods_and_quantity(text)
    goods = labelled_goods(text) or fallback_goods
    return goods, labelled_quantity(text) or fallback_quantity
