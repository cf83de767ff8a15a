"""The one place that makes parsed text storable: no NUL, no lone surrogate.

Mail can smuggle both into decoded text: an RFC 2047 word or a QP/base64 body that
decodes to NUL, a raw NUL in a header copied into a defect note, a body labelled UTF-7
whose ``+2D0-`` decodes to half a surrogate pair.  PostgreSQL text rejects NUL (and
SQLite tools cut text at it); a lone surrogate cannot be encoded as UTF-8, so anything
that writes, hashes or matches bytes of the text raises.  :func:`parse_message` passes
its whole result through :func:`storable`, so every field, present and future, is
clean; the raw message keeps the original bytes.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

T = TypeVar("T")


def storable_text(text: str) -> str:
    """``text`` without NUL, a surrogate pair joined and a lone surrogate as U+FFFD."""
    if text.isascii():  # O(1) in CPython: no surrogate can be in it
        return text.replace("\x00", "") if "\x00" in text else text
    if _UNSTORABLE.search(text) is None:
        return text
    text = text.replace("\x00", "")
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def storable(value: T) -> T:
    """``value`` with :func:`storable_text` applied to every plain str inside it.

    Walks frozen dataclasses, tuples, lists and dicts; returns ``value`` itself when
    nothing needed a change (the usual case), so clean mail costs one scan per string.
    Enum members (StrEnum) are left alone: they are the program's own text.
    """
    return _storable(value)


def _storable(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return storable_text(value)
    if kind is tuple or kind is list:
        items = [_storable(item) for item in value]
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return kind(items) if changed else value
    if kind is dict:
        pairs = [(_storable(key), _storable(item)) for key, item in value.items()]
        changed = any(
            k is not old_k or v is not old_v
            for (k, v), (old_k, old_v) in zip(pairs, value.items(), strict=True)
        )
        return dict(pairs) if changed else value
    names = _dataclass_fields(kind)
    if not names:
        return value  # bytes, datetimes, numbers, enum members, None
    changes = {}
    for name in names:
        old = getattr(value, name)
        new = _storable(old)
        if new is not old:
            changes[name] = new
    return dataclasses.replace(value, **changes) if changes else value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _dataclass_fields(kind: type) -> tuple[str, ...]:
    """The field names of dataclass ``kind`` (none for any other type), looked up once."""
    names = _FIELDS.get(kind)
    if names is None:
        is_data = dataclasses.is_dataclass(kind)
        names = tuple(f.name for f in dataclasses.fields(kind)) if is_data else ()
        _FIELDS[kind] = names
    return names
