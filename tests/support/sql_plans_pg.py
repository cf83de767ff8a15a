"""The PostgreSQL side of :mod:`tests.support.sql_plans`: capture, copy, plans.

* :class:`TracingPgCursor` records each statement complaintd runs through psycopg2
  (``install_tracing`` in ``sql_plans`` installs it for PostgreSQL connections too);
* :func:`copy_ledger` copies a synthetic SQLite ledger (``sql_plans.build_ledger``) into
  a migrated PostgreSQL database with ``COPY``, sets the id sequences and ``ANALYZE``\\s
  it, as autovacuum would: PostgreSQL plans by statistics;
* :func:`explain_pg` and :func:`pg_plan_problems` read and judge a plan: a sequential
  scan of a ledger table, or a sort of every matching row under a ``LIMIT``.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions

from tests.support.sql_plans import (
    GROWING_TABLES,
    RECORDER,
    Statement,
    is_control,
    timed_fetch,
)

# --- capturing ------------------------------------------------------------------------


class TracingPgCursor(psycopg2.extensions.cursor):
    """A psycopg2 cursor that reports each statement and its time to ``RECORDER``."""

    _entry: Statement | None = None

    def execute(self, query: Any, vars: Any = None) -> None:
        started = time.perf_counter()
        try:
            super().execute(query, vars)
        finally:
            self._entry = RECORDER.record(str(query), vars or (), time.perf_counter() - started)

    def executemany(self, query: Any, vars_list: Any) -> None:
        rows = list(vars_list)
        started = time.perf_counter()
        try:
            super().executemany(query, rows)
        finally:
            first = rows[0] if rows else ()
            self._entry = RECORDER.record(str(query), first, time.perf_counter() - started)

    def fetchone(self) -> Any:
        return timed_fetch(self._entry, super().fetchone)

    def fetchmany(self, size: Any = None) -> Any:
        return timed_fetch(
            self._entry, partial(super().fetchmany, self.arraysize if size is None else size)
        )

    def fetchall(self) -> Any:
        return timed_fetch(self._entry, super().fetchall)


# --- copying a ledger -----------------------------------------------------------------


def _text_field(value: Any) -> str:
    """One field of ``COPY ... FROM STDIN`` text format."""
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Rows:
    """A file-like object ``copy_expert`` reads: rows of a query in COPY text format."""

    def __init__(self, rows: Iterator[Sequence[Any]]) -> None:
        self.rows = rows
        self.buffer = ""

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self.buffer) < size:
            chunk = ["\t".join(map(_text_field, row)) + "\n" for row in _take(self.rows, 2000)]
            if not chunk:
                break
            self.buffer += "".join(chunk)
        if size < 0:
            size = len(self.buffer)
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out

    readline = read


def _take(rows: Iterator[Sequence[Any]], count: int) -> list[Sequence[Any]]:
    taken = []
    for row in rows:
        taken.append(row)
        if len(taken) == count:
            break
    return taken


def copy_ledger(source: Path, url: str) -> dict[str, float]:
    """Copy every ledger table of the SQLite file ``source`` into the migrated, empty
    PostgreSQL database at ``url``; return the seconds each table took."""
    lite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    pg = psycopg2.connect(url)
    seconds = {}
    try:
        tables = [*sorted(GROWING_TABLES), "ticket_counter"]
        order = ["ticket", "inbound_message", "inbound_raw", "message", "blob", "attachment"]
        tables = order + [t for t in tables if t not in order]
        with pg.cursor() as cursor:
            for table in tables:
                started = time.monotonic()
                columns = [row[1] for row in lite.execute(f'PRAGMA table_info("{table}")')]
                types = {row[1]: row[2] for row in lite.execute(f'PRAGMA table_info("{table}")')}
                selected = ", ".join(
                    f"'\\x' || hex(\"{c}\")" if types[c] == "BLOB" else f'"{c}"' for c in columns
                )
                rows = lite.execute(f'SELECT {selected} FROM "{table}"')
                names = ", ".join(f'"{c}"' for c in columns)
                cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', _Rows(iter(rows)))
                if "id" in columns:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                        f' (SELECT max(id) FROM "{table}"))'
                    )
                pg.commit()
                seconds[table] = round(time.monotonic() - started, 1)
        pg.autocommit = True
        with pg.cursor() as cursor:
            cursor.execute("ANALYZE")
    finally:
        pg.close()
        lite.close()
    return seconds


# --- plans ----------------------------------------------------------------------------


def explain_pg(connection: Any, statement: Statement) -> list[str]:
    """PostgreSQL's plan of ``statement`` with the parameters of its first call."""
    if is_control(statement.sql) or re.match(r"^\s*(SET|SHOW)\b", statement.sql, re.I):
        return []
    parameters = [
        bytes(int(v["blob"])) if isinstance(v, dict) and "blob" in v else v
        for v in statement.parameters
    ]
    with connection.cursor() as cursor:
        try:
            cursor.execute("EXPLAIN " + statement.sql, parameters)
            return [str(row[0]) for row in cursor.fetchall()]
        except psycopg2.Error as exc:
            connection.rollback()
            return [f"(no plan: {str(exc).strip().splitlines()[0]})"]
        finally:
            connection.rollback()


_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
_SORT_ROWS = re.compile(r"->\s+Sort\s+\(cost=\S+ rows=(\d+)")
_READS = re.compile(
    r"(?:Index|Index Only|Bitmap Heap|Seq) Scan (?:Backward )?(?:using \w+ )?on (\w+)"
)

# PostgreSQL plans by statistics: an empty table is read whole, cheaply, and a sort of
# the one row it expects is no cost.  Judged bad: a sequential scan of a ledger table of
# at least this many rows, a sort of at least SORT_ROWS rows under a LIMIT.
SCAN_ROWS = 10_000
SORT_ROWS = 1_000


def table_rows(connection: Any) -> dict[str, float]:
    """The planner's row count of each table (``pg_class.reltuples``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        rows = {str(name): float(count) for name, count in cursor.fetchall()}
    connection.rollback()
    return rows


def pg_plan_problems(plan: Sequence[str], rows: dict[str, float]) -> list[str]:
    """What in a PostgreSQL plan reads a ledger table whole: a sequential scan of one of
    ``rows`` (table sizes) >= SCAN_ROWS, or - the plan starting with ``Limit`` - a sort
    of >= SORT_ROWS rows read from one."""
    problems = [
        f"Seq Scan on {m.group(1)}"
        for line in plan
        if (m := _SEQ_SCAN.search(line))
        and m.group(1) in GROWING_TABLES
        and rows.get(m.group(1), 0) >= SCAN_ROWS
    ]
    limited = bool(plan) and plan[0].lstrip().startswith(("Limit", "LockRows"))
    big_sort = any(
        (m := _SORT_ROWS.search(line)) and int(m.group(1)) >= SORT_ROWS for line in plan[:3]
    )
    if limited and big_sort:
        read = {m.group(1) for line in plan if (m := _READS.search(line))}
        problems += [f"SORT before LIMIT on {t}" for t in sorted(read & GROWING_TABLES)]
    return problems
