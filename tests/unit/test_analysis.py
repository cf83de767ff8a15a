"""Analysis workers: same results as in-process, limits enforced, no worker outlives us."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from complaintd.classify.extract import DEFAULT_PATTERNS
from complaintd.classify.rules import DEFAULT_RULES
from complaintd.errors import PermanentError
from complaintd.workflow import analysis
from complaintd.workflow.analysis import (
    POOL_THRESHOLD,
    AnalysisAborted,
    AnalysisLimits,
    AnalysisSettings,
    Analyzer,
    analyze,
    worker_count,
)
from tests.support.hostile import bomb_markup, html_mail
from tests.support.samples import generate_mailbox

SETTINGS = AnalysisSettings(DEFAULT_RULES, DEFAULT_PATTERNS, "zh-CN")
DAY = date(2026, 11, 20)
MESSAGES = generate_mailbox(POOL_THRESHOLD + 28, seed=7)
# A 4 MB HTML mail takes seconds to analyse (linearly: about 0.35 s per 100 KB here);
# normal mail takes milliseconds.  Under a half-second limit only the big one overruns.
SLOW_MAIL = html_mail(bomb_markup("nested_lists", 4_000_000), message_id="slow@x.example")
SHORT = AnalysisLimits(seconds=0.5)


def no_database(inbound_id: int) -> bytes:
    raise AssertionError(f"message {inbound_id} was submitted; its bytes must be at hand")


@pytest.fixture(params=["fork", "forkserver"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Workers started the way ``once`` (one thread: fork) and ``run`` (threads) start them."""
    single = request.param == "fork"
    monkeypatch.setattr(analysis.threading, "active_count", lambda: 1 if single else 3)
    return str(request.param)


def test_workers_give_the_in_process_analysis(start_method: str) -> None:
    raws = dict(enumerate(MESSAGES, start=1))
    with Analyzer(SETTINGS, DAY) as analyzer:
        for inbound_id, raw in raws.items():
            analyzer.submit(inbound_id, raw)
        assert len(analyzer._workers) == worker_count(), "a backlog starts every worker"
        taken = {i: analyzer.take(i, no_database) for i in raws}
    assert taken == {i: analyze(raw, SETTINGS, DAY) for i, raw in raws.items()}


def _photo_mail(index: int, size: int) -> bytes:
    """A complaint with ``size`` bytes of photo attached (incompressible)."""
    message = EmailMessage()
    message["From"] = f"customer{index}@example.com"
    message["To"] = "complaints@lida.example"
    message["Subject"] = f"Damaged parcel {index}"
    message["Message-ID"] = f"<photo{index}@example.com>"
    message.set_content("The parcel arrived broken, photo attached.")
    message.add_attachment(
        os.urandom(size), maintype="image", subtype="jpeg", filename=f"photo{index}.jpg"
    )
    return message.as_bytes()


def test_big_messages_in_hand_do_not_deadlock_the_pipes() -> None:
    """Messages and results far larger than a pipe's buffer: the parent sending the next
    message while the worker sends a result must not leave both blocked."""
    raws = {i: _photo_mail(i, 600_000) for i in range(1, 13)}

    def stuck(signum: int, frame: object) -> None:
        pytest.fail("parent and worker are blocked on each other's pipes")  # not an OSError

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(60)
    try:
        with Analyzer(SETTINGS, DAY) as analyzer:
            for inbound_id, raw in raws.items():
                analyzer.submit(inbound_id, raw)
            time.sleep(1.0)  # the workers finish and block sending while we do not read
            taken = {i: analyzer.take(i, no_database) for i in raws}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert [len(a.parsed.attachments[0].data) for a in taken.values()] == [600_000] * 12


def test_a_small_backlog_has_one_worker() -> None:
    with Analyzer(SETTINGS, DAY) as analyzer:
        analyzer.submit(1, MESSAGES[0])
        assert len(analyzer._workers) == 1
        assert analyzer.take(1, no_database) == analyze(MESSAGES[0], SETTINGS, DAY)
        assert analyzer.take(2, lambda _: MESSAGES[1]) == analyze(MESSAGES[1], SETTINGS, DAY)
        assert len(analyzer._workers) == 1


def test_workers_started_ahead_are_forked_and_serve_the_backlog(start_method: str) -> None:
    """``once`` starts its workers before its keeper's thread: forked, all of them, ready
    before any mail; beside threads (``run``) nothing starts until mail comes."""
    with Analyzer(SETTINGS, DAY) as analyzer:
        analyzer.start_workers()
        started = [worker.process for worker in analyzer._workers]
        if start_method == "forkserver":
            assert started == []
            return
        assert len(started) == worker_count()
        assert {type(process).__name__ for process in started} == {"ForkProcess"}
        wanted = min(19, os.getpriority(os.PRIO_PROCESS, 0) + analysis.WORKER_NICENESS)
        deadline = time.monotonic() + 30  # each worker lowers its priority as it starts
        while {os.getpriority(os.PRIO_PROCESS, p.pid) for p in started} != {wanted}:
            assert time.monotonic() < deadline, "the workers kept the writer's priority"
            time.sleep(0.01)
        raws = dict(enumerate(MESSAGES[:3], start=1))
        for inbound_id, raw in raws.items():
            analyzer.submit(inbound_id, raw)
        taken = {i: analyzer.take(i, no_database) for i in raws}
        assert [worker.process for worker in analyzer._workers] == started, "none started"
    assert taken == {i: analyze(raw, SETTINGS, DAY) for i, raw in raws.items()}


