"""Times as people read them in mail (pure).

Chinese mail writes ``2026年11月22日 10:00（北京时间）``, English mail
``22 November 2026, 10:00 (Beijing time)``.  A zone people have a name for is named
(Asia/Shanghai is 北京时间); any other zone is named by its UTC offset, ``（UTC+09:00）``.

The workflow hands templates :class:`LocalTime` values; the renderer writes each in the
language of the templates it renders (:func:`localize_times`), so a promise made to an
English customer and the same promise in the Chinese internal mail read right in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintd.render.labels import resolve_language

# Zones whose people say their name rather than an offset; every alias of China's zone.
_BEIJING = {"zh-CN": "北京时间", "en": "Beijing time"}
ZONE_NAMES: Mapping[str, Mapping[str, str]] = {
    "Asia/Shanghai": _BEIJING,
    "Asia/Chongqing": _BEIJING,
    "Asia/Chungking": _BEIJING,
    "Asia/Harbin": _BEIJING,
    "PRC": _BEIJING,
}

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class LocalTime:
    """A moment shown in mail, already in the desk's zone (``at`` is aware)."""

    at: datetime

    def __str__(self) -> str:
        """Language-neutral, for logs and for text built outside a template."""
        return f"{self.at:%Y-%m-%d %H:%M} ({utc_offset(self.at)})"


def utc_offset(at: datetime) -> str:
    """``UTC+08:00`` for an aware ``at``."""
    offset = at.strftime("%z") or "+0000"
    return f"UTC{offset[:3]}:{offset[3:5]}"


def zone_label(at: datetime, language: str) -> str:
    """What people call ``at``'s zone in ``language``: 北京时间 / Beijing time, else the offset."""
    key = getattr(at.tzinfo, "key", None)
    names = ZONE_NAMES.get(key) if isinstance(key, str) else None
    return names[resolve_language(language)] if names else utc_offset(at)


def format_time(at: datetime, language: str) -> str:
    """``at`` (aware, in the zone to show) as a mail in ``language`` writes it."""
    zone = zone_label(at, language)
    if resolve_language(language) == "en":
        return f"{at.day} {MONTHS[at.month - 1]} {at.year}, {at:%H:%M} ({zone})"
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}（{zone}）"


_PLAIN = frozenset({str, int, float, bool, type(None)})  # by exact type: one set lookup


def localize_times(value: Any, language: str) -> Any:
    """``value`` with every :class:`LocalTime` inside it written out for ``language``.

    Walks mappings, lists and tuples (a template context); other values are kept.  Plain
    values - most of a context - are passed over without a call.
    """
    if type(value) in _PLAIN:
        return value
    if isinstance(value, LocalTime):
        return format_time(value.at, language)
    if isinstance(value, Mapping):
        return {
            key: item if type(item) in _PLAIN else localize_times(item, language)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        items = [item if type(item) in _PLAIN else localize_times(item, language) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value
