"""A seeded ledger for the admins' reports: every section has tickets to name.

The day is Friday 20 November 2026 in Beijing; :data:`EXPECTED` says which ticket numbers
each section of the digest of that day must name.  Rows are written with the models
directly (the reports only read them), the way intake and the jobs write them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from complaintd.store.event_action import EventAction
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.models import ContactSheet, Event, InboundMessage, Message, Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.prepared import create
from complaintd.store.sheet_status import SheetStatus
from complaintd.store.ticket_status import TicketStatus
from complaintd.store.timed import CustomerRisk, Survey

BEIJING = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 20, tzinfo=BEIJING)  # the day the digest covers
NOW = datetime(2026, 11, 21, 8, 0, tzinfo=BEIJING)  # digest_time the next morning


def number(serial: int) -> str:
    return f"TS-202611-{serial:04d}"


def ticket(
    serial: int,
    at: datetime,
    *,
    category: str = "delay",
    severity: str = "general",
    status: TicketStatus = TicketStatus.RECEIVED,
    email: str | None = None,
    **more: object,
) -> Ticket:
    """One ticket created at ``at`` (Beijing)."""
    return create(
        Ticket,
        number=number(serial),
        status=status,
        severity=severity,
        category=category,
        source="email",
        language="zh-CN",
        subject=f"投诉 {serial}",
        customer_email=email or f"c{serial}@customer.example",
        created_at=at,
        updated_at=at,
        **more,
    )


def seed_day() -> dict[str, list[str]]:
    """The ledger of :data:`DAY`; returns, per section, the numbers the digest must name."""
    h = lambda hour: DAY + timedelta(hours=hour)  # noqa: E731 - a time on the day
    # New on the day: 2 damage (1 serious), 1 delay, 1 billing (closed the same day).
    t1 = ticket(1, h(9), category="damage", severity="serious", status=TicketStatus.INVESTIGATING)
    t2 = ticket(2, h(10), category="damage", status=TicketStatus.INVESTIGATING)
    t3 = ticket(3, h(11), category="delay", severity="important")
    ticket(4, h(15), category="billing", status=TicketStatus.CLOSED)
    # Older, still open: 10 days old and breached; 2 days old; one invalid (not open).
    old = ticket(
        5,
        DAY - timedelta(days=10),
        category="loss",
        severity="serious",
        status=TicketStatus.INVESTIGATING,
        sla_breached_at=h(14),
    )
    ticket(6, DAY - timedelta(days=2), category="attitude", status=TicketStatus.SOLUTION_PROPOSED)
    ticket(7, DAY - timedelta(days=3), category="other", status=TicketStatus.INVALID)
    # Breached long ago and still open.
    ticket(
        8,
        DAY - timedelta(days=20),
        category="damage",
        status=TicketStatus.IMPLEMENTING,
        sla_breached_at=DAY - timedelta(days=15),
    )
    # Sheets: qc overdue on t1 and escalated on old; ops overdue on t2; answered sheets too.
    for t, department, status in (
        (t1, "qc", SheetStatus.OVERDUE),
        (old, "qc", SheetStatus.ESCALATED),
        (t2, "ops", SheetStatus.OVERDUE),
        (t3, "ops", SheetStatus.ANSWERED),
        (t3, "qc", SheetStatus.OPEN),
    ):
        create(
            ContactSheet,
            ticket=t,
            department=department,
            status=status,
            due_at=t.created_at + timedelta(hours=4),
            created_at=t.created_at,
        )
    # The committed time of t3 came without a solution: a progress update went out.
    create(Event, ticket=t3, at=h(19), actor="system", action=EventAction.PROMISE_KEPT, detail={})
    # Surveys: on the day a 5 (t9) and a 2 (t10); earlier in the month a 4 and one expired.
    for serial, score, answered, expired in (
        (9, 5, h(10), None),
        (10, 2, h(16), None),
        (11, 4, DAY - timedelta(days=5), None),
        (12, None, None, DAY - timedelta(days=3)),
    ):
        closed = ticket(serial, DAY - timedelta(days=12), status=TicketStatus.CLOSED)
        create(
            Survey,
            ticket=closed,
            round=1,
            started_at=DAY - timedelta(days=9),
            sent_at=DAY - timedelta(days=6),
            answered_at=answered,
            expired_at=expired,
            score=score,
            satisfied=None if score is None else score > 2,
        )
    # A customer at risk (flagged on the day) and one cleared.
    repeat = "repeat@customer.example"
    first = ticket(13, DAY - timedelta(days=40), status=TicketStatus.CLOSED, email=repeat)
    second = ticket(14, DAY - timedelta(days=8), status=TicketStatus.CLOSED, email=repeat)
    create(
        CustomerRisk,
        email=repeat,
        flagged_at=h(12),
        ticket=second,
        tickets=[first.number, second.number],
    )
    create(
        CustomerRisk,
        email="calm@customer.example",
        flagged_at=DAY - timedelta(days=30),
        ticket=first,
        tickets=[first.number],
        cleared_at=DAY - timedelta(days=20),
        cleared_by="survey answer",
    )
    # A quarantined inbound mail and a processed one; a failed and a sent outbox row.
    for uid, inbound_status, error in (
        (1, InboundStatus.FAILED, "UnicodeError: bad header\nmore"),
        (2, InboundStatus.PROCESSED, None),
    ):
        create(
            InboundMessage,
            mailbox="complaints",
            mailbox_kind="complaint",
            uidvalidity=1,
            uid=uid,
            message_id=f"broken-{uid}@sender.example",
            sha256=f"{uid:064d}",
            size=100,
            fetched_at=h(8),
            status=inbound_status,
            error=error,
        )
    for serial, outbox_status in ((1, OutboxStatus.FAILED), (2, OutboxStatus.SENT)):
        create(
            Outbox,
            ticket=t2,
            kind="ack",
            message_id=f"out-{serial}@lida.example",
            mail_from="complaints@lida.example",
            rcpt_to=["c2@customer.example"],
            raw_message=b"",
            status=outbox_status,
            next_attempt_at=h(10),
            created_at=h(10),
            last_error="550 5.1.1 mailbox unavailable"
            if outbox_status == OutboxStatus.FAILED
            else None,
        )
    return {
        "new_damage": [number(1), number(2)],
        "new_delay": [number(3)],
        "new_billing": [number(4)],
        "new_serious": [number(1)],
        "investigating": [number(5), number(1), number(2)],  # oldest first
        "solution_proposed": [number(6)],
        "implementing": [number(8)],
        "received": [number(3)],
        "qc_overdue": [number(1)],
        "qc_escalated": [number(5)],
        "ops_overdue": [number(2)],
        "breached_today": [number(5)],
        "breached_open": [number(8), number(5)],
        "promises_missed": [number(3)],
        "unhappy": [number(10)],
        "at_risk": [number(13), number(14)],
    }


MONTH = datetime(2026, 11, 1, tzinfo=BEIJING)  # the month the monthly report covers
MONTH_NOW = datetime(2026, 12, 1, 8, 0, tzinfo=BEIJING)


def seed_month() -> dict[str, object]:
    """November 2026 against October; returns what the monthly report must say."""
    nov = lambda day, hour=10: MONTH + timedelta(days=day - 1, hours=hour)  # noqa: E731
    octo = lambda day: MONTH - timedelta(days=31) + timedelta(days=day - 1, hours=10)  # noqa: E731
    repeat = "again@customer.example"
    t1 = ticket(
        101,
        nov(3),
        category="damage",
        severity="serious",
        status=TicketStatus.CLOSED,
        origin_province="上海市",
        origin_city="上海市",
        destination_province="四川省",
        destination_city="成都市",
        resolve_due_at=nov(4),
        sla_breached_at=nov(4),
    )
    t2 = ticket(
        102,
        nov(5),
        category="damage",
        status=TicketStatus.INVESTIGATING,
        email=repeat,
        origin_province="上海市",
        origin_city="上海市",
        destination_province="四川省",
        destination_city="成都市",
    )
    t3 = ticket(103, nov(6), category="damage", status=TicketStatus.INVALID)
    t4 = ticket(
        104,
        nov(10),
        category="delay",
        status=TicketStatus.CLOSED,
        origin_province="广东省",
        origin_city="深圳市",
        destination_province="北京市",
        destination_city="北京市",
    )
    ticket(105, nov(20), category="delay", email=repeat)
    ticket(106, nov(28), category="billing", severity="important")
    for serial, category in ((201, "damage"), (202, "delay"), (203, "delay"), (204, "delay")):
        old = ticket(serial, octo(10 + serial - 200), category=category, status=TicketStatus.CLOSED)
        create(
            ContactSheet,
            ticket=old,
            department="ops",
            status=SheetStatus.ANSWERED,
            due_at=old.created_at,
            created_at=old.created_at,
        )
    answers = (
        (t1, "qc", {"finding": "valid", "cause": "staff_error"}),
        (t2, "qc", {"finding": "valid", "cause": "staff_error"}),
        (t3, "qc", {"finding": "invalid"}),
        (t4, "ops", {"finding": "valid", "cause": "force_majeure"}),
        (t4, "qc", None),
    )
    for t, department, answer in answers:
        create(
            ContactSheet,
            ticket=t,
            department=department,
            status=SheetStatus.ANSWERED if answer else SheetStatus.OVERDUE,
            due_at=t.created_at + timedelta(hours=4),
            created_at=t.created_at,
            answered_at=t.created_at + timedelta(hours=3) if answer else None,
            answer=answer,
        )
    # The desk's answers: t1 replied after 1 h and resolved after 30 h (SLA 24 h: 6 h
    # late); t2 got a solution after 10 h; t4 a progress update first, a reply at 30 h.
    for t, kind, hours in (
        (t1, "reply", 1),
        (t1, "resolution", 30),
        (t2, "solution", 10),
        (t4, "progress_update", 8),
        (t4, "reply", 30),
        (t4, "resolution", 50),
    ):
        create(
            Message,
            ticket=t,
            direction="out",
            kind=kind,
            created_at=t.created_at + timedelta(hours=hours),
        )
    create(Event, ticket=t4, at=nov(10, 18), actor="system", action=EventAction.PROMISE_KEPT)
    for at in (nov(12), nov(15)):  # t2 reopened twice
        create(
            Event,
            ticket=t2,
            at=at,
            actor="system",
            action=EventAction.STATUS_CHANGED,
            detail={"previous": "closed", "status": "investigating"},
        )
    for t, score in ((t1, 2), (t4, 5)):
        create(
            Survey,
            ticket=t,
            round=1,
            started_at=nov(20),
            sent_at=nov(21),
            answered_at=nov(22),
            score=score,
            satisfied=score > 2,
        )
    create(CustomerRisk, email=repeat, flagged_at=nov(25), ticket=t2, tickets=[t2.number])
    return {
        "categories": {"damage": (3, 1), "delay": (2, 3), "billing": (1, 0)},
        "departments": {"qc": (4, 0), "ops": (1, 4)},
        "causes": {"staff_error": 2, "force_majeure": 1},
        "routes": {"上海市→成都市": 2, "深圳市→北京市": 1},
        "repeat": (repeat, [t2.number, number(105)]),
        "most_overdue": [(t1.number, 6.0)],  # resolved 30 h after creation, due after 24 h
        "most_reopened": [(t2.number, 2)],
    }
