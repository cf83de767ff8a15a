"""Column types shared by the models: UTC timestamps and JSON text."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import peewee


class UtcDateTimeField(peewee.DateTimeField):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC.

    Storing naive UTC keeps SQLite's text sorting and PostgreSQL's ``timestamp`` both
    correct; the application never sees a naive datetime.
    """

    def db_value(self, value: Any) -> Any:
        """Convert an aware datetime to naive UTC for storage."""
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        """Return stored values as aware UTC datetimes."""
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class JsonField(peewee.TextField):
    """A JSON document stored as text (portable between SQLite and PostgreSQL)."""

    def db_value(self, value: Any) -> Any:
        """Serialise to compact JSON, keeping non-ASCII text readable."""
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)

    def python_value(self, value: Any) -> Any:
        """Parse stored JSON."""
        return None if value is None else json.loads(value)
