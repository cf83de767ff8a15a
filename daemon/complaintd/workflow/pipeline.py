"""Processing the inbound ledger: pending rows become ticket events or are quarantined.

Each message is processed in its own transaction (after Mailman's runners: one
``_dispose()`` per message).  A message that fails for any reason is quarantined with
its error - status ``failed`` - and the pass goes on: the daemon never stops on a bad
message.  ``complaintd inbound retry`` puts quarantined rows back to ``pending``.
On PostgreSQL the row is claimed ``FOR UPDATE SKIP LOCKED`` so several instances can
share one ledger without processing a message twice.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from dataclasses import dataclass, field

import peewee

from complaintd.errors import TransientError
from complaintd.runtime import Runtime
from complaintd.store.db import is_postgres
from complaintd.store.models import Event, InboundMessage
from complaintd.workflow.intake import IntakeResult, ingest
from complaintd.workflow.records import record_event

log = logging.getLogger(__name__)


@dataclass
class PassStats:
    """Counts of one processing pass, by outcome."""

    outcomes: Counter[str] = field(default_factory=Counter)
    tickets: list[str] = field(default_factory=list)

    def add(self, result: IntakeResult | None) -> None:
        """Count one result (``None``: someone else took the row)."""
        if result is None:
            return
        self.outcomes[result.action] += 1
        if result.action in ("new_ticket", "new_linked") and result.ticket_number:
            self.tickets.append(result.ticket_number)


def process_pending(
    runtime: Runtime, *, mailbox: str | None = None, limit: int | None = None
) -> PassStats:
    """Process pending inbound messages, oldest first; return the counts."""
    stats = PassStats()
    for inbound_id in pending_ids(mailbox, limit):
        stats.add(process_one(runtime, inbound_id))
    return stats


def pending_ids(mailbox: str | None = None, limit: int | None = None) -> list[int]:
    """Ids of pending inbound rows in fetch order (ids only: raw bytes stay on disk)."""
    query = InboundMessage.select(InboundMessage.id).where(InboundMessage.status == "pending")
    if mailbox is not None:
        query = query.where(InboundMessage.mailbox == mailbox)
    query = query.order_by(InboundMessage.id)
    if limit is not None:
        query = query.limit(limit)
    return [row.id for row in query]


def process_one(runtime: Runtime, inbound_id: int) -> IntakeResult | None:
    """Process one inbound row; quarantine it on failure. ``None`` if not ours to do."""
    try:
        with runtime.database.atomic():
            inbound = _claim(runtime, inbound_id)
            if inbound is None:
                return None
            result = ingest(runtime, inbound)
            _mark_done(runtime, inbound, result)
            return result
    except (TransientError, peewee.OperationalError, peewee.InterfaceError):
        raise  # the database itself is in trouble: stop the pass, retry later
    except Exception as exc:
        log.warning("inbound %s quarantined: %s", inbound_id, exc)
        quarantine(runtime, inbound_id, exc)
        return IntakeResult("failed", None, str(exc))


def _claim(runtime: Runtime, inbound_id: int) -> InboundMessage | None:
    query = InboundMessage.select().where(
        (InboundMessage.id == inbound_id) & (InboundMessage.status == "pending")
    )
    if is_postgres(runtime.database):
        query = query.for_update(skip_locked=True)
    return query.first()


def _mark_done(runtime: Runtime, inbound: InboundMessage, result: IntakeResult) -> None:
    from complaintd.store.models import Ticket

    inbound.status = "duplicate" if result.action == "duplicate" else "processed"
    inbound.processed_at = runtime.clock.now()
    inbound.attempts += 1
    inbound.error = None
    if result.ticket_number:
        inbound.ticket = Ticket.get(Ticket.number == result.ticket_number)
    inbound.save()


def quarantine(runtime: Runtime, inbound_id: int, exc: BaseException) -> None:
    """Mark the row ``failed`` with a readable error and the place it happened."""
    error = f"{type(exc).__name__}: {exc}"
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    if where:
        error += (
            f" (at {where[0].filename.rsplit('/', 1)[-1]}:{where[0].lineno} in {where[0].name})"
        )
    with runtime.database.atomic():
        InboundMessage.update(
            status="failed",
            error=error,
            attempts=InboundMessage.attempts + 1,
            processed_at=runtime.clock.now(),
        ).where(InboundMessage.id == inbound_id).execute()
        record_event(
            runtime.clock.now(),
            "system",
            "inbound_quarantined",
            inbound=InboundMessage.get_by_id(inbound_id),
            error=error,
        )


def retry_failed(runtime: Runtime, inbound_id: int | None = None) -> list[int]:
    """Put quarantined rows (one, or all) back to ``pending``; return their ids."""
    query = InboundMessage.select(InboundMessage.id).where(InboundMessage.status == "failed")
    if inbound_id is not None:
        query = query.where(InboundMessage.id == inbound_id)
    ids = [row.id for row in query]
    if ids:
        with runtime.database.atomic():
            InboundMessage.update(status="pending").where(InboundMessage.id.in_(ids)).execute()
            for row_id in ids:
                Event.create(
                    inbound=row_id,
                    at=runtime.clock.now(),
                    actor="cli",
                    action="inbound_retry",
                    detail={},
                )
    return ids
