"""The promise to the customer, and the resolve deadline.

* Progress updates: when a ticket's committed answer time (``due_at``) comes and no
  solution has been proposed yet (``received`` or ``investigating``), the customer gets a
  progress update in their language - which departments were asked, which answered,
  and the next committed time, ``first_response_hours`` later - and ``due_at`` becomes
  that time.  Sent within business hours only; one per committed time, ever.
* SLA breaches: a ticket still open at ``created_at + resolve_hours`` (its
  ``resolve_due_at``) is marked ``sla_breached_at`` with an audit event.
"""

from __future__ import annotations

from datetime import datetime

from complaintd.jobs.due import business_calendar, due_after
from complaintd.jobs.steps import (
    StepKey,
    claim_step,
    note_mail,
    steps_taken,
    take_each,
)
from complaintd.render.contexts import ProgressUpdateMail
from complaintd.runtime import Runtime
from complaintd.store.event_action import EventAction
from complaintd.store.models import ContactSheet, Ticket
from complaintd.store.prepared import execute, update_row
from complaintd.store.records import record_event
from complaintd.store.sheet_status import SheetStatus
from complaintd.store.ticket_status import AWAITING_SOLUTION, OPEN_STATUSES
from complaintd.store.timed import TICKET_STEPS
from complaintd.workflow.customer import send_to_customer
from complaintd.workflow.departments import department_by_key
from complaintd.workflow.mail import format_local

PROGRESS_UPDATE = "progress_update"
BACKFILL_BATCH = 1000


def keep_promises(runtime: Runtime, now: datetime) -> int:
    """Within business hours, a progress update for every ticket whose answer time came."""
    if not business_calendar(runtime.config).is_business_time(now):
        return 0
    query = Ticket.select(Ticket.id).where(
        Ticket.status.in_(AWAITING_SOLUTION) & (Ticket.due_at <= now)
    )
    ids = [row.id for row in query.order_by(Ticket.due_at, Ticket.id)]
    return take_each(runtime.database, Ticket, ids, lambda t: _update(runtime, t, now), "ticket")


def _update(runtime: Runtime, ticket: Ticket, now: datetime) -> int:
    """One progress update and the next committed time (``ticket`` re-read in the
    step's transaction)."""
    if ticket.status not in AWAITING_SOLUTION or not ticket.due_at or ticket.due_at > now:
        return 0
    ordinal = steps_taken(TICKET_STEPS, ticket.id, PROGRESS_UPDATE) + 1
    key = StepKey(TICKET_STEPS, ticket.id, PROGRESS_UPDATE, ordinal)
    step_id = claim_step(key, ticket.id, ticket.due_at, now)
    if step_id is None:
        return 0
    promised = ticket.due_at
    hours = runtime.config.sla[ticket.severity].first_response_hours
    ticket.due_at = due_after(runtime.config, now, hours)
    ticket.save()
    record_event(
        now,
        "system",
        EventAction.PROMISE_KEPT,
        ticket=ticket,
        update=ordinal,
        promised=promised.isoformat(),
        next_due_at=ticket.due_at.isoformat(),
    )
    asked, answered = sheet_progress(runtime, ticket)
    update = ProgressUpdateMail(
        promised_at=format_local(promised, runtime), asked=asked, answered=answered
    )
    row = send_to_customer(runtime, ticket, update, now=now)
    note_mail(step_id, row.id if row else None)
    return 1


def sheet_progress(runtime: Runtime, ticket: Ticket) -> tuple[list[str], list[str]]:
    """The departments asked about ``ticket`` and those that have answered, by name."""
    sheets = execute(
        ContactSheet,
        'SELECT "department", "status" FROM "contact_sheet"'
        ' WHERE "ticket_id" = ? AND "status" != ? ORDER BY "id"',
        (ticket.id, SheetStatus.CANCELLED.value),
    )
    asked: dict[str, bool] = {}
    for department, status in sheets:
        name = department_by_key(runtime, department).name
        asked[name] = asked.get(name, False) or status == SheetStatus.ANSWERED
    return list(asked), [name for name, done in asked.items() if done]


def mark_sla_breaches(runtime: Runtime, now: datetime) -> int:
    """Set the resolve deadline of new tickets; mark those still open past it."""
    _set_resolve_deadlines(runtime)
    query = Ticket.select(Ticket.id).where(
        Ticket.status.in_(OPEN_STATUSES)
        & Ticket.sla_breached_at.is_null()
        & (Ticket.resolve_due_at <= now)
    )
    ids = [row.id for row in query.order_by(Ticket.resolve_due_at)]
    return take_each(runtime.database, Ticket, ids, lambda t: _breach(t, now), "ticket")


def _set_resolve_deadlines(runtime: Runtime) -> None:
    """``resolve_due_at`` = created + ``resolve_hours`` of the severity, for open tickets
    that have none yet (new ones, and every open one after the upgrade)."""
    query = Ticket.select(Ticket.id, Ticket.created_at, Ticket.severity).where(
        Ticket.status.in_(OPEN_STATUSES)
        & Ticket.sla_breached_at.is_null()
        & Ticket.resolve_due_at.is_null()
    )
    rows = list(query.limit(BACKFILL_BATCH))
    if not rows:
        return
    with runtime.database.atomic():
        for row in rows:
            hours = runtime.config.sla[row.severity].resolve_hours
            deadline = due_after(runtime.config, row.created_at, hours)
            update_row(Ticket, row.id, {"resolve_due_at": deadline})  # one SQL shape


def _breach(ticket: Ticket, now: datetime) -> int:
    """Mark one ticket an SLA breach (at its deadline, however late the pass)."""
    if ticket.sla_breached_at or ticket.status not in OPEN_STATUSES:
        return 0
    if not ticket.resolve_due_at or ticket.resolve_due_at > now:
        return 0
    ticket.sla_breached_at = ticket.resolve_due_at
    ticket.save()
    record_event(
        now,
        "system",
        EventAction.SLA_BREACHED,
        ticket=ticket,
        resolve_due_at=ticket.resolve_due_at.isoformat(),
        severity=ticket.severity,
        status=ticket.status,
    )
    return 1
