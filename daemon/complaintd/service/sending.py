"""``once`` sends while it processes: a child process drains the outbox during the pass.

Composing and sending the mail a backlog causes takes about as long as processing the
backlog itself; one process doing both in turn takes their sum.  The child sends each
mail as soon as the transaction that queued it has committed, on the other core, and
after the pass it sends what the timed jobs queued; ``once`` then reports its counts.

The child is forked before any thread starts, so it needs no fresh imports and carries
this process's holder name: the parent's keeper renews its claims, and a claim of a
killed child runs out like any other.  It never touches the database connection it
inherits (closing an inherited SQLite handle can break the parent's locks and WAL; a
PostgreSQL one would end the parent's session) and leaves by ``os._exit``.

Where a fork is not possible (no ``fork``, or threads already running) the outbox is
flushed after the pass, in this process, as before.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections import Counter
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event

import peewee

from complaintd.outbox.sender import SmtpWorkerPool, flush_async, flush_outbox, release_stale_claims
from complaintd.runtime import Runtime
from complaintd.store import turns
from complaintd.store.db import is_postgres
from complaintd.store.turns import WriteTurns
from complaintd.workflow.analysis import die_with_parent

log = logging.getLogger(__name__)

IDLE_WAIT_SECONDS = 0.05  # between two looks at the outbox while the pass goes on
DEFER_EVERY_SECONDS = 0.5  # between two deferrals of mail queued while the server is down


class BackgroundSender:
    """The outbox sent by a child process for the length of a ``once``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._process: multiprocessing.process.BaseProcess | None = None
        self._done: Event | None = None
        self._results: Connection | None = None

    def start(self) -> None:
        """Fork the child, if this process may fork; else :meth:`finish` flushes itself."""
        if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self._done = context.Event()
        self._results, child_end = context.Pipe(duplex=False)
        write_turns = None if is_postgres(self.runtime.database) else WriteTurns(context)
        args = (self.runtime, self._done, child_end, os.getpid(), write_turns)
        process = context.Process(target=_serve, args=args, daemon=True)
        process.start()
        child_end.close()
        self._process = process
        turns.become_host(write_turns)

    def abandon(self) -> None:
        """The pass failed: let the child end (it sends what is due first) and wait for
        it; nothing when :meth:`finish` has run."""
        if self._process is None or self._done is None:
            return
        turns.become_host(None)
        self._done.set()
        self._process.join(timeout=60)
        if self._process.is_alive():
            self._process.kill()
        self._process = None

    def finish(self) -> Counter[str]:
        """Let the child send what is due now and end; its counts by final status.

        Without a child (or when it died) the outbox is flushed here.
        """
        if self._process is None or self._done is None or self._results is None:
            return flush_outbox(self.runtime)
        turns.become_host(None)
        self._done.set()
        counts: Counter[str] | None = None
        try:
            counts = self._results.recv()
        except EOFError:
            log.warning("the sending process ended early (%s)", self._process.exitcode)
        self._process.join()
        self._process = None
        return counts if counts is not None else flush_outbox(self.runtime)


def _serve(
    runtime: Runtime,
    done: Event,
    results: Connection,
    parent: int,
    write_turns: WriteTurns | None,
) -> None:
    """The child: flush while the pass goes on, once more when it is over, report."""
    die_with_parent(parent)  # a SIGKILLed once leaves no sender behind
    _leave_inherited_connection(runtime.database)
    if write_turns is not None:
        turns.become_guest(write_turns)
    totals: Counter[str] = Counter()
    loop = asyncio.new_event_loop()
    pool = SmtpWorkerPool(runtime.config.smtp, runtime.config.smtp.concurrency)
    status = 0
    try:
        if not is_postgres(runtime.database):
            release_stale_claims(runtime)  # SQLite: the only sender there is
        totals = loop.run_until_complete(_drain(runtime, pool, done))
        results.send(totals)
    except BaseException:
        log.exception("outbox sender")
        status = 1
    finally:
        loop.run_until_complete(pool.close())
        os._exit(status)


async def _drain(runtime: Runtime, pool: SmtpWorkerPool, done: Event) -> Counter[str]:
    """Flush until ``done`` is set, then once more (the timed jobs' mail).

    Once the server could not be reached it is not tried again in this run: the mail
    waits for its retry time, as it did when ``once`` flushed only at the end.  What is
    queued from then on is deferred as if tried and failed, every DEFER_EVERY_SECONDS
    while the pass goes on (on the other core, between the pass's transactions), so the
    pass does not end waiting for thousands of rows to be deferred.
    """
    totals: Counter[str] = Counter()
    while True:
        finishing = done.is_set()
        counts = await flush_async(runtime, pool)
        totals.update(counts)
        if finishing:
            return totals
        if pool.unreachable:
            pool.known_down(pool.unreachable)
            while not await asyncio.to_thread(done.wait, DEFER_EVERY_SECONDS):
                totals.update(await flush_async(runtime, pool))
            totals.update(await flush_async(runtime, pool))
            return totals
        if not counts:
            await asyncio.to_thread(done.wait, IDLE_WAIT_SECONDS)


# What a forked child keeps of the parent's connection: referenced, never closed.
_INHERITED: list[object] = []


def _leave_inherited_connection(database: peewee.Database) -> None:
    """Make ``database`` open a connection of this process's own on its next query."""
    state = database._state  # type: ignore[attr-defined]  # peewee's per-thread state
    _INHERITED.append(state.conn)
    state.reset()
