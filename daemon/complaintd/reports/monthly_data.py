"""What the monthly hot-spot report says, read with grouped queries on indexed columns.

Each dimension is counted for the month and the month before (one GROUP BY each over
``ticket.created_at`` or ``contact_sheet.created_at``); the time to first answer and to
resolution come from one grouped join of the month's tickets with the desk's messages
(by ``message.ticket_id``).  Keys are the ledger's; the template names them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

import peewee

from complaintd.reports.digest_data import SEVERITIES, rows
from complaintd.reports.groups import SHOWN
from complaintd.reports.period import Period
from complaintd.store.db import is_postgres
from complaintd.store.event_action import EventAction
from complaintd.store.mail_kind import MailKind
from complaintd.store.message_kind import Direction
from complaintd.store.models import ContactSheet, Event, Message, Ticket
from complaintd.store.timed import CustomerRisk, Survey

CAUSES = (
    "staff_error",
    "sales_error",
    "supplier_error",
    "agent_error",
    "customer_error",
    "force_majeure",
)
ANSWER_KINDS = (MailKind.REPLY, MailKind.SOLUTION, MailKind.RESOLUTION, MailKind.INVALID)
RESOLUTION_KINDS = (MailKind.RESOLUTION, MailKind.INVALID)
UNKNOWN = "-"  # a route end the complaint did not name
TOP = 10  # rows of the ranked tables (routes, repeat complainants, worst tickets)


class Trend(TypedDict):
    """One key's count this month and last month."""

    key: str
    count: int
    previous: int
    change: float | None  # (count - previous) / previous; None when there was none before


class Timing(TypedDict):
    """One severity's times against its SLA (hours)."""

    severity: str
    tickets: int
    answered: int  # tickets with a first answer
    first_answer_hours: float | None  # on average, by the clock
    answered_late: int  # a progress update went out first: the promised time passed
    resolved: int
    resolution_hours: float | None  # on average, by the clock
    breached: int  # past resolve_hours
    sla_first_answer: float
    sla_resolve: float


class Satisfied(TypedDict):
    """Survey answers of the month about tickets a department was asked about."""

    department: str
    answers: int
    average: float | None
    unhappy: int  # scores 1-2 or "not satisfied"


class Repeat(TypedDict):
    """A customer who complained more than once in the month."""

    email: str
    count: int
    numbers: list[str]


class Worst(TypedDict):
    """A badly handled ticket of the month: how late, how often reopened."""

    number: str
    severity: str
    category: str
    hours_late: float  # past its resolve deadline (until resolved, or the month's end)
    reopened: int


@dataclass(frozen=True)
class MonthlyData:
    """Every section of the monthly report, in the ledger's keys."""

    total: int
    previous_total: int
    categories: list[Trend]
    severities: list[Trend]
    causes: list[Trend]  # tickets found valid, by the cause departments gave
    departments: list[Trend]  # contact sheets sent
    routes: list[Trend]  # origin -> destination (cities where named)
    regions: list[Trend]  # destination province
    unknown_route: int
    repeats: list[Repeat]
    timings: list[Timing]
    satisfaction: list[Satisfied]
    at_risk: list[Repeat]  # customers flagged in the month (count: their complaints)
    at_risk_total: int
    most_overdue: list[Worst]
    most_reopened: list[Worst]


def _within(column: peewee.Field, period: Period) -> peewee.Expression:
    return (column >= period.start) & (column < period.end)


def trends(current: Counter[str], previous: Counter[str], order: Iterable[str] = ()) -> list[Trend]:
    """Counts of both months per key: ``order`` first, then the most counted now."""
    keys = list(dict.fromkeys([*(k for k in order if current[k] or previous[k]), *current]))
    keys += [k for k in previous if k not in keys]
    ranked = keys if order else sorted(keys, key=lambda k: (-current[k], -previous[k], k))
    return [
        {
            "key": key,
            "count": current[key],
            "previous": previous[key],
            "change": round((current[key] - previous[key]) / previous[key], 3)
            if previous[key]
            else None,
        }
        for key in ranked
    ]


