"""Processing the inbound ledger: pending rows become ticket events or are quarantined.

Each message is processed in its own transaction (after Mailman's runners: one
``_dispose()`` per message).  A message that fails for any reason is quarantined with
its error - status ``failed`` - and the pass goes on: the daemon never stops on a bad
message.  ``complaintd inbound retry`` puts quarantined rows back to ``pending``.
On PostgreSQL the row is claimed ``FOR UPDATE SKIP LOCKED`` so several instances can
share one ledger without processing a message twice.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import peewee

from complaintd.errors import TransientError
from complaintd.runtime import Runtime
from complaintd.store import turns
from complaintd.store.claims import PROCESS_HOLDER, ClaimLost, claim, release_all, wall_clock
from complaintd.store.db import is_postgres
from complaintd.store.event_action import EventAction
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.models import InboundMessage, InboundRaw
from complaintd.store.queries import mark_inbound_done
from complaintd.store.records import record_event
from complaintd.workflow import analysis as analysis_stage
from complaintd.workflow.analysis import POOL_THRESHOLD, AnalysisSettings, Analyzer
from complaintd.workflow.intake import IntakeAction, IntakeResult, ingest

log = logging.getLogger(__name__)

COMMIT_EVERY = 25  # messages per transaction while draining a backlog
HOLDER = PROCESS_HOLDER  # this process's name on the rows it claims (store.claims)
# A claim's lease: renewed every few seconds while the process lives (service.keeper),
# so a killed instance's rows are taken again half a minute later.
LEASE = timedelta(seconds=30)


@dataclass
class PassStats:
    """Counts of one processing pass, by outcome."""

    outcomes: Counter[str] = field(default_factory=Counter)
    tickets: list[str] = field(default_factory=list)

    def add(self, result: IntakeResult | None) -> None:
        """Count one result (``None``: someone else took the row)."""
        if result is None:
            return
        self.outcomes[result.action.value] += 1  # plain names: the counts are printed
        if (
            result.action in (IntakeAction.NEW_TICKET, IntakeAction.NEW_LINKED)
            and result.ticket_number
        ):
            self.tickets.append(result.ticket_number)


def process_pending(
    runtime: Runtime,
    *,
    mailbox: str | None = None,
    limit: int | None = None,
    analyzer: Analyzer | None = None,
) -> PassStats:
    """Process pending inbound messages, oldest first; return the counts.

    ``analyzer`` may already hold analyses started while fetching; a backlog it does
    not know yet is handed to it in chunks, so workers analyse ahead of the writes.
    On PostgreSQL a slice (``limit``) is claimed first - the next free rows, skipping
    those another instance is claiming this very moment - so instances draining one
    backlog never pick the same slice and come back empty-handed.
    """
    release_claims(runtime)
    if limit is not None and is_postgres(runtime.database):
        claimed = _claim_next(mailbox, limit)
        ids = sorted(claimed)
    else:
        claimed = {}
        ids = pending_ids(mailbox, limit)
    stats = PassStats()
    with contextlib.ExitStack() as stack:
        if analyzer is None:
            analyzer = stack.enter_context(make_analyzer(runtime))
        unknown = [i for i in ids if not analyzer.knows(i)]
        ahead = unknown if len(unknown) >= POOL_THRESHOLD else []
        stack.enter_context(turns.hosting())
        block = claim_block(runtime)
        rows = claimed
        for start in range(0, len(ids), COMMIT_EVERY):
            ahead = _submit_ahead(analyzer, ahead)
            # One transaction per group, one savepoint per message: a failing message
            # rolls back alone, and the WAL is written once per group, not per message.
            # A crash loses at most the uncommitted group, whose rows stay pending.
            group = ids[start : start + COMMIT_EVERY]
            if not claimed and start % block == 0:
                rows = _claim_group(runtime, ids[start : start + block])
            for part in _transactions(runtime, group):
                _process_part(runtime, part, rows, analyzer, stats)
    return stats


def _process_part(
    runtime: Runtime,
    part: list[int],
    claimed: dict[int, InboundMessage],
    analyzer: Analyzer,
    stats: PassStats,
) -> None:
    """``part`` in one transaction, cut short when the sending process waits for the
    write lock (store.turns): it writes, then the rest goes on in a new transaction."""
    left = list(part)
    while left:
        with runtime.database.atomic():
            while left:
                inbound_id = left.pop(0)
                row = claimed.get(inbound_id)
                if row is not None:  # else another instance has it, or it is done
                    stats.add(process_one(runtime, inbound_id, analyzer, row))
                if turns.guest_asks():
                    break
        turns.hand_over()


def claim_block(runtime: Runtime) -> int:
    """Pending messages claimed together - and a slice of ``run``'s backlog, between two
    looks at a stop request - a multiple of COMMIT_EVERY (pure).

    PostgreSQL: one group, so instances share a backlog without analysing each other's
    messages.  SQLite has one instance, and a claim is a transaction of its own: eight
    groups at a time, enough for the analysis worker pool to pay off.
    """
    return COMMIT_EVERY if is_postgres(runtime.database) else 8 * COMMIT_EVERY


def _transactions(runtime: Runtime, group: list[int]) -> list[list[int]]:
    """The group in one transaction on SQLite; one message each on PostgreSQL, where the
    ticket counter's row lock lasts until commit and other instances wait on it."""
    if not is_postgres(runtime.database):
        return [group]
    return [[inbound_id] for inbound_id in group]


