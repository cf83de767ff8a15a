"""Taking a timed step exactly once: a unique key claimed in the step's own transaction.

A job decides from the ledger inside one transaction per step: it re-reads (and on
PostgreSQL locks) the ticket or sheet, checks the step is still due, inserts the step's
key into ``timed_step`` (``INSERT ... ON CONFLICT DO NOTHING``), and only when that
insert took writes the outbox row and the state change.  A repeated pass, a pass
restarted after a crash, or a second instance finds the key taken and does nothing; a
crash before the commit leaves nothing behind, so the step is taken again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import peewee

from complaintd.store.db import is_postgres
from complaintd.store.models import Outbox
from complaintd.store.prepared import insert_row
from complaintd.store.timed import TimedStep

M = TypeVar("M", bound=peewee.Model)


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
        TimedStep.update(outbox_id=outbox_id).where(TimedStep.id == step_id).execute()


def steps_taken(subject: str, subject_id: int, step: str) -> int:
    """How many times ``step`` was taken for the subject (the next ordinal minus one)."""
    return (
        TimedStep.select()
        .where(
            (TimedStep.subject == subject)
            & (TimedStep.subject_id == subject_id)
            & (TimedStep.step == step)
        )
        .count()
    )


def locked(model: type[M], row_id: int) -> M | None:
    """Re-read row ``row_id`` inside the caller's transaction, locked on PostgreSQL.

    SQLite's write transactions are ``BEGIN IMMEDIATE``: the read is already the latest
    committed state and no other writer can change it before the commit.
    """
    query = model.select().where(model._meta.primary_key == row_id)
    if is_postgres(model._meta.database):
        query = query.for_update()
    return query.first()


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
