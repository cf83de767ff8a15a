"""IMAP fetching with imapclient: UIDs, a high-water mark, IDLE, MOVE.

A pass over one mailbox: select the folder, check UIDVALIDITY, FETCH ``BODY.PEEK[]``
of every UID above the mark in batches (PEEK: fetching must not mark mail read), and
commit each batch before anything is done on the server.  Disposal - a keyword, or
MOVE to ``processed_folder`` / ``quarantine_folder`` - happens after processing and is
itself recorded, so a crash in between only repeats a harmless flag or move.  Nothing
is ever deleted from the server.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

from complaintd.config.model import MailboxConfig
from complaintd.errors import TransientError, connection_problem
from complaintd.fetch.ledger import (
    PROCESSED_KEYWORD,
    FetchedMessage,
    awaiting_disposal,
    header_message_id,
    load_state,
    mark_disposed,
    reset_for_uidvalidity,
    store_batch,
)
from complaintd.runtime import Runtime
from complaintd.store import leases
from complaintd.store.event_action import EventAction
from complaintd.store.inbound_status import InboundStatus, ServerState
from complaintd.store.records import record_event

log = logging.getLogger(__name__)

FETCHED_KEYWORD = PROCESSED_KEYWORD
FAILED_KEYWORD = "$ComplaintdFailed"
IMAP_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError, EOFError)


@dataclass(frozen=True)
class FolderStatus:
    """What SELECT told us."""

    uidvalidity: int
    exists: int


def connect(mailbox: MailboxConfig, timeout: float = 60.0) -> imapclient.IMAPClient:
    """Log in to ``mailbox``'s server; server trouble becomes :class:`TransientError`."""
    try:
        context = ssl.create_default_context()
        client = imapclient.IMAPClient(
            mailbox.host,
            port=mailbox.port,
            ssl=mailbox.tls == "ssl",
            ssl_context=context,
            timeout=timeout,
        )
        if mailbox.tls == "starttls":
            client.starttls(context)
        client.login(mailbox.username, mailbox.password)
        return client
    except LoginError as exc:
        raise TransientError(login_refused(mailbox, exc)) from exc
    except IMAP_ERRORS as exc:
        problem = connection_problem(mailbox.host, mailbox.port, exc)
        raise TransientError(f"mailbox {mailbox.name}: {problem}") from exc


def login_refused(mailbox: MailboxConfig, exc: LoginError) -> str:
    """What an operator needs to read when the server refuses our login (pure)."""
    reason = str(exc)
    quoted = re.fullmatch(r"b(['\"])(.*)\1", reason)  # imapclient passes on repr(bytes)
    if quoted:
        reason = quoted.group(2)
    return (
        f"mailbox {mailbox.name}: {mailbox.host}:{mailbox.port} refused the login of user "
        f"{mailbox.username!r} ({reason}); check the user name and the password that "
        f"password_env or password_file gives it"
    )


@contextmanager
def session(mailbox: MailboxConfig) -> Iterator[imapclient.IMAPClient]:
    """A logged-in connection, logged out (or just dropped) afterwards."""
    client = connect(mailbox)
    try:
        yield client
    finally:
        _logout_quietly(client)


def _logout_quietly(client: imapclient.IMAPClient) -> None:
    try:
        client.logout()
    except IMAP_ERRORS:
        client.shutdown() if hasattr(client, "shutdown") else None


def select(client: imapclient.IMAPClient, folder: str) -> FolderStatus:
    """SELECT ``folder`` read-write and return its UIDVALIDITY."""
    info = client.select_folder(folder)
    return FolderStatus(uidvalidity=int(info[b"UIDVALIDITY"]), exists=int(info.get(b"EXISTS", 0)))


def new_uids(client: imapclient.IMAPClient, last_uid: int) -> list[int]:
    """UIDs above ``last_uid``; ``N:*`` also returns the highest UID, hence the filter."""
    return sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)


def fetch_raw(client: imapclient.IMAPClient, uids: list[int]) -> list[FetchedMessage]:
    """FETCH raw bytes, flags and arrival time of ``uids`` without setting \\Seen (RFC 3501
    6.4.5)."""
    response = client.fetch(uids, ["FLAGS", "INTERNALDATE", "BODY.PEEK[]"])
    fetched = []
    for uid in uids:
        data = response.get(uid)
        if data is None:
            continue  # expunged between SEARCH and FETCH by someone else
        raw = data.get(b"BODY[]")
        if raw is not None:
            flagged = carries_processed_flag(data.get(b"FLAGS", ()))
            arrived = _aware(data.get(b"INTERNALDATE"))
            fetched.append(FetchedMessage(uid, bytes(raw), flagged, arrived))
    return fetched


