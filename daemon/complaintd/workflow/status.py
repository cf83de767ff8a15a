"""The ticket status machine of DESIGN.md, enforced in this one place.

    received -> investigating -> solution_proposed -> implementing -> follow_up -> closed
    any open status -> follow_up (the desk closes: resolution sent, survey follows)
    any open status -> invalid
    solution_proposed -> investigating (the customer disagrees)
    closed | follow_up -> investigating (reopen: the customer writes again, or is unhappy)

Every transition is an audit event with actor and time, and withdraws the timed mail
waiting in the outbox that the new status makes wrong (:mod:`complaintd.jobs.outdated`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaintd.errors import UsageError
from complaintd.jobs.outdated import withdraw_outdated_mail
from complaintd.store.event_action import EventAction
from complaintd.store.models import Ticket
from complaintd.store.records import record_event
from complaintd.store.ticket_status import OPEN_STATUSES, TicketStatus

ALLOWED: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.RECEIVED: frozenset(
        {
            TicketStatus.INVESTIGATING,
            TicketStatus.SOLUTION_PROPOSED,
            TicketStatus.FOLLOW_UP,
            TicketStatus.INVALID,
        }
    ),
    TicketStatus.INVESTIGATING: frozenset(
        {TicketStatus.SOLUTION_PROPOSED, TicketStatus.FOLLOW_UP, TicketStatus.INVALID}
    ),
    TicketStatus.SOLUTION_PROPOSED: frozenset(
        {
            TicketStatus.IMPLEMENTING,
            TicketStatus.INVESTIGATING,
            TicketStatus.FOLLOW_UP,
            TicketStatus.INVALID,
        }
    ),
    TicketStatus.IMPLEMENTING: frozenset(
        {TicketStatus.INVESTIGATING, TicketStatus.FOLLOW_UP, TicketStatus.INVALID}
    ),
    TicketStatus.FOLLOW_UP: frozenset({TicketStatus.CLOSED, TicketStatus.INVESTIGATING}),
    TicketStatus.CLOSED: frozenset({TicketStatus.INVESTIGATING}),
    TicketStatus.INVALID: frozenset({TicketStatus.INVESTIGATING}),
}


class IllegalTransition(UsageError):
    """A status change the procedure does not allow: from ``current`` to ``target``,
    when only ``allowed`` may follow ``current``."""

    def __init__(
        self, message: str, current: TicketStatus, target: TicketStatus, allowed: tuple[str, ...]
    ) -> None:
        super().__init__(message)
        self.current = current
        self.target = target
        self.allowed = allowed


class NotOpen(UsageError):
    """A command for an open ticket on a closed one (``needs_open``), or a command for a
    closed ticket on an open one; ``current`` is the ticket's status."""

    def __init__(self, message: str, current: TicketStatus, *, needs_open: bool) -> None:
        super().__init__(message)
        self.current = current
        self.needs_open = needs_open


def require_open(ticket: Ticket, what: str, *, open_: bool = True) -> None:
    """Raise :class:`NotOpen` unless ``ticket`` is open (``open_``) or not open (else);
    ``what`` names the action for the message."""
    current = TicketStatus(ticket.status)
    if (current in OPEN_STATUSES) == open_:
        return
    state = "closed" if open_ else "still open"
    raise NotOpen(f"{ticket.number} is {current} ({state}): {what}", current, needs_open=open_)


def can_transition(current: TicketStatus, target: TicketStatus) -> bool:
    """True when ``current`` -> ``target`` is a step of the procedure."""
    return target in ALLOWED.get(current, frozenset())


def check_transition(number: str, current: TicketStatus, target: TicketStatus) -> None:
    """Raise :class:`IllegalTransition` with a readable message unless the step is allowed."""
    if can_transition(current, target):
        return
    allowed = tuple(sorted(ALLOWED.get(current, ())))
    raise IllegalTransition(
        f"{number}: cannot go from {current} to {target}"
        f" (allowed from {current}: {', '.join(allowed) or 'none'})",
        current,
        target,
        allowed,
    )


def transition(
    ticket: Ticket, target: TicketStatus, actor: str, at: datetime, **detail: Any
) -> None:
    """Move ``ticket`` to ``target``, record who did it and withdraw the timed mail the
    change makes wrong; the caller holds the transaction."""
    previous = TicketStatus(ticket.status)
    check_transition(ticket.number, previous, target)
    ticket.status = target
    ticket.updated_at = at
    ticket.save()
    record_event(
        at,
        actor,
        EventAction.STATUS_CHANGED,
        ticket=ticket,
        previous=previous,
        status=target,
        **detail,
    )
    withdraw_outdated_mail(ticket.id, previous, target)
