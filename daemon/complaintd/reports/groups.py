"""Ticket numbers grouped under a key, as every line of a report shows them (pure).

A line names its tickets so the reader can act on them; past :data:`SHOWN` numbers it
names the first ones and says how many more there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypedDict

SHOWN = 12  # ticket numbers (or message ids) named on one line


class Group(TypedDict):
    """``count`` tickets under ``key``: the first :data:`SHOWN` numbers and how many more."""

    key: str
    count: int
    numbers: list[str]
    more: int


def group(key: str, numbers: Sequence[str], count: int | None = None) -> Group:
    """``numbers`` (all of them, or the first ones of ``count``) under ``key``."""
    total = len(numbers) if count is None else count
    shown = list(numbers[:SHOWN])
    return {"key": key, "count": total, "numbers": shown, "more": total - len(shown)}


def grouped(pairs: Iterable[tuple[str, str]], order: Sequence[str] = ()) -> list[Group]:
    """(key, number) pairs as one group per key: ``order`` first, then the most counted."""
    by_key: dict[str, list[str]] = {}
    for key, number in pairs:
        by_key.setdefault(key, []).append(number)
    ranked = sorted(by_key, key=lambda k: (k not in order, _index(order, k), -len(by_key[k]), k))
    return [group(key, by_key[key]) for key in ranked]


def _index(order: Sequence[str], key: str) -> int:
    return order.index(key) if key in order else len(order)
