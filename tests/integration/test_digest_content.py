"""The daily digest's sections on a seeded ledger: the right tickets on every line, the
same on SQLite and PostgreSQL, a quiet day in one line."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import peewee

from complaintd.clock import SystemClock
from complaintd.reports.digest_data import DigestData, digest_data
from complaintd.reports.period import day_period
from complaintd.store import migrations
from complaintd.store.db import close_database, open_database
from complaintd.store.models import Ticket
from complaintd.store.prepared import create
from complaintd.store.timed import CustomerRisk
from tests.integration.desk import Desk
from tests.support.report_ledger import BEIJING, DAY, NOW, seed_day


def test_each_section_names_its_tickets(ledger: peewee.Database) -> None:
    expected = seed_day()
    data = digest_data(day_period(DAY.date(), BEIJING), NOW)
    by_category = {g["key"]: g["numbers"] for g in data.new_by_category}
    assert (data.new_total, by_category) == (
        4,
        {
            "damage": expected["new_damage"],
            "delay": expected["new_delay"],
            "billing": expected["new_billing"],
        },
    )
    assert {g["key"]: g["count"] for g in data.new_by_severity} == {
        "serious": 1,
        "important": 1,
        "general": 2,
    }
    assert data.new_by_severity[0]["numbers"] == expected["new_serious"]
    opened = {s["status"]: s for s in data.open_by_status}
    assert list(opened) == ["received", "investigating", "solution_proposed", "implementing"]
    for status in opened:
        assert opened[status]["oldest"]["numbers"] == expected[status]
    # Ages at 08:00 the next morning: t1, t2 under a day; t5 ten days; t6 two days old.
    assert opened["investigating"]["ages"] == [2, 0, 0, 1]
    assert opened["solution_proposed"]["ages"] == [0, 0, 1, 0]
    sheets = {s["department"]: s for s in data.sheets}
    assert list(sheets) == ["qc", "ops"]  # the department with an escalation first
    assert sheets["qc"]["overdue"]["numbers"] == expected["qc_overdue"]
    assert sheets["qc"]["escalated"]["numbers"] == expected["qc_escalated"]
    assert sheets["ops"]["overdue"]["numbers"] == expected["ops_overdue"]
    assert sheets["ops"]["escalated"]["count"] == 0
    assert data.breached_today["numbers"] == expected["breached_today"]
    assert data.breached_open["numbers"] == expected["breached_open"]
    assert data.promises_missed["numbers"] == expected["promises_missed"]
    satisfaction = data.satisfaction
    assert (satisfaction["answered"], satisfaction["average"]) == (2, 3.5)
    assert satisfaction["unhappy"]["numbers"] == expected["unhappy"]
    # 30 days: answers 5, 2 and 4; one survey expired unanswered.
    assert (satisfaction["answered_30"], satisfaction["finished_30"]) == (3, 4)
    assert (satisfaction["average_30"], satisfaction["response_rate_30"]) == (3.67, 0.75)
    assert [(r["email"], r["numbers"], r["new"]) for r in data.at_risk] == [
        ("repeat@customer.example", expected["at_risk"], True)
    ]
    assert [(q["id"], q["message_id"], q["error"]) for q in data.quarantined] == [
        (1, "broken-1@sender.example", "UnicodeError: bad header")
    ]
    assert [(f["ticket"], f["to"], f["error"]) for f in data.failed] == [
        ("TS-202611-0002", "c2@customer.example", "550 5.1.1 mailbox unavailable")
    ]
    # Within the 30 days: the day's 4, t5-t8 (one a day), the 4 surveyed ones on 8
    # November and t14; t13 (40 days before) is not.
    assert data.daily_new[-1] == 4 and data.daily_new[17] == 4 and sum(data.daily_new) == 13
    assert not data.quiet


def test_open_faxes_nobody_could_read_are_named(ledger: peewee.Database) -> None:
    """A fax whose pages OCR could not read waits for a person: listed while open."""
    expected = seed_day()
    unread_open, unread_closed = expected["investigating"][0], expected["new_billing"][0]
    Ticket.update(needs_manual_reading=True).where(
        Ticket.number.in_([unread_open, unread_closed])
    ).execute()
    data = digest_data(day_period(DAY.date(), BEIJING), NOW)
    assert data.manual_reading["numbers"] == [unread_open]  # the closed one is done with


def test_sqlite_and_postgresql_give_the_same_digest(tmp_path: Path, pg_url: str) -> None:
    """One seeded ledger on each database: every section equal, field by field."""
    results: list[DigestData] = []
    for url in (f"sqlite:///{tmp_path}/same.db", pg_url):
        database = open_database(url)
        migrations.upgrade(database, SystemClock())
        with database.atomic():
            seed_day()
        results.append(digest_data(day_period(DAY.date(), BEIJING), NOW))
        close_database()
    sqlite, postgres = (dataclasses.asdict(result) for result in results)
    assert sqlite == postgres


def test_a_quiet_day_says_so_in_one_line(ledger: peewee.Database) -> None:
    data = digest_data(day_period(DAY.date(), BEIJING), NOW)
    assert data.quiet and data.new_total == 0 and data.daily_new == [0] * 30


def _seeded(desk: Desk) -> None:
    """The desk's own ledger, seeded (as the daemon would have written it)."""
    assert desk.cli("db", "upgrade").code == 0
    url = f"sqlite:///{desk.config_path.parent}/complaintd.db"
    database = open_database(url)
    with database.atomic():
        seed_day()
    close_database()


