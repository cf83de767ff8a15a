"""Every SQL statement complaintd runs, captured, and its query plan judged.

Issue 17 asks that nothing on the hot path grows with the size of the ledger.  The
statements are taken from the daemon itself, never from a list kept by hand, so a new
or rewritten statement is checked the day it appears:

* ``python -m tests.support.sql_plans capture OUT.json -- COMPLAINTD-ARGS`` runs one
  ``complaintd`` command in this process with every SQLite connection opened through a
  :class:`TracingConnection`; each statement shape is written to ``OUT.json`` with how
  many times it ran, the time it took (execution and fetching) and the parameters of its
  first call.
* :func:`explain` asks SQLite for the plan of a captured statement (with those
  parameters) and :func:`plan_problems` names what grows with the ledger: a ``SCAN`` of
  a ledger table, an automatic (transient) index, which is built by a scan.
* :func:`build_ledger` fills a migrated SQLite ledger with synthetic but plausible
  history - tickets with their messages, events, contact sheets, sent mail, participants,
  inbound rows, photos, surveys - in a few bulk ``INSERT ... SELECT`` statements.

Used by ``tools/query_plans.py`` (a million tickets) and by
``tests/integration/test_query_plans.py`` (a small ledger: SQLite's plans do not depend
on table sizes without ``ANALYZE``, which complaintd never runs).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

# Tables that grow with the ledger: a plan must never read all of their rows.
GROWING_TABLES = frozenset(
    {
        "ticket",
        "message",
        "event",
        "contact_sheet",
        "outbox",
        "participant",
        "inbound_message",
        "inbound_raw",
        "attachment",
        "blob",
        "survey",
        "timed_step",
        "customer_risk",
    }
)

# Statements with no plan: transactions, savepoints, pragmas, schema.
_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|CREATE|DROP|ALTER|ANALYZE"
    r"|SET|SHOW)\b",
    re.IGNORECASE,
)


# --- capturing ------------------------------------------------------------------------


@dataclass
class Statement:
    """One statement shape as it ran: how often, how long, and one call's parameters."""

    shape: str
    sql: str
    parameters: list[Any]
    count: int = 0
    seconds: float = 0.0


class Recorder:
    """Statement shapes seen so far (thread-safe: the keeper thread writes too)."""

    def __init__(self) -> None:
        self.statements: dict[str, Statement] = {}
        self._lock = threading.Lock()

    def record(self, sql: str, parameters: Any, seconds: float) -> Statement:
        """Count one call of ``sql``; return its shape's record."""
        shape = statement_shape(sql)
        with self._lock:
            entry = self.statements.get(shape)
            if entry is None:
                entry = self.statements[shape] = Statement(shape, sql, _jsonable(parameters))
            entry.count += 1
            entry.seconds += seconds
        return entry

    def add_time(self, entry: Statement, seconds: float) -> None:
        """Time spent fetching rows of ``entry``'s statement."""
        with self._lock:
            entry.seconds += seconds


RECORDER = Recorder()
T = TypeVar("T")


class TracingCursor(sqlite3.Cursor):
    """A cursor that reports each statement and the time spent on it to :data:`RECORDER`."""

    _entry: Statement | None = None

    def execute(self, sql: str, parameters: Any = (), /) -> TracingCursor:
        started = time.perf_counter()
        try:
            return super().execute(sql, parameters)
        finally:
            self._entry = RECORDER.record(sql, parameters, time.perf_counter() - started)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> TracingCursor:
        rows = list(seq_of_parameters)
        started = time.perf_counter()
        try:
            return super().executemany(sql, rows)
        finally:
            first = rows[0] if rows else ()
            self._entry = RECORDER.record(sql, first, time.perf_counter() - started)

    def fetchone(self) -> Any:
        return timed_fetch(self._entry, super().fetchone)

    def fetchmany(self, size: int | None = None) -> list[Any]:
        return timed_fetch(
            self._entry, partial(super().fetchmany, self.arraysize if size is None else size)
        )

    def fetchall(self) -> list[Any]:
        return timed_fetch(self._entry, super().fetchall)


