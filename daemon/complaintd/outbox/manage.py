"""What a person does to the outbox from the command line: list, retry, cancel.

A mail that is ``pending`` or ``failed`` may be cancelled: it is marked ``cancelled``,
with who and why in the audit trail, and nothing sends it afterwards (only ``pending``
rows are claimed, only ``failed`` ones retried).  A mail that was sent, or that a pass
is sending at this moment, cannot be called back.
"""

from __future__ import annotations

from datetime import timedelta

import peewee

from complaintd.errors import ComplaintdError, NotFoundError
from complaintd.outbox.sender import NOT_TRIED
from complaintd.runtime import Runtime
from complaintd.store.event_action import EventAction
from complaintd.store.models import Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.records import record_event

CANCELLABLE = (OutboxStatus.PENDING, OutboxStatus.FAILED)


def outbox_rows(status: OutboxStatus | None) -> list[Outbox]:
    """Outbox rows with their ticket's number (no raw bytes), of one status or all, oldest first."""
    columns = [field for field in Outbox._meta.sorted_fields if field is not Outbox.raw_message]
    query = (
        Outbox.select(*columns, Ticket.id, Ticket.number)
        .join(Ticket, peewee.JOIN.LEFT_OUTER)
        .order_by(Outbox.id)
    )
    return list(query.where(Outbox.status == status) if status else query)


def last_delivery_problem() -> Outbox | None:
    """The pending mail whose last attempt failed most recently (its ``last_error`` says
    why, ``next_attempt_at`` when it is tried again); None when none failed."""
    return (
        Outbox.select(Outbox.id, Outbox.last_error, Outbox.next_attempt_at)
        .where((Outbox.status == OutboxStatus.PENDING) & Outbox.last_error.is_null(False))
        .where(~Outbox.last_error.startswith(NOT_TRIED))
        .order_by(Outbox.id.desc())
        .first()
    )


def retry_failed_mail(runtime: Runtime, outbox_id: int | None, deadline: timedelta) -> list[int]:
    """Failed rows (one, or all) back to pending now, with a fresh deadline."""
    now = runtime.clock.now()
    query = Outbox.select(Outbox.id).where(Outbox.status == OutboxStatus.FAILED)
    if outbox_id is not None:
        query = query.where(Outbox.id == outbox_id)
    ids = [row.id for row in query]
    if ids:
        with runtime.database.atomic():
            Outbox.update(
                status=OutboxStatus.PENDING, next_attempt_at=now, deadline_at=now + deadline
            ).where(Outbox.id.in_(ids)).execute()
            for row_id in ids:
                record_event(now, "cli", EventAction.MAIL_RETRY, outbox=row_id)
    return ids


def cancel_refusal(outbox_id: int, status: OutboxStatus) -> str | None:
    """Why a row in ``status`` cannot be cancelled, or None when it can (pure)."""
    if status in CANCELLABLE:
        return None
    if status == OutboxStatus.SENT:
        return f"outbox mail {outbox_id} was sent already; a sent mail cannot be called back"
    if status == OutboxStatus.SENDING:
        return (
            f"outbox mail {outbox_id} is being sent at this moment; "
            "if it fails, it can be cancelled then (see outbox list)"
        )
    return f"outbox mail {outbox_id} is {status}; only pending or failed mail can be cancelled"


def cancel_reason(given: str | None, actor: str) -> str:
    """The reason the audit trail keeps: the one given, else who cancelled without one (pure)."""
    reason = " ".join((given or "").split())
    return reason or f"no reason given; cancelled by {actor}"


def cancel_mail(runtime: Runtime, outbox_id: int, actor: str, reason: str) -> bool:
    """Cancel a pending or failed row, recording who and why; False if it already was.

    Raises :class:`NotFoundError` for an unknown id and :class:`ComplaintdError` (with
    :func:`cancel_refusal`'s words) for a row that was sent or is being sent.
    """
    now = runtime.clock.now()
    with runtime.database.atomic():
        row = _row(outbox_id)
        if row.status == OutboxStatus.CANCELLED:
            return False
        refusal = cancel_refusal(outbox_id, OutboxStatus(row.status))
        if refusal:
            raise ComplaintdError(refusal)
        earlier = f" (last error: {row.last_error})" if row.last_error else ""
        _mark_cancelled(row, f"cancelled by {actor}: {reason}{earlier}")
        record_event(
            now,
            actor,
            EventAction.MAIL_CANCELLED,
            ticket=row.ticket_id,
            kind=row.kind,
            message_id=row.message_id,
            outbox=row.id,
            was=row.status,
            reason=reason,
        )
    return True


def _row(outbox_id: int) -> Outbox:
    row = (
        Outbox.select(
            Outbox.id,
            Outbox.status,
            Outbox.ticket,
            Outbox.kind,
            Outbox.message_id,
            Outbox.last_error,
        )
        .where(Outbox.id == outbox_id)
        .first()
    )
    if row is None:
        raise NotFoundError(f"no outbox mail {outbox_id}")
    return row


def _mark_cancelled(row: Outbox, note: str) -> None:
    """``cancelled`` only if still in the status it was read in (another pass may claim it)."""
    changed = (
        Outbox.update(
            status=OutboxStatus.CANCELLED,
            claimed_at=None,
            claimed_by=None,
            lease_until=None,
            last_error=note,
        )
        .where((Outbox.id == row.id) & (Outbox.status == row.status))
        .execute()
    )
    if not changed:
        raise ComplaintdError(
            f"outbox mail {row.id} changed while it was being cancelled; look at outbox list"
        )
