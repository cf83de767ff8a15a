"""``complaintd status`` and ``complaintd customers at-risk``: what the ledger knows.

Status: per mailbox its last fetch and error, the fetch lag, whether it is watched by
IDLE or by polling and which instance holds its lease; the inbound backlog and
quarantine; the outbox by status with the oldest waiting and failed mail; each timed
job's last run; the instances alive; the business calendar's gaps; and what needs a
human (:func:`needs_attention`, the exit status of ``status``).

Leases, checks and heartbeats are wall-clock times (``--now`` does not move them): they
say whether another process is alive right now, which a simulated clock cannot tell.
Every business time - fetches, job runs and their finish, inbound and outbox ages -
follows the command's clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import peewee

from complaintd.config import Config
from complaintd.jobs.at_risk import customers_at_risk
from complaintd.jobs.due import calendar_warnings
from complaintd.jobs.runner import JOBS
from complaintd.store import leases
from complaintd.store.claims import wall_clock
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.models import InboundMessage, MailboxState, Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.timed import JobRun
from complaintd.views.table import plain_table
from complaintd.views.tickets import iso

# A mailbox nobody asked for new mail for this many poll intervals needs a human.
STALE_POLLS = 10


def status_document(config: Config, now: datetime) -> dict[str, Any]:
    """Everything ``status`` shows, as one JSON-ready document."""
    zone = config.desk.timezone
    # Only for leases, lease checks and heartbeats: they are written on the wall clock by
    # whichever process holds them, and whether it is alive is a question about now.
    wall = wall_clock()
    document: dict[str, Any] = {
        "now": iso(now, zone),
        "mailboxes": _mailboxes(config, now, wall),
        "inbound": {**_counts(InboundMessage, ("pending", "failed")), **_oldest_inbound(now)},
        "outbox": {
            **_counts(Outbox, ("pending", "sending", "failed")),
            "retrying": _retrying(),
            **_oldest(now),
        },
        "faxes": _faxes(),
        "jobs": _jobs(config, now),
        "instances": _instances(config, wall),
        "calendar": {"warnings": calendar_warnings(config, now)},
    }
    document["needs_attention"] = needs_attention(document)
    return document


def _faxes() -> dict[str, int]:
    """Faxes waiting for OCR, and open faxes a person has to read."""
    finished = ("closed", "invalid")
    return {
        "waiting_for_ocr": Ticket.select().where(Ticket.ocr_state == "pending").count(),
        "needs_manual_reading": Ticket.select()
        .where(Ticket.needs_manual_reading & Ticket.status.not_in(finished))
        .count(),
    }


def needs_attention(document: dict[str, Any]) -> list[str]:
    """What a human must look at (pure): quarantined mail, mail that failed for good, a
    mailbox nobody fetched for ``STALE_POLLS`` poll intervals.  ``status`` exits 1 then."""
    reasons = []
    if document["inbound"]["failed"]:
        reasons.append(f"{document['inbound']['failed']} inbound message(s) quarantined")
    if document["outbox"]["failed"]:
        reasons.append(f"{document['outbox']['failed']} outgoing mail(s) failed")
    for mailbox in document["mailboxes"]:
        if mailbox["stale"]:
            since = mailbox["since_last_check_seconds"]
            when = "never" if since is None else f"not for {since} s"
            reasons.append(f"mailbox {mailbox['name']} fetched {when}")
    return reasons


def _mailboxes(config: Config, now: datetime, wall: datetime) -> list[dict[str, Any]]:
    states = {row.mailbox: row for row in MailboxState.select()}
    held = leases.leases()
    zone = config.desk.timezone
    documents = []
    for mailbox in config.mailboxes:
        state = states.get(mailbox.name)
        lease = held.get(mailbox.name)
        fetched = state.last_fetch_at if state else None
        checked = lease.checked_at if lease else None
        live = lease is not None and lease.holder and lease.lease_until >= wall
        since_check = _seconds(wall, checked)
        documents.append(
            {
                "name": mailbox.name,
                "folder": mailbox.folder,
                "mode": (lease.mode if lease and lease.mode else None)
                or ("idle" if mailbox.idle else "poll"),
                "holder": lease.holder if live and lease else None,
                "last_fetch_at": iso(fetched, zone),
                "since_last_fetch_seconds": _seconds(now, fetched),
                "last_check_at": iso(checked, zone),
                "since_last_check_seconds": since_check,
                "lag_seconds": _fetch_lag(mailbox.name),
                "stale": since_check is None or since_check > STALE_POLLS * mailbox.poll_seconds,
                "last_error": state.last_error if state else None,
            }
        )
    return documents


def _fetch_lag(mailbox: str) -> float | None:
    """How long the newest message fetched had waited on the server (its INTERNALDATE)."""
    row = (
        InboundMessage.select(InboundMessage.fetched_at, InboundMessage.received_at)
        .where((InboundMessage.mailbox == mailbox) & InboundMessage.received_at.is_null(False))
        .order_by(InboundMessage.id.desc())
        .first()
    )
    if row is None:
        return None
    return max(0.0, round((row.fetched_at - row.received_at).total_seconds(), 1))


def _oldest_inbound(now: datetime) -> dict[str, Any]:
    """How long the oldest message waiting to be processed has waited since its fetch."""
    row = (
        InboundMessage.select(InboundMessage.fetched_at)
        .where(InboundMessage.status == InboundStatus.PENDING)
        .order_by(InboundMessage.id)
        .first()
    )
    return {"oldest_waiting_seconds": _seconds(now, row.fetched_at if row else None)}


def _retrying() -> int:
    """Mail waiting for another attempt after a temporary failure."""
    return int(
        Outbox.select()
        .where((Outbox.status == OutboxStatus.PENDING) & (Outbox.attempts > 0))
        .count()
    )


def _instances(config: Config, wall: datetime) -> list[dict[str, Any]]:
    zone = config.desk.timezone
    return [
        {
            "holder": row.holder,
            "host": row.host,
            "pid": row.pid,
            "started_at": iso(row.started_at, zone),
            "heartbeat_at": iso(row.heartbeat_at, zone),
        }
        for row in leases.alive(wall)
    ]


def _counts(model: type[peewee.Model], statuses: tuple[str, ...]) -> dict[str, int]:
    field: Any = model._meta.fields["status"]
    query = model.select(field, peewee.fn.COUNT(model._meta.primary_key)).where(field.in_(statuses))
    counts = dict.fromkeys(statuses, 0)
    rows: Any = query.group_by(field).tuples()
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def _oldest(now: datetime) -> dict[str, Any]:
    """How long the oldest mail still to be sent has waited."""
    row = (
        Outbox.select(Outbox.created_at)
        .where(Outbox.status.in_(("pending", "sending")))
        .order_by(Outbox.created_at)
        .first()
    )
    failed = (
        Outbox.select(Outbox.created_at)
        .where(Outbox.status == OutboxStatus.FAILED)
        .order_by(Outbox.created_at)
        .first()
    )
    return {
        "oldest_waiting_seconds": _seconds(now, row.created_at if row else None),
        "oldest_failed_seconds": _seconds(now, failed.created_at if failed else None),
    }


def _jobs(config: Config, now: datetime) -> list[dict[str, Any]]:
    runs = {row.job: row for row in JobRun.select()}
    zone = config.desk.timezone
    return [
        {
            "job": job.name,
            "last_run_at": iso(runs[job.name].last_run_at, zone) if job.name in runs else None,
            "finished_at": iso(runs[job.name].finished_at, zone) if job.name in runs else None,
            "duration_ms": round(runs[job.name].duration_ms, 1) if job.name in runs else None,
            "steps": runs[job.name].steps if job.name in runs else None,
            "error": runs[job.name].error if job.name in runs else None,
            "instance": runs[job.name].holder if job.name in runs else None,
        }
        for job in JOBS
    ]


def _seconds(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))


def status_text(document: dict[str, Any]) -> str:
    """The status document as a few readable tables."""
    mailboxes = [
        (
            m["name"],
            m["mode"],
            m["holder"] or "nobody",
            m["last_check_at"] or "never",
            m["last_fetch_at"] or "never",
            "" if m["lag_seconds"] is None else f"{m['lag_seconds']:g} s",
            m["last_error"] or "",
        )
        for m in document["mailboxes"]
    ]
    instances = [(i["holder"], i["started_at"], i["heartbeat_at"]) for i in document["instances"]]
    jobs = [
        (
            j["job"],
            j["last_run_at"] or "never",
            "" if j["steps"] is None else str(j["steps"]),
            "" if j["duration_ms"] is None else f"{j['duration_ms']:.1f} ms",
            j["error"] or "",
        )
        for j in document["jobs"]
    ]
    inbound, outbox, faxes = document["inbound"], document["outbox"], document["faxes"]
    lines = [
        plain_table(
            ("MAILBOX", "MODE", "HELD BY", "LAST CHECK", "LAST NEW MAIL", "LAG", "ERROR"),
            mailboxes,
        ),
        "",
        f"inbound: {inbound['pending']} waiting{_age(inbound['oldest_waiting_seconds'])}, "
        f"{inbound['failed']} quarantined",
        f"outbox: {outbox['pending']} pending ({outbox['retrying']} retrying), "
        f"{outbox['sending']} sending, {outbox['failed']} failed"
        f"{_age(outbox['oldest_waiting_seconds'])}",
        f"faxes: {faxes['waiting_for_ocr']} waiting for OCR, "
        f"{faxes['needs_manual_reading']} open needing manual reading",
        "",
        plain_table(("JOB", "LAST RUN", "STEPS", "TOOK", "ERROR"), jobs),
        "",
        plain_table(("INSTANCE ALIVE", "STARTED", "LAST HEARTBEAT"), instances)
        if instances
        else "instances alive: none",
        *(f"warning: {warning}" for warning in document["calendar"]["warnings"]),
        *(f"NEEDS ATTENTION: {reason}" for reason in document["needs_attention"]),
    ]
    return "\n".join(lines)


def _age(seconds: int | None) -> str:
    return "" if seconds is None else f", oldest waiting {seconds} s"


def at_risk_documents(config: Config) -> list[dict[str, Any]]:
    """Flagged customers, most recent first, each with their tickets."""
    zone = config.desk.timezone
    flagged = customers_at_risk()
    tickets: dict[str, list[Ticket]] = {email: [] for email in flagged}
    query = Ticket.select(Ticket.number, Ticket.status, Ticket.created_at, Ticket.customer_email)
    for ticket in query.where(Ticket.customer_email.in_(sorted(flagged))).order_by(
        Ticket.created_at
    ):
        tickets[str(ticket.customer_email)].append(ticket)
    return [
        {
            "customer": email,
            "flagged_at": iso(risk.flagged_at, zone),
            "unanswered_survey": risk.ticket.number,
            "complaints_counted": risk.tickets,
            "tickets": [
                {"number": t.number, "status": t.status, "created_at": iso(t.created_at, zone)}
                for t in tickets[email]
            ],
        }
        for email, risk in flagged.items()
    ]


def at_risk_text(documents: list[dict[str, Any]]) -> str:
    """One line per customer at risk."""
    rows = [
        (
            d["customer"],
            d["flagged_at"],
            d["unanswered_survey"],
            " ".join(f"{t['number']}({t['status']})" for t in d["tickets"]),
        )
        for d in documents
    ]
    return plain_table(("CUSTOMER", "FLAGGED", "SURVEY UNANSWERED", "TICKETS"), rows, last=200)
