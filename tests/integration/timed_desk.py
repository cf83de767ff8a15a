"""A desk on business time for the timed-job tests: its configuration and what it sent."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.desk import Desk, write_config
from tests.support.dovecot import DovecotServer

BEIJING = ZoneInfo("Asia/Shanghai")

# Short SLAs so two simulated weeks hold every step: business hours 09:00-18:00 on China's
# working days, a sheet due in one business day, a reminder every business day.
TIMED = """
[sla.serious]
first_response_hours = 8
department_reply_hours = 9
resolve_hours = 36

[sla.important]
first_response_hours = 8
department_reply_hours = 9
resolve_hours = 36

[sla.general]
first_response_hours = 8
department_reply_hours = 9
resolve_hours = 36

[schedule]
chase_every_hours = 9
escalate_after_reminders = 2
survey_after_days = 2
survey_reminder_days = 2
at_risk_complaints = 2
at_risk_days = 90

[calendar]
country = "CN"
business_hours = "09:00-18:00"
"""

TIMED_KINDS = ("chaser", "escalation", "progress_update", "survey", "survey_reminder")


def timed_desk(tmp_path: Path, dovecot: DovecotServer, smtp: Any, folder: str) -> Desk:
    """A staffed desk (agents, routing damage -> qc) on business time, on SQLite."""
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=smtp.port,
        folder=folder,
        database_url=f"sqlite:///{tmp_path}/complaintd.db",
        staffed=True,
        extra=TIMED,
    )
    return Desk(config, dovecot, folder, smtp)


def beijing(month: int, day: int, hour: int, minute: int = 0) -> str:
    """A 2026 Beijing wall time as ``--now`` takes it."""
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING).isoformat()


def timed_mail(shown: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, Beijing time ``MM-DD HH:MM``, first recipient) of a ticket's timed mail."""
    return [
        (m["kind"], m["at"][5:16].replace("T", " "), m["to"][0])
        for m in shown["messages"]
        if m["direction"] == "out" and m["kind"] in TIMED_KINDS
    ]


def sent_once(desk: Desk) -> Counter[str]:
    """How often the SMTP server accepted each Message-ID."""
    return Counter(
        str(message.parsed()["Message-ID"]).strip("<>")
        for message in desk.smtp.messages
        if message.accepted
    )