def test_print_writes_the_text_with_every_number(desk: Desk) -> None:
    _seeded(desk)
    result = desk.cli("digest", "--print", "--date", "2026-11-20", now=NOW.isoformat())
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    line = {
        marker: next(text for text in lines if marker in text)
        for marker in (
            "破损 2 单",
            "Quality Control",
            "已超时仍未结案",
            "不满意",
            "repeat@",
            "#1 ack",
        )
    }
    assert "TS-202611-0001、TS-202611-0002" in line["破损 2 单"]
    assert "已升级 1 张（TS-202611-0005）" in line["Quality Control"]
    assert "逾期催办中 1 张（TS-202611-0001）" in line["Quality Control"]
    assert "TS-202611-0008、TS-202611-0005" in line["已超时仍未结案"]
    assert "TS-202611-0010" in line["不满意"]
    assert "TS-202611-0013、TS-202611-0014" in line["repeat@"]
    assert "TS-202611-0002" in line["#1 ack"]
    assert "broken-1@sender.example" in result.out
    assert not desk.smtp.messages  # --print sends nothing


def test_a_quiet_day_prints_one_line(desk: Desk) -> None:
    assert desk.cli("db", "upgrade").code == 0
    result = desk.cli("digest", "--print", now=NOW.isoformat())  # yesterday: 20 November
    assert result.code == 0, result.err
    body = [line for line in result.out.splitlines() if line.strip()]
    assert body[1] == "2026年11月20日无新投诉，也没有待处理、逾期或需人工处理的事项。"
    assert len(body) == 4  # title, the one line, the desk's name and the footer


def test_a_bad_date_is_bad_usage(desk: Desk) -> None:
    result = desk.cli("digest", "--print", "--date", "20.11.2026", now=NOW.isoformat())
    assert result.code == 2 and "--date" in result.err


def test_a_long_list_of_customers_at_risk_is_cut_and_counted(ledger: peewee.Database) -> None:
    seed_day()
    first = Ticket.get(Ticket.number == "TS-202611-0001")
    for i in range(30):
        create(
            CustomerRisk,
            email=f"r{i:02d}@customer.example",
            flagged_at=DAY - timedelta(days=1, minutes=i),
            ticket=first,
            tickets=[first.number],
        )
    data = digest_data(day_period(DAY.date(), BEIJING), NOW)
    assert data.at_risk_total == 31 and len(data.at_risk) == 20
    # The day's new one first, then the most recently flagged.
    assert [r["email"] for r in data.at_risk[:3]] == [
        "repeat@customer.example",
        "r00@customer.example",
        "r01@customer.example",
    ]
