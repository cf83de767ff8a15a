"""``complaintd check --connect``: log in to every server the configuration names.

Each mailbox is also held against the ledger: mail the desk processed (the processed
keyword, or the processed folder) that the ledger never fetched means the ledger is
new or restored from an old backup - often a mistyped ``database.url``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiosmtplib
import imapclient

from complaintd.config import Config
from complaintd.config.model import MailboxConfig
from complaintd.errors import ComplaintdError, ConfigError, connection_problem
from complaintd.fetch.imap import FETCHED_KEYWORD, IMAP_ERRORS, select, session
from complaintd.outbox.sender import open_smtp
from complaintd.store.db import close_database, open_database, redact_url
from complaintd.store.models import MailboxState


@dataclass(frozen=True)
class LedgerMark:
    """How far the ledger has fetched one mailbox."""

    uidvalidity: int | None
    last_uid: int


@dataclass(frozen=True)
class ProcessedOnServer:
    """The mail of one mailbox a desk has processed, as the server shows it."""

    uidvalidity: int
    flagged_uids: tuple[int, ...]  # carrying the processed keyword in the folder
    moved: int  # messages in the processed folder


def connection_checks(config: Config) -> list[tuple[str, str | None]]:
    """Return ``(what, problem)`` for the database, each mailbox and SMTP; problem None = ok.

    A database URL that cannot be right (:class:`ConfigError`) is raised, not listed.
    """
    results = [(f"database {redact_url(config.database.url)}", _check_database(config))]
    marks = _ledger_marks(config) if results[0][1] is None else None
    for mailbox in config.mailboxes:
        results.append(
            (
                f"mailbox {mailbox.name}",
                _check_mailbox(mailbox, marks),
            )
        )
    results.append(("smtp", asyncio.run(_check_smtp(config))))
    return results


def _check_database(config: Config) -> str | None:
    try:
        database = open_database(config.database.url)
        database.execute_sql("SELECT 1")
    except ConfigError:
        raise
    except Exception as exc:
        return str(exc)
    finally:
        close_database()
    return None


def _ledger_marks(config: Config) -> dict[str, LedgerMark]:
    """Every mailbox's fetch mark in the ledger (none in a ledger without tables)."""
    database = open_database(config.database.url)
    try:
        if not database.table_exists(MailboxState._meta.table_name):
            return {}
        return {
            row.mailbox: LedgerMark(row.uidvalidity, row.last_uid) for row in MailboxState.select()
        }
    finally:
        close_database()


def _check_mailbox(mailbox: MailboxConfig, marks: dict[str, LedgerMark] | None) -> str | None:
    try:
        with session(mailbox) as client:
            status = select(client, mailbox.folder)
            processed = ProcessedOnServer(
                status.uidvalidity,
                tuple(client.search(["KEYWORD", FETCHED_KEYWORD])),
                _count_processed_folder(client, mailbox),
            )
    except (ComplaintdError, *IMAP_ERRORS) as exc:
        return str(exc)
    if marks is None:  # the database line says what is wrong with it
        return None
    return ledger_gap(mailbox, marks.get(mailbox.name), processed)


def _count_processed_folder(client: imapclient.IMAPClient, mailbox: MailboxConfig) -> int:
    folder = mailbox.processed_folder
    if not folder or not client.folder_exists(folder):
        return 0
    return int(client.folder_status(folder, ["MESSAGES"])[b"MESSAGES"])


def ledger_gap(
    mailbox: MailboxConfig, mark: LedgerMark | None, server: ProcessedOnServer
) -> str | None:
    """What is wrong when the server holds processed mail the ledger never fetched (pure).

    Flagged messages above the ledger's mark (same UIDVALIDITY) were processed by a desk
    with another ledger; after a UIDVALIDITY change they are fetched again and known by
    their content, so only the processed folder counts then.
    """
    new = mark is None or mark.last_uid == 0
    unseen = _unseen_flagged(mark, server)
    looks = "new" if new else "older than the mailbox (restored from a backup?)"
    if unseen:
        return (
            f"the ledger looks {looks}: {len(unseen)} message(s) in the folder "
            f"{mailbox.folder} carry {FETCHED_KEYWORD} (processed by a desk) but this "
            "ledger never fetched them; "
            "they would be recorded again, without acknowledgements. "
            "Is database.url the right database?"
        )
    if new and server.moved:
        return (
            f"the ledger looks new: the folder {mailbox.processed_folder} holds {server.moved} "
            "message(s) a desk processed, but this ledger has fetched nothing from "
            "this mailbox. Is database.url the right database?"
        )
    return None


def _unseen_flagged(mark: LedgerMark | None, server: ProcessedOnServer) -> list[int]:
    """The flagged UIDs the ledger has not fetched (none to compare after a new UIDVALIDITY)."""
    if mark is None or mark.last_uid == 0:
        return list(server.flagged_uids)
    if mark.uidvalidity != server.uidvalidity:
        return []
    return [uid for uid in server.flagged_uids if uid > mark.last_uid]


async def _check_smtp(config: Config) -> str | None:
    try:
        client = await open_smtp(config.smtp)
        await client.quit()
    except (aiosmtplib.SMTPException, OSError) as exc:
        return connection_problem(config.smtp.host, config.smtp.port, exc)
    return None
