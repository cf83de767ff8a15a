"""The keeper: this process's leases, renewed from a thread of its own while it lives.

Every :data:`~complaintd.store.leases.RENEW_SECONDS` it writes the instance's heartbeat,
renews the mailbox leases it holds and extends the leases of the inbound and outbox rows
it has claimed.  Work that takes long - a big backlog, a slow SMTP server - therefore
never loses its claim while the process is alive, and a killed process's mailboxes and
rows are free again within the lease.  :meth:`Keeper.shutdown` hands everything back at
once on a clean stop, so a standby need not wait for the lease at all.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import peewee

from complaintd.outbox import sender
from complaintd.store import leases
from complaintd.store.claims import PROCESS_HOLDER, release_held, renew_held, wall_clock
from complaintd.store.db import close_database
from complaintd.store.models import InboundMessage, Outbox
from complaintd.workflow import pipeline

log = logging.getLogger(__name__)


class Keeper(threading.Thread):
    """Holds this process's mailbox leases and keeps its claims alive."""

    def __init__(self, holder: str = PROCESS_HOLDER) -> None:
        super().__init__(name="lease-keeper", daemon=True)
        self.holder = holder
        self.started_at = wall_clock()
        self.stop_event = threading.Event()
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def take(self, mailbox: str) -> bool:
        """Take or keep ``mailbox``; False while another live instance fetches it."""
        taken = leases.acquire(mailbox, self.holder)
        with self._lock:
            fresh = taken and mailbox not in self._held
            (self._held.add if taken else self._held.discard)(mailbox)
        if fresh:
            log.info("mailbox %s: fetched by this instance (%s) from now on", mailbox, self.holder)
        return taken

    def holds(self, mailbox: str) -> bool:
        """Whether the last renewal still found ``mailbox`` ours."""
        with self._lock:
            return mailbox in self._held

    def lost(self, mailbox: str) -> None:
        """A commit found the lease gone: another instance fetches ``mailbox`` now."""
        with self._lock:
            self._held.discard(mailbox)
        log.warning("mailbox %s: lease lost; another instance fetches it now", mailbox)

    def beat(self) -> None:
        """Heartbeat, mailbox leases, claimed rows: all renewed now."""
        leases.heartbeat(self.holder, self.started_at)
        with self._lock:
            held = sorted(self._held)
        kept = leases.renew_all(self.holder, held)
        for mailbox in set(held) - kept:
            self.lost(mailbox)
        renew_held(InboundMessage, holder=pipeline.HOLDER, lease=pipeline.LEASE)
        renew_held(Outbox, holder=sender.HOLDER, lease=sender.LEASE)

    def run(self) -> None:
        """Beat until stopped; a database outage is retried at the next beat."""
        try:
            while not self.stop_event.wait(leases.RENEW_SECONDS):
                try:
                    self.beat()
                except Exception as exc:  # the database is away: the leases may run out
                    log.warning("could not renew leases: %s", exc)
        finally:
            close_database()

    def shutdown(self) -> None:
        """Stop beating and hand back every mailbox and row this process holds.

        Never raises: when the database cannot be reached (twice: the first attempt may
        meet a connection the server dropped), the leases simply run out.
        """
        self.stop_event.set()
        if self.is_alive():
            self.join(timeout=2 * leases.RENEW_SECONDS)
        with self._lock:
            held, self._held = sorted(self._held), set()
        for attempt in (1, 2):
            try:
                self._hand_back(held)
                log.info("released %d mailbox lease(s) and every claim", len(held))
                return
            except peewee.DatabaseError as exc:
                if attempt == 2:
                    log.warning("could not hand back leases (they run out by themselves): %s", exc)

    def _hand_back(self, held: list[str]) -> None:
        for mailbox in held:
            leases.release(mailbox, self.holder)
        release_held(InboundMessage, holder=pipeline.HOLDER)
        sender.release_own_claims()
        leases.stopped(self.holder)


@contextmanager
def kept() -> Iterator[Keeper]:
    """A running keeper for a command's lifetime (``once``); everything handed back after."""
    keeper = Keeper()
    keeper.beat()
    keeper.start()
    try:
        yield keeper
    finally:
        keeper.shutdown()
