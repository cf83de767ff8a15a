"""Delivering the outbox over SMTP with aiosmtplib.

Rows due for sending are claimed (``sending``, with a wall-clock lease), delivered by a
few concurrent workers that each reuse one SMTP connection, and their outcome recorded:

* 250 - ``sent``; nothing is marked sent before the server accepted the DATA.
* 4xx, connection refused, timeout - back to ``pending`` with exponential backoff, until
  the row's deadline; then ``failed``.
* 5xx - ``failed`` at once with the server's answer (``outbox list --status failed``).
* An address no server can take, or a UTF-8 address when the server does not offer
  SMTPUTF8 - ``failed`` at once with the reason, before any SMTP command; the other rows
  of the batch go on.

A process killed mid-delivery leaves rows ``sending``; their lease expires and they are
sent again (at-least-once: a mail may rarely go twice, it is never lost).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import aiosmtplib

from complaintd.config.model import SmtpConfig
from complaintd.fax.answer import render_answer_pdf
from complaintd.outbox.addresses import AddressError, needs_smtputf8, wire_address
from complaintd.outbox.recipe import ComposedMail, compose, load_recipe
from complaintd.outbox.recorder import OutcomeRecorder
from complaintd.runtime import Runtime
from complaintd.store.claims import (
    PROCESS_HOLDER,
    claim,
    locked,
    release_all,
    release_held,
    wall_clock,
)
from complaintd.store.db import is_postgres
from complaintd.store.event_action import EventAction
from complaintd.store.models import Message, Outbox, Ticket
from complaintd.store.outbox_status import DeliveryOutcome, OutboxStatus
from complaintd.store.prepared import update_row
from complaintd.store.queries import blob_data, message_full_text
from complaintd.store.records import record_event
from complaintd.store.turns import write_turn

# The error of a mail not attempted because the server had just failed for another.
NOT_TRIED = "not tried: "

log = logging.getLogger(__name__)

# A claim's lease, renewed every few seconds while the process lives (service.keeper).
LEASE = timedelta(seconds=30)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
CLAIM_BATCH = 200
# Rows taken at a time only to be reported as not tried (the server is known to be
# down): no contents are read, so a bigger batch costs no memory and saves commits.
NOT_TRIED_BATCH = 2000


@dataclass(frozen=True)
class Envelope:
    """What a worker needs to send one row.

    A mail queued as a recipe has no ``raw`` bytes yet: :func:`composer` writes them just
    before the send and keeps the bodies (``composed``) for the ticket's record.
    """

    outbox_id: int
    mail_from: str
    rcpt_to: tuple[str, ...]
    raw: bytes
    recipe: str | None = None  # JSON (outbox.recipe), when ``raw`` is still to be written
    message_row: int | None = None  # the ticket's record of this mail (message.id)
    composed: ComposedMail | None = None


@dataclass(frozen=True)
class Transaction:
    """MAIL FROM, RCPT TO and the MAIL parameters of one envelope, as they go on the wire."""

    mail_from: str
    rcpt_to: list[str]
    options: list[str]


class Undeliverable(Exception):
    """An envelope that no attempt could deliver as it is; the message says why."""


class NotComposed(Exception):
    """A recipe that could not be made into mail now (a template the operator broke, a
    stored file gone); tried again later like a server that is down."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt."""

    outbox_id: int
    outcome: DeliveryOutcome
    detail: str
    seconds: float = 0.0  # the SMTP transaction's duration (metrics)
    envelope: Envelope | None = None  # as tried: composed by now, if it was a recipe


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after the ``attempts``-th failure, at most an hour."""
    return min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1))


def smtp_transaction(envelope: Envelope, offers: Callable[[str], bool]) -> Transaction:
    """The wire form of ``envelope`` for a server that ``offers`` the named extensions.

    Raises :class:`Undeliverable`: an address no server could take, or one with a UTF-8
    local part (it needs SMTPUTF8, RFC 6531) when the server does not offer SMTPUTF8.
    """
    try:
        sender = wire_address(envelope.mail_from)
        recipients = [wire_address(address) for address in envelope.rcpt_to]
    except AddressError as exc:
        raise Undeliverable(f"not sendable: {exc}") from exc
    if not needs_smtputf8([sender, *recipients]):
        return Transaction(sender, recipients, [])
    if not offers("smtputf8"):
        utf8 = next(a for a in [sender, *recipients] if not a.isascii())
        raise Undeliverable(
            f"not sendable: {utf8} has a non-ASCII local part, which needs SMTPUTF8"
            " (RFC 6531), and the SMTP server does not offer it"
        )
    body = ["BODY=8BITMIME"] if offers("8bitmime") else []  # UTF-8 headers are 8-bit
    return Transaction(sender, recipients, ["SMTPUTF8", *body])


def classify_failure(exc: BaseException) -> tuple[DeliveryOutcome, str]:
    """``(TEMPORARY | PERMANENT, detail)`` for an SMTP exception (RFC 5321 4.2.1)."""
    if isinstance(exc, Undeliverable):
        return DeliveryOutcome.PERMANENT, str(exc)
    if isinstance(exc, NotComposed):
        return DeliveryOutcome.TEMPORARY, f"could not compose the mail: {exc}"
    if isinstance(exc, aiosmtplib.SMTPNotSupported):  # the server lacks what the mail needs
        return DeliveryOutcome.PERMANENT, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        temporary = any(400 <= c < 500 for c in codes)
        return (DeliveryOutcome.TEMPORARY if temporary else DeliveryOutcome.PERMANENT, detail)
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 500:
        return DeliveryOutcome.PERMANENT, f"{exc.code} {exc.message}"
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 400:
        return DeliveryOutcome.TEMPORARY, f"{exc.code} {exc.message}"
    return DeliveryOutcome.TEMPORARY, f"{type(exc).__name__}: {exc}"


async def open_smtp(smtp: SmtpConfig) -> aiosmtplib.SMTP:
    """A connected (and, with a username, authenticated) SMTP client for ``smtp``."""
    client = aiosmtplib.SMTP(
        hostname=smtp.host,
        port=smtp.port,
        use_tls=smtp.tls == "ssl",
        start_tls=smtp.tls == "starttls",
        timeout=smtp.timeout_seconds,
    )
    await client.connect()
    if smtp.username:
        await client.login(smtp.username, smtp.password or "")
    await _greet(client)
    return client


async def _greet(client: aiosmtplib.SMTP) -> None:
    """EHLO (HELO for an old server) unless done, so its extensions are known before MAIL."""
    if not client.is_ehlo_or_helo_needed:
        return
    try:
        await client.ehlo()
    except aiosmtplib.SMTPHeloError:
        await client.helo()


class SmtpWorkerPool:
    """Up to ``size`` SMTP connections, each reused for many messages."""

    def __init__(self, config: SmtpConfig, size: int) -> None:
        self.config = config
        self.size = max(1, size)
        self._idle: list[aiosmtplib.SMTP] = []
        self._unreachable: str | None = None  # why the server could not be reached
        self._known_down: str | None = None  # set by known_down()
        self.stopping = False  # set on SIGTERM: finish the transactions under way, no more

    async def deliver_all(
        self,
        envelopes: list[Envelope],
        on_results: Callable[[list[Delivery]], None],
        prepare: Callable[[Envelope], Envelope] = lambda envelope: envelope,
        room: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Send every envelope, ``size`` at a time, reporting outcomes as they come.

        ``on_results`` records outcomes at once, so a process killed mid-batch resends
        only the few mails that were in flight, not the whole batch.  When the server
        cannot be reached, the rest of the batch is not tried: it is reported in one
        call as a temporary failure, to be retried later with the usual backoff.
        ``prepare`` makes an envelope ready for the wire once a connection is open (it
        composes recipes; raises :class:`NotComposed`), so nothing is composed for a
        server that is down.  ``room`` is awaited after each outcome is reported (the
        recorder's limit of outcomes not yet written).
        """
        self._unreachable = None
        queue: asyncio.Queue[Envelope] = asyncio.Queue()
        for envelope in envelopes:
            queue.put_nowait(envelope)
        if self._known_down is not None:
            on_results(_not_tried(queue, self._known_down))
            return
        if not await self._reachable():  # the first mail carries why, the rest not tried
            reason = self._unreachable or "unreachable"
            first = queue.get_nowait()
            tried = Delivery(first.outbox_id, DeliveryOutcome.TEMPORARY, reason, envelope=first)
            on_results([tried, *_not_tried(queue, reason)])
            return
        for envelope in _prepared(queue, prepare, on_results):  # in order, before any send
            queue.put_nowait(envelope)
        count = min(self.size, queue.qsize())
        await asyncio.gather(*(self._worker(queue, on_results, room) for _ in range(count)))

    async def _reachable(self) -> bool:
        """Keep one connection open for the batch; False when the server cannot be reached."""
        if not self._idle:
            try:
                self._idle.append(await self._connect())
            except (TimeoutError, aiosmtplib.SMTPException, OSError):
                return False
        return True

    def forget_unreachable(self) -> None:
        """A new flush: try the server again."""
        self._unreachable = None

    def known_down(self, reason: str | None) -> None:
        """Report every mail as not tried for ``reason``, connecting to nothing (the
        server was found down moments ago in this run); None: try it again."""
        self._known_down = reason

    @property
    def down(self) -> str | None:
        """Why every mail is reported as not tried without connecting (None: it is tried)."""
        return self._known_down

    @property
    def unreachable(self) -> str | None:
        """Why the server could not be reached in the last batch (None: it could)."""
        return self._unreachable

    async def close(self) -> None:
        """Say QUIT on every kept connection."""
        while self._idle:
            client = self._idle.pop()
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def _worker(
        self,
        queue: asyncio.Queue[Envelope],
        on_results: Callable[[list[Delivery]], None],
        room: Callable[[], Awaitable[None]] | None,
    ) -> None:
        client: aiosmtplib.SMTP | None = self._idle.pop() if self._idle else None
        while not queue.empty() and not self.stopping:
            if self._unreachable is not None:
                on_results(_not_tried(queue, self._unreachable))
                break
            envelope = queue.get_nowait()
            try:
                if client is None or not client.is_connected:
                    client = await self._connect()
                started = time.perf_counter()
                delivery = await _deliver(client, envelope)
                delivery = replace(delivery, seconds=time.perf_counter() - started)
            except (TimeoutError, aiosmtplib.SMTPException, OSError, Undeliverable) as exc:
                delivery = Delivery(envelope.outbox_id, *classify_failure(exc))
                client = await self._reset(client)
            on_results([replace(delivery, envelope=envelope)])
            if room is not None:
                await room()
        if client is not None and client.is_connected:
            self._idle.append(client)

    async def _connect(self) -> aiosmtplib.SMTP:
        """A new connection; a failure marks the server unreachable for this batch."""
        try:
            return await open_smtp(self.config)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            self._unreachable = classify_failure(exc)[1]
            raise

    async def _reset(self, client: aiosmtplib.SMTP | None) -> aiosmtplib.SMTP | None:
        """After a failure keep the connection only if RSET works (RFC 5321 4.1.1.5)."""
        if client is None or not client.is_connected:
            return None
        try:
            await client.rset()
            return client
        except (aiosmtplib.SMTPException, OSError):
            client.close()
            return None


