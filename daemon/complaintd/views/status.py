"""``complaintd status`` and ``complaintd customers at-risk``: what the ledger knows.

Status: per mailbox its last fetch and error and whether it is watched by IDLE or by
polling; the inbound backlog and quarantine; the outbox by status with the oldest
waiting mail; each timed job's last run; the business calendar's gaps.  Several
instances' mailbox leases are not known to this ledger yet (issue 16).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import peewee

from complaintd.config import Config
from complaintd.jobs.at_risk import customers_at_risk
from complaintd.jobs.due import calendar_warnings
from complaintd.jobs.runner import JOBS
from complaintd.store.models import InboundMessage, MailboxState, Outbox, Ticket
from complaintd.store.timed import JobRun
from complaintd.views.table import plain_table
from complaintd.views.tickets import iso


def status_document(config: Config, now: datetime) -> dict[str, Any]:
    """Everything ``status`` shows, as one JSON-ready document."""
    zone = config.desk.timezone
    return {
        "now": iso(now, zone),
        "mailboxes": _mailboxes(config, now),
        "inbound": _counts(InboundMessage, ("pending", "failed")),
        "outbox": {**_counts(Outbox, ("pending", "sending", "failed")), **_oldest(now)},
        "faxes": _faxes(),
        "jobs": _jobs(config, now),
        "calendar": {"warnings": calendar_warnings(config, now)},
    }


def _faxes() -> dict[str, int]:
    """Faxes waiting for OCR, and open faxes a person has to read."""
    finished = ("closed", "invalid")
    return {
        "waiting_for_ocr": Ticket.select().where(Ticket.ocr_state == "pending").count(),
        "needs_manual_reading": Ticket.select()
        .where(Ticket.needs_manual_reading & Ticket.status.not_in(finished))
        .count(),
    }


def _mailboxes(config: Config, now: datetime) -> list[dict[str, Any]]:
    states = {row.mailbox: row for row in MailboxState.select()}
    documents = []
    for mailbox in config.mailboxes:
        state = states.get(mailbox.name)
        fetched = state.last_fetch_at if state else None
        documents.append(
            {
                "name": mailbox.name,
                "folder": mailbox.folder,
                "mode": "idle" if mailbox.idle else "poll",
                "last_fetch_at": iso(fetched, config.desk.timezone),
                "since_last_fetch_seconds": _seconds(now, fetched),
                "last_error": state.last_error if state else None,
            }
        )
    return documents


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
    created = row.created_at if row else None
    return {"oldest_waiting_seconds": _seconds(now, created)}


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
            m["last_fetch_at"] or "never",
            m["last_error"] or "",
        )
        for m in document["mailboxes"]
    ]
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
        plain_table(("MAILBOX", "MODE", "LAST FETCH", "ERROR"), mailboxes),
        "",
        f"inbound: {inbound['pending']} waiting, {inbound['failed']} quarantined",
        f"outbox: {outbox['pending']} pending, {outbox['sending']} sending, "
        f"{outbox['failed']} failed",
        f"faxes: {faxes['waiting_for_ocr']} waiting for OCR, "
        f"{faxes['needs_manual_reading']} open needing manual reading",
        "",
        plain_table(("JOB", "LAST RUN", "STEPS", "TOOK", "ERROR"), jobs),
        *(f"warning: {warning}" for warning in document["calendar"]["warnings"]),
    ]
    return "\n".join(lines)


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
