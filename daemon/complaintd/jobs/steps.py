"""Taking a timed step exactly once: a unique key claimed in the step's own transaction.

A job decides from the ledger inside one transaction per step: it re-reads (and on
PostgreSQL locks) the ticket or sheet, checks the step is still due, inserts the step's
key into ``timed_step`` (``INSERT ... ON CONFLICT DO NOTHING``), and only when that
insert took writes the outbox row and the state change.  A repeated pass, a pass
restarted after a crash, or a second instance finds the key taken and does nothing; a
crash before the commit leaves nothing behind, so the step is taken again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TypeVar

import peewee

from complaintd.store.db import is_postgres
from complaintd.store.models import Outbox
from complaintd.store.prepared import execute, insert_row
from complaintd.store.timed import TimedStep

M = TypeVar("M", bound=peewee.Model)
log = logging.getLogger(__name__)
BATCH = 50  # steps per transaction: fewer commits, the write lock held a fraction of a second


@dataclass(frozen=True)
class StepKey:
    """What a step is: ``(sheet 12, chaser, 2)``, ``(ticket 7, progress_update, 1)``."""

    subject: str  # ticket | sheet | survey
    subject_id: int
    step: str
    ordinal: int = 1


def claim_step(key: StepKey, ticket_id: int, due_at: datetime, now: datetime) -> int | None:
    """Record ``key`` as taken; its row id, or None when it was taken already."""
    return insert_row(
        TimedStep,
        {
            "subject": key.subject,
            "subject_id": key.subject_id,
            "step": key.step,
            "ordinal": key.ordinal,
            "ticket": ticket_id,
            "due_at": due_at,
            "taken_at": now,
        },
        ignore=True,
    )


def note_mail(step_id: int, outbox_id: int | None) -> None:
    """Remember which outbox row a step sent (to withdraw it if it is no longer wanted)."""
    if outbox_id is not None:
        execute(
            TimedStep,
            'UPDATE "timed_step" SET "outbox_id" = ? WHERE "id" = ?',
            (outbox_id, step_id),
        )


def steps_taken(subject: str, subject_id: int, step: str) -> int:
    """How many times ``step`` was taken for the subject (the next ordinal minus one)."""
    cursor = execute(
        TimedStep,
        'SELECT COUNT(*) FROM "timed_step" WHERE "subject" = ? AND "subject_id" = ? AND "step" = ?',
        (subject, subject_id, step),
    )
    return int(cursor.fetchone()[0])


def locked(model: type[M], row_id: int) -> M | None:
    """Re-read row ``row_id`` inside the caller's transaction, locked on PostgreSQL."""
    return locked_rows(model, [row_id]).get(row_id)


def locked_rows(model: type[M], ids: Sequence[int], *, skip_locked: bool = False) -> dict[int, M]:
    """Re-read rows ``ids`` inside the caller's transaction, locked on PostgreSQL; by id.

    SQLite's write transactions are ``BEGIN IMMEDIATE``: the read is already the latest
    committed state and no other writer can change it before the commit.  On PostgreSQL
    the rows are locked in id order (two instances locking the same batch cannot
    deadlock); ``skip_locked`` passes over rows another transaction holds - another
    instance taking the same step, or an answer being recorded - which the next tick
    sees again.  The statement is written once per model and batch size (building it
    with the query builder costs more than the read itself).
    """
    if not ids:
        return {}
    database = model._meta.database
    lock = ("SKIP LOCKED" if skip_locked else "WAIT") if is_postgres(database) else None
    sql = _locking_select(model._meta.table_name, len(ids), database.param, lock)
    return {row.id: row for row in model.raw(sql, *ids)}


def read_row(model: type[M], row_id: int) -> M:
    """Row ``row_id`` of ``model``, unlocked (raises ``model.DoesNotExist`` without it)."""
    database = model._meta.database
    sql = _locking_select(model._meta.table_name, 1, database.param, None)
    for row in model.raw(sql, row_id):
        return row
    raise model.DoesNotExist(f"{model.__name__} {row_id}")


@lru_cache(maxsize=256)
def _locking_select(table: str, count: int, param: str, lock: str | None) -> str:
    """``SELECT *`` of ``count`` rows by id; ``lock``: None, ``WAIT`` or ``SKIP LOCKED``."""
    marks = ", ".join([param] * count)
    sql = f'SELECT * FROM "{table}" WHERE "id" IN ({marks}) ORDER BY "id"'
    if lock is not None:
        sql += " FOR UPDATE" if lock == "WAIT" else " FOR UPDATE SKIP LOCKED"
    return sql


def withdraw_mail(subject: str, subject_id: int, reason: str) -> int:
    """Cancel the mail of the subject's steps still waiting in the outbox (a department
    answered before its reminder went out); return how many.  Mail being sent stays."""
    waiting = TimedStep.select(TimedStep.outbox_id).where(
        (TimedStep.subject == subject)
        & (TimedStep.subject_id == subject_id)
        & TimedStep.outbox_id.is_null(False)
    )
    cancelled = (
        Outbox.update(status="cancelled", last_error=reason)
        .where(Outbox.id.in_(waiting) & (Outbox.status == "pending"))
        .execute()
    )
    return int(cancelled)


def take_each(
    database: peewee.Database,
    model: type[M],
    ids: Sequence[int],
    take: Callable[[M], int],
    what: str,
) -> int:
    """``take(row)`` for the row of ``model`` with each of ``ids``; the steps taken.

    :data:`BATCH` rows to a transaction, re-read (and on PostgreSQL locked, skipping rows
    another transaction holds) in one statement at its start, so ``take`` decides on the
    committed state and its step commits with its outbox row.  Each step runs in its own
    savepoint: a step that fails is rolled back alone, logged, and tried again at the
    next tick, and the others go on.
    """
    taken = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with database.atomic():
            rows = locked_rows(model, batch, skip_locked=True)
            for row_id in batch:
                row = rows.get(row_id)
                if row is None:
                    continue  # gone, or held by another transaction: the next tick sees it
                try:
                    with database.atomic():
                        taken += take(row)
                except Exception:
                    log.exception("%s %d: step failed; tried again at the next tick", what, row_id)
    return taken
