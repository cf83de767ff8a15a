"""Desk changes that send no mail by themselves: severity and category."""

from __future__ import annotations

from datetime import datetime, timedelta

from complaintd.runtime import Runtime
from complaintd.store.models import Ticket
from complaintd.workflow.records import record_event


def set_severity(
    runtime: Runtime, ticket: Ticket, severity: str, actor: str, now: datetime
) -> None:
    """Change the severity; a tighter SLA moves the committed answer time earlier, never later."""
    previous = ticket.severity
    ticket.severity = severity
    due = ticket.created_at + timedelta(hours=runtime.config.sla[severity].first_response_hours)
    if ticket.due_at is None or due < ticket.due_at:
        ticket.due_at = due  # a promise made to the customer is never pushed back
    if severity == "serious" and "serious" not in ticket.tags:
        ticket.tags = [*ticket.tags, "serious"]
    ticket.updated_at = now
    ticket.save()
    record_event(
        now, actor, "severity_changed", ticket=ticket, previous=previous, severity=severity
    )


def set_category(ticket: Ticket, category: str, actor: str, now: datetime) -> None:
    """Change the category (the rule that fired stays recorded for comparison)."""
    previous = ticket.category
    ticket.category = category
    ticket.updated_at = now
    ticket.save()
    record_event(
        now, actor, "category_changed", ticket=ticket, previous=previous, category=category
    )
