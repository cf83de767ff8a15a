"""What the daily digest says, read from the ledger with a handful of grouped queries.

Each section is one or two queries on indexed columns (``ticket.created_at``,
``ticket.status``, ``ticket.sla_breached_at``, ``contact_sheet.status``, ``event.at``,
``survey.answered_at``, ``inbound_message.status``, ``outbox.status``); nothing loads
tickets one by one.  Counts are by the stored enums' values.  The result is plain data
in the ledger's keys (categories, statuses, department keys); the template names them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

import peewee

from complaintd.reports.groups import SHOWN, Group, group, grouped
from complaintd.reports.period import Period
from complaintd.store.db import is_postgres
from complaintd.store.event_action import EventAction
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.models import ContactSheet, Event, InboundMessage, Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.sheet_status import SheetStatus
from complaintd.store.ticket_status import OPEN_STATUSES
from complaintd.store.timed import CustomerRisk, Survey

CATEGORIES = ("delay", "damage", "loss", "information", "attitude", "billing", "other")
SEVERITIES = ("serious", "important", "general")
AGE_DAYS = (1, 3, 7)  # open tickets by age: under 1 day, 1-3, 3-7, over 7
TREND_DAYS = 30
ROWS_SHOWN = 20  # quarantined or failed mails listed one by one


class OpenStatus(TypedDict):
    """Open tickets of one status: how many, by age, and the oldest ones."""

    status: str
    count: int
    ages: list[int]  # under 1 day, 1-3 days, 3-7 days, over 7 days
    oldest: Group


class DepartmentSheets(TypedDict):
    """A department's sheets past due: overdue (being chased) and escalated."""

    department: str  # its key
    overdue: Group
    escalated: Group


class Satisfaction(TypedDict):
    """Survey answers: the day's, and the last 30 days against the 30 before."""

    answered: int  # on the day
    average: float | None  # of the day's scores
    unhappy: Group  # the day's answers of 1-2 or "not satisfied", by ticket
    average_30: float | None
    average_previous_30: float | None
    answered_30: int
    finished_30: int  # surveys answered or left unanswered (expired) in the 30 days
    response_rate_30: float | None  # answered / finished


class RiskRow(TypedDict):
    """A customer at risk and the complaints that count."""

    email: str
    numbers: list[str]
    new: bool  # flagged on the day


class QuarantinedRow(TypedDict):
    """A quarantined inbound mail that needs a human."""

    id: int
    message_id: str
    mailbox: str
    error: str


class FailedRow(TypedDict):
    """An outgoing mail that failed for good."""

    id: int
    kind: str
    ticket: str  # its number, or "-"
    to: str
    error: str


@dataclass(frozen=True)
class DigestData:
    """Every section of the digest, in the ledger's keys."""

    new_total: int
    new_by_category: list[Group]
    new_by_severity: list[Group]
    open_by_status: list[OpenStatus]
    sheets: list[DepartmentSheets]
    breached_today: Group
    breached_open: Group
    promises_missed: Group
    satisfaction: Satisfaction
    at_risk: list[RiskRow]  # the latest ones
    at_risk_total: int
    quarantined: list[QuarantinedRow]
    quarantined_total: int
    failed: list[FailedRow]
    failed_total: int
    manual_reading: Group  # open fax tickets whose pages OCR could not read (open: never quiet)
    daily_new: list[int]  # new complaints on each of the 30 days ending with the day

    @property
    def quiet(self) -> bool:
        """Nothing to report: no complaint, nothing open, late, unhappy or stuck."""
        return not (
            self.new_total
            or self.open_by_status
            or self.sheets
            or self.breached_today["count"]
            or self.promises_missed["count"]
            or self.satisfaction["answered"]
            or self.at_risk
            or self.quarantined_total
            or self.failed_total
        )


def digest_data(period: Period, now: datetime) -> DigestData:
    """The digest of ``period`` (one day), open work as of ``now``."""
    new = _new_tickets(period)
    quarantined, quarantined_total = _quarantined()
    failed, failed_total = _failed_mail()
    at_risk, at_risk_total = _at_risk(period)
    return DigestData(
        new_total=len(new),
        new_by_category=grouped(((c, n) for c, _, n in new), CATEGORIES),
        new_by_severity=grouped(((s, n) for _, s, n in new), SEVERITIES),
        open_by_status=open_by_status(now),
        sheets=sheets_past_due(),
        breached_today=_numbers(
            "breached",
            Ticket.select(Ticket.number).where(_within(Ticket.sla_breached_at, period)),
            Ticket.sla_breached_at,
        ),
        breached_open=_numbers(
            "open",
            Ticket.select(Ticket.number).where(
                Ticket.status.in_(OPEN_STATUSES) & Ticket.sla_breached_at.is_null(False)
            ),
            Ticket.sla_breached_at,
        ),
        promises_missed=_promises_missed(period),
        satisfaction=satisfaction(period),
        at_risk=at_risk,
        at_risk_total=at_risk_total,
        quarantined=quarantined,
        quarantined_total=quarantined_total,
        failed=failed,
        failed_total=failed_total,
        manual_reading=_numbers(
            "manual",
            Ticket.select(Ticket.number).where(
                Ticket.status.in_(OPEN_STATUSES) & Ticket.needs_manual_reading
            ),
            Ticket.created_at,
        ),
        daily_new=daily_counts(Ticket.created_at, period.end, TREND_DAYS),
    )


