"""One full pass over every mailbox: fetch, process, dispose (``complaintd once``)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from complaintd.config.model import MailboxConfig
from complaintd.errors import TransientError
from complaintd.fax.reader import FaxReader
from complaintd.fetch.imap import IMAP_ERRORS, dispose_processed, fetch_new, session
from complaintd.fetch.ledger import load_state
from complaintd.runtime import Runtime
from complaintd.service.keeper import Keeper
from complaintd.store import leases
from complaintd.store.claims import PROCESS_HOLDER, ClaimLost, release_held
from complaintd.store.models import InboundMessage
from complaintd.workflow.analysis import Analyzer
from complaintd.workflow.fax import pending_documents, read_pending_faxes
from complaintd.workflow.pipeline import PassStats, claim_block, make_analyzer, process_pending

log = logging.getLogger(__name__)


@dataclass
class MailboxReport:
    """What one pass did for one mailbox."""

    mailbox: str
    fetched: int = 0
    stats: PassStats = field(default_factory=PassStats)
    error: str | None = None
    elsewhere: bool = False  # another live instance fetches this mailbox: left to it


def mailbox_pass(
    runtime: Runtime, mailbox: MailboxConfig, keeper: Keeper, analyzer: Analyzer
) -> MailboxReport:
    """Fetch, process and dispose one mailbox; a server error is reported, not raised.

    A mailbox another live instance holds the lease of is left to that instance.
    """
    report = MailboxReport(mailbox=mailbox.name)
    if not keeper.take(mailbox.name):
        report.elsewhere = True
        return report
    try:
        with session(mailbox) as client:
            report.fetched = fetch_new(
                runtime, mailbox, client, analyzer.submit_if_room, keeper.holder
            )
            leases.note_check(mailbox.name, keeper.holder, "poll")
            report.stats = process_pending(runtime, mailbox=mailbox.name, analyzer=analyzer)
            dispose_processed(runtime, mailbox, client)
    except ClaimLost as exc:
        keeper.lost(mailbox.name)
        report.elsewhere = True
        log.info("%s", exc)
    except (TransientError, *IMAP_ERRORS) as exc:
        report.error = str(exc)
        remember_mailbox_error(runtime, mailbox, report.error)
        log.debug("%s", exc)  # the caller reports it (once prints it with the pass)
    return report


def remember_mailbox_error(runtime: Runtime, mailbox: MailboxConfig, error: str) -> None:
    """Keep the last connection error of a mailbox (shown by check and the digest)."""
    with runtime.database.atomic():
        state = load_state(mailbox.name, mailbox.folder)
        state.last_error = error
        state.save()


def run_once(runtime: Runtime, keeper: Keeper, analyzer: Analyzer) -> list[MailboxReport]:
    """Every mailbox once (those ``keeper`` can take), then whatever is still pending
    (retried rows); ``analyzer`` serves them all."""
    reports = [
        mailbox_pass(runtime, mailbox, keeper, analyzer) for mailbox in runtime.config.mailboxes
    ]
    leftover = process_pending(runtime, analyzer=analyzer)
    if leftover.outcomes:
        reports.append(MailboxReport(mailbox="(pending)", stats=leftover))
    faxes = fax_pass(runtime)
    if faxes.outcomes:
        reports.append(MailboxReport(mailbox="(fax OCR)", stats=faxes))
    return reports


def drain_backlog(
    runtime: Runtime, stopping: Callable[[], bool], mailbox: str | None = None
) -> PassStats:
    """Process pending mail slice by slice until none is left or a stop is asked for;
    a stop lets the message under way finish and commit.

    One analyzer serves every slice: starting an analysis worker costs a fork and the
    rules compiled again (some 80 ms of CPU), once per backlog rather than once a slice.
    On PostgreSQL each slice is the next free rows, claimed before they are read, so
    instances draining one backlog never come back empty-handed while work is left.

    Call it with the process's processing lock held: rows this process still holds at
    the start were left by a pass that failed (the database went away mid-pass) and,
    its keeper renewing them, would otherwise be held for ever; they are let go first.
    """
    release_held(InboundMessage, holder=PROCESS_HOLDER)
    total = PassStats()
    with make_analyzer(runtime) as analyzer:
        while not stopping():
            stats = process_pending(
                runtime, mailbox=mailbox, limit=claim_block(runtime), analyzer=analyzer
            )
            total.outcomes.update(stats.outcomes)
            total.tickets.extend(stats.tickets)
            if not stats.outcomes:
                break
    return total


def make_fax_reader(runtime: Runtime) -> FaxReader:
    """An OCR worker keeper with the configured languages and time per page."""
    fax = runtime.config.fax
    return FaxReader(fax.ocr_languages, fax.ocr_page_seconds)


def fax_pass(runtime: Runtime, reader: FaxReader | None = None) -> PassStats:
    """Read every fax waiting for OCR (after the mail: mail never waits for OCR)."""
    stats = PassStats()
    if not pending_documents(1):
        return stats
    with contextlib.ExitStack() as stack:
        if reader is None:
            reader = stack.enter_context(make_fax_reader(runtime))
        while numbers := read_pending_faxes(runtime, reader):
            stats.outcomes["fax_read"] += len(numbers)
            stats.tickets.extend(numbers)
    return stats