def _count_by(column: peewee.Field, period: Period, created: peewee.Field) -> Counter[str]:
    query = (
        created.model.select(column, peewee.fn.COUNT(peewee.SQL("*")))
        .where(_within(created, period))
        .group_by(column)
    )
    return Counter({str(key): int(count) for key, count in rows(query)})


def monthly_data(month: Period, before: Period, sla: dict[str, Any]) -> MonthlyData:
    """The report of ``month`` against ``before``; ``sla``: severity -> SlaConfig."""
    categories = [_count_by(Ticket.category, p, Ticket.created_at) for p in (month, before)]
    severities = [_count_by(Ticket.severity, p, Ticket.created_at) for p in (month, before)]
    sheets = [
        _count_by(ContactSheet.department, p, ContactSheet.created_at) for p in (month, before)
    ]
    routes, earlier = _routes(month), _routes(before)
    at_risk, at_risk_total = _at_risk(month)
    return MonthlyData(
        total=sum(categories[0].values()),
        previous_total=sum(categories[1].values()),
        categories=trends(categories[0], categories[1]),  # hot spots first
        severities=trends(severities[0], severities[1], SEVERITIES),
        causes=trends(_causes(month), _causes(before), CAUSES),
        departments=trends(sheets[0], sheets[1]),
        routes=trends(routes[0], earlier[0])[:TOP],
        regions=trends(routes[1], earlier[1])[:TOP],
        unknown_route=routes[2],
        repeats=_repeats(month),
        timings=_timings(month, sla),
        satisfaction=_satisfaction(month),
        at_risk=at_risk,
        at_risk_total=at_risk_total,
        most_overdue=_most_overdue(month),
        most_reopened=_most_reopened(month),
    )


def _routes(period: Period) -> tuple[Counter[str], Counter[str], int]:
    """Tickets by route (``上海市→成都市``) and by destination province; how many name none."""
    columns = (
        Ticket.origin_province,
        Ticket.origin_city,
        Ticket.destination_province,
        Ticket.destination_city,
    )
    query = (
        Ticket.select(*columns, peewee.fn.COUNT(Ticket.id))
        .where(_within(Ticket.created_at, period))
        .group_by(*columns)
    )
    by_route: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    unknown = 0
    for origin_province, origin_city, to_province, to_city, count in rows(query):
        if not (origin_province or to_province):
            unknown += int(count)
            continue
        origin = origin_city or origin_province or UNKNOWN
        destination = to_city or to_province or UNKNOWN
        by_route[f"{origin}→{destination}"] += int(count)
        by_region[to_province or origin_province] += int(count)
    return by_route, by_region, unknown


def _causes(period: Period) -> Counter[str]:
    """Tickets a department found valid in ``period``, by the cause it gave: one GROUP BY
    over the answers' JSON as stored (compact, keys as :mod:`~complaintd.store.fields`
    writes them), each ticket counted once per cause."""
    answer = peewee.Cast(ContactSheet.answer, "TEXT")
    cause = peewee.Case(None, [(answer.contains(f'"cause":"{key}"'), key) for key in CAUSES], None)
    query = (
        ContactSheet.select(cause, peewee.fn.COUNT(ContactSheet.ticket.distinct()))
        .where(_within(ContactSheet.answered_at, period) & answer.contains('"finding":"valid"'))
        .group_by(cause)
    )
    return Counter({str(key): int(count) for key, count in rows(query) if key})


def _repeats(period: Period) -> list[Repeat]:
    """Customers with two or more complaints in the month, most first, with numbers."""
    count = peewee.fn.COUNT(Ticket.id)
    query = (
        Ticket.select(Ticket.customer_email, count)
        .where(_within(Ticket.created_at, period) & Ticket.customer_email.is_null(False))
        .group_by(Ticket.customer_email)
        .having(count >= 2)
        .order_by(count.desc(), Ticket.customer_email)
        .limit(TOP)
    )
    found = {str(email): int(n) for email, n in rows(query)}
    numbers = _numbers_of(found, period)
    return [{"email": e, "count": n, "numbers": numbers.get(e, [])} for e, n in found.items()]