async def _deliver(client: aiosmtplib.SMTP, envelope: Envelope) -> Delivery:
    """Send one envelope over ``client``; raise on any failure."""
    transaction = smtp_transaction(envelope, client.supports_extension)
    try:
        response = await client.sendmail(
            transaction.mail_from,
            transaction.rcpt_to,
            envelope.raw,
            mail_options=transaction.options,
        )
    except ValueError as exc:  # an address aiosmtplib refuses to write (UnicodeEncodeError)
        raise Undeliverable(f"not sendable: {exc}") from exc
    return Delivery(envelope.outbox_id, DeliveryOutcome.SENT, _describe_response(response))


def _prepared(
    queue: asyncio.Queue[Envelope],
    prepare: Callable[[Envelope], Envelope],
    on_results: Callable[[list[Delivery]], None],
) -> list[Envelope]:
    """Empty ``queue`` through ``prepare``: the envelopes ready to send, in order; one
    that could not be prepared is reported at once as a temporary failure."""
    ready = []
    while not queue.empty():
        envelope = queue.get_nowait()
        try:
            ready.append(prepare(envelope))
        except NotComposed as exc:
            failure = Delivery(envelope.outbox_id, *classify_failure(exc), envelope=envelope)
            on_results([failure])
    return ready


def _not_tried(queue: asyncio.Queue[Envelope], reason: str) -> list[Delivery]:
    """Empty ``queue``: each envelope left is a temporary failure, not tried."""
    left = []
    while not queue.empty():
        envelope = queue.get_nowait()
        left.append(Delivery(envelope.outbox_id, DeliveryOutcome.TEMPORARY, NOT_TRIED + reason))
    return left


