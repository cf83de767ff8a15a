"""Writes on the hot path: SQL written once per statement shape, run many times.

Building a peewee INSERT or UPDATE costs about 0.2 ms of Python per row, more than
SQLite takes to run it, and intake writes half a dozen rows per message (ticket,
counter, participant, message, events, outbox).  These helpers write the SQL for a
model and a set of columns once, then only convert the values: same SQL, same types
and defaults as ``Model.create``, ``Model.insert_many`` and ``Model.update``, on
SQLite and PostgreSQL.  (No import from the rest of complaintd: the models use it.)

It relies on peewee internals - ``__exception_wrapper__``, ``Field.db_value`` and
``_meta`` of models, the ``_dirty`` set - so pyproject.toml pins peewee to the minor
version tested here (4.5); ``tests/integration/test_store_sql.py`` checks the SQL
against the ORM's own on both databases before a new minor version is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

import peewee

# peewee's own context manager that re-raises driver errors as peewee.OperationalError &c.
_DRIVER_ERRORS_AS_PEEWEE = peewee.__dict__["__exception_wrapper__"]

ModelT = TypeVar("ModelT", bound=peewee.Model)

_Shape = tuple[type[peewee.Model], tuple[str, ...], bool, str, bool]
_SQL: dict[_Shape, tuple[str, tuple[peewee.Field, ...]]] = {}
_UPDATES: dict[tuple[type[peewee.Model], tuple[str, ...], str], tuple[str, list[peewee.Field]]] = {}


def insert_row(
    model: type[peewee.Model], values: Mapping[str, Any], *, ignore: bool = False
) -> int | None:
    """Insert one row of ``model``; return its primary key (None if ``ignore`` skipped it).

    Fields left out take their model default, as with ``Model.create``.  ``ignore``
    turns a uniqueness conflict into a no-op (``INSERT OR IGNORE`` / ``ON CONFLICT DO
    NOTHING``).
    """
    database = _database_of(model)
    sql, fields = _statement(model, tuple(values), ignore, database)
    cursor = database.execute_sql(sql, _parameters(fields, values))
    if database.returning_clause:
        row = cursor.fetchone()
        return row[0] if row else None
    if ignore and cursor.rowcount == 0:
        return None
    return int(cursor.lastrowid)


def create(model: type[ModelT], **values: Any) -> ModelT:
    """Like ``model.create(**values)``: insert a row and return it as an instance.

    Defaults are evaluated once, so the instance holds exactly what was written.
    """
    complete = {**_defaults(model, values), **values}
    primary_key = insert_row(model, complete)
    instance = model(__no_default__=True, **complete)
    instance._pk = primary_key  # type: ignore[attr-defined]
    instance._dirty.clear()  # type: ignore[attr-defined]  # peewee's change tracking
    return instance


def insert_rows(
    model: type[peewee.Model], rows: Iterable[Mapping[str, Any]], *, ignore: bool = False
) -> None:
    """Insert rows of ``model`` that share one set of columns, in one ``executemany``.

    ``ignore`` skips rows that conflict with a uniqueness constraint.
    """
    database = _database_of(model)
    statement: tuple[str, tuple[peewee.Field, ...]] | None = None
    batch: list[tuple[Any, ...]] = []
    for values in rows:
        if statement is None:
            statement = _statement(model, tuple(values), ignore, database, returning=False)
        batch.append(_parameters(statement[1], values))
    if statement is not None:
        with _DRIVER_ERRORS_AS_PEEWEE:  # as execute_sql does
            database.cursor().executemany(statement[0], batch)


def update_row(model: type[peewee.Model], primary_key: Any, values: Mapping[str, Any]) -> int:
    """``UPDATE`` the columns in ``values`` of one row, found by its primary key.

    Returns the number of rows changed (0 when there is no such row).
    """
    database = _database_of(model)
    shape = (model, tuple(values), database.param)
    statement = _UPDATES.get(shape)
    if statement is None:
        fields = [model._meta.fields[name] for name in values]
        assignments = ", ".join(
            f"{_quote(database, f.column_name)} = {database.param}" for f in fields
        )
        key = _quote(database, _primary_key(model).column_name)
        table = _quote(database, model._meta.table_name)
        statement = _UPDATES[shape] = (
            f"UPDATE {table} SET {assignments} WHERE {key} = {database.param}",
            fields,
        )
    sql, fields = statement
    parameters = [field.db_value(values[field.name]) for field in fields]
    parameters.append(_primary_key(model).db_value(primary_key))
    return int(database.execute_sql(sql, tuple(parameters)).rowcount)


def execute(model: type[peewee.Model], sql: str, parameters: Sequence[Any] = ()) -> Any:
    """Run hand-written SQL (``?`` placeholders) on ``model``'s database; return the cursor.

    For the few statements peewee cannot express cheaply; values are passed as the
    database driver takes them (convert with ``Field.db_value`` where needed).
    """
    database = _database_of(model)
    if database.param != "?":
        sql = _PLACEHOLDERS.setdefault((sql, database.param), sql.replace("?", database.param))
    return database.execute_sql(sql, tuple(parameters))


_PLACEHOLDERS: dict[tuple[str, str], str] = {}


def _database_of(model: type[peewee.Model]) -> peewee.Database:
    database = model._meta.database
    return database.obj if isinstance(database, peewee.DatabaseProxy) else database


def _statement(
    model: type[peewee.Model],
    names: tuple[str, ...],
    ignore: bool,
    database: peewee.Database,
    *,
    returning: bool = True,
) -> tuple[str, tuple[peewee.Field, ...]]:
    """The SQL for inserting ``names`` (plus defaulted fields) and its fields in order."""
    returning = returning and bool(database.returning_clause)
    shape = (model, names, ignore, database.param, returning)
    cached = _SQL.get(shape)
    if cached is not None:
        return cached
    meta = model._meta
    unknown = set(names) - set(meta.fields)
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    given = set(names)
    fields = tuple(
        field
        for field in meta.sorted_fields
        if field.name in given or (field in meta.defaults and not _auto(field))
    )
    columns = ", ".join(_quote(database, field.column_name) for field in fields)
    marks = ", ".join([database.param] * len(fields))
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    verb = "INSERT OR IGNORE INTO" if ignore and not postgres else "INSERT INTO"
    sql = f"{verb} {_quote(database, meta.table_name)} ({columns}) VALUES ({marks})"
    if ignore and postgres:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {_quote(database, _primary_key(model).column_name)}"
    _SQL[shape] = (sql, fields)
    return sql, fields


def _parameters(fields: Sequence[peewee.Field], values: Mapping[str, Any]) -> tuple[Any, ...]:
    """Database values of ``fields``: given ones converted, the others defaulted."""
    defaults = fields[0].model._meta.defaults if fields else {}
    return tuple(
        field.db_value(values[field.name] if field.name in values else _default_of(defaults[field]))
        for field in fields
    )


def _defaults(model: type[peewee.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """The default of every field of ``model`` that ``values`` leaves out."""
    return {
        field.name: _default_of(default)
        for field, default in model._meta.defaults.items()
        if field.name not in values and not _auto(field)
    }


def _default_of(default: Any) -> Any:
    return default() if callable(default) else default


def _primary_key(model: type[peewee.Model]) -> peewee.Field:
    key = model._meta.primary_key
    if not isinstance(key, peewee.Field) or isinstance(key, peewee.CompositeKey):
        raise TypeError(f"{model.__name__} has no single-column primary key")
    return key


def _auto(field: peewee.Field) -> bool:
    return isinstance(field, peewee.AutoField)


def _quote(database: peewee.Database, name: str) -> str:
    opening, closing = database.quote[0], database.quote[-1]
    return f"{opening}{name}{closing}"
