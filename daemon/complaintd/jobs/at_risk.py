"""Customers at risk of being lost: complain, complain again, then silence.

A customer with ``at_risk_complaints`` complaints within ``at_risk_days`` who leaves a
survey unanswered is flagged (an audit event on the ticket, ``customers at-risk`` on the
command line, ``at_risk`` in ``tickets show``).  Their next complaint or a survey answer
clears the flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from complaintd.config.model import ScheduleConfig
from complaintd.store.event_action import EventAction
from complaintd.store.models import Ticket
from complaintd.store.queries import clear_customer_risk
from complaintd.store.records import record_event
from complaintd.store.timed import CustomerRisk


def counted_complaints(email: str, schedule: ScheduleConfig, now: datetime) -> list[str]:
    """The customer's tickets within ``at_risk_days`` of ``now``, oldest first."""
    since = now - timedelta(days=schedule.at_risk_days)
    query = Ticket.select(Ticket.number).where(
        (Ticket.customer_email == email) & (Ticket.created_at >= since) & (Ticket.created_at <= now)
    )
    return [row.number for row in query.order_by(Ticket.created_at, Ticket.id)]


def flag_if_at_risk(schedule: ScheduleConfig, ticket: Ticket, now: datetime) -> bool:
    """The survey of ``ticket`` went unanswered: flag its customer if they complained
    often enough; True when flagged."""
    email = ticket.customer_email
    if not email:
        return False
    numbers = counted_complaints(email, schedule, now)
    if len(numbers) < schedule.at_risk_complaints:
        return False
    values = {"flagged_at": now, "ticket": ticket.id, "tickets": numbers, "cleared_at": None}
    CustomerRisk.insert(email=email, **values, cleared_by=None).on_conflict(
        conflict_target=[CustomerRisk.email], update={**values, "cleared_by": None}
    ).execute()
    record_event(
        now,
        "system",
        EventAction.CUSTOMER_AT_RISK,
        ticket=ticket,
        customer=email,
        complaints=numbers,
        within_days=schedule.at_risk_days,
    )
    return True


def clear_at_risk(email: str | None, ticket: Ticket, because: str, now: datetime) -> bool:
    """``because`` (a new complaint, a survey answer) clears the customer's flag."""
    if not email:
        return False
    cleared = clear_customer_risk(email, now, f"{because} ({ticket.number})")
    if cleared:
        record_event(
            now,
            "system",
            EventAction.CUSTOMER_RISK_CLEARED,
            ticket=ticket,
            customer=email,
            because=because,
        )
    return bool(cleared)


def customers_at_risk(emails: Iterable[str] | None = None) -> dict[str, CustomerRisk]:
    """The flagged customers (of ``emails``, or all), by address."""
    query = CustomerRisk.select().where(CustomerRisk.cleared_at.is_null())
    if emails is not None:
        query = query.where(CustomerRisk.email.in_(sorted(set(emails))))
    return {row.email: row for row in query.order_by(CustomerRisk.flagged_at.desc())}
