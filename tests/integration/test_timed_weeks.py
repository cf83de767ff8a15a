"""Two simulated weeks on business time, hour by hour, against the real Dovecot and SMTP.

28 September to 12 October 2026 holds China's National Day holiday (1-7 October) and the
make-up Saturday after it (10 October).  ``complaintd once --now`` runs every hour; the
desk's mail is answered with real clients' Reply buttons.  Every reminder, escalation,
progress update, survey and survey reminder must go out exactly once, at the business
hour it falls due - never at night, on the holiday or on the Sunday - and the at-risk flag,
the low score and the answer that comes just before a reminder must do what DESIGN.md says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.integration.clients import Client, reply
from tests.integration.desk import Desk
from tests.integration.mails import mail
from tests.integration.timed_desk import (
    BEIJING,
    TIMED_KINDS,
    sent_once,
    timed_desk,
    timed_mail,
)
from tests.support.dovecot import DovecotServer

QC_ANSWER = (
    "调查结果：成立\n"
    "原因：业务人员操作失误\n"
    "责任：上海浦东中转分拨中心 夜班装卸组\n"
    "处理方案：按申报价值赔偿，并免费补发一箱。"
)
ZHANG = ("张伟", "zhang.wei@customer.example")
WANG = ("王芳", "wang.fang@customer.example")
LI = ("李娜", "li.na@customer.example")
ZHAO = ("Lei Zhao", "zhao.lei@customer.example")


class Weeks:
    """The desk, the hour-by-hour clock, and the ticket numbers by name."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.numbers: dict[str, str] = {}

    def complain(self, name: str, subject: str, body: str, sender: tuple[str, str]) -> None:
        self.desk.append(mail(subject, body, sender=sender, message_id=f"{name}@customer.example"))

    def learn_numbers(self) -> None:
        by_subject = {t["subject"]: t["number"] for t in self.desk.tickets()}
        for name, subject in SUBJECTS.items():
            if subject in by_subject:
                self.numbers[name] = by_subject[subject]

    def show(self, name: str) -> dict[str, Any]:
        return self.desk.show(self.numbers[name])

    def sink_mail(self, name: str, kind: str) -> Any:
        """The mail of ``kind`` about ticket ``name`` as the SMTP server received it."""
        [message_id] = [m["message_id"] for m in self.show(name)["messages"] if m["kind"] == kind][
            -1:
        ]
        [received] = [
            m for m in self.desk.smtp.messages if message_id in str(m.parsed()["Message-ID"])
        ]
        return received

    def act(self, *args: str, now: str) -> None:
        result = self.desk.cli(*args, now=now)
        assert result.code == 0, result.err


SUBJECTS = {
    "A": "货物破损投诉",
    "B": "外箱破损，货物受潮",
    "C1": "快递延误三天",
    "C2": "又一次延误，请尽快处理",
    "C3": "第三次延误了",
    "E": "Parcel a week late",
}


def script(weeks: Weeks) -> dict[str, Callable[[], None]]:
    """What happens before the pass of each hour (``MM-DD HH``)."""
    desk = weeks.desk

    def first_complaints() -> None:
        weeks.complain(
            "A", SUBJECTS["A"], "运单号 SF1234567890123 的货物外箱压坏，瓷砖碎了。", ZHANG
        )
        weeks.complain("C1", SUBJECTS["C1"], "运单号 SF2000000000001 延误三天还没到。", LI)
        weeks.complain("C2", SUBJECTS["C2"], "运单号 SF2000000000002 又延误了。", LI)
        weeks.complain(
            "E", SUBJECTS["E"], "My parcel SF3000000000003 is a week late. Where is it?", ZHAO
        )

    def second_damage() -> None:
        weeks.complain("B", SUBJECTS["B"], "运单号 SF4000000000004 外箱破损，货物受潮了。", WANG)

    def department_answers_b_just_before_its_reminder() -> None:
        sheet = weeks.sink_mail("B", "contact_sheet")
        desk.append(
            reply(
                sheet,
                QC_ANSWER,
                client=Client.OUTLOOK_ZH,
                sender=("质检部 李工", "qc@lida.example"),
            )
        )

    def e_answers_the_survey_unhappy() -> None:
        survey = weeks.sink_mail("E", "survey")
        desk.append(
            reply(survey, "2 - the driver was rude again", client=Client.GMAIL, sender=ZHAO)
        )

    def li_complains_again() -> None:
        weeks.complain("C3", SUBJECTS["C3"], "运单号 SF2000000000003 第三次延误了。", LI)

    return {
        "09-28 10": first_complaints,
        "09-28 11": second_damage,
        "09-29 11": department_answers_b_just_before_its_reminder,
        "09-30 14": e_answers_the_survey_unhappy,
        "10-12 09": li_complains_again,
    }


def after(weeks: Weeks) -> dict[str, Callable[[str], None]]:
    """What the desk does after the pass of an hour (CLI), and checks made on the way."""

    def close_c1(now: str) -> None:
        weeks.act(
            "tickets",
            "close",
            weeks.numbers["C1"],
            "--resolution",
            "已安排加急派送，今日送达。",
            now=now,
        )

    def close_e(now: str) -> None:
        weeks.act(
            "tickets", "close", weeks.numbers["E"], "--resolution", "Delivered today.", now=now
        )

    def propose_b(now: str) -> None:
        weeks.act("tickets", "propose", weeks.numbers["B"], "--text", "按申报价值赔偿。", now=now)

    def li_is_at_risk(now: str) -> None:
        result = weeks.desk.cli("customers", "at-risk", "--format", "json", now=now)
        [flagged] = result.json()
        assert flagged["customer"] == LI[1]
        assert flagged["unanswered_survey"] == weeks.numbers["C1"]
        assert weeks.show("C2")["at_risk"] is True
        assert weeks.show("A")["at_risk"] is False

    return {
        "09-28 11": close_c1,
        "09-28 12": close_e,
        "09-29 12": propose_b,
        "10-10 10": li_is_at_risk,
    }