def timed_fetch(entry: Statement | None, fetch: Callable[[], T]) -> T:
    """``fetch()``, its time added to ``entry``, the statement a tracing cursor last ran
    (the sqlite3 one here, the psycopg2 one in ``sql_plans_pg``)."""
    started = time.perf_counter()
    try:
        return fetch()
    finally:
        if entry is not None:
            RECORDER.add_time(entry, time.perf_counter() - started)


class TracingConnection(sqlite3.Connection):
    """A connection whose cursors are :class:`TracingCursor` (``Connection.execute``
    goes through ``cursor()`` too)."""

    def cursor(self, factory: Any = TracingCursor) -> Any:
        return super().cursor(factory)


def install_tracing() -> None:
    """Open every peewee SQLite connection of this process as a :class:`TracingConnection`
    and every PostgreSQL one with a ``TracingPgCursor`` factory (``sql_plans_pg``)."""
    import peewee

    original = getattr(peewee.SqliteDatabase, "_connect")  # noqa: B009  (no stub has it)

    def connect(self: peewee.SqliteDatabase) -> Any:
        self.connect_params.setdefault("factory", TracingConnection)
        return original(self)

    setattr(peewee.SqliteDatabase, "_connect", connect)  # noqa: B010

    from tests.support.sql_plans_pg import TracingPgCursor

    pg_original = getattr(peewee.PostgresqlDatabase, "_connect")  # noqa: B009

    def pg_connect(self: peewee.PostgresqlDatabase) -> Any:
        self.connect_params.setdefault("cursor_factory", TracingPgCursor)
        return pg_original(self)

    setattr(peewee.PostgresqlDatabase, "_connect", pg_connect)  # noqa: B010


def capture(out: Path, complaintd_args: Sequence[str]) -> int:
    """Run one complaintd command with tracing; write the statements to ``out``.

    ``once`` sends from a forked child (``service.sending``), which leaves by
    ``os._exit``: it writes what it ran beside ``out`` first, and those are added.
    """
    install_tracing()
    _keep_the_sending_childs(out)
    from complaintd.cli.main import main

    code = main(list(complaintd_args))
    statements = [asdict(entry) for entry in RECORDER.statements.values()]
    for child in sorted(out.parent.glob(f"{out.name}.child-*")):
        statements += json.loads(child.read_text())
        child.unlink()
    out.write_text(json.dumps({"exit": code, "statements": statements}, ensure_ascii=False))
    return code


def _keep_the_sending_childs(out: Path) -> None:
    """Make ``once``'s sending child write its statements before it leaves."""
    from complaintd.service import sending

    drain = sending._drain

    async def traced(*args: Any, **kwargs: Any) -> Any:
        RECORDER.statements.clear()  # the parent's, copied by the fork: counted there
        try:
            return await drain(*args, **kwargs)
        finally:
            path = out.parent / f"{out.name}.child-{os.getpid()}"
            path.write_text(json.dumps([asdict(e) for e in RECORDER.statements.values()]))

    sending._drain = traced


def load_statements(path: Path) -> list[Statement]:
    """The statements a :func:`capture` wrote."""
    return [Statement(**entry) for entry in json.loads(path.read_text())["statements"]]


def merge(*runs: Iterable[Statement]) -> list[Statement]:
    """Several captures as one: counts and times added up by shape."""
    merged: dict[str, Statement] = {}
    for run in runs:
        for entry in run:
            known = merged.get(entry.shape)
            if known is None:
                merged[entry.shape] = Statement(**asdict(entry))
            else:
                known.count += entry.count
                known.seconds += entry.seconds
    return list(merged.values())


def _jsonable(parameters: Any) -> list[Any]:
    """Parameters as JSON can hold them (blobs by their length: plans ignore their bytes)."""
    if isinstance(parameters, dict):
        return [_jsonable_value(v) for v in parameters.values()]
    return [_jsonable_value(v) for v in parameters]