def _describe_response(response: tuple[dict[str, aiosmtplib.SMTPResponse], str]) -> str:
    refused, message = response
    if refused:
        return f"{message}; refused: " + "; ".join(
            f"{k}: {v.code} {v.message}" for k, v in refused.items()
        )
    return message


# --- the ledger side -------------------------------------------------------------------


# Every process that sends names its claims (store.claims).
HOLDER = PROCESS_HOLDER


def release_stale_claims(runtime: Runtime) -> int:
    """A single instance (SQLite) starting: every ``sending`` row is pending again."""
    return release_all(Outbox, also_set={"status": OutboxStatus.PENDING, "claimed_at": None})


def release_own_claims() -> int:
    """A clean stop: rows this process claimed but did not try are pending again."""
    return release_held(
        Outbox, holder=HOLDER, also_set={"status": OutboxStatus.PENDING, "claimed_at": None}
    )


def claim_due(
    runtime: Runtime, due_by: datetime, limit: int = CLAIM_BATCH, *, contents: bool = True
) -> list[Envelope]:
    """Claim rows due by ``due_by`` (and rows whose sender's lease ran out) to send.

    The two kinds are two index ranges of ``(status, next_attempt_at, id)`` (migration 13),
    each read in order up to the batch: no claim reads more rows than it takes.
    ``contents=False`` reads no envelope, bytes or recipe: for rows that will be reported
    as not tried (the server is known to be down), only their ids matter.
    """
    columns = (
        (Outbox.mail_from, Outbox.rcpt_to, Outbox.raw_message, Outbox.recipe, Outbox.ticket_message)
        if contents
        else ()
    )
    due = (
        (Outbox.status == OutboxStatus.PENDING) & (Outbox.next_attempt_at <= due_by),
        Outbox.status == OutboxStatus.SENDING,  # claimed by a sender that died: lease ran out
    )
    with write_turn():
        rows = claim(
            Outbox,
            due,
            holder=HOLDER,
            lease=LEASE,
            limit=limit,
            order_by=(Outbox.next_attempt_at, Outbox.id),
            columns=columns,
            also_set={"status": OutboxStatus.SENDING, "claimed_at": wall_clock()},
        )
    if not contents:
        return [Envelope(r.id, "", (), b"") for r in rows]
    return [
        Envelope(
            r.id,
            r.mail_from,
            tuple(r.rcpt_to),
            bytes(r.raw_message),
            r.recipe,
            r.ticket_message_id,
        )
        for r in rows
    ]