def test_a_worker_that_cannot_be_forked_ahead_starts_when_mail_comes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(analysis.threading, "active_count", lambda: 1)
    real_worker = analysis._Worker
    tries: list[int] = []

    def out_of_memory_once(*args: object) -> object:
        tries.append(1)
        if len(tries) == 1:
            raise OSError(12, "Cannot allocate memory")
        return real_worker(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "_Worker", out_of_memory_once)
    with Analyzer(SETTINGS, DAY) as analyzer:
        analyzer.start_workers()
        assert analyzer._workers == []
        assert "Cannot allocate memory; workers start when mail comes" in caplog.text
        analyzer.submit(1, MESSAGES[0])
        assert analyzer.take(1, no_database) == analyze(MESSAGES[0], SETTINGS, DAY)


def test_a_message_that_cannot_be_analysed_raises_at_take_with_its_place() -> None:
    with Analyzer(SETTINGS, DAY) as analyzer:
        analyzer.submit(1, b"")  # empty: not mail at all
        analyzer.submit(2, MESSAGES[0])
        with pytest.raises(PermanentError) as raised:
            analyzer.take(1, no_database)
        assert any(note.startswith("at message.py:") for note in raised.value.__notes__)
        assert analyzer.take(2, no_database) == analyze(MESSAGES[0], SETTINGS, DAY)


def test_a_message_over_the_time_limit_is_aborted_and_the_rest_goes_on(
    start_method: str,
) -> None:
    raws = {1: MESSAGES[0], 2: SLOW_MAIL, 3: MESSAGES[1]}
    with Analyzer(SETTINGS, DAY, SHORT) as analyzer:
        for inbound_id, raw in raws.items():
            analyzer.submit(inbound_id, raw)
        assert analyzer.take(1, no_database) == analyze(MESSAGES[0], SETTINGS, DAY)
        started = time.monotonic()
        with pytest.raises(AnalysisAborted, match=r"^analysis exceeded 0\.5 s$"):
            analyzer.take(2, no_database)
        assert time.monotonic() - started < 3
        assert analyzer.take(3, no_database) == analyze(MESSAGES[1], SETTINGS, DAY)


def test_a_message_over_the_memory_limit_is_aborted_and_the_rest_goes_on() -> None:
    # A 24 MB attachment needs far more than 16 MB on top of the worker's own size.
    big = generate_mailbox(1, seed=3)[0].replace(b"\r\n\r\n", b"\r\n\r\n" + b"A" * 24_000_000, 1)
    tight = AnalysisLimits(seconds=30, memory_bytes=16 * 1024 * 1024)
    with Analyzer(SETTINGS, DAY, tight) as analyzer:
        analyzer.submit(1, big)
        analyzer.submit(2, MESSAGES[0])
        with pytest.raises(AnalysisAborted, match=r"^analysis exceeded 16 MB of memory$"):
            analyzer.take(1, no_database)
        assert analyzer.take(2, no_database) == analyze(MESSAGES[0], SETTINGS, DAY)


def test_a_worker_killed_mid_analysis_costs_only_its_message() -> None:
    with Analyzer(SETTINGS, DAY) as analyzer:
        analyzer.submit(1, SLOW_MAIL)
        analyzer.submit(2, MESSAGES[0])
        [worker] = analyzer._workers
        os.kill(worker.process.pid, signal.SIGKILL)
        with pytest.raises(AnalysisAborted, match=r"worker died \(killed by signal SIGKILL\)"):
            analyzer.take(1, no_database)
        assert analyzer.take(2, no_database) == analyze(MESSAGES[0], SETTINGS, DAY)


WORKER_HOLDER = """
import sys
from datetime import date
from email.message import EmailMessage
from complaintd.classify.extract import DEFAULT_PATTERNS
from complaintd.classify.rules import DEFAULT_RULES
from tests.support.hostile import bomb_markup, html_mail
from complaintd.workflow.analysis import AnalysisSettings, Analyzer

analyzer = Analyzer(AnalysisSettings(DEFAULT_RULES, DEFAULT_PATTERNS, "zh-CN"), date(2026, 11, 20))
analyzer.submit(1, html_mail(bomb_markup("nested_lists", 40_000_000)))  # minutes of work
print(analyzer._workers[0].process.pid, flush=True)
sys.stdin.read()
"""


def test_workers_die_with_a_sigkilled_parent() -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", WORKER_HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert holder.stdout is not None
    worker_pid = int(holder.stdout.readline())
    assert alive(worker_pid)
    holder.kill()
    holder.wait()
    assert gone_within(worker_pid, seconds=5)


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
