"""Each timed step exactly once: late passes, answers racing reminders, kills, two instances.

Against the real Dovecot and SMTP server; the clock is ``--now``.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from complaintd.clock import FixedClock, parse_now
from complaintd.config import load_config
from complaintd.jobs.runner import run_due_jobs
from complaintd.outbox.recorder import RECORD_LIMIT
from complaintd.runtime import open_runtime
from complaintd.store.db import close_database
from tests.integration.clients import Client, reply
from tests.integration.desk import Desk, write_config
from tests.integration.mails import mail
from tests.integration.timed_desk import TIMED, beijing, sent_once, timed_desk, timed_mail
from tests.support.dovecot import DovecotServer

MONDAY = beijing(9, 28, 10)
QC = ("质检部 李工", "qc@lida.example")
ANSWER = "调查结果：成立\n原因：业务人员操作失误\n责任：夜班装卸组\n处理方案：赔偿并补发。"


@pytest.fixture
def desk(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> Desk:
    return timed_desk(tmp_path, dovecot, smtp_sink, imap_folder)


def complain(desk: Desk, count: int = 1) -> list[str]:
    """``count`` damage complaints (a sheet each to qc) taken in on Monday 10:00."""
    desk.append(
        *(
            mail(
                f"货物破损投诉 {i}",
                f"运单号 SF12345678{i:05d} 的货物外箱压坏。",
                sender=(f"客户{i}", f"c{i}@customer.example"),
            )
            for i in range(count)
        )
    )
    desk.once(now=MONDAY)
    return [ticket["number"] for ticket in desk.tickets()]


def test_a_pass_two_days_late_sends_one_mail_per_due_step(desk: Desk) -> None:
    [number] = complain(desk)
    # Nothing ran on Tuesday: on Wednesday 11:00 the first reminder and the first progress
    # update are due (a second reminder would have been, had Tuesday's gone out): one each.
    desk.once(now=beijing(9, 30, 11))
    assert timed_mail(desk.show(number)) == [
        ("progress_update", "09-30 11:00", "c0@customer.example"),
        ("chaser", "09-30 11:00", "qc@lida.example"),
    ]
    desk.once(now=beijing(9, 30, 12))  # the same steps are not due again
    assert len(timed_mail(desk.show(number))) == 2
    # The next ones keep their spacing from the mail actually sent: nine business hours.
    desk.once(now=beijing(10, 8, 11))
    assert timed_mail(desk.show(number))[2:] == [
        ("progress_update", "10-08 11:00", "c0@customer.example"),
        ("chaser", "10-08 11:00", "qc@lida.example"),
    ]
    assert set(sent_once(desk).values()) == {1}


def test_nothing_timed_goes_out_at_night_or_on_a_holiday(desk: Desk) -> None:
    [number] = complain(desk)
    for now in (beijing(9, 29, 8), beijing(10, 3, 11), beijing(10, 7, 17), beijing(10, 8, 8, 59)):
        desk.once(now=now)
    shown = desk.show(number)
    assert timed_mail(shown) == []
    assert shown["contact_sheets"][0]["status"] == "overdue"  # marked, not chased, at night
    desk.once(now=beijing(10, 8, 9))
    assert [kind for kind, _, _ in timed_mail(desk.show(number))] == ["progress_update", "chaser"]


def test_an_answer_between_the_decision_and_the_send_stops_the_reminder(desk: Desk) -> None:
    [number] = complain(desk)
    [sheet] = [m for m in desk.smtp.messages if "qc@lida.example" in m.rcpt_tos]
    # The job decides and queues the reminder (Tuesday 10:00), but it is not sent yet ...
    runtime = open_runtime(load_config(desk.config_path), FixedClock(parse_now(beijing(9, 29, 10))))
    try:
        reports = run_due_jobs(runtime)
    finally:
        close_database()
    assert {r.job: r.steps for r in reports}["chase"] == 1
    # ... when the department's answer comes in: the reminder never leaves.
    desk.append(reply(sheet, ANSWER, client=Client.FOXMAIL, sender=QC))
    desk.once(now=beijing(9, 29, 10, 5))
    shown = desk.show(number)
    assert shown["contact_sheets"][0]["status"] == "answered"
    [chaser] = [m for m in shown["messages"] if m["kind"] == "chaser"]
    assert chaser["delivery"]["status"] == "cancelled"
    assert "answered the sheet first" in chaser["delivery"]["error"]
    assert not [m for m in desk.smtp.messages if "催办" in str(m.parsed()["Subject"])]
    desk.once(now=beijing(9, 30, 10))
    assert [m["kind"] for m in desk.show(number)["messages"]].count("chaser") == 1


def test_answering_a_reminder_answers_the_sheet(desk: Desk) -> None:
    [number] = complain(desk)
    desk.once(now=beijing(9, 29, 10))
    [reminder] = [m for m in desk.smtp.messages if "催办" in str(m.parsed()["Subject"])]
    sheet_mail = [
        m["message_id"] for m in desk.show(number)["messages"] if m["kind"] == "contact_sheet"
    ]
    parsed = reminder.parsed()
    assert sheet_mail[0] in str(parsed["In-Reply-To"])  # threaded under the original sheet
    assert "调查结果" in parsed.get_body(("plain",)).get_content()  # the form rides along
    desk.append(reply(reminder, ANSWER, client=Client.QQMAIL, sender=QC))
    desk.once(now=beijing(9, 29, 11))
    assert desk.show(number)["contact_sheets"][0]["status"] == "answered"


def test_a_restart_in_the_middle_of_a_job_sends_nothing_twice(desk: Desk) -> None:
    """SIGKILL ``once`` while it takes 2 x 60 steps; restart until done; each step once."""
    numbers = complain(desk, 60)
    rng, kills = random.Random(13), 0
    tuesday = beijing(9, 29, 10)
    for _ in range(6):
        process = desk.spawn("--now", tuesday, "once")
        time.sleep(rng.uniform(0.4, 1.4))  # start-up takes about half a second
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
    desk.once(now=tuesday)
    assert kills, "every run finished before its kill"
    received = sent_once(desk)
    for number in numbers:
        shown = desk.show(number)
        steps = Counter(kind for kind, _, _ in timed_mail(shown))
        assert steps == {"progress_update": 1, "chaser": 1}, (number, kills)
        for message in shown["messages"]:
            if message["kind"] in ("progress_update", "chaser"):
                assert message["delivery"]["status"] == "sent"
                assert received[message["message_id"]] >= 1
    # A kill during SMTP may resend what was in flight or accepted and not yet written
    # down (the outbox is at-least-once), never a second mail for the same step.
    assert sum(received.values()) - len(received) <= kills * (RECORD_LIMIT + 4)


@pytest.mark.postgres
def test_two_instances_on_postgresql_send_each_step_once(
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_sink: Any,
    imap_folder: str,
    desk_env: None,
    pg_url: str,
) -> None:
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=smtp_sink.port,
        folder=imap_folder,
        database_url=pg_url,
        staffed=True,
        extra=TIMED,
    )
    desk = Desk(config, dovecot, imap_folder, smtp_sink)
    numbers = complain(desk, 20)
    tuesday = beijing(9, 29, 10)
    instances: list[subprocess.Popen[bytes]] = [
        desk.spawn("--now", tuesday, "once") for _ in range(2)
    ]
    for process in instances:
        assert process.wait(timeout=120) == 0, desk.log()
    for number in numbers:
        steps = Counter(kind for kind, _, _ in timed_mail(desk.show(number)))
        assert steps == {"progress_update": 1, "chaser": 1}
    assert set(sent_once(desk).values()) == {1}


def test_the_daemon_ticks_the_jobs_through_schedule(desk: Desk) -> None:
    import schedule

    from complaintd.jobs.runner import schedule_jobs
    from complaintd.store.timed import JobRun

    [number] = complain(desk)
    runtime = open_runtime(load_config(desk.config_path), FixedClock(parse_now(beijing(9, 29, 10))))
    woken: list[bool] = []
    try:
        scheduler = schedule.Scheduler()
        schedule_jobs(scheduler, runtime, lambda: woken.append(True))
        [job] = scheduler.jobs
        assert job.unit == "minutes" and job.at_time is not None and job.at_time.second == 0
        scheduler.run_all()
        assert woken == [True]  # mail was queued: the sender is woken
        assert {run.job for run in JobRun.select()} == {
            *("sla", "promise", "chase", "survey", "digest", "report")
        }
    finally:
        close_database()
    assert [kind for kind, _, _ in timed_mail(desk.show(number))] == ["progress_update", "chaser"]


def test_check_warns_of_a_calendar_year_without_official_holidays(desk: Desk) -> None:
    result = desk.cli("check", now="2026-12-06T11:00:00+08:00")
    assert result.code == 0, result.err
    assert "warning: calendar.country: no official CN holidays" in result.err
    assert "2027" in result.err
    assert "warning" not in desk.cli("check", now="2026-06-01T11:00:00+08:00").err