def composer(runtime: Runtime) -> Callable[[Envelope], Envelope]:
    """``prepare`` for :meth:`SmtpWorkerPool.deliver_all`: an envelope queued as a recipe
    gets its MIME bytes, written with the templates of ``runtime``."""

    def prepare(envelope: Envelope) -> Envelope:
        if envelope.raw or envelope.recipe is None:
            return envelope
        try:
            recipe = load_recipe(envelope.recipe)
            composed = compose(
                recipe, runtime.templates, blob_data, render_answer_pdf, message_full_text
            )
        except Exception as exc:  # a template's or a file's doing: the mail waits, logged
            log.exception("outbox %d: could not compose the mail", envelope.outbox_id)
            raise NotComposed(f"{type(exc).__name__}: {exc}") from exc
        return replace(envelope, raw=composed.raw, composed=composed)

    return prepare


# What recording an outcome reads of a row: never the raw bytes, which it does not rewrite.
_OUTCOME_COLUMNS = (
    Outbox.id,
    Outbox.attempts,
    Outbox.deadline_at,
    Outbox.kind,
    Outbox.ticket,
    Outbox.message_id,
)


def record_deliveries(runtime: Runtime, deliveries: list[Delivery]) -> Counter[str]:
    """Write every outcome in one transaction; return counts by final status."""
    now = runtime.clock.now()
    with write_turn(), runtime.database.atomic():
        ids = [delivery.outbox_id for delivery in deliveries]
        query = Outbox.select(*_OUTCOME_COLUMNS).where(Outbox.id.in_(ids))
        return _write_outcomes({row.id: row for row in query}, deliveries, now)