def hours(start: datetime, end: datetime) -> list[datetime]:
    steps = int((end - start) / timedelta(hours=1)) + 1
    return [start + timedelta(hours=i) for i in range(steps)]


def run_two_weeks(weeks: Weeks) -> None:
    before, later = script(weeks), after(weeks)
    start = datetime(2026, 9, 28, 10, tzinfo=BEIJING)
    for moment in hours(start, datetime(2026, 10, 12, 10, tzinfo=BEIJING)):
        key, now = f"{moment:%m-%d %H}", moment.isoformat()
        if key in before:
            before[key]()
        weeks.desk.once(now=now)
        if key in before:
            weeks.learn_numbers()
        if key in later:
            later[key](now)


def test_two_weeks_of_timed_mail(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> None:
    weeks = Weeks(timed_desk(tmp_path, dovecot, smtp_sink, imap_folder))
    run_two_weeks(weeks)

    qc, head = "qc@lida.example", "qc-head@lida.example"
    promise = [  # created Monday 10:00: 8 business hours, then 8 more after each update
        "09-29 09:00",  # due Monday 18:00, closing time: the next opening
        "09-29 17:00",
        "09-30 16:00",
        "10-08 15:00",  # over the National Day holiday
        "10-09 14:00",
        "10-10 13:00",  # the make-up Saturday
    ]
    assert timed_mail(weeks.show("A")) == sorted(
        [("progress_update", at, ZHANG[1]) for at in promise]
        + [
            ("chaser", "09-29 10:00", qc),  # the sheet's due time: one business day
            ("chaser", "09-30 10:00", qc),
            ("escalation", "10-08 10:00", head),  # after two reminders, once
        ],
        key=lambda step: step[1],
    )
    assert timed_mail(weeks.show("C2")) == [("progress_update", at, LI[1]) for at in promise]
    # B: its update came due before the answer; the answer stopped the reminder due at 11:00.
    assert timed_mail(weeks.show("B")) == [("progress_update", "09-29 10:00", WANG[1])]
    assert weeks.show("B")["contact_sheets"][0]["status"] == "answered"
    # C1 closed on Monday: survey two days later, the reminder after the holiday, then
    # closed unanswered (its customer complained twice: at risk) until they wrote again.
    c1 = weeks.show("C1")
    assert timed_mail(c1) == [
        ("survey", "09-30 11:00", LI[1]),
        ("survey_reminder", "10-08 09:00", LI[1]),
    ]
    assert c1["status"] == "closed"
    assert c1["survey"]["sent_at"] == "2026-09-30T11:00:00+08:00" and c1["survey"]["score"] is None
    actions = [e["action"] for e in c1["events"]]
    assert "customer_at_risk" in actions
    assert weeks.desk.cli("customers", "at-risk", "--format", "json").json() == []
    assert c1["at_risk"] is False
    # E: an unhappy answer reopened it; from then on the promise runs again.
    e = weeks.show("E")
    assert e["survey"]["score"] == 2 and e["survey"]["comment"] == "the driver was rude again"
    assert e["status"] == "investigating"
    assert timed_mail(e) == [
        ("survey", "09-30 12:00", ZHAO[1]),
        ("progress_update", "10-08 13:00", ZHAO[1]),
        ("progress_update", "10-09 12:00", ZHAO[1]),
        ("progress_update", "10-10 11:00", ZHAO[1]),
        ("progress_update", "10-12 10:00", ZHAO[1]),
    ]
    alerts = [m for m in e["messages"] if m["kind"] == "survey_alert"]
    assert len(alerts) == 1 and "the driver was rude again" in alerts[0]["body"]
    assert alerts[0]["to"][0] == "agent1@lida.example"
    # The resolve deadline: 36 business hours after Monday 10:00 is Friday 9 October, 10:00.
    assert weeks.show("A")["sla_breached_at"] == "2026-10-09T10:00:00+08:00"

    assert_only_in_business_hours(weeks)
    received = sent_once(weeks.desk)
    assert received and set(received.values()) == {1}, "a mail was sent twice"
    status = weeks.desk.cli("status", "--format", "json").json()
    assert {job["job"]: job["last_run_at"] for job in status["jobs"]} == dict.fromkeys(
        ("sla", "promise", "chase", "survey", "digest", "report"), "2026-10-12T10:00:00+08:00"
    )


def assert_only_in_business_hours(weeks: Weeks) -> None:
    """No timed mail at night, on the holiday or on the Sunday; some on the make-up Saturday."""
    moments = [
        datetime.fromisoformat(m["at"])
        for name in weeks.numbers
        for m in weeks.show(name)["messages"]
        if m["direction"] == "out" and m["kind"] in TIMED_KINDS
    ]
    assert all(9 <= m.hour < 18 for m in moments)
    days = {m.date().isoformat() for m in moments}
    assert not days & {f"2026-10-0{d}" for d in range(1, 8)} and "2026-10-11" not in days
    assert "2026-10-10" in days
