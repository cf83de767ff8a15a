"""The daily digest through the real Dovecot and SMTP server, the clock set by ``--now``:
mailed to the admins once a day at digest_time, whatever the passes and kills."""

from __future__ import annotations

import random
import re
import signal
import sqlite3
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from complaintd.render.wellformed import html_problems
from tests.integration.desk import Desk
from tests.integration.mails import mail, text_of
from tests.integration.timed_desk import beijing, timed_desk
from tests.support.dovecot import DovecotServer

ADMIN = "boss@lida.example"


@pytest.fixture
def desk(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> Desk:
    desk = timed_desk(tmp_path, dovecot, smtp_sink, imap_folder)
    # The ledger is set up before the simulated days (no digest about a day before it).
    assert desk.cli("db", "upgrade", now=beijing(9, 1, 9)).code == 0
    return desk


def complain(desk: Desk, now: str, *texts: str) -> list[str]:
    """Complaints (one per text) taken in at ``now``; their numbers."""
    before = {ticket["number"] for ticket in desk.tickets()}
    desk.append(
        *(
            mail(f"投诉 {i}", text, sender=(f"客户{i}", f"c{i}-{now[:10]}@customer.example"))
            for i, text in enumerate(texts)
        )
    )
    desk.once(now=now)
    return [t["number"] for t in desk.tickets() if t["number"] not in before]


def digests(desk: Desk, day: str) -> list[EmailMessage]:
    """Every digest of ``day`` the SMTP server accepted (one per delivery)."""
    return [
        m.parsed()
        for m in desk.smtp.messages
        if m.accepted and f"投诉日报 {day}" in str(m.parsed()["Subject"])
    ]


def test_mailed_once_at_digest_time_with_its_charts(desk: Desk) -> None:
    damage = complain(
        desk,
        beijing(9, 28, 10),
        "从上海发往成都的货，运单号 SF1234567800001，外箱压坏，里面的显示器碎了。",
        "运单号 SF1234567800002 的纸箱破损，货物受潮。",
    )
    with sqlite3.connect(desk.config_path.parent / "complaintd.db") as ledger:
        routes = ledger.execute(
            "SELECT origin_city, destination_city FROM ticket ORDER BY id"
        ).fetchall()
    assert routes == [("上海市", "成都市"), (None, None)]  # registered on intake
    desk.once(now=beijing(9, 29, 7, 59))
    assert not digests(desk, "2026-09-28")  # not before digest_time
    desk.once(now=beijing(9, 29, 8, 0))
    desk.once(now=beijing(9, 29, 8, 5))
    desk.once(now=beijing(9, 29, 17, 0))
    [digest] = digests(desk, "2026-09-28")
    assert str(digest["To"]) == ADMIN
    assert digest["Auto-Submitted"] == "auto-generated"
    text = text_of(digest)
    html = text_of(digest, "html")
    category = next(line for line in text.splitlines() if "破损 2 单" in line)
    assert all(number in category for number in damage)
    assert all(number in html for number in damage)
    # Open tickets, and the two damage sheets to qc are still open (not yet overdue).
    assert "新投诉：2 单" in text and "新投诉：2 单" in html
    assert html_problems(html) == []
    assert len(html.encode()) < 100 * 1024
    images = {
        str(part["Content-ID"]).strip("<>"): part.get_content()
        for part in digest.walk()
        if part.get_content_type() == "image/png"
    }
    referenced = re.findall(r'src="cid:([^"]+)"', html)
    assert referenced and set(referenced) == set(images)
    assert all(png.startswith(b"\x89PNG") and len(png) < 30 * 1024 for png in images.values())
    assert all(re.search(r'alt="[^"]{20,}"', html) for _ in referenced)
    # The table beside the chart carries the same counts as the text: 9/28 had 2.
    assert "9/28 2" in text and ">9/28</span><br>2<" in html


def test_no_digest_about_a_day_before_the_ledger_was_set_up(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> None:
    new = timed_desk(tmp_path, dovecot, smtp_sink, imap_folder)
    new.once(now=beijing(9, 29, 9, 0))  # installed on 29 September, after digest_time
    new.once(now=beijing(9, 29, 10, 0))
    assert not digests(new, "2026-09-28")
    new.once(now=beijing(9, 30, 8, 0))  # the first day it saw
    assert len(digests(new, "2026-09-29")) == 1


def test_a_quiet_day_is_one_line(desk: Desk) -> None:
    desk.once(now=beijing(9, 29, 8, 0))
    [digest] = digests(desk, "2026-09-28")
    assert "无新投诉，无待办事项" in str(digest["Subject"])
    text = text_of(digest)
    assert "2026年9月28日无新投诉，也没有待处理、逾期或需人工处理的事项。" in text
    assert "一、" not in text and not [
        p for p in digest.walk() if p.get_content_maintype() == "image"
    ]


def test_a_digest_already_sent_is_not_sent_again_by_hand(desk: Desk) -> None:
    desk.once(now=beijing(9, 29, 8, 0))
    again = desk.cli("digest", "--send", now=beijing(9, 29, 9, 0))
    assert again.code == 0 and "sent already" in again.err
    other = desk.cli("digest", "--send", "--date", "2026-09-27", now=beijing(9, 29, 9, 0))
    assert other.code == 0, other.err
    assert len(digests(desk, "2026-09-28")) == 1 and len(digests(desk, "2026-09-27")) == 1
    listed = desk.cli("outbox", "list", "--format", "json").json()
    sent = [(m["kind"], m["ticket"], m["status"]) for m in listed if m["kind"] == "digest"]
    assert sent == [("digest", None, "sent")] * 2


def test_killed_passes_and_restarts_send_the_digest_once(desk: Desk) -> None:
    """SIGKILL ``once`` at random points of the 08:00 pass, restart; one digest."""
    complain(desk, beijing(9, 29, 10), "运单号 SF1234567800003 的货晚到了三天。")
    desk.append(
        *(
            mail(
                f"破损投诉 {i}",
                f"运单号 SF12345678{i:05d} 外箱压坏。",
                sender=(f"客户{i}", f"k{i}@x.example"),
            )
            for i in range(12)
        )
    )
    kills, finished = 0, 0
    # Killed ever later, until a pass finishes on its own: some die in intake, some in
    # the jobs or while sending, the last one completes; then one more pass.
    for delay in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0):
        process = desk.spawn("--now", beijing(9, 30, 8, 0), "once")
        time.sleep(delay * random.Random(delay).uniform(0.8, 1.2))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        elif process.wait() == 0:
            finished += 1
            break
        process.wait(timeout=60)
    desk.once(now=beijing(9, 30, 8, 1))
    delivered = Counter(str(m["Message-ID"]) for m in digests(desk, "2026-09-29"))
    assert len(delivered) == 1, (delivered, kills)  # one digest, however often it was tried
    assert kills and finished, (kills, finished)
