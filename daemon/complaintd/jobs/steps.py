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
    """Re-read row ``row_id`` inside the caller's transaction, locked on PostgreSQL.

    SQLite's write transactions are ``BEGIN IMMEDIATE``: the read is already the latest
    committed state and no other writer can change it before the commit.  The statement
    is written once per model (building it with the query builder costs more than the
    read itself).
    """
    database = model._meta.database
    table = model._meta.table_name
    sql = f'SELECT * FROM "{table}" WHERE "id" = {database.param}'
    if is_postgres(database):
        sql += " FOR UPDATE"
    rows = list(model.raw(sql, row_id))
    return rows[0] if rows else None


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
    database: peewee.Database, ids: Sequence[int], take: Callable[[int], int], what: str
) -> int:
    """``take(id)`` for every id, :data:`BATCH` to a transaction; the steps taken.

    Each step runs in its own savepoint (its ``atomic()`` nests): a step that fails is
    rolled back alone, logged, and tried again at the next tick, and the others go on.
    """
    taken = 0
    for start in range(0, len(ids), BATCH):
        with database.atomic():
            for row_id in ids[start : start + BATCH]:
                try:
                    taken += take(row_id)
                except Exception:
                    log.exception("%s %d: step failed; tried again at the next tick", what, row_id)
    return taken