def _jsonable_value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"blob": len(bytes(value))}
    if isinstance(value, str | int | float) or value is None:
        return value
    return str(value)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dict) and "blob" in value:
        return b"\0" * int(value["blob"])
    return value


# --- shapes and plans -----------------------------------------------------------------

_IN_LIST = re.compile(r"IN \(\?(?:, ?\?)*\)", re.IGNORECASE)
_ROWS = re.compile(r"(\((?:\?, ?)*\?\))(?:, ?\((?:\?, ?)*\?\))+")
_SPACES = re.compile(r"\s+")
_SAVEPOINT = re.compile(r'"s[0-9a-f]{32}"')  # peewee names each savepoint at random


def statement_shape(sql: str) -> str:
    """``sql`` with its variable-length parts folded: ``IN (?, ?, ?)`` and multi-row
    ``VALUES`` lists become one placeholder group, savepoint names ``"s…"``, runs of white
    space one space."""
    shape = _SAVEPOINT.sub('"s…"', _SPACES.sub(" ", sql.strip()))
    shape = _IN_LIST.sub("IN (?…)", shape)
    return _ROWS.sub(r"\1, …", shape)


def is_control(sql: str) -> bool:
    """True for statements that have no query plan (transactions, pragmas, schema)."""
    return bool(_CONTROL.match(sql))


def explain(connection: sqlite3.Connection, statement: Statement) -> list[str]:
    """SQLite's plan of ``statement`` with the parameters of its first call, one line per
    step, indented by depth (empty for statements without a plan)."""
    if is_control(statement.sql):
        return []
    parameters = [_sqlite_value(v) for v in statement.parameters]
    rows = connection.execute("EXPLAIN QUERY PLAN " + statement.sql, parameters).fetchall()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + str(detail))
    return lines


_ALIAS = re.compile(r'"?(\w+)"?\s+AS\s+"?(\w+)"?', re.IGNORECASE)
_SCAN = re.compile(r"^\s*SCAN (\w+)")
_AUTOMATIC = re.compile(r"^\s*(?:SEARCH|SCAN) (\w+) USING AUTOMATIC")
_SORT = re.compile(r"USE TEMP B-TREE FOR (.+)")
_LIMITED = re.compile(r"\bLIMIT\s+(?:\?|\d+)(?:\s+OFFSET\s+(?:\?|\d+))?\s*$", re.IGNORECASE)
_READ = re.compile(r"^\s*(?:SEARCH|SCAN) (\w+)")


def tables_by_alias(sql: str) -> dict[str, str]:
    """The tables of ``sql`` by the names a plan calls them (peewee's ``t1``, ``t2``...)."""
    aliases = {alias: table for table, alias in _ALIAS.findall(sql)}
    return {**{t: t for t in GROWING_TABLES}, **aliases}


def plan_problems(sql: str, plan: Sequence[str]) -> list[str]:
    """What in ``plan`` reads more of a ledger table than it returns:

    * ``SCAN <table>`` (with or without an index: all of its rows either way);
    * an automatic index (built by such a scan);
    * ``SORT before LIMIT on <table>``: the outermost query takes the first few rows in
      an order no index gives, so it reads and sorts every row that matches (a queue's
      claim over its whole backlog) to return the few.
    """
    tables = tables_by_alias(sql)
    problems = []
    for line in plan:
        for pattern, what in ((_AUTOMATIC, "AUTOMATIC INDEX on"), (_SCAN, "SCAN")):
            match = pattern.match(line)
            if match and tables.get(match.group(1)) in GROWING_TABLES:
                problems.append(f"{what} {tables[match.group(1)]}")
                break
    if _LIMITED.search(sql) and "USE TEMP B-TREE FOR ORDER BY" in plan:  # outermost query
        read = {tables.get(m.group(1), "") for line in plan if (m := _READ.match(line))}
        problems += [f"SORT before LIMIT on {t}" for t in sorted(read & GROWING_TABLES)]
    return problems