def make_analyzer(runtime: Runtime) -> Analyzer:
    """An analyzer with the configured rules and the per-message limits, dating year-less
    dates from today."""
    config = runtime.config
    settings = AnalysisSettings(config.classify, config.extract, config.desk.default_language)
    today = runtime.clock.now().astimezone(config.desk.timezone).date()
    return Analyzer(settings, today, analysis_stage.DEFAULT_LIMITS)


def _submit_ahead(analyzer: Analyzer, ids: list[int], chunk: int = 200) -> list[int]:
    """Start analyses for the first of ``ids`` while the analyzer holds fewer than
    LOOKAHEAD messages; return the ids left for later (raw bytes stay on disk till then)."""
    room = max(0, analysis_stage.LOOKAHEAD - analyzer.ahead())
    _submit_in_chunks(analyzer, ids[:room], chunk)
    return ids[room:]


def _submit_in_chunks(analyzer: Analyzer, ids: list[int], chunk: int = 200) -> None:
    """Start analyses for ``ids``, reading raw bytes a chunk at a time."""
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = InboundRaw.select(InboundRaw.inbound, InboundRaw.raw_message).where(
            InboundRaw.inbound.in_(part)
        )
        for row in rows.order_by(InboundRaw.inbound):
            analyzer.submit(row.inbound_id, bytes(row.raw_message))


def pending_ids(mailbox: str | None = None, limit: int | None = None) -> list[int]:
    """Ids of pending inbound rows nobody holds, in fetch order (ids only: raw bytes
    stay on disk)."""
    free = InboundMessage.lease_until.is_null() | (InboundMessage.lease_until < wall_clock())
    query = InboundMessage.select(InboundMessage.id).where(
        (InboundMessage.status == InboundStatus.PENDING) & free
    )
    if mailbox is not None:
        query = query.where(InboundMessage.mailbox == mailbox)
    query = query.order_by(InboundMessage.id)
    if limit is not None:
        query = query.limit(limit)
    return [row.id for row in query]


def process_one(
    runtime: Runtime,
    inbound_id: int,
    analyzer: Analyzer | None = None,
    claimed: InboundMessage | None = None,
) -> IntakeResult | None:
    """Process one inbound row; quarantine it on failure. ``None`` if not ours to do.

    ``claimed`` is the row when the caller's transaction has already claimed it.
    """
    try:
        with contextlib.ExitStack() as stack, runtime.database.atomic():
            inbound = claimed or _claim(runtime, inbound_id)
            if inbound is None:
                return None
            if analyzer is None:
                analyzer = stack.enter_context(make_analyzer(runtime))
            analysis = analyzer.take(inbound_id, raw_bytes_of)
            result = ingest(runtime, inbound, analysis)
            _mark_done(runtime, inbound, result)
            log.info(
                "inbound %d <%s>: %s %s (%s)",
                inbound_id,
                inbound.message_id or "no Message-ID",
                result.action,
                result.ticket_number or "-",
                result.detail,
            )
            return result
    except ClaimLost:
        log.info("inbound %d: taken over by another instance; left to it", inbound_id)
        return None  # rolled back: the instance that holds it now makes its ticket
    except (TransientError, peewee.OperationalError, peewee.InterfaceError):
        raise  # the database itself is in trouble: stop the pass, retry later
    except Exception as exc:
        log.warning("inbound %s quarantined: %s", inbound_id, exc)
        quarantine(runtime, inbound_id, exc)
        return IntakeResult(IntakeAction.FAILED, None, str(exc))


