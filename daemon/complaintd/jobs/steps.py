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
from typing import Any, TypeVar

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


def locked_rows(
    model: type[M],
    ids: Sequence[int],
    *,
    skip_locked: bool = False,
    joined: type[peewee.Model] | None = None,
) -> dict[int, M]:
    """Re-read rows ``ids`` inside the caller's transaction, locked on PostgreSQL; by id.

    One statement for the batch (building a query costs more than an indexed read, so
    it is built once per batch, not per step).  SQLite's write transactions are ``BEGIN
    IMMEDIATE``: the read is already the latest committed state and no other writer can
    change it before the commit.  On PostgreSQL the rows of ``model`` are locked in id
    order (two instances locking the same batch cannot deadlock); ``skip_locked``
    passes over rows another transaction holds - another instance taking the same step,
    or an answer being recorded - which the next tick sees again.  ``joined`` (the model
    a foreign key of ``model`` points to) is read along, unlocked: ``row.ticket`` then
    costs no query.
    """
    if not ids:
        return {}
    key: Any = model._meta.primary_key  # every model here has a single-column key
    query = model.select().where(key.in_(list(ids))).order_by(key)
    if is_postgres(model._meta.database):
        query = query.for_update(skip_locked=skip_locked or None)
    rows: dict[int, M] = {row.get_id(): row for row in query}
    if joined is not None and rows:
        _attach(list(rows.values()), joined)
    return rows


def _attach(rows: Sequence[peewee.Model], joined: type[peewee.Model]) -> None:
    """Read the ``joined`` rows that ``rows`` point to, one query, and hand each row
    its own (as the foreign key's lazy load would, without the query per row; a SQL
    join makes peewee build both rows at twice the cost)."""
    model = type(rows[0])
    [field] = [
        f
        for f in model._meta.sorted_fields
        if isinstance(f, peewee.ForeignKeyField) and f.rel_model is joined
    ]
    wanted = sorted({row.__data__[field.name] for row in rows} - {None})
    key: Any = joined._meta.primary_key
    related = {row.get_id(): row for row in joined.select().where(key.in_(wanted))}
    for row in rows:
        target = related.get(row.__data__[field.name])
        if target is not None:
            row.__rel__[field.name] = target  # peewee's cache of loaded foreign rows


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
    joined: type[peewee.Model] | None = None,
) -> int:
    """``take(row)`` for the row of ``model`` with each of ``ids``; the steps taken.

    :data:`BATCH` rows to a transaction, re-read (and on PostgreSQL locked, skipping rows
    another transaction holds) in one statement at its start, with the ``joined`` rows
    they point to (see :func:`locked_rows`), so ``take`` decides on the
    committed state and its step commits with its outbox row.  Each step runs in its own
    savepoint: a step that fails is rolled back alone, logged, and tried again at the
    next tick, and the others go on.
    """
    taken = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with database.atomic():
            rows = locked_rows(model, batch, skip_locked=True, joined=joined)
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
