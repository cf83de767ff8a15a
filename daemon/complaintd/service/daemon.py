"""The long-running daemon (``complaintd run``).

One watcher thread per mailbox takes the mailbox's lease (``store.leases``; another
instance may hold it, then the watcher waits as a standby), keeps a connection open,
drains new mail and then waits in IMAP IDLE (or sleeps ``poll_seconds`` where the server
has no IDLE or the mailbox says ``idle = false``).  Connection trouble is retried with
exponential backoff.  On PostgreSQL a processor thread also takes pending mail of any
mailbox, so instances share a backlog.  The keeper thread renews leases and claims.
The main thread handles signals (SIGTERM/SIGINT stop, SIGHUP reloads the configuration)
and runs the scheduled jobs; a thread of its own pings the systemd watchdog for as long
as the main loop keeps coming round.

SIGTERM: every thread finishes the message or SMTP transaction under way, commits and
stops; the keeper hands back the mailbox leases and claimed rows; exit 0 within
:data:`STOP_SECONDS`.
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
from complaintd.outbox.sender import (
    SmtpWorkerPool,
    flush_async,
    release_own_claims,
    release_stale_claims,
)
from complaintd.runtime import Runtime
from complaintd.service import metrics, systemd
from complaintd.service.keeper import Keeper
from complaintd.service.passes import drain_backlog, make_fax_reader, remember_mailbox_error
from complaintd.store import leases, wakeups
from complaintd.store.claims import ClaimLost
from complaintd.store.db import close_database, is_postgres
from complaintd.workflow.fax import read_pending_faxes

log = logging.getLogger(__name__)

IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
MAX_BACKOFF_SECONDS = 300.0
STOP_SECONDS = 8.0  # SIGTERM to exit, leaving systemd's 10 s a margin


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
        keeper: Keeper,
    ) -> None:
        super().__init__(name=f"mailbox-{mailbox.name}", daemon=True)
        self.runtime = runtime
        self.mailbox = mailbox
        self.keeper = keeper
        self.process_lock = process_lock
        self.outbox_wakeup = outbox_wakeup
        self.stop_event = threading.Event()
        self.trouble: str | None = None  # the failure last logged, said once until it changes

    def run(self) -> None:
        """Take the lease, connect, drain, wait; reconnect with backoff after any failure;
        wait as a standby while another instance holds the mailbox."""
        delay = backoff_delays()
        while not self.stop_event.is_set():
            try:
                if not self.keeper.take(self.mailbox.name):
                    self.stop_event.wait(leases.RENEW_SECONDS)
                    continue
                self._serve_connection()
                delay = backoff_delays()
            except ClaimLost:
                self.keeper.lost(self.mailbox.name)
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
            while self._serving():
                self._drain(client, "idle" if use_idle else "poll")
                self._wait(client, use_idle)
        finally:
            with contextlib.suppress(*IMAP_ERRORS):
                client.logout()

    def _serving(self) -> bool:
        """Not stopping, and the mailbox is still ours."""
        return not self.stop_event.is_set() and self.keeper.holds(self.mailbox.name)

    def _drain(self, client: imapclient.IMAPClient, mode: str) -> None:
        name = self.mailbox.name
        metrics.count_fetched(
            name, fetch_new(self.runtime, self.mailbox, client, holder=self.keeper.holder)
        )
        leases.note_check(name, self.keeper.holder, mode)
        with self.process_lock:
            stats = drain_backlog(self.runtime, self.stop_event.is_set, mailbox=name)
        metrics.count_processed(stats)
        if stats.outcomes:
            self.outbox_wakeup.set()
        dispose_processed(self.runtime, self.mailbox, client)

    def _wait(self, client: imapclient.IMAPClient, use_idle: bool) -> None:
        if not use_idle:
            deadline = time.monotonic() + self.mailbox.poll_seconds
            while self._serving() and time.monotonic() < deadline:
                self.stop_event.wait(min(1.0, self.mailbox.poll_seconds))
            return
        # A message that arrives while we run our own commands (between SEARCH and IDLE)
        # is announced in their untagged responses, not again in IDLE; so IDLE is
        # renewed every poll_seconds, which bounds how long such a message can wait.
        deadline = time.monotonic() + min(IDLE_RENEW_SECONDS, self.mailbox.poll_seconds)
        client.idle()
        try:
            while self._serving() and time.monotonic() < deadline:
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


class Processor(threading.Thread):
    """PostgreSQL: processes pending mail of every mailbox, whoever fetched it, so a
    backlog is shared by every instance (claims keep them apart)."""

    def __init__(
        self, runtime: Runtime, process_lock: threading.Lock, outbox_wakeup: threading.Event
    ) -> None:
        super().__init__(name="processor", daemon=True)
        self.runtime = runtime
        self.process_lock = process_lock
        self.outbox_wakeup = outbox_wakeup
        self.stop_event = threading.Event()

    def run(self) -> None:
        """Drain what is pending whenever an instance announces new mail, and every
        second anyway; a failure is logged and retried."""
        listener = wakeups.InboundListener(self.runtime.database)
        try:
            while not self.stop_event.is_set():
                listener.wait(wakeups.ROUND_SECONDS, self.stop_event)
                if self.stop_event.is_set():
                    break
                try:
                    with self.process_lock:
                        stats = drain_backlog(self.runtime, self.stop_event.is_set)
                    metrics.count_processed(stats)
                    if stats.outcomes:
                        self.outbox_wakeup.set()
                except Exception:
                    log.exception("processor")
        finally:
            listener.close()
            close_database()


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
        smtp = runtime.config.smtp
        self.pool = SmtpWorkerPool(smtp, smtp.concurrency)

    def stop(self) -> None:
        """Finish the SMTP transactions under way, start no more."""
        self.pool.stopping = True
        self.stop_event.set()
        self.wakeup.set()

    def run(self) -> None:
        """Flush until stopped; an SMTP or database failure is logged and retried."""
        loop = asyncio.new_event_loop()
        pool = self.pool
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
            # This thread is the process's only sender: rows it still holds were left by
            # a flush that failed, and its keeper would renew them for ever.
            release_own_claims()
            counts = loop.run_until_complete(
                flush_async(self.runtime, pool, metrics.observe_deliveries)
            )
            metrics.count_sent(counts)
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
        self.processor: Processor | None = None
        self.fax_ocr: FaxOcr | None = None
        self.keeper = Keeper()
        self.metrics = metrics.Endpoint(runtime)
        self.scheduler = schedule.Scheduler()
        schedule_jobs(self.scheduler, runtime, self._wake_sender)
        self.heartbeat = systemd.Heartbeat()

    def serve(self) -> int:
        """Run until SIGTERM or SIGINT; return the exit status."""
        self._install_signals()
        self.keeper.beat()
        self.keeper.start()
        self.metrics.start()
        self._start_watchers()
        pinger = self._start_watchdog()
        systemd.notify("READY=1")
        log.info("complaintd running as %s: %d mailbox(es)", self.keeper.holder, len(self.watchers))
        self._main_loop()
        systemd.notify("STOPPING=1")
        log.info("stopping: finishing the message and SMTP transactions under way")
        if pinger is not None:
            pinger.stop_event.set()
        self._stop_watchers(time.monotonic() + STOP_SECONDS)
        self.keeper.shutdown()
        self.metrics.stop()
        log.info("complaintd stopped")
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
            self._stop_watchers(time.monotonic() + STOP_SECONDS)
            self.runtime.config = config
            self.runtime._templates = None  # templates_dir may have changed too
            self._start_watchers()
            log.info("configuration reloaded")
        systemd.notify("READY=1")

    def _start_watchers(self) -> None:
        sender = self.sender = OutboxSender(self.runtime)
        self.watchers = [
            MailboxWatcher(self.runtime, mailbox, self.process_lock, sender.wakeup, self.keeper)
            for mailbox in self.runtime.config.mailboxes
        ]
        threads: list[threading.Thread] = [sender, *self.watchers]
        if is_postgres(self.runtime.database):
            self.processor = Processor(self.runtime, self.process_lock, sender.wakeup)
            threads.append(self.processor)
        self.fax_ocr = None
        if any(mailbox.kind == "fax" for mailbox in self.runtime.config.mailboxes):
            self.fax_ocr = FaxOcr(self.runtime, self.process_lock, sender.wakeup)
            threads.append(self.fax_ocr)
        for thread in threads:
            thread.start()

    def _stop_watchers(self, deadline: float) -> None:
        """Ask every thread to stop and wait for them until ``deadline`` (monotonic)."""
        threads: list[MailboxWatcher | OutboxSender | Processor | FaxOcr] = [*self.watchers]
        if self.processor is not None:
            threads.append(self.processor)
        if self.fax_ocr is not None:
            threads.append(self.fax_ocr)
            self.fax_ocr.wakeup.set()
        if self.sender is not None:
            threads.append(self.sender)
            self.sender.stop()
        for thread in threads:
            thread.stop_event.set()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        for thread in threads:
            if thread.is_alive():
                log.warning("%s did not stop in time; its claims are handed back", thread.name)


__all__ = ["Daemon", "FaxOcr", "MailboxWatcher", "OutboxSender", "backoff_delays"]
