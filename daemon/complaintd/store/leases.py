"""Mailbox fetch leases and the registry of running instances (migration 11).

Several ``complaintd run`` instances may share one PostgreSQL ledger.  Each mailbox is
fetched by exactly one of them at a time: the one whose row in ``mailbox_lease`` names
it as holder with a lease that has not run out.

* :func:`acquire` takes a mailbox that is free, or whose holder's lease ran out (a
  dead instance), or renews it for its holder - one ``INSERT ... ON CONFLICT DO UPDATE
  ... WHERE`` statement, so two instances can never both win.
* Every instance renews the leases it holds every :data:`RENEW_SECONDS` from a thread of
  its own (``service.daemon``), so a lease outlives any long fetch or backlog; a killed
  instance stops renewing and its mailboxes are taken within :data:`TAKEOVER_SECONDS`.
* :func:`fence` renews the lease *inside* the transaction that commits fetched mail: on
  PostgreSQL the UPDATE holds the lease row's lock until that commit, so a takeover
  waits for it, and a holder that lost its lease (paused, cut off) cannot commit
  anything more - its batch rolls back and the new holder fetches those UIDs itself.
  The ``(mailbox, uidvalidity, uid)`` unique key makes any overlap a no-op as well.

Why rows and not ``pg_advisory_lock``: an advisory lock belongs to a database *session*.
Behind PgBouncer in transaction pooling (the usual way to pool PostgreSQL) consecutive
transactions of one client run on different server sessions, so a session lock is taken
on one connection and "held" by whichever client gets that connection next, and is
released only when the server connection closes.  A lease row is plain data: it works
through any pooler, survives reconnects, and ``status`` can show who holds what.

On SQLite (one instance by design) a lease is always granted: whoever asks is the only
instance, and a holder named in the row is a process that died.  Leases use the wall
clock (never ``--now``): hosts sharing a ledger need NTP, skew well under the lease.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import peewee

from complaintd.store.claims import ClaimLost, wall_clock
from complaintd.store.db import is_postgres
from complaintd.store.fields import UtcDateTimeField
from complaintd.store.models import BaseModel
from complaintd.store.prepared import execute

LEASE_SECONDS = 20.0  # a holder silent this long is taken to be dead
RENEW_SECONDS = 5.0  # holders renew, and standbys look for free mailboxes, this often
TAKEOVER_SECONDS = LEASE_SECONDS + RENEW_SECONDS  # at most, plus the time to log in


class MailboxLease(BaseModel):
    """Who fetches a mailbox, until when (wall clock), and how it waits for mail."""

    mailbox = peewee.CharField(primary_key=True)
    holder = peewee.CharField(null=True)
    lease_until = UtcDateTimeField(null=True)
    acquired_at = UtcDateTimeField(null=True)  # when the current holder took it
    mode = peewee.CharField(null=True)  # idle | poll, as the holder watches it
    checked_at = UtcDateTimeField(null=True)  # the holder last asked the server for new mail


class Instance(BaseModel):
    """One running ``complaintd run``, by its claim holder name."""

    holder = peewee.CharField(primary_key=True)
    host = peewee.CharField()
    pid = peewee.IntegerField()
    started_at = UtcDateTimeField()
    heartbeat_at = UtcDateTimeField(index=True)
    stopped_at = UtcDateTimeField(null=True)


LEASE_MODELS: tuple[type[BaseModel], ...] = (MailboxLease, Instance)

_ACQUIRE = (
    "INSERT INTO mailbox_lease (mailbox, holder, lease_until, acquired_at)"
    " VALUES (?, ?, ?, ?)"
    " ON CONFLICT (mailbox) DO UPDATE SET holder = excluded.holder,"
    " lease_until = excluded.lease_until,"
    " acquired_at = CASE WHEN mailbox_lease.holder = excluded.holder"
    " THEN mailbox_lease.acquired_at ELSE excluded.acquired_at END"
    " WHERE mailbox_lease.holder IS NULL OR mailbox_lease.holder = excluded.holder"
    " OR mailbox_lease.lease_until < ? OR ?"
    " RETURNING holder"
)


def _db(value: datetime) -> object:
    return UtcDateTimeField().db_value(value)


def lease_end(now: datetime) -> datetime:
    """When a lease taken or renewed at ``now`` runs out (pure)."""
    return now + timedelta(seconds=LEASE_SECONDS)


def acquire(mailbox: str, holder: str) -> bool:
    """Take or renew ``mailbox`` for ``holder``; False while another live holder has it."""
    now = wall_clock()
    force = not is_postgres(MailboxLease._meta.database)
    with MailboxLease._meta.database.atomic():
        cursor = execute(
            MailboxLease,
            _ACQUIRE,
            (mailbox, holder, _db(lease_end(now)), _db(now), _db(now), force),
        )
        row = cursor.fetchone()
    return row is not None and row[0] == holder


def fence(mailbox: str, holder: str) -> None:
    """Inside a transaction: renew ``holder``'s lease or raise :class:`ClaimLost`.

    On PostgreSQL the row stays locked until the caller's commit (see the module text).
    """
    if not is_postgres(MailboxLease._meta.database):
        return
    now = wall_clock()
    renewed = (
        MailboxLease.update(lease_until=lease_end(now))
        .where(
            (MailboxLease.mailbox == mailbox)
            & (MailboxLease.holder == holder)
            & (MailboxLease.lease_until >= now)
        )
        .execute()
    )
    if not renewed:
        raise ClaimLost(f"mailbox {mailbox}: lease lost to another instance")


def renew_all(holder: str, mailboxes: list[str]) -> set[str]:
    """Renew ``holder``'s live leases among ``mailboxes``; return those still held."""
    if not mailboxes:
        return set()
    now = wall_clock()
    still = (MailboxLease.holder == holder) & MailboxLease.mailbox.in_(mailboxes)
    if is_postgres(MailboxLease._meta.database):
        still &= MailboxLease.lease_until >= now
    with MailboxLease._meta.database.atomic():
        MailboxLease.update(lease_until=lease_end(now)).where(still).execute()
        held = MailboxLease.select(MailboxLease.mailbox).where(still)
        return {row.mailbox for row in held}


