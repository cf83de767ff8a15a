"""Sample reports for ``complaintd check``: every section filled, and a quiet day (pure).

The admins' templates are operator-editable like every mail's; ``check`` renders them
with these (a busy day, a quiet day, a month) so a typo fails the check, not the 08:00
digest.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from complaintd.errors import ConfigError
from complaintd.render.contexts import (
    ChartRef,
    DayCount,
    DigestMail,
    MonthlyReportMail,
    ReportContent,
)
from complaintd.render.labels import LANGUAGES
from complaintd.render.templates import TemplateRenderer
from complaintd.render.times import LocalTime
from complaintd.render.wellformed import html_problems
from complaintd.reports.digest_data import DigestData
from complaintd.reports.groups import group
from complaintd.reports.monthly_data import MonthlyData, Repeat, Trend, Worst

_AT = LocalTime(datetime(2026, 11, 21, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
_DEPARTMENTS = {"qc": "质检部", "ops": "运营部"}
_NUMBERS = [f"TS-202611-{serial:04d}" for serial in range(1, 16)]
_CHART = ChartRef(cid="sample@complaintd", alt="sample chart")


def _digest(quiet: bool) -> DigestData:
    none = group("none", [])
    return DigestData(
        new_total=0 if quiet else 15,
        new_by_category=[] if quiet else [group("damage", _NUMBERS)],
        new_by_severity=[] if quiet else [group("serious", _NUMBERS[:1])],
        open_by_status=[]
        if quiet
        else [
            {
                "status": "investigating",
                "count": 3,
                "ages": [1, 1, 0, 1],
                "oldest": group("x", _NUMBERS[:3]),
            }
        ],
        sheets=[]
        if quiet
        else [{"department": "qc", "overdue": group("o", _NUMBERS[:2]), "escalated": none}],
        breached_today=none if quiet else group("b", _NUMBERS[:1]),
        breached_open=none if quiet else group("b", _NUMBERS[:2]),
        promises_missed=none,
        satisfaction={
            "answered": 0 if quiet else 2,
            "average": None if quiet else 3.5,
            "unhappy": none if quiet else group("u", _NUMBERS[:1]),
            "average_30": None if quiet else 4.1,
            "average_previous_30": None if quiet else 3.9,
            "answered_30": 0 if quiet else 9,
            "finished_30": 0 if quiet else 12,
            "response_rate_30": None if quiet else 0.75,
        },
        at_risk=[]
        if quiet
        else [{"email": "a@customer.example", "numbers": _NUMBERS[:2], "new": True}],
        quarantined=[]
        if quiet
        else [{"id": 1, "message_id": "x@y", "mailbox": "complaints", "error": "e"}],
        at_risk_total=0 if quiet else 30,
        quarantined_total=0 if quiet else 1,
        failed=[]
        if quiet
        else [{"id": 2, "kind": "ack", "ticket": _NUMBERS[0], "to": "c@x", "error": "550"}],
        failed_total=0 if quiet else 1,
        manual_reading=none if quiet else group("manual", _NUMBERS[:1]),
        daily_new=[0 if quiet else i % 4 for i in range(30)],
    )


def _trend(key: str, count: int, previous: int) -> Trend:
    change = round((count - previous) / previous, 3) if previous else None
    return {"key": key, "count": count, "previous": previous, "change": change}


def _month() -> MonthlyData:
    repeat: Repeat = {"email": "a@customer.example", "count": 2, "numbers": _NUMBERS[:2]}
    worst: Worst = {
        "number": _NUMBERS[0],
        "severity": "serious",
        "category": "damage",
        "hours_late": 6.0,
        "reopened": 2,
    }
    return MonthlyData(
        total=15,
        previous_total=12,
        categories=[_trend("damage", 9, 4), _trend("delay", 6, 8)],
        severities=[_trend("serious", 1, 0), _trend("general", 14, 12)],
        causes=[_trend("staff_error", 3, 3)],
        departments=[_trend("qc", 9, 4)],
        routes=[_trend("上海市→成都市", 4, 1)],
        regions=[_trend("四川省", 4, 1)],
        unknown_route=5,
        repeats=[repeat],
        timings=[
            {
                "severity": "serious",
                "tickets": 1,
                "answered": 1,
                "first_answer_hours": 1.5,
                "answered_late": 0,
                "resolved": 0,
                "resolution_hours": None,
                "breached": 1,
                "sla_first_answer": 2.0,
                "sla_resolve": 24.0,
            }
        ],
        satisfaction=[{"department": "qc", "answers": 2, "average": 3.5, "unhappy": 1}],
        at_risk=[repeat],
        at_risk_total=12,
        most_overdue=[worst],
        most_reopened=[worst],
    )


def sample_reports(language: str) -> Iterator[ReportContent]:
    """A busy day's digest, a quiet day's, and a month's report."""
    for quiet in (False, True):
        yield DigestMail(
            day="2026-11-20",
            day_label="2026-11-20",
            generated_at=_AT,
            data=_digest(quiet),
            departments=_DEPARTMENTS,
            trend=[DayCount(label=f"11/{d}", count=d % 4) for d in range(1, 31)],
            charts=[] if quiet else [_CHART],
        )
    yield MonthlyReportMail(
        month="2026-11",
        month_label="2026-11",
        previous_label="2026-10",
        generated_at=_AT,
        data=_month(),
        departments=_DEPARTMENTS,
        charts={"category": _CHART},
    )


def check_report_templates(renderer: TemplateRenderer) -> list[str]:
    """Render the admins' templates in every language with the samples; the problems."""
    problems: list[str] = []
    desk = {"name": "Lida Logistics", "address": "complaints@lida.example"}
    for language in LANGUAGES:
        for content in sample_reports(language):
            values = {"language": language, "desk": desk, **content.values()}
            where = f"templates/{language}/{content.kind}"
            try:
                rendered = renderer.render(content.kind, language, values)
            except ConfigError as error:
                problems.append(str(error))
                continue
            if not rendered.subject or not rendered.text.strip():
                problems.append(f"{where}: the subject or the text is empty")
            problems += [f"{where}.html: {problem}" for problem in html_problems(rendered.html)]
    return list(dict.fromkeys(problems))
