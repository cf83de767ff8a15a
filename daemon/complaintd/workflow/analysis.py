"""The pure half of intake: raw bytes -> parsed, classified, registered (no I/O).

Every message is analysed in a worker process, never in the process that holds the
ledger, so one hostile mail cannot stall a pass: a worker that overruns its time limit
is killed, one that overruns its memory limit fails, and either way that message alone
is quarantined with the reason while the pass goes on.  Workers die with the process
that started them (``PR_SET_PDEATHSIG`` on Linux), so a SIGKILLed ``once`` leaves none
behind.  One worker serves the daemon's usual case (a new mail or two); a backlog is
spread over several, which analyse ahead while this process fetches and writes.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection, wait
from types import TracebackType

from complaintd.classify import (
    Classification,
    ClassifyRules,
    ExtractPatterns,
    Registration,
    classify,
    detect_language,
    extract_registration,
)
from complaintd.errors import PermanentError, TransientError
from complaintd.parse import parse_message
from complaintd.parse.model import ParsedMessage

log = logging.getLogger(__name__)

POOL_THRESHOLD = 32  # from this many queued messages on, a backlog gets several workers
IN_HAND = 32  # messages sent to a worker ahead, so it never waits for this process
# Messages held ahead of the writer (queued, in hand or analysed and not taken): enough
# to keep the workers busy, few enough that a backlog of any size fits in memory.
LOOKAHEAD = 1000
# Workers yield the cores to the process that writes the ledger: it is the one every
# message waits for, and a worker only has to stay ahead of it.  On 2 cores two workers,
# the writer, the sender and the IMAP server share them; at equal priority the writer
# lost a tenth of a backlog's time waiting for a core (issue 17: ingest 2.28x -> 2.02x
# the fetch+parse floor, the same CPU).
WORKER_NICENESS = 10
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_READY = "ready"  # a worker's first word: it started and set its limits
_TOO_BIG = "too big"  # a worker's last word: the message did not fit in its memory


@dataclass(frozen=True)
class AnalysisSettings:
    """The configuration the pure stages need (picklable, sent once per worker)."""

    rules: ClassifyRules
    patterns: ExtractPatterns
    default_language: str


@dataclass(frozen=True)
class AnalysisLimits:
    """What one message may cost: wall-clock seconds, and memory a worker may add."""

    seconds: float = 30.0
    memory_bytes: int = 1024 * 1024 * 1024

    def time_exceeded(self) -> str:
        """The quarantine reason for a message that ran out of time."""
        return f"analysis exceeded {self.seconds:g} s"

    def memory_exceeded(self) -> str:
        """The quarantine reason for a message that ran out of memory."""
        return f"analysis exceeded {self.memory_bytes // (1024 * 1024)} MB of memory"


DEFAULT_LIMITS = AnalysisLimits()


@dataclass(frozen=True)
class Analysis:
    """Everything intake needs to know about one message before touching the ledger."""

    parsed: ParsedMessage
    classification: Classification
    registration: Registration
    language: str


class AnalysisAborted(PermanentError):
    """The analysis of a message overran its limits or killed its worker."""


def analyze(raw: bytes, settings: AnalysisSettings, reference_day: date) -> Analysis:
    """Parse, classify and register ``raw``; ``reference_day`` dates year-less dates."""
    parsed = parse_message(raw)
    text = parsed.body.text
    return Analysis(
        parsed=parsed,
        classification=classify(parsed.subject, text, settings.rules),
        registration=extract_registration(parsed.subject, text, reference_day, settings.patterns),
        language=detect_language(f"{parsed.subject}\n{text}", settings.default_language),
    )


def worker_count() -> int:
    """Workers for a backlog: one a core (at most four).  The process that fetches and
    writes the ledger spends much of its time waiting for IMAP and SQLite, so on 2 cores
    two workers keep both busy where one left the writer waiting for analyses."""
    return max(1, min(4, os.cpu_count() or 2))


# --- the worker process -------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """What a worker sends back for one message: its analysis or its error."""

    analysis: Analysis | None = None
    error: BaseException | None = None

    def result(self) -> Analysis:
        """The analysis, or the error raised here (the caller quarantines)."""
        if self.error is not None:
            raise self.error
        assert self.analysis is not None
        return self.analysis


def _serve(
    conn: Connection,
    settings: AnalysisSettings,
    reference_day: date,
    limits: AnalysisLimits,
    forked_from: tuple[int, int] | None,
) -> None:
    """A worker's life: analyse each ``(inbound id, raw)`` received until None or EOF.

    ``forked_from`` is (parent pid, descriptor of the parent's end of the pipe) for a
    forked worker, which inherited that descriptor: closed here, so that the pipe reads
    EOF once the parent is gone.
    """
    parent_pid = None
    if forked_from is not None:
        parent_pid, parent_end = forked_from
        with contextlib.suppress(OSError):
            os.close(parent_end)
    die_with_parent(parent_pid)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    _limit_memory(limits.memory_bytes)
    jobs: queue.SimpleQueue[object] = queue.SimpleQueue()
    threading.Thread(target=_read_jobs, args=(conn, jobs), daemon=True).start()
    conn.send(_READY)
    while True:
        job = jobs.get()
        if job is None:
            return  # asked to stop, or the parent is gone
        if job == _TOO_BIG:  # the message alone is over the limit
            conn.send(_TOO_BIG)
            return
        assert isinstance(job, tuple)
        inbound_id: int = job[0]
        raw: bytes = job[1]
        conn.send((inbound_id, _analyse_safely(raw, settings, reference_day, limits)))


def _read_jobs(conn: Connection, jobs: queue.SimpleQueue[object]) -> None:
    """A worker's reading thread: move each job from the pipe to ``jobs`` at once.

    The pipe is always drained, so the parent never blocks sending a message while this
    worker blocks sending a result the parent has not read yet (both pipes full: a
    deadlock).  Ends with None (stop, or EOF) or :data:`_TOO_BIG`.
    """
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            job = None  # the parent is gone
        except MemoryError:
            job = _TOO_BIG
        jobs.put(job)
        if job is None or job == _TOO_BIG:
            return


def _analyse_safely(
    raw: bytes, settings: AnalysisSettings, reference_day: date, limits: AnalysisLimits
) -> _Outcome:
    """Analyse ``raw``; any failure becomes an error that survives the trip home."""
    try:
        return _Outcome(analysis=analyze(raw, settings, reference_day))
    except MemoryError:
        return _Outcome(error=AnalysisAborted(limits.memory_exceeded()))
    except Exception as exc:
        return _Outcome(error=_portable(exc))


def _portable(exc: Exception) -> Exception:
    """``exc`` with the place it happened as a note, or a stand-in when it cannot be
    pickled (a traceback does not cross processes)."""
    place = traceback.extract_tb(exc.__traceback__)[-1:]
    if place:
        frame = place[0]
        exc.add_note(f"at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}")
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return PermanentError(f"{type(exc).__name__}: {exc}")
    return exc


def die_with_parent(parent_pid: int | None) -> None:
    """Ask Linux to SIGKILL this worker when its parent dies; exit if it already has.

    ``parent_pid`` is None when a forkserver started the worker: that server exits
    with the daemon, and its death kills the worker in turn.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(0)  # the parent died before the request took effect


def _limit_memory(extra_bytes: int) -> None:
    """Cap this process's address space at its present size plus ``extra_bytes``.

    Python then raises MemoryError where an analysis would need more, instead of the
    whole machine swapping.  Where the limit cannot be set, the worker runs without it.
    """
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + extra_bytes
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError) as exc:
        log.warning("analysis worker runs without a memory limit: %s", exc)


