"""The pure half of intake: raw bytes -> parsed, classified, registered (no I/O).

Because it needs nothing but the bytes and the rules, it can run in worker processes
while the main process fetches and writes the ledger; on this 2-core machine that
pipelining is what keeps a 2,000-message backlog near the raw fetch+parse floor.
A small backlog (the daemon's usual case: one new mail) is analysed inline, which is
faster than a round trip to a worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
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
from complaintd.parse import parse_message
from complaintd.parse.model import ParsedMessage

log = logging.getLogger(__name__)

POOL_THRESHOLD = 32  # below this many messages, a worker pool costs more than it saves


@dataclass(frozen=True)
class AnalysisSettings:
    """The configuration the pure stages need (picklable, sent once per worker)."""

    rules: ClassifyRules
    patterns: ExtractPatterns
    default_language: str


@dataclass(frozen=True)
class Analysis:
    """Everything intake needs to know about one message before touching the ledger."""

    parsed: ParsedMessage
    classification: Classification
    registration: Registration
    language: str


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


_worker_settings: AnalysisSettings | None = None


def _init_worker(settings: AnalysisSettings) -> None:
    global _worker_settings
    _worker_settings = settings


def _analyze_in_worker(raw: bytes, reference_day: date) -> Analysis:
    assert _worker_settings is not None, "worker not initialised"
    return analyze(raw, _worker_settings, reference_day)


def worker_count() -> int:
    """Leave one core to the process that fetches and writes the ledger (measured: on
    2 cores a second worker slows the whole pass down)."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


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


class Analyzer:
    """Hands out analyses: from a process pool when opened with a backlog, else inline."""

    def __init__(self, settings: AnalysisSettings, reference_day: date) -> None:
        self.settings = settings
        self.reference_day = reference_day
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[int, Future[Analysis]] = {}
        self._waiting: dict[int, bytes] = {}  # submitted before the backlog justified a pool
        self._taken_back: dict[int, Future[Analysis]] = {}  # analysed here while waiting

    def __enter__(self) -> Analyzer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def knows(self, inbound_id: int) -> bool:
        """True when ``inbound_id`` was submitted (its analysis may be under way)."""
        return any(
            inbound_id in known for known in (self._futures, self._taken_back, self._waiting)
        )

    def submit(self, inbound_id: int, raw: bytes) -> None:
        """Queue ``raw`` for analysis; workers start once the backlog reaches the threshold."""
        self._waiting[inbound_id] = raw
        if len(self._waiting) + len(self._futures) < POOL_THRESHOLD:
            return
        pool = self._ensure_pool()
        if pool is None:
            return
        for waiting_id, waiting_raw in self._waiting.items():
            self._futures[waiting_id] = pool.submit(
                _analyze_in_worker, waiting_raw, self.reference_day
            )
        self._waiting.clear()

    def take(self, inbound_id: int, load_raw: Callable[[int], bytes]) -> Analysis:
        """The analysis of ``inbound_id``: the worker's result, or computed here.

        ``load_raw(inbound_id)`` is called only when the bytes are not at hand.  A message
        whose analysis raised re-raises here, so the caller quarantines it.
        """
        raw = self._waiting.pop(inbound_id, None)
        future = self._taken_back.pop(inbound_id, None) or self._futures.pop(inbound_id, None)
        if future is not None:
            self._help_while_waiting(future, load_raw)
            try:
                return future.result()
            except BrokenProcessPool:
                log.warning("analysis worker died; analysing inline from now on")
                self._pool = None
        return analyze(
            raw if raw is not None else load_raw(inbound_id), self.settings, self.reference_day
        )

    def _help_while_waiting(
        self, future: Future[Analysis], load_raw: Callable[[int], bytes]
    ) -> None:
        """While the workers are behind, analyse the newest unstarted message here.

        Workers take messages oldest first and this process takes them back newest
        first, so the two ends meet: no process idles while the other has work.
        """
        while not future.done():
            newest = self._newest_unstarted()
            if newest is None:
                return
            done: Future[Analysis] = Future()
            try:
                done.set_result(analyze(load_raw(newest), self.settings, self.reference_day))
            except Exception as exc:  # re-raised by take(), where the caller quarantines
                done.set_exception(exc)
            self._taken_back[newest] = done

    def _newest_unstarted(self) -> int | None:
        """Cancel the newest analysis no worker has begun; return its id (None: none left)."""
        for inbound_id in reversed(self._futures):
            future = self._futures[inbound_id]
            if future.cancel():
                del self._futures[inbound_id]
                return inbound_id
            if future.running() or future.done():
                return None  # everything older has been handed to a worker already
        return None

    def _ensure_pool(self) -> ProcessPoolExecutor | None:
        if self._pool is None:
            try:
                context = _process_context()
                self._pool = ProcessPoolExecutor(
                    worker_count(),
                    mp_context=context,
                    initializer=_init_worker,
                    initargs=(self.settings,),
                )
            except (OSError, ValueError) as exc:  # no /dev/shm, no fork: go on inline
                log.warning("no analysis workers (%s); analysing inline", exc)
                return None
        return self._pool

    def close(self) -> None:
        """Stop the workers (pending analyses are dropped; their rows stay pending)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._futures.clear()
        self._taken_back.clear()
        self._waiting.clear()
