"""``complaintd check --connect``: log in to every server the configuration names."""

from __future__ import annotations

import asyncio

import aiosmtplib

from complaintd.config import Config
from complaintd.errors import ComplaintdError
from complaintd.fetch.imap import IMAP_ERRORS, select, session
from complaintd.outbox.sender import open_smtp
from complaintd.store.db import close_database, open_database, redact_url


def connection_checks(config: Config) -> list[tuple[str, str | None]]:
    """Return ``(what, problem)`` for the database, each mailbox and SMTP; problem None = ok."""
    results = [(f"database {redact_url(config.database.url)}", _check_database(config))]
    for mailbox in config.mailboxes:
        results.append(
            (
                f"mailbox {mailbox.name} ({mailbox.host}:{mailbox.port})",
                _check_mailbox(config, mailbox.name),
            )
        )
    results.append(
        (f"smtp {config.smtp.host}:{config.smtp.port}", asyncio.run(_check_smtp(config)))
    )
    return results


def _check_database(config: Config) -> str | None:
    try:
        database = open_database(config.database.url)
        database.execute_sql("SELECT 1")
    except Exception as exc:
        return str(exc)
    finally:
        close_database()
    return None


def _check_mailbox(config: Config, name: str) -> str | None:
    mailbox = next(m for m in config.mailboxes if m.name == name)
    try:
        with session(mailbox) as client:
            select(client, mailbox.folder)
    except (ComplaintdError, *IMAP_ERRORS) as exc:
        return str(exc)
    return None


async def _check_smtp(config: Config) -> str | None:
    try:
        client = await open_smtp(config.smtp)
        await client.quit()
    except (aiosmtplib.SMTPException, OSError) as exc:
        return str(exc)
    return None