def defer_not_tried(
    runtime: Runtime, due_by: datetime, reason: str, limit: int = NOT_TRIED_BATCH
) -> tuple[list[Delivery], Counter[str]]:
    """Up to ``limit`` rows due by ``due_by`` while the server is known to be down, each
    given the outcome of an attempt not tried for ``reason``; (those outcomes, counts by
    final status), nothing when none is due.

    The rows are not claimed first: they are read and changed in one transaction, locked
    on PostgreSQL (``FOR UPDATE SKIP LOCKED``: another sender's claim passes them over),
    so each is written once instead of twice (its claim, then its outcome).
    """
    now = runtime.clock.now()
    free = Outbox.lease_until.is_null() | (Outbox.lease_until < wall_clock())
    due = (Outbox.status == OutboxStatus.PENDING) & (Outbox.next_attempt_at <= due_by) & free
    query = Outbox.select(*_OUTCOME_COLUMNS).where(due)
    query = query.order_by(Outbox.next_attempt_at, Outbox.id).limit(limit)
    with write_turn(), runtime.database.atomic():
        rows = {row.id: row for row in locked(query, runtime.database)}
        deliveries = [Delivery(i, DeliveryOutcome.TEMPORARY, NOT_TRIED + reason) for i in rows]
        return deliveries, _write_outcomes(rows, deliveries, now)


def _write_outcomes(
    rows: dict[int, Outbox], deliveries: list[Delivery], now: datetime
) -> Counter[str]:
    """Write the outcome of each of ``deliveries`` on its row of ``rows``; counts by status.

    Mail that is simply pending again (not tried, or refused for now, with no bytes of
    its own to keep) is written with one ``UPDATE`` for all the rows whose changes are
    alike: a batch of thousands not tried while the server is down costs a statement or
    two, not one per row.
    """
    counts: Counter[str] = Counter()
    retried: dict[tuple[tuple[str, object], ...], list[Outbox]] = {}
    for delivery in deliveries:
        row = rows[delivery.outbox_id]
        change = _outcome(row, delivery, now)
        if _pending_again(delivery, change):
            retried.setdefault(tuple(change.items()), []).append(row)
            continue
        status = _apply(row, delivery, change, now)
        counts[status.value] += 1  # plain names: the counts are logged and printed
    for alike_change, alike in retried.items():
        _retry_later(alike, dict(alike_change))
        counts[OutboxStatus.PENDING.value] += len(alike)
    return counts


def _outcome(row: Outbox, delivery: Delivery, now: datetime) -> dict[str, object]:
    """The columns to change for ``delivery`` (pure)."""
    attempts = row.attempts + 1
    common: dict[str, object] = {
        "attempts": attempts,
        "claimed_at": None,
        "claimed_by": None,
        "lease_until": None,
    }
    if delivery.outcome == DeliveryOutcome.SENT:
        return {
            **common,
            "status": OutboxStatus.SENT,
            "sent_at": now,
            "smtp_response": delivery.detail,
            "last_error": None,
        }
    if delivery.outcome == DeliveryOutcome.TEMPORARY and (
        row.deadline_at is None or now < row.deadline_at
    ):
        return {
            **common,
            "status": OutboxStatus.PENDING,
            "last_error": delivery.detail,
            "next_attempt_at": now + retry_delay(attempts),
        }
    gave_up = delivery.outcome == DeliveryOutcome.TEMPORARY
    error = f"gave up at the deadline: {delivery.detail}" if gave_up else delivery.detail
    return {**common, "status": OutboxStatus.FAILED, "last_error": error}


# The audit event of a mail that went, or failed for good.
_SETTLED = {OutboxStatus.SENT: EventAction.MAIL_SENT, OutboxStatus.FAILED: EventAction.MAIL_FAILED}


def _pending_again(delivery: Delivery, change: dict[str, object]) -> bool:
    """True when ``change`` only puts the row back in the queue: no bytes composed for
    this attempt (to keep for the next), no event (pure)."""
    composed = delivery.envelope.composed if delivery.envelope else None
    return change["status"] == OutboxStatus.PENDING and composed is None


_IDS_PER_UPDATE = 500  # well below SQLite's limit of bound parameters


def _retry_later(rows: list[Outbox], change: dict[str, object]) -> None:
    """Write the same ``change`` on every one of ``rows`` (mail pending again)."""
    for start in range(0, len(rows), _IDS_PER_UPDATE):
        part = rows[start : start + _IDS_PER_UPDATE]
        Outbox.update(**change).where(Outbox.id.in_([row.id for row in part])).execute()
    for row in rows:
        _log_outcome(row, OutboxStatus.PENDING, str(change["last_error"]))