def _aware(value: object) -> datetime | None:
    """imapclient's INTERNALDATE (naive local time by default) as an aware datetime."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.astimezone()


def carries_processed_flag(flags: tuple[bytes | str, ...]) -> bool:
    """Whether a message's flags include the desk's processed keyword (caselessly)."""
    wanted = FETCHED_KEYWORD.lower()
    return any(
        (flag.decode("ascii", "replace") if isinstance(flag, bytes) else flag).lower() == wanted
        for flag in flags
    )


def fetch_new(
    runtime: Runtime,
    mailbox: MailboxConfig,
    client: imapclient.IMAPClient,
    on_stored: Callable[[int, bytes], None] | None = None,
    holder: str | None = None,
) -> int:
    """Store every message above the high-water mark; return how many were new.

    ``on_stored(inbound_id, raw)`` is called for each new row once it is committed.
    With ``holder`` each batch commits only while it holds the mailbox's lease
    (:class:`~complaintd.store.claims.ClaimLost` otherwise).
    """
    fence = None if holder is None else partial(leases.fence, mailbox.name, holder)
    status = select(client, mailbox.folder)
    state = load_state(mailbox.name, mailbox.folder)
    if reset_for_uidvalidity(state, status.uidvalidity):
        record_event(
            runtime.clock.now(),
            "system",
            EventAction.UIDVALIDITY_CHANGED,
            mailbox=mailbox.name,
            uidvalidity=status.uidvalidity,
        )
    uids = new_uids(client, state.last_uid)
    stored = 0
    for start in range(0, len(uids), mailbox.batch_size):
        batch = fetch_raw(client, uids[start : start + mailbox.batch_size])
        now = runtime.clock.now()
        new_rows = store_batch(runtime.database, state, mailbox.kind, batch, now, fence)
        stored += len(new_rows)
        for inbound_id, raw in new_rows:
            _log_fetched(mailbox, inbound_id, raw)
            if on_stored is not None:
                on_stored(inbound_id, raw)
    return stored


def _log_fetched(mailbox: MailboxConfig, inbound_id: int, raw: bytes) -> None:
    """One INFO line per message fetched and committed."""
    if log.isEnabledFor(logging.INFO):
        message_id = header_message_id(raw) or "no Message-ID"
        log.info(
            "mailbox %s: fetched <%s> (%d bytes) as inbound %d",
            mailbox.name,
            message_id,
            len(raw),
            inbound_id,
        )


def dispose_processed(
    runtime: Runtime, mailbox: MailboxConfig, client: imapclient.IMAPClient
) -> int:
    """Flag or move on the server every message that has been processed; return the count."""
    state = load_state(mailbox.name, mailbox.folder)
    if state.uidvalidity is None:
        return 0
    rows = awaiting_disposal(mailbox.name, state.uidvalidity)
    done = [r for r in rows if r.status in (InboundStatus.PROCESSED, InboundStatus.DUPLICATE)]
    failed = [r for r in rows if r.status == InboundStatus.FAILED]
    _dispose(client, done, mailbox.processed_folder, FETCHED_KEYWORD, ServerState.MOVED)
    _dispose(client, failed, mailbox.quarantine_folder, FAILED_KEYWORD, ServerState.QUARANTINED)
    return len(rows)


# UIDs per STORE, MOVE or COPY: one command names each UID, and Dovecot refuses a
# command line over 64 KB (imap_max_line_length) - 20,000 processed messages at once
# were never flagged (issue 17, item 3).
DISPOSE_BATCH = 1000


def _dispose(
    client: imapclient.IMAPClient,
    rows: list,
    folder: str | None,
    keyword: str,
    moved: ServerState,
) -> None:
    if not rows:
        return
    if folder:
        _ensure_folder(client, folder)
    for start in range(0, len(rows), DISPOSE_BATCH):
        batch = rows[start : start + DISPOSE_BATCH]
        uids = [row.uid for row in batch]
        ids = [row.id for row in batch]
        if folder:
            _move(client, uids, folder)
            mark_disposed(ids, moved)
        else:
            _flag(client, uids, keyword)
            mark_disposed(ids, ServerState.FLAGGED)


def _ensure_folder(client: imapclient.IMAPClient, folder: str) -> None:
    if not client.folder_exists(folder):
        client.create_folder(folder)


def _move(client: imapclient.IMAPClient, uids: list[int], folder: str) -> None:
    """MOVE (RFC 6851) when offered; else COPY and leave the original flagged, never expunged."""
    if client.has_capability("MOVE"):
        client.move(uids, folder)
    else:
        client.copy(uids, folder)
        client.add_flags(uids, [FETCHED_KEYWORD])


def _flag(client: imapclient.IMAPClient, uids: list[int], keyword: str) -> None:
    try:
        client.add_flags(uids, [keyword])
    except IMAPClientError:
        client.add_flags(uids, [imapclient.SEEN])  # server without keywords
