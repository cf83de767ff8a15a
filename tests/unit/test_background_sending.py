"""The sending child of ``once`` (service.sending): what it does once the server is down."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import pytest

from complaintd.service import sending


class DownPool:
    """A pool whose first flush found the server down."""

    def __init__(self) -> None:
        self.unreachable: str | None = "SMTPConnectError: refused"
        self.known: str | None = None

    def known_down(self, reason: str | None) -> None:
        self.known = reason


def test_mail_queued_while_the_server_is_down_is_deferred_as_the_pass_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the server was found down, every flush defers (the pool knows it is down)
    and one comes every DEFER_EVERY_SECONDS while the pass goes on - not only one after
    it - and a last one once the pass is over; their counts add up."""
    done = threading.Event()
    pool = DownPool()
    flushes: list[tuple[bool, str | None]] = []

    async def flush(runtime: Any, flushed_pool: DownPool) -> Counter[str]:
        flushes.append((done.is_set(), flushed_pool.known))
        if len(flushes) == 4:
            done.set()  # the pass ends while the third deferral is written
        return Counter(pending=10)

    monkeypatch.setattr(sending, "flush_async", flush)
    monkeypatch.setattr(sending, "DEFER_EVERY_SECONDS", 0.01)
    safety_net = threading.Timer(10, done.set)  # a drain that only waits for the end
    safety_net.start()
    try:
        totals = asyncio.run(sending._drain(object(), pool, done))  # type: ignore[arg-type]
    finally:
        safety_net.cancel()
    reason = "SMTPConnectError: refused"
    during = [(False, reason)] * 3
    assert flushes == [(False, None), *during, (True, reason)]
    assert totals == Counter(pending=50)


def test_the_pass_ending_ends_the_deferrals_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass already over when the server is found down costs one more flush, no wait."""
    done = threading.Event()
    calls: list[bool] = []

    async def flush(runtime: Any, flushed_pool: DownPool) -> Counter[str]:
        calls.append(done.is_set())
        done.set()
        return Counter(pending=1)

    monkeypatch.setattr(sending, "flush_async", flush)
    monkeypatch.setattr(sending, "DEFER_EVERY_SECONDS", 60)
    totals = asyncio.run(sending._drain(object(), DownPool(), done))  # type: ignore[arg-type]
    assert calls == [False, True] and totals == Counter(pending=2)
