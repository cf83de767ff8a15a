"""A reopened ticket is promised again: new committed times, a new resolve deadline, no
stale survey mail.  Against the real Dovecot and SMTP server; the clock is ``--now``,
stepping hour by hour through two business weeks after National Day 2026 (no holidays).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintd.clock import FixedClock, parse_now
from complaintd.config import load_config
from complaintd.jobs.runner import run_due_jobs
from complaintd.runtime import open_runtime
from complaintd.store.db import close_database
from tests.integration.clients import Client, reply
from tests.integration.desk import Desk
from tests.integration.mails import mail
from tests.integration.timed_desk import BEIJING, beijing, sent_once, timed_desk, timed_mail
from tests.support.dovecot import DovecotServer

ZHANG = ("张伟", "zhang.wei@customer.example")


@pytest.fixture
def desk(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> Desk:
    return timed_desk(tmp_path, dovecot, smtp_sink, imap_folder)


def step_hours(desk: Desk, start: datetime, end: datetime) -> None:
    """``once`` every business-day hour from 08:00 to 19:00, twice on weekend days."""
    moment = start
    while moment <= end:
        weekend = moment.weekday() >= 5
        if (moment.hour in (10, 15)) if weekend else (8 <= moment.hour <= 19):
            desk.once(now=moment.isoformat())
        moment += timedelta(hours=1)


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BEIJING)


def sink_mail(desk: Desk, shown: dict[str, Any], kind: str) -> Any:
    """The latest mail of ``kind`` on the ticket as the SMTP server received it."""
    message_id = [m["message_id"] for m in shown["messages"] if m["kind"] == kind][-1]
    [received] = [m for m in desk.smtp.messages if message_id in str(m.parsed()["Message-ID"])]
    return received


def close(desk: Desk, number: str, now: str) -> None:
    result = desk.cli("tickets", "close", number, "--resolution", "已按申报价值赔偿。", now=now)
    assert result.code == 0, result.err


def test_a_reopened_ticket_gets_updates_at_its_new_committed_times(desk: Desk) -> None:
    desk.append(
        mail("货物破损投诉", "运单号 SF1234567890123 的货物外箱压坏，瓷砖碎了。", sender=ZHANG)
    )
    desk.once(now=beijing(10, 12, 10))  # Monday 10:00; resolve deadline Friday 10:00
    [number] = [ticket["number"] for ticket in desk.tickets()]
    close(desk, number, beijing(10, 12, 11))  # survey due Wednesday 11:00
    step_hours(desk, at(10, 12, 12), at(10, 16, 10))
    assert timed_mail(desk.show(number)) == [("survey", "10-14 11:00", ZHANG[1])]

    # Friday 11:00: a pass queues the survey reminder, and before it is sent the
    # customer's answer (Reply button on the survey) comes in: not satisfied.
    runtime = open_runtime(
        load_config(desk.config_path), FixedClock(parse_now(beijing(10, 16, 11)))
    )
    try:
        assert {r.job: r.steps for r in run_due_jobs(runtime)}["survey"] == 1
    finally:
        close_database()
    survey = sink_mail(desk, desk.show(number), "survey")
    desk.append(reply(survey, "不满意，赔偿到现在还没到账。", client=Client.QQMAIL, sender=ZHANG))
    desk.once(now=beijing(10, 16, 11))

    shown = desk.show(number)
    assert shown["status"] == "investigating"
    assert shown["sla_breached_at"] is None  # the deadline of Friday 10:00 is not this promise's
    [reminder] = [m for m in shown["messages"] if m["kind"] == "survey_reminder"]
    assert reminder["delivery"]["status"] == "cancelled"
    [reopened] = [m for m in shown["messages"] if m["kind"] == "reopened"]
    assert "2026年10月19日 10:00" in reopened["body"]  # 8 business hours after Friday 11:00
    [event] = [e for e in shown["events"] if e["detail"].get("reason", "").startswith("survey:")]
    assert event["detail"]["resolve_due_at"] == "2026-10-22T11:00:00+08:00"
    story = desk.cli("tickets", "show", number, now=beijing(10, 16, 11)).out
    assert "answer due 2026-10-19 10:00, resolve by 2026-10-22 11:00" in story

    step_hours(desk, at(10, 16, 12), at(10, 21, 17))
    close(desk, number, beijing(10, 21, 17))  # closed again: a new survey round
    step_hours(desk, at(10, 21, 18), at(10, 23, 19))

    shown = desk.show(number)
    withdrawn = {m["message_id"] for m in shown["messages"] if m["kind"] == "survey_reminder"}
    shown["messages"] = [m for m in shown["messages"] if m["message_id"] not in withdrawn]
    assert timed_mail(shown) == [
        ("survey", "10-14 11:00", ZHANG[1]),
        ("progress_update", "10-19 10:00", ZHANG[1]),  # the new committed time
        ("progress_update", "10-20 09:00", ZHANG[1]),  # due Monday 18:00, closing time
        ("progress_update", "10-20 17:00", ZHANG[1]),
        ("progress_update", "10-21 16:00", ZHANG[1]),
        ("survey", "10-23 17:00", ZHANG[1]),  # the second closure's own survey
    ]
    assert shown["sla_breached_at"] is None  # closed before Thursday 11:00
    received = sent_once(desk)
    assert set(received.values()) == {1}, "a mail was sent twice"
    reminders = [m for m in desk.smtp.messages if "survey_reminder" in str(m.parsed())]
    assert reminders == [], "the withdrawn survey reminder reached the customer"


@pytest.mark.parametrize(
    "settle",
    [
        ("tickets", "propose", "{number}", "--text", "我们将按申报价值赔偿，请确认。"),
        ("tickets", "close", "{number}", "--resolution", "已按申报价值赔偿。"),
        ("tickets", "set", "{number}", "--invalid", "客户撤回投诉。"),
    ],
    ids=["propose", "close", "invalid"],
)
def test_a_waiting_progress_update_is_withdrawn_when_the_ticket_is_settled_first(
    desk: Desk, settle: tuple[str, ...]
) -> None:
    desk.append(
        mail("货物破损投诉", "运单号 SF1234567890123 的货物外箱压坏，瓷砖碎了。", sender=ZHANG)
    )
    desk.once(now=beijing(10, 12, 10))  # answer due Monday 18:00, closing time
    [number] = [ticket["number"] for ticket in desk.tickets()]
    desk.smtp.stop()
    desk.once(now=beijing(10, 13, 9))  # the progress update is queued; the server is down
    [update] = [m for m in desk.show(number)["messages"] if m["kind"] == "progress_update"]
    assert update["delivery"]["status"] == "pending"

    result = desk.cli(*(arg.format(number=number) for arg in settle), now=beijing(10, 13, 9, 30))
    assert result.code == 0, result.err
    desk.smtp.start()
    desk.once(now=beijing(10, 13, 10))

    messages = desk.show(number)["messages"]
    [update] = [m for m in messages if m["kind"] == "progress_update"]
    assert update["delivery"]["status"] == "cancelled"
    sent = [str(m.parsed()["Message-ID"]) for m in desk.smtp.messages]
    assert not [s for s in sent if update["message_id"] in s], "the stale update was sent"
    settling = messages[messages.index(update) + 1 :]
    assert [m["delivery"]["status"] for m in settling if m["to"] == [ZHANG[1]]] == ["sent"]