@contextmanager
def report_reads(database: peewee.Database) -> Iterator[None]:
    """A report's queries: on PostgreSQL in one transaction without JIT compiling.

    The month's grouped join costs just over PostgreSQL's ``jit_above_cost``: compiling it
    took longer than running it (6.2 s against about 1 s for the whole monthly report
    on a million tickets, measured with ``tools.bench_reports``)."""
    if not is_postgres(database):  # SQLite: no transaction, which would take the write lock
        yield
        return
    with database.atomic():
        database.execute_sql("SET LOCAL jit = off")
        yield


def rows(query: Any) -> list[tuple[Any, ...]]:
    """The rows of ``query`` as tuples (what a GROUP BY gives; no model instances)."""
    return list(query.tuples())


def _within(column: peewee.Field, period: Period) -> peewee.Expression:
    return (column >= period.start) & (column < period.end)


def _new_tickets(period: Period) -> list[tuple[str, str, str]]:
    """(category, severity, number) of the tickets created in ``period``."""
    query = (
        Ticket.select(Ticket.category, Ticket.severity, Ticket.number)
        .where(_within(Ticket.created_at, period))
        .order_by(Ticket.created_at, Ticket.id)
    )
    return [(row.category, row.severity, row.number) for row in query]


def _numbers(key: str, query: Any, order: peewee.Field) -> Group:
    """The tickets of ``query``: how many, and the first :data:`SHOWN` by ``order``."""
    count = query.count()
    first = [row.number for row in query.order_by(order, Ticket.id).limit(SHOWN)]
    return group(key, first, count)


def _age_case(now: datetime) -> Any:
    """0-3: created under 1 day before ``now``, 1-3 days, 3-7 days, longer."""
    bounds = [(Ticket.created_at > now - timedelta(days=d), i) for i, d in enumerate(AGE_DAYS)]
    return peewee.Case(None, bounds, len(AGE_DAYS))


def open_by_status(now: datetime) -> list[OpenStatus]:
    """Open tickets by status and age (one GROUP BY), each with its oldest numbers."""
    age = _age_case(now)
    query = (
        Ticket.select(Ticket.status, age.alias("age"), peewee.fn.COUNT(Ticket.id).alias("n"))
        .where(Ticket.status.in_(OPEN_STATUSES))
        .group_by(Ticket.status, age)
    )
    ages: dict[str, list[int]] = {}
    for status, bucket, count in rows(query):
        ages.setdefault(status, [0] * (len(AGE_DAYS) + 1))[int(bucket)] += int(count)
    result: list[OpenStatus] = []
    for status in OPEN_STATUSES:
        if status in ages:
            oldest = (
                Ticket.select(Ticket.number)
                .where(Ticket.status == status)
                .order_by(Ticket.created_at, Ticket.id)
                .limit(SHOWN)
            )
            count = sum(ages[status])
            numbers = [row.number for row in oldest]
            result.append(
                {
                    "status": status,
                    "count": count,
                    "ages": ages[status],
                    "oldest": group(status, numbers, count),
                }
            )
    return result


def sheets_past_due() -> list[DepartmentSheets]:
    """Overdue and escalated contact sheets by department (one GROUP BY), each with the
    tickets of its longest-waiting sheets."""
    late = (SheetStatus.OVERDUE, SheetStatus.ESCALATED)
    counts = (
        ContactSheet.select(
            ContactSheet.department, ContactSheet.status, peewee.fn.COUNT(ContactSheet.id)
        )
        .where(ContactSheet.status.in_(late))
        .group_by(ContactSheet.department, ContactSheet.status)
    )
    found: dict[str, dict[str, Group]] = {}
    for department, status, count in rows(counts):
        first = (
            ContactSheet.select(Ticket.number)
            .join(Ticket)
            .where((ContactSheet.department == department) & (ContactSheet.status == status))
            .order_by(ContactSheet.due_at, ContactSheet.id)
            .limit(SHOWN)
        )
        numbers = [number for (number,) in rows(first)]
        found.setdefault(department, {s: group(s, []) for s in late})[status] = group(
            status, numbers, int(count)
        )
    ranked = sorted(found, key=lambda d: (-found[d][SheetStatus.ESCALATED]["count"], d))
    return [
        {
            "department": key,
            "overdue": found[key][SheetStatus.OVERDUE],
            "escalated": found[key][SheetStatus.ESCALATED],
        }
        for key in ranked
    ]


def _promises_missed(period: Period) -> Group:
    """Tickets whose committed answer time came in ``period`` without a solution (the
    customer got a progress update instead)."""
    query = (
        Ticket.select(Ticket.number)
        .join(Event, on=(Event.ticket == Ticket.id))
        .where((Event.action == EventAction.PROMISE_KEPT) & _within(Event.at, period))
        .distinct()
    )
    return group("promise", sorted(number for (number,) in rows(query)))


