"""Column types shared by the models: UTC timestamps, JSON text, text from mail."""

from __future__ import annotations

import hashlib
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
        """Convert an aware datetime to naive UTC for storage.

        SQLite gets the text its driver would write (``isoformat(" ")``, what
        ``sqlite3``'s default adapter does): the driver's adapting a datetime costs
        more than the rest of binding the parameter (a new ticket binds about 30).
        """
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return value.isoformat(" ") if _stored_as_text(getattr(self, "model", None)) else value
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        """Return stored values as aware UTC datetimes.

        SQLite hands back text; ``fromisoformat`` reads the stored forms
        (``2026-11-18 02:00:00[.ffffff]``) in a fraction of the time peewee's
        ``strptime`` over a list of formats takes, which made reading a ticket row cost
        a tenth of a millisecond.  Anything else goes the ORM's way.
        """
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = super().python_value(value)
        else:
            value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _stored_as_text(model: type[peewee.Model] | None) -> bool:
    """Whether ``model``'s database is SQLite, which keeps datetimes as text (False for
    a field bound to no model: the driver adapts the datetime)."""
    if model is None:
        return False
    database = model._meta.database
    if isinstance(database, peewee.DatabaseProxy):
        database = database.obj
    return isinstance(database, peewee.SqliteDatabase)


class JsonField(peewee.TextField):
    """A JSON document stored as text (portable between SQLite and PostgreSQL)."""

    def db_value(self, value: Any) -> Any:
        """Serialise to compact JSON, keeping non-ASCII text readable."""
        if value is None:
            return None
        if not value and isinstance(value, list | dict):  # most lists here are empty
            return "[]" if isinstance(value, list) else "{}"
        text = _dumps(value)
        if "\\u0000" in text:  # a NUL from mail in a string: drop it, as text columns do
            text = _dumps(_nul_free(json.loads(text)))
        return text

    def python_value(self, value: Any) -> Any:
        """Parse stored JSON."""
        return None if value is None else json.loads(value)


NUL = "\x00"
KEY_MAX_BYTES = 998  # a mail line's limit; far below PostgreSQL's btree entry limit (2704)


def without_nul(value: str) -> str:
    """``value`` without NUL characters (PostgreSQL text cannot hold them; SQLite tools
    cut text at them).  The raw message keeps the original bytes."""
    return value.replace(NUL, "") if NUL in value else value


def store_key(value: str) -> str:
    """An indexed value from mail (a Message-ID, an address) as the ledger stores it.

    NUL-free and at most :data:`KEY_MAX_BYTES` UTF-8 bytes; a longer value keeps its
    beginning plus ``~`` and the SHA-256 of the whole, so equal values stay equal and
    different ones different.  Lookups pass their keys through here too.
    """
    value = without_nul(value)
    encoded = value.encode("utf-8", "surrogatepass")
    if len(encoded) <= KEY_MAX_BYTES:
        return value
    digest = hashlib.sha256(encoded).hexdigest()
    head = encoded[: KEY_MAX_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{head}~{digest}"


def _dumps(value: Any) -> str:
    """Compact JSON with non-ASCII text kept readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _nul_free(value: Any) -> Any:
    """A parsed JSON document with NUL characters dropped from every string in it."""
    if isinstance(value, str):
        return without_nul(value)
    if isinstance(value, list):
        return [_nul_free(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): _nul_free(item) for key, item in value.items()}
    return value


class MailTextField(peewee.TextField):
    """Text that came from mail (names, subjects, bodies, file names): any length, no NUL."""

    def db_value(self, value: Any) -> Any:
        """Drop NUL characters before the value reaches the database."""
        return without_nul(value) if isinstance(value, str) else super().db_value(value)


class MailKeyField(peewee.TextField):
    """An indexed value that came from mail: stored and looked up as :func:`store_key`."""

    def db_value(self, value: Any) -> Any:
        """The bounded, NUL-free key (also for the values of ``==`` and ``IN``)."""
        return store_key(value) if isinstance(value, str) else super().db_value(value)