def _apply(
    row: Outbox, delivery: Delivery, change: dict[str, object], now: datetime
) -> OutboxStatus:
    status = OutboxStatus(str(change["status"]))
    composed = delivery.envelope.composed if delivery.envelope else None
    if composed is not None:
        _keep_composed(delivery.envelope, composed, status)
        if status != OutboxStatus.SENT:  # a later attempt sends these very bytes
            change["raw_message"] = composed.raw
    update_row(Outbox, row.id, change)
    _log_outcome(row, status, delivery.detail)
    action = _SETTLED.get(status)  # a mail pending again is no event
    if action is not None:
        detail = change.get("last_error") or change.get("smtp_response")
        record_event(
            now,
            "system",
            action,
            ticket=row.ticket_id,
            kind=row.kind,
            message_id=row.message_id,
            detail=detail,
        )
    return status


def _keep_composed(envelope: Envelope | None, composed: ComposedMail, status: OutboxStatus) -> None:
    """Write the bodies of a mail composed for this attempt into the ticket's record."""
    if envelope is None or envelope.message_row is None:
        return
    update_row(
        Message,
        envelope.message_row,
        {"body": composed.text, "full_text": composed.text, "html": composed.html},
    )


def _log_outcome(row: Outbox, status: OutboxStatus, detail: str) -> None:
    """One line per attempt: ticket, kind, Message-ID and what became of the mail
    (INFO; WARNING when it failed for good)."""
    level = logging.WARNING if status == OutboxStatus.FAILED else logging.INFO
    if not log.isEnabledFor(level):
        return
    number = "-"
    if row.ticket_id is not None:
        number = Ticket.select(Ticket.number).where(Ticket.id == row.ticket_id).scalar()
    said = {OutboxStatus.SENT: "sent", OutboxStatus.FAILED: "FAILED"}.get(
        status, "not sent, will retry"
    )
    log.log(
        level,
        "%s %s <%s> (outbox %d) %s: %s",
        number,
        row.kind,
        row.message_id,
        row.id,
        said,
        detail,
    )


async def flush_async(
    runtime: Runtime,
    pool: SmtpWorkerPool,
    observe: Callable[[list[Delivery]], None] | None = None,
) -> Counter[str]:
    """Send everything due when the flush began, batch by batch; return counts by outcome.

    Each row is tried at most once a flush: a row that failed for now is due again only
    after its backoff (a minute at least), later than the moment the flush began, so it
    is never claimed again by this flush - it stays ``pending`` for the next one.
    ``observe`` sees every outcome once it is recorded (metrics).  When ``pool.stopping``
    is set no further batch is claimed.
    """
    due_by = runtime.clock.now()
    totals: Counter[str] = Counter()

    def record(deliveries: list[Delivery]) -> None:
        totals.update(record_deliveries(runtime, deliveries))
        if observe is not None:
            observe(deliveries)

    recorder = OutcomeRecorder(record)
    prepare = composer(runtime)
    pool.forget_unreachable()
    try:
        while pool.down is not None and not pool.stopping:  # nothing is sent: no claims
            deferred, counts = defer_not_tried(runtime, due_by, pool.down)
            if not deferred:
                break
            totals.update(counts)
            if observe is not None:
                observe(deferred)
        while (
            not pool.stopping
            and not pool.unreachable  # one connection attempt per flush
            and (envelopes := _claim_for(runtime, pool, due_by))
        ):
            await pool.deliver_all(envelopes, recorder.add, prepare, recorder.room)
    finally:
        await recorder.close()
    return totals


def _claim_for(runtime: Runtime, pool: SmtpWorkerPool, due_by: datetime) -> list[Envelope]:
    """The next batch for ``pool``: envelopes to send, or ids only when it is known down."""
    if pool.down is None:
        return claim_due(runtime, due_by)
    return claim_due(runtime, due_by, NOT_TRIED_BATCH, contents=False)


def flush_outbox(runtime: Runtime, concurrency: int | None = None) -> Counter[str]:
    """``once``: send every due row over fresh connections, then close them."""
    if not is_postgres(runtime.database):
        release_stale_claims(runtime)  # SQLite: this is the only instance
    pool = SmtpWorkerPool(runtime.config.smtp, concurrency or runtime.config.smtp.concurrency)

    async def run() -> Counter[str]:
        try:
            return await flush_async(runtime, pool)
        finally:
            await pool.close()

    return asyncio.run(run())