def note_check(mailbox: str, holder: str, mode: str) -> None:
    """The holder asked the server for new mail just now, waiting by ``mode``."""
    MailboxLease.update(checked_at=wall_clock(), mode=mode).where(
        (MailboxLease.mailbox == mailbox) & (MailboxLease.holder == holder)
    ).execute()


def release(mailbox: str, holder: str) -> None:
    """Let the mailbox go at once (a clean stop): a standby takes it without waiting."""
    MailboxLease.update(holder=None, lease_until=None).where(
        (MailboxLease.mailbox == mailbox) & (MailboxLease.holder == holder)
    ).execute()


def heartbeat(holder: str, started_at: datetime) -> None:
    """Say this instance is alive (creating its row on the first beat)."""
    now = wall_clock()
    host, _, rest = holder.partition(":")
    pid = int(rest.split(":", 1)[0]) if rest.split(":", 1)[0].isdigit() else os.getpid()
    Instance.insert(
        holder=holder,
        host=host or socket.gethostname(),
        pid=pid,
        started_at=started_at,
        heartbeat_at=now,
    ).on_conflict(
        conflict_target=[Instance.holder],
        update={Instance.heartbeat_at: now, Instance.stopped_at: None},
    ).execute()


def stopped(holder: str) -> None:
    """This instance stops cleanly."""
    Instance.update(stopped_at=wall_clock()).where(Instance.holder == holder).execute()


def alive(now: datetime) -> list[Instance]:
    """Instances that beat within the lease and did not stop, oldest first."""
    since = now - timedelta(seconds=LEASE_SECONDS)
    query = Instance.select().where(
        (Instance.heartbeat_at >= since) & Instance.stopped_at.is_null()
    )
    return list(query.order_by(Instance.started_at))


def leases() -> dict[str, MailboxLease]:
    """Every mailbox's lease row, by mailbox."""
    return {row.mailbox: row for row in MailboxLease.select()}
