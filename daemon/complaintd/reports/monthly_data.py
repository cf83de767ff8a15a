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
from datetime import datetime
from statistics import median
from typing import Any, TypedDict

import peewee

from complaintd.reports.digest_data import SEVERITIES, rows
from complaintd.reports.groups import SHOWN
from complaintd.reports.period import Period
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
    first_answer_median: float | None
    answered_late: int  # a progress update went out first: the promised time passed
    resolved: int
    resolution_median: float | None
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
    worst = _timings_and_worst(month, sla)
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
        timings=worst[0],
        satisfaction=_satisfaction(month),
        at_risk=_at_risk(month),
        most_overdue=worst[1],
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
    """Tickets whose complaint a department found valid in ``period``, by the cause given
    (a ticket counted once per cause; the answers' JSON read in one query)."""
    query = ContactSheet.select(ContactSheet.ticket, ContactSheet.answer).where(
        _within(ContactSheet.answered_at, period) & ContactSheet.answer.is_null(False)
    )
    pairs = {
        (ticket, answer.get("cause"))
        for ticket, answer in rows(query)
        if isinstance(answer, dict) and answer.get("finding") == "valid" and answer.get("cause")
    }
    return Counter(str(cause) for _, cause in pairs)


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


def _timings_and_worst(period: Period, sla: dict[str, Any]) -> tuple[list[Timing], list[Worst]]:
    """Per severity: first answer and resolution times against the SLA; and the tickets
    furthest past their resolve deadline.  One grouped join over the month's tickets."""
    answered = peewee.Case(None, [(Message.kind.in_(ANSWER_KINDS), Message.created_at)], None)
    resolved = peewee.Case(None, [(Message.kind.in_(RESOLUTION_KINDS), Message.created_at)], None)
    query = (
        Ticket.select(
            Ticket.number,
            Ticket.severity,
            Ticket.category,
            Ticket.created_at,
            Ticket.resolve_due_at,
            Ticket.sla_breached_at,
            peewee.fn.MIN(answered),
            peewee.fn.MIN(resolved),
        )
        .join(
            Message,
            peewee.JOIN.LEFT_OUTER,
            on=(Message.ticket == Ticket.id) & (Message.direction == Direction.OUT),
        )
        .where(_within(Ticket.created_at, period))
        .group_by(Ticket.id)
    )
    late = _answered_late(period)
    field = Ticket.created_at
    per: dict[str, dict[str, list[float]]] = {s: {"first": [], "resolve": []} for s in sla}
    counts: Counter[str] = Counter()
    breached: Counter[str] = Counter()
    worst: list[Worst] = []
    for number, severity, category, created, due, breach, first, resolution in rows(query):
        created, due = field.python_value(created), field.python_value(due)
        first, resolution = field.python_value(first), field.python_value(resolution)
        times = per.setdefault(severity, {"first": [], "resolve": []})
        counts[severity] += 1
        if first is not None:
            times["first"].append(_hours(created, first))
        if resolution is not None:
            times["resolve"].append(_hours(created, resolution))
        if breach is not None and due is not None:
            breached[severity] += 1
            until = resolution or period.end
            worst.append(
                {
                    "number": number,
                    "severity": severity,
                    "category": category,
                    "hours_late": round(_hours(due, until), 1),
                    "reopened": 0,
                }
            )
    timings: list[Timing] = [
        {
            "severity": severity,
            "tickets": counts[severity],
            "answered": len(per[severity]["first"]),
            "first_answer_median": _median(per[severity]["first"]),
            "answered_late": late[severity],
            "resolved": len(per[severity]["resolve"]),
            "resolution_median": _median(per[severity]["resolve"]),
            "breached": breached[severity],
            "sla_first_answer": float(sla[severity].first_response_hours),
            "sla_resolve": float(sla[severity].resolve_hours),
        }
        for severity in SEVERITIES
        if severity in sla
    ]
    worst.sort(key=lambda w: (-w["hours_late"], w["number"]))
    return timings, worst[:TOP]


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


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


def _at_risk(period: Period) -> list[Repeat]:
    """Customers flagged at risk in the month and not cleared, with their complaints."""
    query = (
        CustomerRisk.select(CustomerRisk.email, CustomerRisk.tickets)
        .where(_within(CustomerRisk.flagged_at, period) & CustomerRisk.cleared_at.is_null())
        .order_by(CustomerRisk.flagged_at, CustomerRisk.email)
    )
    return [
        {"email": str(email), "count": len(numbers), "numbers": list(numbers)[:SHOWN]}
        for email, numbers in rows(query)
    ]


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
