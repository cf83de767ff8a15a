"""The monthly hot-spot report on a seeded month: every section's numbers, the same on
SQLite and PostgreSQL, mailed once on the 1st with its charts through the real SMTP server."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import peewee

from complaintd.clock import SystemClock
from complaintd.config.loader import DEFAULT_SLA
from complaintd.render.wellformed import html_problems
from complaintd.reports.monthly_data import MonthlyData, monthly_data
from complaintd.reports.period import month_period, previous_month
from complaintd.store import migrations
from complaintd.store.db import close_database, open_database
from tests.integration.desk import Desk
from tests.integration.mails import text_of
from tests.support.report_ledger import BEIJING, MONTH, MONTH_NOW, seed_month


def november() -> MonthlyData:
    first = MONTH.date()
    return monthly_data(
        month_period(first, BEIJING), month_period(previous_month(first), BEIJING), DEFAULT_SLA
    )


def test_each_section_counts_the_seeded_month(ledger: peewee.Database) -> None:
    expected: Any = seed_month()
    data = november()
    assert (data.total, data.previous_total) == (6, 4)
    assert {t["key"]: (t["count"], t["previous"]) for t in data.categories} == expected[
        "categories"
    ]
    assert data.categories[0]["key"] == "damage"  # the hot spot first
    assert next(t for t in data.categories if t["key"] == "delay")["change"] == -0.333
    assert {t["key"]: (t["count"], t["previous"]) for t in data.departments} == expected[
        "departments"
    ]
    assert {t["key"]: t["count"] for t in data.causes} == expected["causes"]
    assert {t["key"]: t["count"] for t in data.routes} == expected["routes"]
    assert {t["key"]: t["count"] for t in data.regions} == {"四川省": 2, "北京市": 1}
    assert data.unknown_route == 3
    [repeat] = data.repeats
    assert (repeat["email"], repeat["numbers"]) == expected["repeat"]
    timing = {t["severity"]: t for t in data.timings}
    serious, general = timing["serious"], timing["general"]
    assert (serious["first_answer_hours"], serious["resolution_hours"]) == (1.0, 30.0)
    assert (serious["breached"], serious["sla_first_answer"], serious["sla_resolve"]) == (1, 2, 24)
    # t2 answered after 10 h, t4 after 30 h (a progress update went out first).
    assert (general["tickets"], general["answered"], general["first_answer_hours"]) == (4, 2, 20.0)
    assert general["answered_late"] == 1
    assert {
        s["department"]: (s["answers"], s["average"], s["unhappy"]) for s in data.satisfaction
    } == {
        "qc": (2, 3.5, 1),
        "ops": (1, 5.0, 0),
    }
    assert [r["email"] for r in data.at_risk] == [expected["repeat"][0]]
    assert [(w["number"], w["hours_late"]) for w in data.most_overdue] == expected["most_overdue"]
    assert [(w["number"], w["reopened"]) for w in data.most_reopened] == expected["most_reopened"]


def test_sqlite_and_postgresql_give_the_same_report(tmp_path: Path, pg_url: str) -> None:
    results = []
    for url in (f"sqlite:///{tmp_path}/same.db", pg_url):
        database = open_database(url)
        migrations.upgrade(database, SystemClock())
        with database.atomic():
            seed_month()
        results.append(dataclasses.asdict(november()))
        close_database()
    assert results[0] == results[1]


def _seeded(desk: Desk) -> None:
    """The desk's ledger, set up in October and seeded with November."""
    assert desk.cli("db", "upgrade", now="2026-10-01T09:00:00+08:00").code == 0
    database = open_database(f"sqlite:///{desk.config_path.parent}/complaintd.db")
    with database.atomic():
        seed_month()
    close_database()


def test_print_names_the_hot_spots_and_the_worst_tickets(desk: Desk) -> None:
    _seeded(desk)
    result = desk.cli("report", "monthly", "--print", now=MONTH_NOW.isoformat())
    assert result.code == 0, result.err
    text = result.out
    assert "投诉月报 · 2026年11月" in text and "与2026年10月对比" in text
    assert "破损：3 单（上月 1，+200%）" in text
    assert "上海市→成都市：2 单" in text
    assert "again@customer.example：2 单，TS-202611-0102、TS-202611-0105" in text
    assert "TS-202611-0101（严重，破损）超时 6.0 小时" in text
    assert "TS-202611-0102（一般，破损）重新打开 2 次" in text
    other = desk.cli(
        "report", "monthly", "--print", "--month", "2026-10", now=MONTH_NOW.isoformat()
    )
    assert other.code == 0 and "投诉月报 · 2026年10月" in other.out
    bad = desk.cli("report", "monthly", "--print", "--month", "2026/10")
    assert bad.code == 2 and "--month" in bad.err


def test_mailed_once_on_the_first_with_charts(desk: Desk) -> None:
    _seeded(desk)
    desk.once(now=(MONTH_NOW - timedelta(minutes=1)).isoformat())
    for minutes in (0, 5, 60 * 24):
        desk.once(now=(MONTH_NOW + timedelta(minutes=minutes)).isoformat())
    reports = [
        m.parsed()
        for m in desk.smtp.messages
        if m.accepted and "投诉月报 2026-11" in str(m.parsed()["Subject"])
    ]
    assert len(reports) == 1
    [report] = reports
    html, text = text_of(report, "html"), text_of(report)
    assert html_problems(html) == [] and len(html.encode()) < 100 * 1024
    images = {
        str(part["Content-ID"]).strip("<>"): part.get_content()
        for part in report.walk()
        if part.get_content_type() == "image/png"
    }
    assert set(re.findall(r'src="cid:([^"]+)"', html)) == set(images)
    assert len(images) == 4 and all(len(png) < 30 * 1024 for png in images.values())
    # The tables carry the numbers the text does (images blocked, nothing lost).
    for number in ("TS-202611-0101", "TS-202611-0102", "TS-202611-0105"):
        assert number in html and number in text


def test_a_month_without_complaints_still_reads(desk: Desk) -> None:
    assert desk.cli("db", "upgrade").code == 0
    result = desk.cli("report", "monthly", "--print", "--month", "2026-11")
    assert result.code == 0, result.err
    assert "本月新投诉 0 单，上月 0 单。" in result.out and "没有投诉。" in result.out
