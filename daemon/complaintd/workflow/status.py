"""The ticket status machine of DESIGN.md, enforced in this one place.

    received -> investigating -> solution_proposed -> implementing -> follow_up -> closed
    any open status -> follow_up (the desk closes: resolution sent, survey follows)
    any open status -> invalid
    solution_proposed -> investigating (the customer disagrees)
    closed | follow_up -> investigating (reopen: the customer writes again, or is unhappy)

Every transition is an audit event with actor and time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaintd.errors import UsageError
from complaintd.store.models import Ticket
from complaintd.store.records import record_event

STATUSES = (
    "received",
    "investigating",
    "solution_proposed",
    "implementing",
    "follow_up",
    "closed",
    "invalid",
)
OPEN_STATUSES = ("received", "investigating", "solution_proposed", "implementing")

ALLOWED: dict[str, frozenset[str]] = {
    "received": frozenset({"investigating", "solution_proposed", "follow_up", "invalid"}),
    "investigating": frozenset({"solution_proposed", "follow_up", "invalid"}),
    "solution_proposed": frozenset({"implementing", "investigating", "follow_up", "invalid"}),
    "implementing": frozenset({"investigating", "follow_up", "invalid"}),
    "follow_up": frozenset({"closed", "investigating"}),
    "closed": frozenset({"investigating"}),
    "invalid": frozenset({"investigating"}),
}


class IllegalTransition(UsageError):
    """A status change the procedure does not allow."""


def can_transition(current: str, target: str) -> bool:
    """True when ``current`` -> ``target`` is a step of the procedure."""
    return target in ALLOWED.get(current, frozenset())


def check_transition(number: str, current: str, target: str) -> None:
    """Raise :class:`IllegalTransition` with a readable message unless the step is allowed."""
    if can_transition(current, target):
        return
    allowed = ", ".join(sorted(ALLOWED.get(current, ()))) or "none"
    raise IllegalTransition(
        f"{number}: cannot go from {current} to {target} (allowed from {current}: {allowed})"
    )


def transition(ticket: Ticket, target: str, actor: str, at: datetime, **detail: Any) -> None:
    """Move ``ticket`` to ``target`` and record who did it; the caller holds the transaction."""
    check_transition(ticket.number, ticket.status, target)
    previous = ticket.status
    ticket.status = target
    ticket.updated_at = at
    ticket.save()
    record_event(
        at, actor, "status_changed", ticket=ticket, previous=previous, status=target, **detail
    )