def _claim(runtime: Runtime, inbound_id: int) -> InboundMessage | None:
    """Lock the row if still pending (its raw bytes are in another table)."""
    return _claim_group(runtime, [inbound_id]).get(inbound_id)


def _claim_group(runtime: Runtime, ids: list[int]) -> dict[int, InboundMessage]:
    """Claim the rows of ``ids`` still pending and free (store.claims), by id.

    The claim commits on its own: a process killed while it works on them leaves them
    claimed until the lease runs out, then any instance takes them again.
    """
    return _claim_where(InboundMessage.id.in_(ids), len(ids))


def _claim_next(mailbox: str | None, limit: int) -> dict[int, InboundMessage]:
    """Claim up to ``limit`` of the oldest pending, free rows (of ``mailbox``), by id."""
    where = InboundMessage.mailbox == mailbox if mailbox is not None else None
    return _claim_where(where, limit)


def _claim_where(where: peewee.Expression | None, limit: int) -> dict[int, InboundMessage]:
    """Claim up to ``limit`` pending, free rows (matching ``where``), oldest first, by id."""
    pending = InboundMessage.status == InboundStatus.PENDING
    rows = claim(
        InboundMessage,
        pending if where is None else where & pending,
        holder=HOLDER,
        lease=LEASE,
        limit=limit,
        order_by=(InboundMessage.id,),
        columns=[f for f in InboundMessage._meta.sorted_fields if f.name != "id"],
    )
    return {row.id: row for row in rows}


def release_claims(runtime: Runtime) -> None:
    """SQLite has one instance: claims a killed pass left behind are ours to take."""
    if not is_postgres(runtime.database):
        release_all(InboundMessage)


def raw_bytes_of(inbound_id: int) -> bytes:
    """The raw message of an inbound row."""
    raw = InboundRaw.select(InboundRaw.raw_message).where(InboundRaw.inbound == inbound_id)
    return bytes(raw.scalar())


def _mark_done(runtime: Runtime, inbound: InboundMessage, result: IntakeResult) -> None:
    duplicate = result.action == IntakeAction.DUPLICATE
    status = InboundStatus.DUPLICATE if duplicate else InboundStatus.PROCESSED
    if not mark_inbound_done(inbound.id, status, result.ticket_id, runtime.clock.now(), HOLDER):
        raise ClaimLost(f"inbound {inbound.id}: claimed by another instance")


def quarantine(runtime: Runtime, inbound_id: int, exc: BaseException) -> None:
    """Mark the row ``failed`` with a readable error and the place it happened."""
    error = f"{type(exc).__name__}: {exc}"
    where = _place(exc)
    if where:
        error += f" ({where})"
    with runtime.database.atomic():
        InboundMessage.update(
            status=InboundStatus.FAILED,
            claimed_by=None,
            lease_until=None,
            error=error,
            attempts=InboundMessage.attempts + 1,
            processed_at=runtime.clock.now(),
        ).where(
            (InboundMessage.id == inbound_id) & (InboundMessage.status == InboundStatus.PENDING)
        ).execute()
        record_event(
            runtime.clock.now(),
            "system",
            EventAction.INBOUND_QUARANTINED,
            inbound=inbound_id,
            error=error,
        )


def _place(exc: BaseException) -> str | None:
    """Where ``exc`` was raised: the note an analysis worker added, else its traceback."""
    notes = [n for n in getattr(exc, "__notes__", ()) if n.startswith("at ")]
    if notes:
        return str(notes[-1])
    frames = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    if not frames:
        return None
    return f"at {frames[0].filename.rsplit('/', 1)[-1]}:{frames[0].lineno} in {frames[0].name}"


def retry_failed(runtime: Runtime, inbound_id: int | None = None) -> list[int]:
    """Put quarantined rows (one, or all) back to ``pending``; return their ids."""
    query = InboundMessage.select(InboundMessage.id).where(
        InboundMessage.status == InboundStatus.FAILED
    )
    if inbound_id is not None:
        query = query.where(InboundMessage.id == inbound_id)
    ids = [row.id for row in query]
    if ids:
        with runtime.database.atomic():
            InboundMessage.update(status=InboundStatus.PENDING).where(
                InboundMessage.id.in_(ids)
            ).execute()
            for row_id in ids:
                record_event(runtime.clock.now(), "cli", EventAction.INBOUND_RETRY, inbound=row_id)
    return ids
