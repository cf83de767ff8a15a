"""One full pass over every mailbox: fetch, process, dispose (``complaintd once``)."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from complaintd.config.model import MailboxConfig
from complaintd.errors import TransientError
from complaintd.fax.reader import FaxReader
from complaintd.fetch.imap import IMAP_ERRORS, dispose_processed, fetch_new, session
from complaintd.fetch.ledger import load_state
from complaintd.runtime import Runtime
from complaintd.workflow.fax import pending_documents, read_pending_faxes
from complaintd.workflow.pipeline import PassStats, make_analyzer, process_pending

log = logging.getLogger(__name__)


@dataclass
class MailboxReport:
    """What one pass did for one mailbox."""

    mailbox: str
    fetched: int = 0
    stats: PassStats = field(default_factory=PassStats)
    error: str | None = None


def mailbox_pass(runtime: Runtime, mailbox: MailboxConfig) -> MailboxReport:
    """Fetch, process and dispose one mailbox; a server error is reported, not raised."""
    report = MailboxReport(mailbox=mailbox.name)
    try:
        with session(mailbox) as client, make_analyzer(runtime) as analyzer:
            report.fetched = fetch_new(runtime, mailbox, client, analyzer.submit)
            report.stats = process_pending(runtime, mailbox=mailbox.name, analyzer=analyzer)
            dispose_processed(runtime, mailbox, client)
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


def run_once(runtime: Runtime) -> list[MailboxReport]:
    """Every mailbox once, then whatever is still pending (retried rows)."""
    reports = [mailbox_pass(runtime, mailbox) for mailbox in runtime.config.mailboxes]
    leftover = process_pending(runtime)
    if leftover.outcomes:
        reports.append(MailboxReport(mailbox="(pending)", stats=leftover))
    faxes = fax_pass(runtime)
    if faxes.outcomes:
        reports.append(MailboxReport(mailbox="(fax OCR)", stats=faxes))
    return reports


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
