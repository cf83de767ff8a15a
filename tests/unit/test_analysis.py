"""The analysis worker pool: same results as inline, work taken back, failures carried."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import date

import pytest

from complaintd.classify.extract import DEFAULT_PATTERNS
from complaintd.classify.rules import DEFAULT_RULES
from complaintd.errors import PermanentError
from complaintd.testing.samples import generate_mailbox
from complaintd.workflow import analysis
from complaintd.workflow.analysis import (
    POOL_THRESHOLD,
    Analysis,
    AnalysisSettings,
    Analyzer,
    analyze,
)

SETTINGS = AnalysisSettings(DEFAULT_RULES, DEFAULT_PATTERNS, "zh-CN")
DAY = date(2026, 11, 20)
MESSAGES = generate_mailbox(POOL_THRESHOLD + 28, seed=7)


def no_database(inbound_id: int) -> bytes:
    raise AssertionError(f"message {inbound_id} was submitted; its bytes must be at hand")


@pytest.mark.parametrize("single_threaded", [True, False], ids=["fork", "forkserver"])
def test_pool_results_equal_the_inline_analysis(
    monkeypatch: pytest.MonkeyPatch, single_threaded: bool
) -> None:
    monkeypatch.setattr(analysis.threading, "active_count", lambda: 1 if single_threaded else 3)
    raws = dict(enumerate(MESSAGES, start=1))
    with Analyzer(SETTINGS, DAY) as analyzer:
        for inbound_id, raw in raws.items():
            analyzer.submit(inbound_id, raw)
        assert analyzer._pool is not None, "a backlog this size must start the workers"
        taken = {i: analyzer.take(i, raws.__getitem__) for i in raws}
    assert taken == {i: analyze(raw, SETTINGS, DAY) for i, raw in raws.items()}


def test_unstarted_work_is_taken_back_newest_first() -> None:
    raws = dict(enumerate(MESSAGES, start=1))
    with Analyzer(SETTINGS, DAY) as analyzer:
        for inbound_id, raw in raws.items():
            analyzer.submit(inbound_id, raw)
        # One worker holds at most a couple of messages: the newest are still queued.
        assert analyzer._newest_unstarted() == len(raws)
        assert analyzer._newest_unstarted() == len(raws) - 1
        taken = [analyzer.take(i, raws.__getitem__) for i in raws]
    assert taken == [analyze(raw, SETTINGS, DAY) for raw in raws.values()]


def test_a_message_that_cannot_be_analysed_raises_at_take() -> None:
    raws = {i: raw for i, raw in enumerate(MESSAGES[:POOL_THRESHOLD], start=1)}
    raws[POOL_THRESHOLD + 1] = b""  # empty: not mail at all
    with Analyzer(SETTINGS, DAY) as analyzer:
        for inbound_id, raw in raws.items():
            analyzer.submit(inbound_id, raw)
        for inbound_id in list(raws)[:-1]:
            analyzer.take(inbound_id, raws.__getitem__)  # work taken back needs its bytes
        with pytest.raises(PermanentError):
            analyzer.take(POOL_THRESHOLD + 1, raws.__getitem__)


def test_a_small_backlog_is_analysed_inline() -> None:
    with Analyzer(SETTINGS, DAY) as analyzer:
        analyzer.submit(1, MESSAGES[0])
        assert analyzer._pool is None
        assert analyzer.take(1, no_database) == analyze(MESSAGES[0], SETTINGS, DAY)
        assert analyzer.take(2, lambda _: MESSAGES[1]) == analyze(MESSAGES[1], SETTINGS, DAY)


def test_waiting_for_a_slow_worker_analyses_queued_messages_here() -> None:
    raws = dict(enumerate(MESSAGES, start=1))
    with Analyzer(SETTINGS, DAY) as analyzer:
        for inbound_id, raw in raws.items():
            analyzer.submit(inbound_id, raw)
        never_done: Future[Analysis] = Future()  # a worker that does not come back
        analyzer._help_while_waiting(never_done, raws.__getitem__)
        taken_back = sorted(analyzer._taken_back)
        # Newest first, until the two ends met: nothing queued is left for the worker.
        assert taken_back == list(range(taken_back[0], len(raws) + 1))
        assert analyzer._newest_unstarted() is None
        taken = {i: analyzer.take(i, no_database) for i in raws}
    assert taken == {i: analyze(raw, SETTINGS, DAY) for i, raw in raws.items()}