def plan_sorts(sql: str, plan: Sequence[str]) -> list[str]:
    """Temporary B-tree sorts in a plan that reads a ledger table (a sort of rows found
    by an index is bounded by that search; worth a look when the search is wide)."""
    tables = tables_by_alias(sql)
    reads_ledger = any(
        (m := _READ.match(line)) and tables.get(m.group(1)) in GROWING_TABLES for line in plan
    )
    if not reads_ledger:
        return []
    return [f"SORT {m.group(1)}" for line in plan if (m := _SORT.search(line))]


# --- a big ledger ---------------------------------------------------------------------


def _when(value: datetime) -> float:
    return value.timestamp()


@dataclass(frozen=True)
class LedgerShape:
    """How much history :func:`build_ledger` writes, per ticket and in all."""

    tickets: int
    end: datetime  # the last synthetic ticket's time; the run's clock comes after it
    years: float = 3.0
    open_tickets: int = 1000  # the newest ones; every older ticket is closed or invalid
    customers: int = 0  # distinct complainants (0: a third of the tickets)
    counts: dict[str, int] = field(default_factory=dict)


# Per ticket: 2 inbound mails (complaint, department reply), 4 messages, 5 events,
# 1 contact sheet, 3 outbox rows, 2 participants, 1 survey; photos on a fifth.
_LEDGER_SQL = """
INSERT INTO ticket (id, number, status, severity, category, source, language, subject,
  customer_name, customer_email, customer_fax, waybills, order_numbers, phones,
  shipping_date, goods, quantity, attachment_count, category_rule, severity_rule, tags,
  linked_to_id, created_at, updated_at, due_at, owner, internal_due_at, sla_breached_at,
  resolve_due_at, ocr_state, ocr, needs_manual_reading, origin_province, origin_city,
  destination_province, destination_city)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n),
t(i, e) AS (SELECT i, :start + i * :step FROM s)
SELECT i, 'TS-' || strftime('%Y%m', e, 'unixepoch') || '-' || printf('%07d', i),
  CASE WHEN i > :n - :open THEN
    CASE i % 5 WHEN 0 THEN 'received' WHEN 1 THEN 'investigating'
      WHEN 2 THEN 'solution_proposed' WHEN 3 THEN 'implementing' ELSE 'follow_up' END
    WHEN i % 33 = 0 THEN 'invalid' ELSE 'closed' END,
  CASE WHEN i % 10 = 0 THEN 'serious' WHEN i % 10 < 4 THEN 'important' ELSE 'general' END,
  CASE i % 7 WHEN 0 THEN 'delay' WHEN 1 THEN 'damage' WHEN 2 THEN 'loss'
    WHEN 3 THEN 'information' WHEN 4 THEN 'attitude' WHEN 5 THEN 'billing' ELSE 'other' END,
  CASE WHEN i % 50 = 0 THEN 'fax' ELSE 'email' END,
  CASE WHEN i % 2 = 0 THEN 'zh-CN' ELSE 'en' END,
  '货物破损 waybill SF' || (1000000000000 + i),
  'Customer ' || (i * 7919 % :customers),
  'c' || (i * 7919 % :customers) || '@customer' || (i % 97) || '.example',
  NULL,
  '["SF' || (1000000000000 + i) || '"]', '[]',
  '["+86 138-0000-' || printf('%04d', i % 10000) || '"]',
  date(e - 172800, 'unixepoch'), '家电', '3 箱', CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END,
  'keyword:破损', NULL, '[]', NULL,
  datetime(e, 'unixepoch'), datetime(e + 86400, 'unixepoch'),
  datetime(e + 28800, 'unixepoch'),
  CASE WHEN i % 3 = 0 THEN 'agent1@lida.example' END, NULL,
  CASE WHEN i % 20 = 0 THEN datetime(e + 259200, 'unixepoch') END,
  datetime(e + 259200, 'unixepoch'),
  CASE WHEN i % 50 = 0 THEN 'done' END, NULL, 0,
  '广东省', '深圳市', '上海市', '上海市'
FROM t;

INSERT INTO inbound_message (id, mailbox, mailbox_kind, uidvalidity, uid, message_id, sha256,
  size, fetched_at, status, error, attempts, processed_at, ticket_id, server_state,
  carried_processed_flag, received_at, claimed_by, lease_until)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2 * :n),
t(i, k, tk, e) AS (SELECT i, 2 - i % 2, (i + 1) / 2, :start + ((i + 1) / 2) * :step FROM s)
SELECT i, 'complaints', 'complaint', 1, i,
  CASE k WHEN 1 THEN '<c' || tk || '@customer.example>'
    ELSE '<dept-' || tk || '@qc.lida.example>' END,
  printf('%064x', i), 6000, datetime(e + (k - 1) * 86400, 'unixepoch'), 'processed', NULL, 1,
  datetime(e + (k - 1) * 86400, 'unixepoch'), tk, 'flagged', 0,
  datetime(e + (k - 1) * 86400, 'unixepoch'), NULL, NULL
FROM t;

INSERT INTO inbound_raw (inbound_id, raw_message)
SELECT id, CAST('Message-ID: ' || message_id || char(13, 10) || 'Subject: complaint'
  || char(13, 10, 13, 10) || 'see the ticket' AS BLOB) FROM inbound_message;

INSERT INTO message (id, ticket_id, inbound_id, direction, kind, from_addr, from_name,
  to_addrs, cc_addrs, subject, body, full_text, html, charset, decode_note, undecoded,
  message_id, in_reply_to, "references", automated_reason, created_at, contact_sheet_id)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 4 * :n),
t(i, k, tk, e) AS (SELECT i, (i - 1) % 4 + 1, (i + 3) / 4, :start + ((i + 3) / 4) * :step FROM s)
SELECT i, tk,
  CASE k WHEN 1 THEN 2 * tk - 1 WHEN 4 THEN 2 * tk END,
  CASE WHEN k IN (1, 4) THEN 'in' ELSE 'out' END,
  CASE k WHEN 1 THEN 'complaint' WHEN 2 THEN 'ack' WHEN 3 THEN 'contact_sheet'
    ELSE 'department_reply' END,
  CASE k WHEN 1 THEN 'c' || (tk * 7919 % :customers) || '@customer' || (tk % 97) || '.example'
    WHEN 4 THEN 'qc@lida.example' ELSE 'complaints@lida.example' END,
  NULL, '["complaints@lida.example"]', '[]',
  '[TS-' || tk || '] 货物破损 waybill SF' || (1000000000000 + tk),
  '您好,运单 SF' || (1000000000000 + tk)
    || ' 的货物到达时外包装破损,三箱中一箱内的家电损坏,请尽快处理并回复。',
  '您好,运单 SF' || (1000000000000 + tk)
    || ' 的货物到达时外包装破损,三箱中一箱内的家电损坏,请尽快处理并回复。',
  NULL, 'utf-8', NULL, NULL,
  CASE k WHEN 1 THEN '<c' || tk || '@customer.example>'
    WHEN 2 THEN '<ack-' || tk || '@lida.example>'
    WHEN 3 THEN '<sheet-' || tk || '@lida.example>' ELSE '<dept-' || tk || '@qc.lida.example>' END,
  CASE k WHEN 1 THEN '[]' WHEN 4 THEN '["<sheet-' || tk || '@lida.example>"]'
    ELSE '["<c' || tk || '@customer.example>"]' END,
  '[]', NULL, datetime(e + (k - 1) * 3600, 'unixepoch'),
  CASE WHEN k >= 3 THEN tk END
FROM t;

INSERT INTO blob (sha256, size, data)
WITH RECURSIVE s(i) AS (SELECT 5 UNION ALL SELECT i + 5 FROM s WHERE i + 5 <= :n)
SELECT printf('%064x', i), 48000, zeroblob(64) FROM s;

INSERT INTO attachment (id, message_id, blob_id, filename, content_type, size, inline,
  content_id, skipped_reason)
WITH RECURSIVE s(i) AS (SELECT 5 UNION ALL SELECT i + 5 FROM s WHERE i + 5 <= :n)
SELECT i / 5, 4 * i - 3, printf('%064x', i), '破损照片' || i || '.jpg', 'image/jpeg', 48000,
  0, NULL, NULL FROM s;

INSERT INTO event (id, ticket_id, inbound_id, at, actor, action, detail)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 5 * :n),
t(i, k, tk, e) AS (SELECT i, (i - 1) % 5 + 1, (i + 4) / 5, :start + ((i + 4) / 5) * :step FROM s)
SELECT i, tk, CASE k WHEN 1 THEN 2 * tk - 1 WHEN 4 THEN 2 * tk END,
  datetime(e + k * 600, 'unixepoch'), 'system',
  CASE k WHEN 1 THEN 'ticket_created' WHEN 2 THEN 'mail_sent' WHEN 3 THEN 'sheet_dispatched'
    WHEN 4 THEN 'department_answered' ELSE 'status_changed' END,
  CASE k WHEN 5 THEN '{"from":"investigating","to":"closed"}' ELSE '{}' END
FROM t;

INSERT INTO contact_sheet (id, ticket_id, department, status, due_at, reminders,
  last_reminder_at, answer, message_id, created_at, answered_at, partial_answer, next_chase_at)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n),
t(i, e) AS (SELECT i, :start + i * :step FROM s)
SELECT i, i, CASE i % 4 WHEN 0 THEN 'qc' WHEN 1 THEN 'ops' WHEN 2 THEN 'service' ELSE 'finance' END,
  CASE WHEN i > :n - :open THEN 'open' WHEN i % 33 = 0 THEN 'cancelled' ELSE 'answered' END,
  datetime(e + 172800, 'unixepoch'), 0, NULL,
  CASE WHEN i <= :n - :open THEN '{"finding":"valid","cause":"staff_error"}' END,
  '<sheet-' || i || '@lida.example>', datetime(e, 'unixepoch'),
  CASE WHEN i <= :n - :open THEN datetime(e + 86400, 'unixepoch') END, NULL, NULL
FROM t;

INSERT INTO outbox (id, ticket_id, ticket_message_id, kind, message_id, mail_from, rcpt_to,
  raw_message, status, attempts, next_attempt_at, claimed_at, smtp_response, deadline_at,
  last_error, created_at, sent_at, claimed_by, lease_until)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3 * :n),
t(i, k, tk, e) AS (SELECT i, (i - 1) % 3 + 1, (i + 2) / 3, :start + ((i + 2) / 3) * :step FROM s)
SELECT i, tk, CASE k WHEN 1 THEN 4 * tk - 2 WHEN 2 THEN 4 * tk - 1 END,
  CASE k WHEN 1 THEN 'ack' WHEN 2 THEN 'contact_sheet' ELSE 'agent_notice' END,
  CASE k WHEN 1 THEN '<ack-' || tk || '@lida.example>'
    WHEN 2 THEN '<sheet-' || tk || '@lida.example>'
    ELSE '<notice-' || tk || '@lida.example>' END,
  'complaints@lida.example', '["c' || tk || '@customer.example"]',
  CAST('Subject: [TS-' || tk || ']' || char(13, 10, 13, 10) || 'sent long ago' AS BLOB),
  CASE WHEN i % 997 = 0 THEN 'failed' WHEN i % 1499 = 0 THEN 'cancelled' ELSE 'sent' END,
  1, datetime(e + k, 'unixepoch'), NULL, '250 2.0.0 OK',
  datetime(e + 172800, 'unixepoch'), CASE WHEN i % 997 = 0 THEN '550 5.1.1 no such user' END,
  datetime(e + k, 'unixepoch'),
  CASE WHEN i % 997 <> 0 AND i % 1499 <> 0 THEN datetime(e + k + 2, 'unixepoch') END, NULL, NULL
FROM t;

INSERT INTO participant (id, ticket_id, email, name, role)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2 * :n),
t(i, k, tk) AS (SELECT i, 2 - i % 2, (i + 1) / 2 FROM s)
SELECT i, tk,
  CASE k WHEN 1 THEN 'c' || (tk * 7919 % :customers) || '@customer' || (tk % 97) || '.example'
    ELSE 'qc@lida.example' END,
  CASE k WHEN 1 THEN 'Customer ' || (tk * 7919 % :customers) ELSE 'Quality Control' END,
  CASE k WHEN 1 THEN 'customer' ELSE 'department' END
FROM t;

INSERT INTO survey (id, ticket_id, round, started_at, next_at, sent_at, reminded_at,
  answered_at, expired_at, score, comment, satisfied)
SELECT id, id, 1, updated_at, NULL, updated_at, NULL,
  CASE WHEN id % 4 <> 0 THEN updated_at END, CASE WHEN id % 4 = 0 THEN updated_at END,
  CASE WHEN id % 4 <> 0 THEN 1 + id % 5 END, NULL, NULL
FROM ticket WHERE status = 'closed';

INSERT INTO timed_step (subject, subject_id, step, ordinal, ticket_id, outbox_id, due_at, taken_at)
SELECT 'ticket', id, 'progress_update', 1, id, NULL, due_at, due_at FROM ticket WHERE id % 4 = 0;

INSERT INTO ticket_counter (prefix, period, last_serial)
SELECT 'TS', substr(number, 4, 6), count(*) FROM ticket GROUP BY 2;
"""


