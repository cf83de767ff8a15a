"""Writing what became of each mail without holding up the sending.

The event loop that talks SMTP must not wait for the database: an SQLite ledger has one
writer at a time, and while intake holds it (``once`` or the daemon processing a
backlog), a transaction per mail would stall every SMTP connection behind it.  Outcomes
are handed to one writing thread, which writes all those waiting in one transaction.

At most ``limit`` outcomes wait unwritten; past that the senders wait for the writer.
That bounds what a SIGKILL can cost: mail the server accepted but whose outcome was not
written yet is sent again after its claim's lease, at most ``limit`` + the connections
in flight.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from complaintd.store.db import close_database

Outcome = TypeVar("Outcome")

RECORD_LIMIT = 16  # outcomes that may wait unwritten
LINGER_SECONDS = 0.02  # how long the first outcome waits for others to join it
_ROOM_POLL_SECONDS = 0.002


class OutcomeRecorder(Generic[Outcome]):
    """Collects outcomes from the event loop; a thread writes them with ``write``."""

    def __init__(self, write: Callable[[list[Outcome]], None], limit: int = RECORD_LIMIT) -> None:
        self._write = write
        self._limit = max(1, limit)
        self._waiting: list[Outcome] = []
        self._writing = 0  # taken by the thread, not written yet
        self._closing = False
        self._error: BaseException | None = None
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, outcomes: list[Outcome]) -> None:
        """Hand over ``outcomes`` to be written (returns at once)."""
        self._raise_failure()
        with self._changed:
            self._waiting.extend(outcomes)
            self._changed.notify_all()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="outbox-recorder", daemon=True)
            self._thread.start()

    async def room(self) -> None:
        """Wait while ``limit`` outcomes or more are unwritten."""
        while self._unwritten() >= self._limit:
            self._raise_failure()
            await asyncio.sleep(_ROOM_POLL_SECONDS)
        self._raise_failure()

    async def close(self) -> None:
        """Write everything handed over, end the thread; raise what writing raised."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        self._raise_failure()

    def _unwritten(self) -> int:
        with self._changed:
            return len(self._waiting) + self._writing

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            while batch := self._next_batch():
                try:
                    self._write(batch)
                finally:
                    with self._changed:
                        self._writing = 0
                        self._changed.notify_all()
        except BaseException as exc:  # handed to the loop, which stops sending
            self._error = exc
        finally:
            close_database()

    def _next_batch(self) -> list[Outcome]:
        """Everything waiting, once there is half the limit, or anything for
        ``LINGER_SECONDS``, or the recorder closes: fewer, fuller transactions."""
        with self._changed:
            while not self._waiting and not self._closing:
                self._changed.wait()
            deadline = time.monotonic() + LINGER_SECONDS
            while len(self._waiting) < self._limit // 2 and not self._closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            batch, self._waiting = self._waiting, []
            self._writing = len(batch)
            return batch