def _numbers_of(emails: Iterable[str], period: Period) -> dict[str, list[str]]:
    """The month's ticket numbers of each of ``emails`` (one query)."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    query = (
        Ticket.select(Ticket.customer_email, Ticket.number)
        .where(_within(Ticket.created_at, period) & Ticket.customer_email.in_(wanted))
        .order_by(Ticket.created_at, Ticket.id)
    )
    numbers: dict[str, list[str]] = {}
    for email, number in rows(query):
        numbers.setdefault(email, []).append(number)
    return {email: found[:SHOWN] for email, found in numbers.items()}


def hours_between(start: Any, end: Any) -> Any:
    """``end - start`` in hours, in SQL: the one expression that differs by database."""
    if is_postgres(Ticket._meta.database):
        return peewee.fn.date_part("epoch", end - start) / 3600.0
    return (peewee.fn.julianday(end) - peewee.fn.julianday(start)) * 24.0


def _per_ticket(period: Period) -> Any:
    """The month's tickets with the time of the desk's first answer and of its resolution
    (one grouped join with the desk's messages, by ``message.ticket_id``)."""
    answered = peewee.Case(None, [(Message.kind.in_(ANSWER_KINDS), Message.created_at)], None)
    resolved = peewee.Case(None, [(Message.kind.in_(RESOLUTION_KINDS), Message.created_at)], None)
    # PostgreSQL hash-joined every message of the ledger (3 s on a million tickets) until
    # told the desk answers after the complaint; SQLite looks them up by ticket already,
    # and with the bound its planner may take the time index instead.
    since = (
        Message.created_at >= period.start
        if is_postgres(Ticket._meta.database)
        else peewee.SQL("1 = 1")
    )
    return (
        Ticket.select(
            Ticket.id,
            Ticket.number,
            Ticket.severity,
            Ticket.category,
            Ticket.created_at,
            Ticket.resolve_due_at,
            Ticket.sla_breached_at,
            peewee.fn.MIN(answered).alias("first_at"),
            peewee.fn.MIN(resolved).alias("resolved_at"),
        )
        .join(
            Message,
            peewee.JOIN.LEFT_OUTER,
            on=(Message.ticket == Ticket.id) & (Message.direction == Direction.OUT) & since,
        )
        .where(_within(Ticket.created_at, period))
        .group_by(Ticket.id)
    )


def _timings(period: Period, sla: dict[str, Any]) -> list[Timing]:
    """Per severity: average hours to the first answer and to resolution (in SQL), how
    many were answered after the promised time, how many went past the SLA."""
    tickets = _per_ticket(period).alias("t")
    first = hours_between(tickets.c.created_at, tickets.c.first_at)
    resolution = hours_between(tickets.c.created_at, tickets.c.resolved_at)
    query = (
        peewee.Select(
            [tickets],
            [
                tickets.c.severity,
                peewee.fn.COUNT(peewee.SQL("*")),
                peewee.fn.COUNT(tickets.c.first_at),
                peewee.fn.AVG(first),
                peewee.fn.COUNT(tickets.c.resolved_at),
                peewee.fn.AVG(resolution),
                peewee.fn.COUNT(tickets.c.sla_breached_at),
            ],
        )
        .group_by(tickets.c.severity)
        .bind(Ticket._meta.database)
    )
    found = {row[0]: row[1:] for row in query.tuples()}
    late = _answered_late(period)
    timings: list[Timing] = []
    for severity in SEVERITIES:
        if severity not in sla:
            continue
        count, answered, first_hours, resolved, resolve_hours, breached = found.get(
            severity, (0, 0, None, 0, None, 0)
        )
        timings.append(
            {
                "severity": severity,
                "tickets": int(count),
                "answered": int(answered),
                "first_answer_hours": _rounded(first_hours),
                "answered_late": late[severity],
                "resolved": int(resolved),
                "resolution_hours": _rounded(resolve_hours),
                "breached": int(breached),
                "sla_first_answer": float(sla[severity].first_response_hours),
                "sla_resolve": float(sla[severity].resolve_hours),
            }
        )
    return timings


def _most_overdue(period: Period) -> list[Worst]:
    """The month's tickets furthest past their resolve deadline: until resolved, or the
    month's end for those still open (ranked in SQL)."""
    tickets = _per_ticket(period).where(Ticket.sla_breached_at.is_null(False)).alias("t")
    month_end = peewee.Value(Ticket.created_at.db_value(period.end), converter=False)
    late = hours_between(
        tickets.c.resolve_due_at, peewee.fn.COALESCE(tickets.c.resolved_at, month_end)
    )
    query = (
        peewee.Select(
            [tickets],
            [tickets.c.number, tickets.c.severity, tickets.c.category, late.alias("late")],
        )
        .where(tickets.c.resolve_due_at.is_null(False))
        .order_by(peewee.SQL('"late"').desc(), tickets.c.number)
        .limit(TOP)
        .bind(Ticket._meta.database)
    )
    return [
        {
            "number": number,
            "severity": severity,
            "category": category,
            "hours_late": round(float(hours), 1),
            "reopened": 0,
        }
        for number, severity, category, hours in query.tuples()
    ]


def _rounded(hours: Any) -> float | None:
    return None if hours is None else round(float(hours), 1)


def _answered_late(period: Period) -> Counter[str]:
    """The month's tickets by severity whose promised answer time passed first (a
    progress update, ``promise_kept``, went out before any answer)."""
    query = (
        Ticket.select(Ticket.severity, peewee.fn.COUNT(Event.ticket.distinct()))
        .join(Event, on=(Event.ticket == Ticket.id))
        .where(
            _within(Ticket.created_at, period)
            & (Event.at >= period.start)
            & (Event.action == EventAction.PROMISE_KEPT)
        )
        .group_by(Ticket.severity)
    )
    return Counter({str(severity): int(count) for severity, count in rows(query)})


def _satisfaction(period: Period) -> list[Satisfied]:
    """Survey answers of the month per department asked about the ticket."""
    unhappy = peewee.fn.SUM(
        peewee.Case(None, [((Survey.satisfied == False) | (Survey.score <= 2), 1)], 0)  # noqa: E712
    )
    query = (
        ContactSheet.select(
            ContactSheet.department,
            peewee.fn.COUNT(Survey.id),
            peewee.fn.AVG(Survey.score),
            unhappy,
        )
        .join(Survey, on=(Survey.ticket == ContactSheet.ticket))
        .where(_within(Survey.answered_at, period))
        .group_by(ContactSheet.department)
        .order_by(ContactSheet.department)
    )
    return [
        {
            "department": department,
            "answers": int(answers),
            "average": round(float(average), 2) if average is not None else None,
            "unhappy": int(bad or 0),
        }
        for department, answers, average, bad in rows(query)
    ]


def _at_risk(period: Period) -> tuple[list[Repeat], int]:
    """Customers flagged at risk in the month and not cleared, with their complaints: the
    first :data:`TOP` and how many there are."""
    query = CustomerRisk.select(CustomerRisk.email, CustomerRisk.tickets).where(
        _within(CustomerRisk.flagged_at, period) & CustomerRisk.cleared_at.is_null()
    )
    first = query.order_by(CustomerRisk.flagged_at, CustomerRisk.email).limit(TOP)
    return [
        {"email": str(email), "count": len(numbers), "numbers": list(numbers)[:SHOWN]}
        for email, numbers in rows(first)
    ], query.count()


def _most_reopened(period: Period) -> list[Worst]:
    """Tickets reopened in the month (closed or in follow-up, back to investigating),
    most often first."""
    detail = peewee.Cast(Event.detail, "TEXT")  # the JSON as text, matched as written
    reopen = (
        (Event.action == EventAction.STATUS_CHANGED)
        & detail.contains('"status":"investigating"')
        & (detail.contains('"previous":"closed"') | detail.contains('"previous":"follow_up"'))
    )
    count = peewee.fn.COUNT(Event.id)
    query = (
        Ticket.select(Ticket.number, Ticket.severity, Ticket.category, count)
        .join(Event, on=(Event.ticket == Ticket.id))
        .where(_within(Event.at, period) & reopen)
        .group_by(Ticket.number, Ticket.severity, Ticket.category)
        .order_by(count.desc(), Ticket.number)
        .limit(TOP)
    )
    return [
        {
            "number": number,
            "severity": severity,
            "category": category,
            "hours_late": 0.0,
            "reopened": int(n),
        }
        for number, severity, category, n in rows(query)
    ]
