"""``complaintd db copy --to URL``: the whole ledger into another, empty database.

The way from SQLite (one instance) to PostgreSQL (several): the target gets the schema
by the migrations, then every table's rows in dependency order, in primary-key order and
batches, each value converted by its model field (dates, booleans, JSON, raw bytes); the
PostgreSQL id sequences are moved past the copied ids; and the copy is checked table by
table.  Leases and the instance registry are not copied: they describe processes, and
none may be running on the source while it is copied (stop the service first).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import peewee
from peewee import sort_models  # type: ignore[attr-defined]  # not in its type hints

from complaintd.clock import Clock
from complaintd.errors import ComplaintdError
from complaintd.store import migrations
from complaintd.store.db import is_postgres, make_database, redact_url
from complaintd.store.models import ALL_MODELS, BaseModel, SchemaMigration, database_proxy
from complaintd.store.timed import TIMED_MODELS

BATCH = 500  # rows per INSERT: raw messages are tens of kilobytes each


@dataclass(frozen=True)
class CopiedTable:
    """One table and how many rows went over."""

    table: str
    rows: int


def ledger_models() -> list[type[BaseModel]]:
    """The ledger's tables, each after the tables it refers to."""
    models = [m for m in (*ALL_MODELS, *TIMED_MODELS) if m is not SchemaMigration]
    return list(sort_models(models))


@contextmanager
def _on(database: peewee.Database) -> Iterator[None]:
    """Every model works on ``database`` for the block (this command has one thread)."""
    before = database_proxy.obj
    database_proxy.initialize(database)
    try:
        yield
    finally:
        database_proxy.initialize(before)


def copy_ledger(source: peewee.Database, target_url: str, clock: Clock) -> list[CopiedTable]:
    """Copy every ledger table of ``source`` (up to date) into the empty ``target_url``.

    Raises :class:`ComplaintdError` when the target already holds a ledger or a table's
    count differs after the copy.
    """
    target = make_database(target_url)
    try:
        target.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        raise ComplaintdError(f"cannot open {redact_url(target_url)}: {exc}") from exc
    try:
        with _on(target):
            migrations.upgrade(target, clock)
            if any(model.select().exists() for model in ledger_models()):
                raise ComplaintdError(
                    f"{redact_url(target_url)} already holds a ledger: copy into an empty one"
                )
        copied = [_copy_table(model, source, target) for model in ledger_models()]
        if is_postgres(target):
            _move_sequences(target)
        return copied
    finally:
        target.close()


def _copy_table(
    model: type[BaseModel], source: peewee.Database, target: peewee.Database
) -> CopiedTable:
    fields = model._meta.sorted_fields
    count = 0
    with target.atomic():
        for rows in _batches(model, source):
            with _on(target):
                model.insert_many(rows, fields=fields).execute()
            count += len(rows)
    with _on(source):
        expected = model.select().count()
    with _on(target):
        landed = model.select().count()
    if not count == expected == landed:
        raise ComplaintdError(
            f"table {model._meta.table_name}: {expected} rows in the source, {landed} copied"
        )
    return CopiedTable(model._meta.table_name, count)


def _batches(model: type[BaseModel], source: peewee.Database) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``model`` in ``source`` as tuples of python values, in key order
    (keyset pages: each page starts after the last key of the one before)."""
    key: Any = model._meta.primary_key
    names = key.field_names if isinstance(key, peewee.CompositeKey) else (key.name,)
    ordering = [model._meta.fields[name] for name in names]
    positions = [model._meta.sorted_field_names.index(name) for name in names]
    last: tuple[Any, ...] | None = None
    while True:
        with _on(source):
            query = model.select(*model._meta.sorted_fields).order_by(*ordering)
            if last is not None:
                query = query.where(peewee.Tuple(*ordering) > peewee.Tuple(*last))
            rows: list[Any] = list(query.limit(BATCH).tuples())
        if not rows:
            return
        yield rows
        last = tuple(rows[-1][i] for i in positions)


def _move_sequences(target: peewee.Database) -> None:
    """PostgreSQL: each ``serial`` id's next value comes after the copied ids."""
    for model in ledger_models():
        key = model._meta.primary_key
        if not isinstance(key, peewee.AutoField):
            continue
        table, column = model._meta.table_name, key.column_name
        target.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'),"
            f' COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) FROM "{table}"'
        )
