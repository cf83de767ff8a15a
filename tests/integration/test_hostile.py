"""Hostile mail through the real daemon: bombs, a message over its limit, killed passes.

Real Dovecot, the real ``once`` and ``run``; nothing mocked.  The per-message limit is
lowered for one test (it is configuration, not a fake): a 4 MB HTML mail then overruns
it for real.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaintd.workflow import analysis
from complaintd.workflow.analysis import POOL_THRESHOLD, AnalysisLimits
from tests.integration.desk import Desk
from tests.integration.mails import mail
from tests.integration.test_operations import ticket_count, wait_until, watching
from tests.support.hostile import BOMB_UNITS, bomb_markup, html_mail
from tests.support.samples import generate_mailbox

NOW = "2026-11-20T10:00:00+08:00"


def bomb_mails(size: int = 28_000) -> list[bytes]:
    """One HTML-only mail per bomb kind, each from its own customer."""
    return [
        html_mail(
            bomb_markup(kind, size),
            sender=(f"客户{n}", f"customer{n}@bomb.example"),
            message_id=f"bomb-{kind}@bomb.example",
        )
        for n, kind in enumerate(sorted(BOMB_UNITS))
    ]


def test_html_bombs_become_tickets_in_one_quick_pass(desk: Desk) -> None:
    desk.append(mail("Lost parcel", "Parcel SF1234567890123 is lost."), *bomb_mails())
    desk.append(mail("Late parcel", "Still late.", sender=("B", "b@x.example")))
    started = time.monotonic()
    result = desk.once(now=NOW)
    # Before: a 20 KB nested list alone took a minute, and the unclosed kinds seconds each.
    assert time.monotonic() - started < 30
    assert f"new_ticket {len(BOMB_UNITS) + 2}" in result.err
    bombed = [t for t in desk.tickets() if t["customer"]["email"].endswith("@bomb.example")]
    assert len(bombed) == len(BOMB_UNITS)
    for ticket in bombed:
        assert ticket["waybills"] == ["SF1234567890123"] and ticket["category"] == "damage"


@pytest.fixture
def one_second_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Analysis limited to one second per message (the default is 30)."""
    monkeypatch.setattr(analysis, "DEFAULT_LIMITS", AnalysisLimits(seconds=1.0))


def test_a_message_over_its_time_limit_is_quarantined_and_the_pass_goes_on(
    desk: Desk, one_second_limit: None
) -> None:
    slow = html_mail(bomb_markup("nested_lists", 4_000_000), message_id="slow@bomb.example")
    desk.append(mail("Lost parcel", "Parcel lost."), slow, *bomb_mails())
    desk.append(mail("Late parcel", "Still late.", sender=("B", "b@x.example")))
    started = time.monotonic()
    result = desk.once(now=NOW)
    assert time.monotonic() - started < 30
    assert "failed 1" in result.err and f"new_ticket {len(BOMB_UNITS) + 2}" in result.err
    [failed] = desk.cli("inbound", "failed", "--format", "json").json()
    assert failed["error"].startswith("AnalysisAborted: analysis exceeded 1 s")
    assert desk.dovecot.count("complaints", f"{desk.folder}_failed") == 1


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A datagram socket standing in for systemd's notify socket, watchdog at 1 s."""
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.1)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "1000000")
    yield sock
    sock.close()


def test_the_watchdog_is_pinged_while_a_slow_message_is_analysed(
    desk: Desk, notify_socket: socket.socket
) -> None:
    database = desk.config_path.parent / "complaintd.db"
    slow = html_mail(bomb_markup("nested_lists", 1_500_000), message_id="slow@bomb.example")
    daemon = desk.spawn("run")
    pings: list[float] = []
    try:
        wait_until(lambda: watching(database), desk=desk)
        desk.append(slow, mail("Late parcel", "Still late.", sender=("B", "b@x.example")))
        deadline = time.monotonic() + 60
        while ticket_count(database) < 2 and time.monotonic() < deadline:
            pings += [time.monotonic() for state in receive(notify_socket) if state == "WATCHDOG=1"]
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=30)
    assert code == 0, desk.log()
    assert ticket_count(database) == 2, desk.log()
    gaps = [later - earlier for earlier, later in itertools.pairwise(pings)]
    assert len(pings) >= 4 and max(gaps) < 1.0, gaps  # every 0.5 s, never a full period


def receive(sock: socket.socket) -> list[str]:
    """The notifications that arrived within 0.1 s."""
    try:
        return [sock.recv(4096).decode()]
    except TimeoutError:
        return []


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_no_analysis_worker_outlives_a_sigkilled_once(desk: Desk) -> None:
    desk.append(*generate_mailbox(POOL_THRESHOLD * 8, seed=11))
    once = desk.spawn("once")
    workers: set[int] = set()
    deadline = time.monotonic() + 30
    while not workers and once.poll() is None and time.monotonic() < deadline:
        workers = children_of(once.pid)
        time.sleep(0.02)
    assert workers, "the pass ended before it started its workers: deliver more mail"
    time.sleep(0.3)
    workers |= children_of(once.pid)
    once.send_signal(signal.SIGKILL)
    once.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in workers if running(pid)]
    for pid in survivors:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not survivors
