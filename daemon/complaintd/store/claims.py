"""The one claim queue: how work rows are taken by one process at a time.

Inbound messages to process and outbox rows to send (and, as they come, timed jobs)
are claimed the same way, in the style of huey's SQL queue and procrastinate:

* :func:`claim` takes up to N due rows that nobody holds, or whose holder's lease has
  run out, and writes the holder and the lease expiry on them, in one transaction.
  On PostgreSQL the rows are selected ``FOR UPDATE SKIP LOCKED``, so instances
  claiming at the same moment take different rows instead of waiting on each other;
  on SQLite the transaction is ``BEGIN IMMEDIATE`` (see :mod:`complaintd.store.db`),
  so claimers queue.
* :func:`renew` extends the lease of rows still held, :func:`release` lets them go.
* A holder that dies simply stops renewing: its rows are taken again once the lease
  has run out.  :func:`release_all` hands every claim back at once, for SQLite, where
  one instance is the only one.

Leases are wall-clock times: they measure whether a process is alive, which the
injected clock (``--now``) does not.  Each claimable model has ``claimed_by`` and
``lease_until`` columns (migration 10).
"""

from __future__ import annotations

import heapq
import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import peewee

from complaintd.store.db import is_postgres

M = TypeVar("M", bound=peewee.Model)


class ClaimLost(Exception):
    """A row or mailbox this process held was taken by another (its lease ran out)."""


def new_holder() -> str:
    """A name for this process's claims: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# This process's name on everything it claims or leases, and in ``status``.
PROCESS_HOLDER = new_holder()


def wall_clock() -> datetime:
    """The real time, for leases (never the injected clock)."""
    return datetime.now(UTC)


def claim(
    model: type[M],
    due: peewee.Expression | Sequence[peewee.Expression],
    *,
    holder: str,
    lease: timedelta,
    limit: int,
    order_by: Sequence[Any],
    columns: Sequence[peewee.Field] = (),
    also_set: Mapping[str, Any] | None = None,
) -> list[M]:
    """Claim up to ``limit`` rows matching ``due`` that are free; return them.

    ``columns`` are read with the rows (the id always is); ``also_set`` is written on
    the claimed rows together with the holder and lease (e.g. a status).

    ``due`` may be a sequence of alternatives (a row is due when one of them holds; they
    must not overlap) ordered by plain fields: each is then asked for on its own, in
    ``order_by`` order with the limit, and the first ``limit`` of all are taken - the
    same rows as one ``OR``, but each alternative reads an index range in order and
    stops at the limit, where the ``OR`` (SQLite's MULTI-INDEX OR) fetched and sorted
    every due row with its ``columns`` (the outbox's raw mail) on every claim.
    """
    fields: Any = model._meta.fields
    now = wall_clock()
    free = fields["lease_until"].is_null() | (fields["lease_until"] < now)
    database = model._meta.database
    alternatives = [due] if isinstance(due, peewee.Node) else list(due)
    if not is_postgres(database) and not any(
        model.select(fields["id"]).where(alternative & free).exists()
        for alternative in alternatives
    ):
        return []  # SQLite: a read takes no write lock, so looking often costs nobody
    with database.atomic():
        if isinstance(due, peewee.Node):
            query = model.select(fields["id"], *columns).where(due & free)
            rows = list(locked(query.order_by(*order_by).limit(limit), database))
        else:
            rows = _claim_alternatives(model, due, free, limit, order_by, columns)
        if rows:
            changes = {"claimed_by": holder, "lease_until": now + lease, **(also_set or {})}
            ids = [row.get_id() for row in rows]
            model.update(**changes).where(fields["id"].in_(ids)).execute()
    return rows


def locked(query: peewee.Select, database: Any) -> peewee.Select:
    """``query`` taking row locks, skipping rows another claimer holds (PostgreSQL)."""
    if is_postgres(database):
        return query.for_update(skip_locked=True)
    return query


def _claim_alternatives(
    model: type[M],
    alternatives: Sequence[peewee.Expression],
    free: peewee.Expression,
    limit: int,
    order_by: Sequence[Any],
    columns: Sequence[peewee.Field],
) -> list[M]:
    """The first ``limit`` free rows of any of ``alternatives`` in ``order_by`` order,
    with ``columns`` (read for the chosen rows only)."""
    fields: Any = model._meta.fields
    if not all(isinstance(field, peewee.Field) for field in order_by):
        raise TypeError("claim alternatives are merged by plain fields, ascending")
    keys = [fields["id"], *(f for f in order_by if f.name != "id")]
    candidates: dict[Any, M] = {}
    for alternative in alternatives:
        query = model.select(*keys).where(alternative & free).order_by(*order_by).limit(limit)
        candidates.update((row.get_id(), row) for row in locked(query, model._meta.database))
    chosen = heapq.nsmallest(
        limit, candidates.values(), key=lambda row: [getattr(row, f.name) for f in order_by]
    )
    if not columns or not chosen:
        return chosen
    ids = [row.get_id() for row in chosen]
    read = model.select(fields["id"], *columns).where(fields["id"].in_(ids))
    by_id = {row.get_id(): row for row in read}
    return [by_id[key] for key in ids]


def renew(model: type[peewee.Model], ids: Sequence[int], *, holder: str, lease: timedelta) -> int:
    """Extend the lease of those of ``ids`` still held by ``holder``; return how many."""
    fields: Any = model._meta.fields
    query = model.update(lease_until=wall_clock() + lease).where(
        fields["id"].in_(list(ids)) & (fields["claimed_by"] == holder)
    )
    return int(query.execute()) if ids else 0


def release(
    model: type[peewee.Model],
    ids: Sequence[int],
    *,
    holder: str,
    also_set: Mapping[str, Any] | None = None,
) -> int:
    """Let go of those of ``ids`` still held by ``holder``; return how many."""
    if not ids:
        return 0
    fields: Any = model._meta.fields
    changes = {"claimed_by": None, "lease_until": None, **(also_set or {})}
    query = model.update(**changes).where(
        fields["id"].in_(list(ids)) & (fields["claimed_by"] == holder)
    )
    return int(query.execute())


def renew_held(model: type[peewee.Model], *, holder: str, lease: timedelta) -> int:
    """Extend the lease of every row ``holder`` holds (its keeper thread, while alive)."""
    fields: Any = model._meta.fields
    query = model.update(lease_until=wall_clock() + lease).where(fields["claimed_by"] == holder)
    return int(query.execute())


def release_held(
    model: type[peewee.Model], *, holder: str, also_set: Mapping[str, Any] | None = None
) -> int:
    """Hand back every row ``holder`` still holds (a clean stop)."""
    fields: Any = model._meta.fields
    changes = {"claimed_by": None, "lease_until": None, **(also_set or {})}
    return int(model.update(**changes).where(fields["claimed_by"] == holder).execute())


def release_all(model: type[peewee.Model], also_set: Mapping[str, Any] | None = None) -> int:
    """Hand every claim back (a single instance starting: no other holder exists)."""
    fields: Any = model._meta.fields
    changes = {"claimed_by": None, "lease_until": None, **(also_set or {})}
    return int(model.update(**changes).where(fields["claimed_by"].is_null(False)).execute())