# --- the parent's side --------------------------------------------------------------


def _process_context() -> multiprocessing.context.BaseContext:
    """How to start workers: fork while this process has one thread, else a forkserver.

    A fork starts a worker at once, with everything already imported (``once``); a
    process with threads (``run``) must not fork, so a clean forkserver process with the
    analysis modules preloaded makes the workers there.  Workers never touch the
    database connection or the IMAP socket they inherit, and leave by ``os._exit``.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["complaintd.workflow.analysis"])
    return context


class _Worker:
    """One worker process: analyses the messages in hand one after the other."""

    def __init__(
        self, settings: AnalysisSettings, reference_day: date, limits: AnalysisLimits
    ) -> None:
        context = _process_context()
        self.conn, child_conn = context.Pipe()
        forked = context.get_start_method() == "fork"
        forked_from = (os.getpid(), self.conn.fileno()) if forked else None
        args = (child_conn, settings, reference_day, limits, forked_from)
        self.process = context.Process(target=_serve, args=args, daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child_conn.close()
        self.ready = False
        self.in_hand: dict[int, bytes] = {}  # sent, not answered yet, oldest first
        self.since = 0.0  # when the oldest message in hand started (monotonic)

    @property
    def busy(self) -> int | None:
        """The inbound id being analysed now (None: idle)."""
        return next(iter(self.in_hand), None)

    def give(self, inbound_id: int, raw: bytes) -> None:
        """Send a message; it is analysed after those already in hand."""
        if not self.in_hand:
            self.since = time.monotonic()
        self.in_hand[inbound_id] = raw
        with contextlib.suppress(OSError):  # it died: receive() reports it
            self.conn.send((inbound_id, raw))

    def done(self, inbound_id: int) -> None:
        """A result came back: the next message in hand has started."""
        self.in_hand.pop(inbound_id, None)
        self.since = time.monotonic()

    def receive(self) -> object:
        """Read what the worker sent: a result, or its first or last word.

        Raises EOFError when the worker has died.
        """
        try:
            message = self.conn.recv()
        except OSError as exc:
            raise EOFError(str(exc)) from exc
        if message == _READY:
            self.ready = True
            self.since = time.monotonic()  # start-up time is not the message's fault
        return message

    def overdue(self, limits: AnalysisLimits, now: float) -> bool:
        """True when the message being analysed has run past the time limit."""
        return bool(self.in_hand) and now - self.since > limits.seconds

    def death(self) -> str:
        """How the process ended, for the quarantine reason."""
        self.process.join(timeout=5)
        code = self.process.exitcode
        if code is not None and code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"exit status {code}"

    def stop(self, *, kill: bool = False) -> None:
        """End the process: politely when idle, by SIGKILL when busy, asked or hanging."""
        if not kill and not self.in_hand:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


class Analyzer:
    """Hands out analyses made by worker processes under ``limits``.

    ``submit`` queues messages (analysis starts at once, on idle workers); ``take``
    returns one analysis, waiting for it and enforcing the limits meanwhile.
    """

    def __init__(
        self,
        settings: AnalysisSettings,
        reference_day: date,
        limits: AnalysisLimits = DEFAULT_LIMITS,
    ) -> None:
        self.settings = settings
        self.reference_day = reference_day
        self.limits = limits
        self._queue: dict[int, bytes] = {}  # submitted, not yet given to a worker
        self._outcomes: dict[int, _Outcome] = {}  # analysed, not yet taken
        self._workers: list[_Worker] = []
        self._wanted = 1  # workers to run; more once the backlog justifies them

    def __enter__(self) -> Analyzer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def knows(self, inbound_id: int) -> bool:
        """True when ``inbound_id`` was submitted (its analysis may be under way)."""
        return (
            inbound_id in self._queue
            or inbound_id in self._outcomes
            or any(inbound_id in worker.in_hand for worker in self._workers)
        )

    def ahead(self) -> int:
        """Messages held for the writer: queued, in a worker's hand, or analysed."""
        return len(self._queue) + len(self._outcomes) + sum(len(w.in_hand) for w in self._workers)

    def start_workers(self) -> None:
        """Start as many workers as a backlog gets, now, when this process may still
        fork (``once``, before its keeper's thread starts).

        A forked worker is ready at once, with everything already imported; one started
        later, beside threads, comes from a forkserver: a fresh interpreter that imports
        the analysis modules first (about 0.3 s before its first analysis).  Where this
        process may not fork, or a fork fails now, workers start when mail comes.
        """
        if _process_context().get_start_method() != "fork":
            return
        while len(self._workers) < worker_count():
            try:
                self._workers.append(self._new_worker())
            except TransientError as exc:
                log.warning("%s; workers start when mail comes", exc)
                return

    def submit_if_room(self, inbound_id: int, raw: bytes) -> None:
        """:meth:`submit` while fewer than LOOKAHEAD messages are held; else nothing (the
        pass reads the message from the ledger when its turn comes near)."""
        if self.ahead() < LOOKAHEAD:
            self.submit(inbound_id, raw)

    def submit(self, inbound_id: int, raw: bytes) -> None:
        """Queue ``raw`` for analysis; a backlog of POOL_THRESHOLD gets several workers."""
        self._queue[inbound_id] = raw
        waiting = len(self._queue) + sum(len(worker.in_hand) for worker in self._workers)
        if waiting >= POOL_THRESHOLD:
            self._wanted = worker_count()
        self._collect(timeout=0)
        self._dispatch()

    def take(self, inbound_id: int, load_raw: Callable[[int], bytes]) -> Analysis:
        """The analysis of ``inbound_id``, waiting for it while enforcing the limits.

        ``load_raw(inbound_id)`` is called only when the message was not submitted.  A
        message whose analysis failed or overran raises here, so the caller quarantines it.
        """
        if not self.knows(inbound_id):
            self._queue[inbound_id] = load_raw(inbound_id)
        if inbound_id in self._queue:  # next in line, ahead of messages wanted later
            self._queue = {inbound_id: self._queue.pop(inbound_id), **self._queue}
        while inbound_id not in self._outcomes:
            self._dispatch()
            self._collect(timeout=self._time_to_deadline())
        return self._outcomes.pop(inbound_id).result()

    def close(self) -> None:
        """Stop the workers (analyses not taken are dropped; their rows stay pending)."""
        for worker in self._workers:
            worker.stop()
        self._workers.clear()
        self._queue.clear()
        self._outcomes.clear()

    def _dispatch(self) -> None:
        """Give queued messages to workers with room, starting workers up to the number
        wanted (an idle one first, then a new one, then one with a message in hand)."""
        while self._queue:
            worker = self._worker_with_room()
            if worker is None:
                return
            inbound_id = next(iter(self._queue))
            worker.give(inbound_id, self._queue.pop(inbound_id))

    def _worker_with_room(self) -> _Worker | None:
        least = min(self._workers, key=lambda worker: len(worker.in_hand), default=None)
        if least is not None and not least.in_hand:
            return least
        if len(self._workers) >= self._wanted:
            return least if least is not None and len(least.in_hand) < IN_HAND else None
        worker = self._new_worker()
        self._workers.append(worker)
        return worker

    def _new_worker(self) -> _Worker:
        try:
            return _Worker(self.settings, self.reference_day, self.limits)
        except (OSError, ValueError) as exc:
            raise TransientError(f"cannot start an analysis worker: {exc}") from exc

    def _time_to_deadline(self) -> float:
        """Seconds until the first busy worker runs out of time (0 when already late)."""
        now = time.monotonic()
        deadlines = [w.since + self.limits.seconds for w in self._workers if w.in_hand]
        return max(0.0, min(deadlines) - now) + 0.01 if deadlines else 0.0

    def _collect(self, timeout: float) -> None:
        """Read the results that are ready (waiting up to ``timeout``); end overdue workers."""
        busy = {worker.conn: worker for worker in self._workers if worker.in_hand}
        for conn in wait(list(busy), timeout) if busy else []:
            self._receive(busy[conn])  # type: ignore[index]
        now = time.monotonic()
        for worker in [w for w in self._workers if w.overdue(self.limits, now)]:
            self._abort(worker, self.limits.time_exceeded())

    def _receive(self, worker: _Worker) -> None:
        try:
            received = worker.receive()
        except EOFError:
            if not worker.ready:
                self._fail_start(worker)
            self._abort(worker, f"the analysis worker died ({worker.death()})")
            return
        if received == _TOO_BIG:
            self._abort(worker, self.limits.memory_exceeded())
        elif isinstance(received, tuple):
            inbound_id, outcome = received
            self._outcomes[int(inbound_id)] = outcome
            worker.done(int(inbound_id))

    def _abort(self, worker: _Worker, reason: str) -> None:
        """Record ``reason`` as the outcome of the message being analysed, put the others
        in hand back in the queue, and end the worker."""
        failed = worker.busy
        log.warning("inbound %s: %s", failed, reason)
        if failed is not None:
            self._outcomes[failed] = _Outcome(error=AnalysisAborted(reason))
            worker.in_hand.pop(failed)
        self._queue = {**worker.in_hand, **self._queue}
        worker.in_hand.clear()
        worker.stop(kill=True)
        self._workers.remove(worker)

    def _fail_start(self, worker: _Worker) -> None:
        """A worker that died before it was ready says nothing about its message: the
        environment is at fault, so the pass stops (rows stay pending) instead."""
        reason = worker.death()
        worker.stop(kill=True)
        self._workers.remove(worker)
        raise TransientError(f"an analysis worker could not start ({reason})")