def satisfaction(period: Period) -> Satisfaction:
    """The day's survey answers, and the last 30 days' against the 30 before."""
    day = (
        Survey.select(Survey.score, Survey.satisfied, Ticket.number)
        .join(Ticket)
        .where(_within(Survey.answered_at, period))
        .order_by(Survey.answered_at, Survey.id)
    )
    answers = rows(day)
    scores = [score for score, _, _ in answers if score is not None]
    unhappy = [number for score, ok, number in answers if ok is False or (score or 5) <= 2]
    month = Period("30", period.end - timedelta(days=TREND_DAYS), period.end)
    before = Period("60", month.start - timedelta(days=TREND_DAYS), month.start)
    answered_30, average_30 = _answers(month)
    expired_30 = (
        Survey.select()
        .where(_within(Survey.expired_at, month) & Survey.answered_at.is_null())
        .count()
    )
    finished = answered_30 + expired_30
    return {
        "answered": len(answers),
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "unhappy": group("unhappy", unhappy),
        "average_30": average_30,
        "average_previous_30": _answers(before)[1],
        "answered_30": answered_30,
        "finished_30": finished,
        "response_rate_30": round(answered_30 / finished, 3) if finished else None,
    }


def _answers(period: Period) -> tuple[int, float | None]:
    """How many surveys were answered in ``period``, and their average score."""
    [(count, average)] = rows(
        Survey.select(peewee.fn.COUNT(Survey.id), peewee.fn.AVG(Survey.score)).where(
            _within(Survey.answered_at, period)
        )
    )
    return int(count), (round(float(average), 2) if average is not None else None)


def _at_risk(period: Period) -> tuple[list[RiskRow], int]:
    """Customers flagged and not cleared: the latest :data:`ROWS_SHOWN`, the day's new ones
    first; and how many there are."""
    query = CustomerRisk.select(
        CustomerRisk.email, CustomerRisk.tickets, CustomerRisk.flagged_at
    ).where(CustomerRisk.cleared_at.is_null())
    latest = query.order_by(CustomerRisk.flagged_at.desc(), CustomerRisk.email).limit(ROWS_SHOWN)
    risks: list[RiskRow] = [
        {
            "email": row.email,
            "numbers": list(row.tickets),
            "new": period.start <= row.flagged_at < period.end,
        }
        for row in latest
    ]
    return sorted(risks, key=lambda row: not row["new"]), query.count()


def _quarantined() -> tuple[list[QuarantinedRow], int]:
    """Inbound mail that failed to process (``inbound retry``), oldest first."""
    query = InboundMessage.select(
        InboundMessage.id, InboundMessage.message_id, InboundMessage.mailbox, InboundMessage.error
    ).where(InboundMessage.status == InboundStatus.FAILED)
    quarantined: list[QuarantinedRow] = [
        {
            "id": row.id,
            "message_id": row.message_id or "-",
            "mailbox": row.mailbox,
            "error": _first_line(row.error),
        }
        for row in query.order_by(InboundMessage.id).limit(ROWS_SHOWN)
    ]
    return quarantined, query.count()


def _failed_mail() -> tuple[list[FailedRow], int]:
    """Outgoing mail that failed for good (``outbox retry`` / ``cancel``), oldest first."""
    query = (
        Outbox.select(Outbox.id, Outbox.kind, Outbox.rcpt_to, Outbox.last_error, Ticket.number)
        .join(Ticket, peewee.JOIN.LEFT_OUTER)
        .where(Outbox.status == OutboxStatus.FAILED)
        .order_by(Outbox.id)
        .limit(ROWS_SHOWN)
    )
    failed: list[FailedRow] = [
        {
            "id": row_id,
            "kind": kind,
            "ticket": number or "-",
            "to": ", ".join(rcpt_to or []),
            "error": _first_line(error),
        }
        for row_id, kind, rcpt_to, error, number in rows(query)
    ]
    return failed, Outbox.select().where(Outbox.status == OutboxStatus.FAILED).count()


def _first_line(text: str | None, limit: int = 160) -> str:
    """The first line of an error, cut to ``limit`` characters."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else "-"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def daily_counts(column: peewee.Field, end: datetime, days: int) -> list[int]:
    """Rows of ``column``'s model per day for the ``days`` days before ``end``, oldest
    first: one GROUP BY over a CASE of day boundaries (the same SQL on both databases)."""
    starts = [end - timedelta(days=days - i) for i in range(days)]
    bucket = peewee.Case(None, [(column < starts[i + 1], i) for i in range(days - 1)], days - 1)
    query = (
        column.model.select(bucket.alias("day"), peewee.fn.COUNT(peewee.SQL("*")))
        .where((column >= starts[0]) & (column < end))
        .group_by(bucket)
    )
    counts = [0] * days
    for day, count in rows(query):
        counts[int(day)] = int(count)
    return counts
