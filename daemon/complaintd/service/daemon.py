"""The long-running daemon (``complaintd run``).

One watcher thread per mailbox keeps a connection open, drains new mail and then waits
in IMAP IDLE (or sleeps ``poll_seconds`` where the server has no IDLE or the mailbox
says ``idle = false``).  Connection trouble is retried with exponential backoff.
The main thread handles signals (SIGTERM/SIGINT stop, SIGHUP reloads the configuration)
and runs the scheduled jobs; a thread of its own pings the systemd watchdog for as long
as the main loop keeps coming round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

import imapclient
import schedule

from complaintd.config import Config
from complaintd.config.model import MailboxConfig
from complaintd.errors import ComplaintdError
from complaintd.fetch.imap import IMAP_ERRORS, connect, dispose_processed, fetch_new
from complaintd.jobs.runner import schedule_jobs
from complaintd.outbox.sender import SmtpWorkerPool, flush_async, release_stale_claims
from complaintd.runtime import Runtime
from complaintd.service import systemd
from complaintd.service.passes import make_fax_reader, remember_mailbox_error
from complaintd.store.db import close_database, is_postgres
from complaintd.workflow.fax import read_pending_faxes
from complaintd.workflow.pipeline import process_pending

log = logging.getLogger(__name__)

IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
MAX_BACKOFF_SECONDS = 300.0


def backoff_delays(first: float = 1.0, cap: float = MAX_BACKOFF_SECONDS) -> Callable[[], float]:
    """Return a function giving 1, 2, 4, ... seconds up to ``cap`` on each call."""
    state = {"next": first}

    def next_delay() -> float:
        delay = state["next"]
        state["next"] = min(cap, delay * 2)
        return delay

    return next_delay


class MailboxWatcher(threading.Thread):
    """Keeps one mailbox drained until ``stop`` is set."""

    def __init__(
        self,
        runtime: Runtime,
        mailbox: MailboxConfig,
        process_lock: threading.Lock,
        outbox_wakeup: threading.Event,
    ) -> None:
        super().__init__(name=f"mailbox-{mailbox.name}", daemon=True)
        self.runtime = runtime
        self.mailbox = mailbox
        self.process_lock = process_lock
        self.outbox_wakeup = outbox_wakeup
        self.stop_event = threading.Event()
        self.trouble: str | None = None  # the failure last logged, said once until it changes

    def run(self) -> None:
        """Connect, drain, wait; reconnect with backoff after any failure."""
        delay = backoff_delays()
        while not self.stop_event.is_set():
            try:
                self._serve_connection()
                delay = backoff_delays()
            except (ComplaintdError, *IMAP_ERRORS) as exc:
                self._report(exc)
                self.stop_event.wait(delay())
            except Exception as exc:
                if self._is_new_trouble(f"unexpected error: {type(exc).__name__}: {exc}"):
                    log.exception("mailbox %s: unexpected error", self.mailbox.name)
                self.stop_event.wait(delay())
        close_database()

    def _is_new_trouble(self, trouble: str) -> bool:
        """True the first time ``trouble`` happens; a retry failing the same way is quiet."""
        if trouble == self.trouble:
            log.debug("mailbox %s: still failing: %s", self.mailbox.name, trouble)
            return False
        self.trouble = trouble
        return True

    def _serve_connection(self) -> None:
        client = connect(self.mailbox)
        if self.trouble is not None:
            log.info("mailbox %s: connected again", self.mailbox.name)
            self.trouble = None
        try:
            use_idle = self.mailbox.idle and client.has_capability("IDLE")
            while not self.stop_event.is_set():
                self._drain(client)
                self._wait(client, use_idle)
        finally:
            with contextlib.suppress(*IMAP_ERRORS):
                client.logout()

    def _drain(self, client: imapclient.IMAPClient) -> None:
        fetch_new(self.runtime, self.mailbox, client)
        with self.process_lock:
            stats = process_pending(self.runtime, mailbox=self.mailbox.name)
        if stats.outcomes:
            self.outbox_wakeup.set()
        dispose_processed(self.runtime, self.mailbox, client)

    def _wait(self, client: imapclient.IMAPClient, use_idle: bool) -> None:
        if not use_idle:
            self.stop_event.wait(self.mailbox.poll_seconds)
            return
        # A message that arrives while we run our own commands (between SEARCH and IDLE)
        # is announced in their untagged responses, not again in IDLE; so IDLE is
        # renewed every poll_seconds, which bounds how long such a message can wait.
        deadline = time.monotonic() + min(IDLE_RENEW_SECONDS, self.mailbox.poll_seconds)
        client.idle()
        try:
            while not self.stop_event.is_set() and time.monotonic() < deadline:
                if client.idle_check(timeout=1.0):
                    return
        finally:
            client.idle_done()

    def _report(self, exc: BaseException) -> None:
        """Say a connection failure once (it is retried with backoff); record it."""
        message = str(exc)
        if not message.startswith(f"mailbox {self.mailbox.name}"):
            message = f"mailbox {self.mailbox.name}: {message}"
        if self._is_new_trouble(message):
            log.error("%s (retrying with backoff)", message)
        try:
            remember_mailbox_error(self.runtime, self.mailbox, str(exc))
        except Exception:
            log.debug("could not record the mailbox error", exc_info=True)


class FaxOcr(threading.Thread):
    """Reads faxed pages (the OCR stage), apart from the mailbox watchers: mail never
    waits for OCR.  The OCR worker is kept while faxes come and stopped when idle."""

    IDLE_SECONDS = 300.0  # an idle OCR worker holds hundreds of MB: stop it after this

    def __init__(
        self, runtime: Runtime, process_lock: threading.Lock, outbox_wakeup: threading.Event
    ) -> None:
        super().__init__(name="fax-ocr", daemon=True)
        self.runtime = runtime
        self.process_lock = process_lock
        self.outbox_wakeup = outbox_wakeup
        self.stop_event = threading.Event()
        self.wakeup = threading.Event()

    def run(self) -> None:
        """Look for faxes to read every few seconds (or when woken) until stopped."""
        reader = make_fax_reader(self.runtime)
        last_used = time.monotonic()
        try:
            while not self.stop_event.is_set():
                try:
                    if read_pending_faxes(self.runtime, reader, write_lock=self.process_lock):
                        last_used = time.monotonic()
                        self.outbox_wakeup.set()
                        continue
                except Exception:
                    log.exception("fax OCR")
                if time.monotonic() - last_used > self.IDLE_SECONDS:
                    reader.close()
                self.wakeup.wait(2.0)
                self.wakeup.clear()
        finally:
            reader.close()
            close_database()


class OutboxSender(threading.Thread):
    """Sends the outbox continuously: woken after intake, or every second anyway.

    One event loop lives as long as the thread, so the pool's SMTP connections are
    reused from one batch to the next.
    """

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(name="outbox-sender", daemon=True)
        self.runtime = runtime
        self.stop_event = threading.Event()
        self.wakeup = threading.Event()

    def run(self) -> None:
        """Flush until stopped; an SMTP or database failure is logged and retried."""
        loop = asyncio.new_event_loop()
        smtp = self.runtime.config.smtp
        pool = SmtpWorkerPool(smtp, smtp.concurrency)
        if not is_postgres(self.runtime.database):
            release_stale_claims(self.runtime)
        try:
            while not self.stop_event.is_set():
                self._tick(loop, pool)
                self.wakeup.wait(1.0)
                self.wakeup.clear()
        finally:
            loop.run_until_complete(pool.close())
            loop.close()
            close_database()

    def _tick(self, loop: asyncio.AbstractEventLoop, pool: SmtpWorkerPool) -> None:
        try:
            counts = loop.run_until_complete(flush_async(self.runtime, pool))
            if counts:
                log.info("outbox: %s", dict(counts))
        except Exception:
            log.exception("outbox sender")


class Daemon:
    """Owns the watchers, the scheduler and the signal handling."""

    def __init__(self, runtime: Runtime, reload_config: Callable[[], Config]) -> None:
        self.runtime = runtime
        self.reload_config = reload_config
        self.stopping = threading.Event()
        self.reload_requested = threading.Event()
        self.process_lock = threading.Lock()
        self.watchers: list[MailboxWatcher] = []
        self.sender: OutboxSender | None = None
        self.fax_ocr: FaxOcr | None = None
        self.scheduler = schedule.Scheduler()
        schedule_jobs(self.scheduler, runtime, self._wake_sender)
        self.heartbeat = systemd.Heartbeat()

    def serve(self) -> int:
        """Run until SIGTERM or SIGINT; return the exit status."""
        self._install_signals()
        self._start_watchers()
        pinger = self._start_watchdog()
        systemd.notify("READY=1")
        log.info("complaintd running: %d mailbox(es)", len(self.watchers))
        self._main_loop()
        systemd.notify("STOPPING=1")
        if pinger is not None:
            pinger.stop_event.set()
        self._stop_watchers()
        return 0

    def _start_watchdog(self) -> systemd.WatchdogPinger | None:
        """Ping systemd while the main loop has come round within the watchdog period."""
        interval = systemd.watchdog_interval()
        if interval is None:
            return None
        pinger = systemd.WatchdogPinger(interval, lambda: self.heartbeat.within(2 * interval))
        pinger.start()
        return pinger

    def _main_loop(self) -> None:
        # Come round at least twice per period the watchdog pinger allows for a beat.
        interval = systemd.watchdog_interval()
        while not self.stopping.wait(1.0 if interval is None else min(1.0, interval)):
            self.heartbeat.beat()
            if self.reload_requested.is_set():
                self._reload()
            self.scheduler.run_pending()

    def _wake_sender(self) -> None:
        """Timed jobs queued mail: send it now rather than at the sender's next round."""
        if self.sender is not None:
            self.sender.wakeup.set()

    def _install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_reload)

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()

    def _on_reload(self, signum: int, frame: FrameType | None) -> None:
        self.reload_requested.set()

    def _reload(self) -> None:
        """Re-read the configuration; a bad one is logged and the old one kept."""
        self.reload_requested.clear()
        systemd.notify("RELOADING=1")
        try:
            config = self.reload_config()
        except ComplaintdError as exc:
            log.error("configuration not reloaded: %s", exc)
        else:
            self._stop_watchers()
            self.runtime.config = config
            self.runtime._templates = None  # templates_dir may have changed too
            self._start_watchers()
            log.info("configuration reloaded")
        systemd.notify("READY=1")

    def _start_watchers(self) -> None:
        self.sender = OutboxSender(self.runtime)
        self.watchers = [
            MailboxWatcher(self.runtime, mailbox, self.process_lock, self.sender.wakeup)
            for mailbox in self.runtime.config.mailboxes
        ]
        threads: list[threading.Thread] = [self.sender, *self.watchers]
        self.fax_ocr = None
        if any(mailbox.kind == "fax" for mailbox in self.runtime.config.mailboxes):
            self.fax_ocr = FaxOcr(self.runtime, self.process_lock, self.sender.wakeup)
            threads.append(self.fax_ocr)
        for thread in threads:
            thread.start()

    def _stop_watchers(self) -> None:
        threads: list[MailboxWatcher | OutboxSender | FaxOcr] = [*self.watchers]
        if self.fax_ocr is not None:
            threads.append(self.fax_ocr)
            self.fax_ocr.wakeup.set()
        if self.sender is not None:
            threads.append(self.sender)
            self.sender.wakeup.set()
        for thread in threads:
            thread.stop_event.set()
        for thread in threads:
            thread.join(timeout=30)


__all__ = ["Daemon", "FaxOcr", "MailboxWatcher", "OutboxSender", "backoff_delays"]
