"""Desk changes that send no mail by themselves: severity and category."""

from __future__ import annotations

from datetime import datetime

from complaintd.jobs.due import due_after
from complaintd.runtime import Runtime
from complaintd.store.event_action import EventAction
from complaintd.store.models import Ticket
from complaintd.store.records import record_event
from complaintd.workflow.departments import tighten_sheet_due_times

SEVERITY_RANK = {"general": 0, "important": 1, "serious": 2}


def set_severity(
    runtime: Runtime, ticket: Ticket, severity: str, actor: str, now: datetime
) -> None:
    """Change the severity without touching the time promised to the customer.

    ``due_at`` is what the acknowledgement told the customer: it stands.  When the new
    severity's ``first_response_hours``, counted from now, come before it, the desk gets
    its own earlier target (``internal_due_at``) and the open contact sheets are due
    earlier too; internal mail shows both times.
    """
    previous = ticket.severity
    ticket.severity = severity
    hours = runtime.config.sla[severity].first_response_hours
    target = internal_target(ticket.due_at, due_after(runtime.config, now, hours))
    if SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(previous, 0):
        target = earliest(ticket.internal_due_at, target)  # a raise never relaxes it
    ticket.internal_due_at = target
    if severity == "serious" and "serious" not in ticket.tags:
        ticket.tags = [*ticket.tags, "serious"]
    ticket.updated_at = now
    ticket.save()
    tighten_sheet_due_times(runtime, ticket, actor, now)
    record_event(
        now,
        actor,
        EventAction.SEVERITY_CHANGED,
        ticket=ticket,
        previous=previous,
        severity=severity,
        promised=ticket.due_at.isoformat() if ticket.due_at else None,
        internal_due_at=target.isoformat() if target else None,
    )


def internal_target(promise: datetime | None, target: datetime) -> datetime | None:
    """The desk's own answer target after a severity change (pure).

    ``target`` (the new severity's hours after the change) when that is earlier than
    ``promise``; None when the promise is already as tight.
    """
    return target if promise is None or target < promise else None


def earliest(*times: datetime | None) -> datetime | None:
    """The earliest of ``times`` that are set; None when none is (pure)."""
    present = [time for time in times if time is not None]
    return min(present) if present else None


def set_category(ticket: Ticket, category: str, actor: str, now: datetime) -> None:
    """Change the category (the rule that fired stays recorded for comparison)."""
    previous = ticket.category
    ticket.category = category
    ticket.updated_at = now
    ticket.save()
    record_event(
        now,
        actor,
        EventAction.CATEGORY_CHANGED,
        ticket=ticket,
        previous=previous,
        category=category,
    )
