"""Outcomes of sent mail are written by a thread, in batches, never more than the limit
waiting (what a SIGKILL could send twice)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from complaintd.outbox.recorder import OutcomeRecorder


def test_every_outcome_is_written_in_order_by_the_time_it_closes() -> None:
    written: list[list[int]] = []
    recorder: OutcomeRecorder[int] = OutcomeRecorder(written.append, limit=4)

    async def send() -> None:
        for number in range(10):
            recorder.add([number])
            await recorder.room()
        await recorder.close()

    asyncio.run(send())
    assert [n for batch in written for n in batch] == list(range(10))
    assert all(1 <= len(batch) <= 4 for batch in written)


def test_senders_wait_while_the_limit_is_unwritten() -> None:
    release = threading.Event()
    written: list[int] = []

    def slow_write(batch: list[int]) -> None:
        release.wait(5)
        written.extend(batch)

    recorder: OutcomeRecorder[int] = OutcomeRecorder(slow_write, limit=3)

    async def send() -> bool:
        recorder.add([1, 2, 3])
        waiting = asyncio.ensure_future(recorder.room())
        await asyncio.sleep(0.1)
        blocked = not waiting.done()  # the database is busy: no fourth mail goes out
        release.set()
        await asyncio.wait_for(waiting, 5)
        await recorder.close()
        return blocked

    assert asyncio.run(send()) is True
    assert written == [1, 2, 3]


def test_a_failed_write_stops_the_senders() -> None:
    def broken(batch: list[int]) -> None:
        raise ConnectionError("the database went away")

    recorder: OutcomeRecorder[int] = OutcomeRecorder(broken, limit=2)

    async def send() -> None:
        recorder.add([1])
        await asyncio.sleep(0.05)
        await recorder.room()

    with pytest.raises(ConnectionError, match="went away"):
        asyncio.run(send())
    with pytest.raises(ConnectionError):
        recorder.add([2])


def test_nothing_handed_over_starts_no_thread() -> None:
    recorder: OutcomeRecorder[int] = OutcomeRecorder(lambda batch: None)
    before = threading.active_count()
    asyncio.run(recorder.close())
    assert threading.active_count() == before
