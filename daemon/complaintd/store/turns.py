"""Taking turns at SQLite's one write lock: ``once``'s pass and its sending child.

SQLite lets one connection write at a time; one that finds the lock taken sleeps and
tries again (after 1, 2, 5 ... up to 100 ms).  A pass writes a backlog in transactions
that follow each other with no gap, so a second writer that only retries finds the lock
taken nearly every time, and the sending child (``service.sending``) could not claim or
record a mail until the pass was over.  Instead the child says it waits, and the pass,
after the message it is on, commits what it has and lets the child write first.

One :class:`WriteTurns` is made before the fork; the pass is its host, the child its
guest.  Without one (the daemon, PostgreSQL, a ``once`` that could not fork) nothing
waits and nothing is handed over.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from multiprocessing.context import BaseContext

# How long a guest waits to be let in before it queues at the lock like anyone else.
GRANT_WAIT_SECONDS = 0.5


class WriteTurns:
    """Shared between two processes: who waits for the write lock, and who may take it."""

    def __init__(self, context: BaseContext) -> None:
        self._waiting = context.Value("i", 0)
        self._host_writing = context.Value("b", 0)
        self._granted = context.Event()
        self._released = context.Event()

    # --- the host (the pass) ---------------------------------------------------------

    @contextlib.contextmanager
    def hosting(self) -> Iterator[None]:
        """The host writes a backlog for a while; a guest waits to be let in meanwhile."""
        self._host_writing.value = 1
        try:
            yield
        finally:
            self._host_writing.value = 0
            self._granted.set()  # nobody is kept waiting for a turn that will not come

    def asked(self) -> bool:
        """True when a guest waits for the lock (the host should commit and hand over)."""
        return self._waiting.value > 0

    def hand_over(self) -> None:
        """Between two of the host's transactions: let the waiting guest write first."""
        self._released.clear()
        self._granted.set()
        self._released.wait(GRANT_WAIT_SECONDS)
        self._granted.clear()

    # --- the guest (the sending child) ---------------------------------------------

    @contextlib.contextmanager
    def guest_turn(self) -> Iterator[None]:
        """Around one of the guest's write transactions."""
        with self._waiting.get_lock():
            self._waiting.value += 1
        try:
            if self._host_writing.value:
                self._granted.wait(GRANT_WAIT_SECONDS)
            yield
        finally:
            with self._waiting.get_lock():
                self._waiting.value -= 1
            self._released.set()


_host: WriteTurns | None = None
_guest: WriteTurns | None = None


def become_host(turns: WriteTurns | None) -> None:
    """This process's passes let ``turns``' guest in (None: no longer)."""
    global _host
    _host = turns


def become_guest(turns: WriteTurns) -> None:
    """This process writes as ``turns``' guest (the forked sending child)."""
    global _guest, _host
    _guest, _host = turns, None


@contextlib.contextmanager
def hosting() -> Iterator[None]:
    """A pass writing its backlog (a no-op without a guest)."""
    if _host is None:
        yield
        return
    with _host.hosting():
        yield


def guest_asks() -> bool:
    """True when the host should cut its transaction short: a guest waits."""
    return _host is not None and _host.asked()


def hand_over() -> None:
    """Let a waiting guest write (a no-op when none waits)."""
    if _host is not None and _host.asked():
        _host.hand_over()


@contextlib.contextmanager
def write_turn() -> Iterator[None]:
    """Around a write transaction of a guest (a no-op in any other process)."""
    if _guest is None:
        yield
        return
    with _guest.guest_turn():
        yield