def build_ledger(path: Path, tickets: int, end: datetime, *, years: float = 3.0) -> dict[str, int]:
    """Fill the migrated, empty SQLite ledger at ``path`` with ``tickets`` tickets of
    history ending at ``end``; return the row count of each table written.

    The newest ``min(1000, tickets // 100)`` tickets are open (their sheets too); older
    ones are closed (a thirty-third invalid), their mail sent long ago (a few failed or
    cancelled), their surveys answered or expired.  Message-IDs, ticket numbers and
    customers never meet those of a real run's mailbox.
    """
    start = _when(end) - years * 365 * 86400
    parameters = {
        "n": tickets,
        "start": start,
        "step": (_when(end) - start) / tickets,
        "open": min(1000, max(1, tickets // 100)),
        "customers": max(1, tickets // 3),
    }
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1000000"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("PRAGMA temp_store = MEMORY")
        connection.execute("BEGIN")
        for sql in _LEDGER_SQL.split(";\n\n"):
            names = set(re.findall(r":(\w+)", sql))
            connection.execute(sql, {k: v for k, v in parameters.items() if k in names})
        connection.execute("COMMIT")
        connection.execute("PRAGMA journal_mode = WAL")
        counts = {
            table: int(connection.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or 0)
            for table in sorted(GROWING_TABLES)
            if table not in ("blob", "customer_risk")
        }
    finally:
        connection.close()
    return counts


def run_clock(end: datetime) -> datetime:
    """The clock of the run on top of a ledger built up to ``end``: an hour later."""
    return end + timedelta(hours=1)


def main(argv: Sequence[str]) -> int:
    """``capture OUT.json -- COMPLAINTD-ARGS``."""
    if len(argv) < 3 or argv[0] != "capture" or argv[2] != "--":
        print("usage: python -m tests.support.sql_plans capture OUT.json -- ARGS", file=sys.stderr)
        return 2
    return capture(Path(argv[1]), argv[3:])


if __name__ == "__main__":
    # Through the imported module: ``sql_plans_pg`` records into its RECORDER, not
    # into this ``__main__`` copy's.
    from tests.support import sql_plans

    raise SystemExit(sql_plans.main(sys.argv[1:]))
