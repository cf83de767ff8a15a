"""The OCR worker: a process of its own that reads fax pages, and its keeper.

OCR needs hundreds of megabytes (RapidOCR's models on onnxruntime) and seconds per
page; a page can hang an engine or crash it.  So it runs in one long-lived worker
process, started by ``spawn`` (a clean interpreter: no database connection or IMAP
socket inherited, nothing of the daemon's memory), which loads its engines once.
The daemon's process only sends a document and a page number and waits, at most
``[fax] ocr_page_seconds`` per page: a page past that, or a worker that dies, is
recorded as unread, the worker is killed and started again for the next page.
Workers die with the daemon (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from complaintd.workflow.analysis import die_with_parent

log = logging.getLogger(__name__)

MIN_CONFIDENCE = 0.5  # an engine's mean line confidence below which a page is unread
START_SECONDS = 300.0
# Counting pages reads no page, so it is not held to the time per page.
COUNT_SECONDS = 30.0  # loading the engines (first run of onnxruntime on a busy machine)


@dataclass(frozen=True)
class PageReading:
    """One page: its text, or why it could not be read."""

    index: int
    text: str = ""
    confidence: float = 0.0
    engine: str = "none"
    problem: str | None = None  # None: read


@dataclass(frozen=True)
class DocumentReading:
    """Every page of one fax document."""

    pages: tuple[PageReading, ...]
    engines: tuple[str, ...]  # what the worker had loaded
    seconds: float
    problem: str | None = None  # the whole document failed (not rendered at all)

    @property
    def text(self) -> str:
        """The text of the pages that were read, page after page."""
        return "\n\n".join(page.text for page in self.pages if page.text.strip())

    @property
    def unread(self) -> list[PageReading]:
        """Pages that failed, timed out or gave nothing the engine was sure of."""
        return [page for page in self.pages if page.problem is not None]


# --- the worker process -----------------------------------------------------------------


def _serve(conn: Connection, languages: str, only: tuple[str, ...], parent_pid: int) -> None:
    """The worker's life: load the engines, then answer requests until None or EOF."""
    die_with_parent(parent_pid)
    from complaintd.fax import ocr

    engines = ocr.load_engines(languages, only)
    with contextlib.suppress(Exception):  # the first run loads the models: not a page's time
        from PIL import Image

        for engine in engines:
            engine.read(Image.new("L", (64, 32), 255))
    conn.send(("ready", [engine.name for engine in engines]))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        conn.send(_answer(ocr, engines, request))


def _answer(ocr: Any, engines: list[Any], request: tuple[Any, ...]) -> tuple[str, Any]:
    """``("count", doc, type, name)`` -> page count; ``("page", doc, type, name, i)`` ->
    (text, confidence, engine).  Failures come back as ``("error", reason)``."""
    try:
        if request[0] == "count":
            return "count", ocr.page_count(*request[1:4])
        page = ocr.render_page(*request[1:5])
        reading = ocr.read_page(engines, page)
        return "page", (reading.text, reading.confidence, reading.engine)
    except Exception as exc:
        return "error", f"{type(exc).__name__}: {exc}"


# --- the daemon's side ------------------------------------------------------------------


@dataclass
class FaxReader:
    """Keeps one OCR worker and reads documents with it, page by page."""

    languages: str = "chi_sim+eng"
    page_seconds: float = 30.0
    only: tuple[str, ...] = ()  # engines to load (empty: every available one)
    restarts: int = 0  # workers replaced after a timeout or a crash
    engines: tuple[str, ...] = ()
    _process: Any = field(default=None, repr=False)
    _conn: Connection | None = field(default=None, repr=False)

    def __enter__(self) -> FaxReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def worker_pid(self) -> int | None:
        """The worker's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def read(self, document: bytes, content_type: str, filename: str) -> DocumentReading:
        """Every page of ``document``; pages that fail or overrun are marked unread."""
        started = time.monotonic()
        meta = (document, content_type, filename)
        try:
            count = self._ask(("count", *meta), max(self.page_seconds, COUNT_SECONDS))
        except _WorkerTrouble as trouble:
            return DocumentReading((), self.engines, time.monotonic() - started, str(trouble))
        pages = tuple(self._read_page(meta, index) for index in range(int(count)))
        return DocumentReading(pages, self.engines, time.monotonic() - started)

    def _read_page(self, meta: tuple[bytes, str, str], index: int) -> PageReading:
        try:
            text, confidence, engine = self._ask(("page", *meta, index), self.page_seconds)
        except _WorkerTrouble as trouble:
            return PageReading(index, problem=str(trouble))
        if not str(text).strip():
            return PageReading(index, "", float(confidence), str(engine), "no legible text")
        problem = None if confidence >= MIN_CONFIDENCE else f"low confidence {confidence:.0%}"
        return PageReading(index, str(text), float(confidence), str(engine), problem)

    def _ask(self, request: tuple[Any, ...], seconds: float) -> Any:
        """Send ``request`` and wait ``seconds`` for the answer; kill the worker past it."""
        conn = self._ready_worker()
        try:
            conn.send(request)
            if not conn.poll(seconds):
                self._replace(f"took longer than {seconds:g} s")
                raise _WorkerTrouble(f"timed out after {seconds:g} s")
            kind, value = conn.recv()
        except (EOFError, OSError) as exc:
            reason = self._replace("died")
            raise _WorkerTrouble(f"the OCR worker died ({reason})") from exc
        if kind == "error":
            raise _WorkerTrouble(str(value))
        return value

    def _ready_worker(self) -> Connection:
        """The worker's pipe, starting the worker (and waiting for its engines) if needed."""
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._stop(kill=True)
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve, args=(child, self.languages, self.only, os.getpid()), daemon=True
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        try:
            if not parent.poll(START_SECONDS):
                raise EOFError("no answer")
            _ready, engines = parent.recv()
        except (EOFError, OSError) as exc:
            reason = self._replace("did not start")
            raise _WorkerTrouble(f"the OCR worker did not start ({reason})") from exc
        self.engines = tuple(engines)
        if not self.engines:
            log.warning("no OCR engine is available: faxes are left for manual reading")
        return parent

    def _replace(self, why: str) -> str:
        """End the worker (it is started again on the next request); how it ended."""
        process = self._process
        self._stop(kill=True)
        self.restarts += 1
        code = process.exitcode if process is not None else None
        how = f"exit status {code}" if code is not None else "killed"
        log.warning("OCR worker %s: %s; restarting it", why, how)
        return how

    def _stop(self, *, kill: bool) -> None:
        process, conn = self._process, self._conn
        self._process, self._conn = None, None
        if process is None:
            return
        if not kill and conn is not None:
            with contextlib.suppress(OSError):
                conn.send(None)
            process.join(timeout=5)
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """Stop the worker politely."""
        self._stop(kill=False)


class _WorkerTrouble(Exception):
    """A request the worker did not answer: timed out, crashed, or failed."""
