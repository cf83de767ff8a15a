"""Reopening a ticket: the one place that gives the customer a new promise.

A ticket reopens (back to ``investigating``) when the customer writes to it after it was
closed, answers the satisfaction survey unhappy (a score of 1-2, "不满意", "not
satisfied"), or the desk reopens it (an agent's ``#reopen``, ``tickets reopen``:
:func:`complaintd.workflow.customer.desk_reopen`, which tells the customer).
DESIGN.md, "The promise" and "Follow-up": the desk handles the complaint
again, so it promises again, as on acknowledgement -

* a new committed answer time, ``first_response_hours`` of the severity from the
  reopening (the reopening mail tells the customer; progress updates follow at it and at
  each committed time after it, their step ordinals going on from the earlier ones);
* a new resolve deadline, ``resolve_hours`` from the reopening: the SLA is measured
  afresh and an earlier breach is no longer the ticket's state (it stays in the audit
  trail as its ``sla_breached`` event, and the reopening records it);
* no desk target left from an earlier severity change (``internal_due_at``);
* the follow-up of the earlier closure is over: its survey round takes no more steps, and
  survey mail still waiting in the outbox is withdrawn (a reminder queued just before the
  customer's answer must not reach them after it; :mod:`complaintd.jobs.outdated`, as
  for every status change).  Closing again starts a new round.
"""

from __future__ import annotations

from datetime import datetime

from complaintd.jobs.due import due_after
from complaintd.runtime import Runtime
from complaintd.store.models import Ticket
from complaintd.store.ticket_status import TicketStatus
from complaintd.workflow.status import check_transition, transition

DESK_REOPENED = "reopened by the desk"  # the audit reason when the desk gives none


def reopen_ticket(runtime: Runtime, ticket: Ticket, actor: str, now: datetime, reason: str) -> None:
    """``ticket`` back to ``investigating`` under a new promise (in the caller's transaction)."""
    check_transition(ticket.number, TicketStatus(ticket.status), TicketStatus.INVESTIGATING)
    sla = runtime.config.sla[ticket.severity]
    earlier = {
        "previous_due_at": _iso(ticket.due_at),
        "previous_resolve_due_at": _iso(ticket.resolve_due_at),
        "previous_sla_breached_at": _iso(ticket.sla_breached_at),
    }
    ticket.due_at = due_after(runtime.config, now, sla.first_response_hours)
    ticket.resolve_due_at = due_after(runtime.config, now, sla.resolve_hours)
    ticket.sla_breached_at = None
    ticket.internal_due_at = None
    transition(
        ticket,
        TicketStatus.INVESTIGATING,
        actor,
        now,
        reason=reason,
        due_at=ticket.due_at.isoformat(),
        resolve_due_at=ticket.resolve_due_at.isoformat(),
        **{key: value for key, value in earlier.items() if value},
    )


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
