"""What each command does; ``main`` parses, this acts."""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import signal
import sys
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from complaintd.cli import reports
from complaintd.cli.text_source import read_text
from complaintd.clock import Clock
from complaintd.config import Config, load_config
from complaintd.errors import NotFoundError, UsageError
from complaintd.runtime import Runtime, open_runtime
from complaintd.store import migrations
from complaintd.store.db import open_database, redact_url
from complaintd.store.event_action import EventAction
from complaintd.store.inbound_status import InboundStatus
from complaintd.store.models import InboundMessage, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.ticket_status import TicketStatus
from complaintd.views.records import TicketFilter, load_records, select_tickets
from complaintd.views.story import ticket_story
from complaintd.views.table import plain_table, ticket_csv, ticket_table
from complaintd.views.tickets import iso, ticket_document

if TYPE_CHECKING:
    from complaintd.service.passes import MailboxReport

Handler = Callable[[argparse.Namespace, Runtime], int]


def dispatch(args: argparse.Namespace, config_path: str, clock: Clock) -> int:
    """Load the configuration and run the command named by ``args``."""
    if args.command == "run":
        # Until the daemon's own handler is installed, a reload request must not kill it.
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    config = load_config(config_path)
    if args.command == "check":
        return check(args, config, clock)
    if args.command == "db" and args.db_command == "upgrade":
        return db_upgrade(config, clock)
    if args.command == "db":
        return db_copy(args, config, clock)
    runtime = open_runtime(config, clock)
    if args.command == "run":
        return run_daemon(runtime, config_path)
    return _HANDLERS[_command_key(args)](args, runtime)


def _command_key(args: argparse.Namespace) -> str:
    sub = getattr(args, f"{args.command}_command", None)
    return f"{args.command} {sub}" if sub else args.command


def print_json(value: Any) -> None:
    """JSON to stdout, UTF-8, non-ASCII kept readable."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def check(args: argparse.Namespace, config: Config, clock: Clock) -> int:
    """Validate the configuration (already done by loading it) and, with --connect, log in."""
    from complaintd.render import check_templates
    from complaintd.reports.samples import check_report_templates
    from complaintd.runtime import load_templates

    renderer = load_templates(config)
    problems = check_templates(renderer) + check_report_templates(renderer)
    for problem in problems:
        print(f"template: {problem}", file=sys.stderr)
    if problems:
        return 2
    print(f"configuration {config.source}: ok (templates render)", file=sys.stderr)
    from complaintd.jobs.due import calendar_warnings
    from complaintd.reports.charts import font_warning

    for warning in [*calendar_warnings(config, clock.now()), *font_warning()]:
        print(f"warning: {warning}", file=sys.stderr)
    if any(mailbox.kind == "fax" for mailbox in config.mailboxes):
        from complaintd.fax.ocr import fax_readiness

        for line in fax_readiness(config.fax.ocr_languages):
            print(line, file=sys.stderr)
    if not args.connect:
        return 0
    from complaintd.service.checks import connection_checks

    failures = 0
    for name, trouble in connection_checks(config):
        print(_named(name, trouble or "ok"), file=sys.stderr)
        failures += trouble is not None
    return 1 if failures else 0


def _named(name: str, text: str) -> str:
    """``name: text``, unless ``text`` already starts with ``name`` (errors that say
    which mailbox they are about, as the daemon logs them)."""
    return text if text.startswith(f"{name}:") else f"{name}: {text}"


def db_upgrade(config: Config, clock: Clock) -> int:
    """Apply pending migrations and say which."""
    database = open_database(config.database.url)
    applied = migrations.upgrade(database, clock)
    for migration in applied:
        print(f"applied {migration.version:04d} {migration.name}", file=sys.stderr)
    if not applied:
        print(f"{redact_url(config.database.url)}: up to date", file=sys.stderr)
    return 0


def db_copy(args: argparse.Namespace, config: Config, clock: Clock) -> int:
    """Copy the ledger into the empty database at ``--to``; one line per table."""
    from complaintd.store.copy import copy_ledger

    if args.to == config.database.url:
        raise UsageError("db copy: --to names the database the ledger is in already")
    runtime = open_runtime(config, clock)
    for table in copy_ledger(runtime.database, args.to, clock):
        print(f"{table.table}: {table.rows} row(s)", file=sys.stderr)
    print(f"copied to {redact_url(args.to)}; now set [database] url to it", file=sys.stderr)
    return 0


def run_once(args: argparse.Namespace, runtime: Runtime) -> int:
    """One full pass; exit 1 when a mailbox could not be reached."""
    from complaintd.service.keeper import kept
    from complaintd.service.passes import run_once as one_pass
    from complaintd.service.sending import BackgroundSender
    from complaintd.workflow.pipeline import make_analyzer

    # What start-up built (modules, templates, rules) lives as long as the pass: no
    # garbage collection walks it again (1.8% of a backlog's instructions), and the
    # children forked next share its pages untouched.  Thawed after the pass, for a
    # process that goes on (the tests call this in-process).
    gc.freeze()
    sender = BackgroundSender(runtime)
    try:
        sender.start()  # before the keeper's thread: a fork, sending as mail is queued
        with make_analyzer(runtime) as analyzer:
            analyzer.start_workers()  # forks too: before the keeper's thread starts
            with kept() as keeper:
                reports = one_pass(runtime, keeper, analyzer)
                analyzer.close()  # the timed jobs need no analyses
                failed = _report_pass(reports) + _run_jobs(runtime)
                _report_flush(runtime, sender.finish())
    finally:
        sender.abandon()  # the pass raised: the child does not outlive it
        gc.unfreeze()
    return 1 if failed else 0


def _report_pass(reports: list[MailboxReport]) -> int:
    """One line per mailbox; the number that could not be reached."""
    failed = 0
    for report in reports:
        if report.elsewhere:
            print(f"{report.mailbox}: fetched by another instance", file=sys.stderr)
            continue
        counts = (
            ", ".join(f"{k} {v}" for k, v in sorted(report.stats.outcomes.items()))
            or "nothing to do"
        )
        if report.fetched or report.stats.outcomes or not report.error:
            print(f"{report.mailbox}: fetched {report.fetched}; {counts}", file=sys.stderr)
        if report.error:
            print(f"error: {_named(f'mailbox {report.mailbox}', report.error)}", file=sys.stderr)
            failed += 1
    return failed


def _run_jobs(runtime: Runtime) -> int:
    """Every job due at --now; one line each that did something; the number that failed."""
    from complaintd.jobs.runner import run_due_jobs

    failed = 0
    for report in run_due_jobs(runtime):
        if report.error:
            print(f"job {report.job}: error: {report.error}", file=sys.stderr)
            failed += 1
        elif report.steps:
            print(f"job {report.job}: {report.steps} step(s)", file=sys.stderr)
    return failed


def run_daemon(runtime: Runtime, config_path: str) -> int:
    """The daemon until SIGTERM/SIGINT."""
    from complaintd.service.daemon import Daemon

    return Daemon(runtime, lambda: load_config(config_path)).serve()


def tickets_list(args: argparse.Namespace, runtime: Runtime) -> int:
    """``tickets list``: table, JSON or CSV, soonest due first."""
    chosen = TicketFilter(
        status=TicketStatus(args.status) if args.status else None,
        overdue=args.overdue,
        owner=args.owner,
        search=args.search,
        limit=args.limit,
        offset=args.offset,
    )
    now, zone = runtime.clock.now(), runtime.config.desk.timezone
    tickets = select_tickets(chosen, now)
    records = load_records(tickets, with_messages=False, with_events=args.format == "json")
    documents = [ticket_document(r, zone, with_messages=False) for r in records]
    if args.format == "json":
        print_json(documents)
    elif args.format == "csv":
        sys.stdout.write(ticket_csv(documents, now))
    else:
        print(ticket_table(documents, now))
        print(f"{len(documents)} ticket(s)", file=sys.stderr)
    return 0


def tickets_show(args: argparse.Namespace, runtime: Runtime) -> int:
    """``tickets show NUMBER``: the story as text, or the whole document as JSON."""
    [record] = load_records([_ticket(args.number)], with_messages=True)
    zone = runtime.config.desk.timezone
    if args.format == "json":
        print_json(ticket_document(record, zone, with_messages=True))
    else:
        print(ticket_story(record, zone, runtime.clock.now(), full=args.full))
    return 0


def inbound_failed(args: argparse.Namespace, runtime: Runtime) -> int:
    """``inbound failed``: quarantined messages with their errors."""
    zone = runtime.config.desk.timezone
    rows = (
        InboundMessage.select(
            InboundMessage.id,
            InboundMessage.mailbox,
            InboundMessage.uid,
            InboundMessage.message_id,
            InboundMessage.size,
            InboundMessage.fetched_at,
            InboundMessage.attempts,
            InboundMessage.error,
        )
        .where(InboundMessage.status == InboundStatus.FAILED)
        .order_by(InboundMessage.id)
    )
    documents = [
        {
            "id": r.id,
            "mailbox": r.mailbox,
            "uid": r.uid,
            "message_id": r.message_id,
            "size": r.size,
            "fetched_at": iso(r.fetched_at, zone),
            "attempts": r.attempts,
            "error": r.error,
        }
        for r in rows
    ]
    if args.format == "json":
        print_json(documents)
    else:
        for d in documents:
            where = f"{d['mailbox']}  uid {d['uid']}  <{d['message_id'] or '-'}>"
            print(f"{d['id']:>6}  {where}  {d['error']}")
        print(f"{len(documents)} quarantined", file=sys.stderr)
    return 0


def inbound_retry(args: argparse.Namespace, runtime: Runtime) -> int:
    """``inbound retry``: back to pending, then processed at once."""
    from complaintd.workflow.intake import IntakeAction
    from complaintd.workflow.pipeline import process_one, retry_failed

    ids = retry_failed(runtime, None if args.all else args.id)
    if not ids and not args.all:
        raise NotFoundError(f"no quarantined inbound message {args.id}")
    still_failing = 0
    for inbound_id in ids:
        result = process_one(runtime, inbound_id)
        outcome = (
            "taken by another instance"
            if result is None
            else f"{result.action} {result.ticket_number or ''}"
        )
        print(f"{inbound_id}: {outcome.strip()}", file=sys.stderr)
        still_failing += result is not None and result.action == IntakeAction.FAILED
    return 1 if still_failing else 0


def cli_actor() -> str:
    """Who acts from the command line, for the audit trail."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _ticket(number: str) -> Ticket:
    ticket = Ticket.get_or_none(Ticket.number == number.upper())
    if ticket is None:
        raise NotFoundError(f"no ticket {number}")
    return ticket


def _desk_action(args: argparse.Namespace, runtime: Runtime) -> int:
    """reply / propose / close: one transaction, then flush the outbox."""
    from complaintd.workflow import customer

    action = {
        "reply": customer.desk_reply,
        "propose": customer.propose_solution,
        "close": customer.close_ticket,
    }[args.tickets_command]
    text = read_text(args)
    with runtime.database.atomic():
        ticket = _ticket(args.number)
        action(runtime, ticket, text, cli_actor(), runtime.clock.now())
    print(f"{ticket.number}: {ticket.status}", file=sys.stderr)
    return _flush_and_report(runtime)


def tickets_set(args: argparse.Namespace, runtime: Runtime) -> int:
    """``tickets set``: severity, category, or invalid with a reason."""
    from complaintd.workflow import agents, customer, desk

    if not (args.severity or args.category or args.invalid):
        raise UsageError("tickets set: give --severity, --category or --invalid")
    now, actor = runtime.clock.now(), cli_actor()
    with runtime.database.atomic():
        ticket = _ticket(args.number)
        if args.severity:
            agents.set_severity(runtime, ticket, args.severity, actor, now)
        if args.category:
            desk.set_category(ticket, args.category, actor, now)
        if args.invalid:
            customer.invalidate(runtime, ticket, args.invalid, actor, now)
    print(
        f"{ticket.number}: {ticket.status}, {ticket.severity}, {ticket.category}", file=sys.stderr
    )
    return _flush_and_report(runtime)


def tickets_dispatch(args: argparse.Namespace, runtime: Runtime) -> int:
    """``tickets dispatch NUMBER DEPARTMENT...``: contact sheets to more departments."""
    from complaintd.workflow.departments import dispatch_sheets

    with runtime.database.atomic():
        ticket = _ticket(args.number)
        sheets = dispatch_sheets(
            runtime, ticket, tuple(args.departments), cli_actor(), runtime.clock.now()
        )
    print(f"{ticket.number}: {len(sheets)} contact sheet(s) sent", file=sys.stderr)
    return _flush_and_report(runtime)


def tickets_reopen(args: argparse.Namespace, runtime: Runtime) -> int:
    """``tickets reopen NUMBER [--reason TEXT]``: a closed ticket back to investigating."""
    from complaintd.workflow.customer import desk_reopen

    with runtime.database.atomic():
        ticket = _ticket(args.number)
        desk_reopen(runtime, ticket, cli_actor(), runtime.clock.now(), args.reason or "")
    print(f"{ticket.number}: {ticket.status}, answer due {ticket.due_at}", file=sys.stderr)
    return _flush_and_report(runtime)


def tickets_note(args: argparse.Namespace, runtime: Runtime) -> int:
    """``tickets note NUMBER --text``: an internal note in the audit trail."""
    from complaintd.store.records import record_event

    text = read_text(args)
    with runtime.database.atomic():
        ticket = _ticket(args.number)
        record_event(runtime.clock.now(), cli_actor(), EventAction.NOTE, ticket=ticket, text=text)
    return 0


def _flush_and_report(runtime: Runtime) -> int:
    from complaintd.outbox.sender import flush_outbox

    _report_flush(runtime, flush_outbox(runtime))
    return 0


def _report_flush(runtime: Runtime, counts: Counter[str]) -> None:
    """One line of what the outbox flush did, and why mail waits when it does."""
    if counts:
        print(
            "outbox: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr
        )
    if counts.get(OutboxStatus.PENDING):
        _say_why_mail_waits(runtime)


def _say_why_mail_waits(runtime: Runtime) -> None:
    """When mail stays pending: the last delivery error and when it is tried again."""
    from complaintd.outbox.manage import last_delivery_problem

    problem = last_delivery_problem()
    if problem is None:
        return
    zone = runtime.config.desk.timezone
    print(
        f"outbox: mail waits; next try {iso(problem.next_attempt_at, zone)};"
        f" last error (outbox {problem.id}): {problem.last_error}",
        file=sys.stderr,
    )


def outbox_list(args: argparse.Namespace, runtime: Runtime) -> int:
    """``outbox list``: outgoing mail and what became of it."""
    from complaintd.outbox.manage import outbox_rows

    zone = runtime.config.desk.timezone
    documents = [
        {
            "id": r.id,
            "status": r.status,
            "kind": r.kind,
            "ticket": r.ticket.number if r.ticket is not None else None,
            "to": r.rcpt_to,
            "message_id": r.message_id,
            "attempts": r.attempts,
            "created_at": iso(r.created_at, zone),
            "next_attempt_at": iso(r.next_attempt_at, zone),
            "sent_at": iso(r.sent_at, zone),
            "error": r.last_error,
        }
        for r in outbox_rows(OutboxStatus(args.status) if args.status else None)
    ]
    if args.format == "json":
        print_json(documents)
    else:
        print(plain_table(OUTBOX_HEADER, [_outbox_row(d) for d in documents], last=200))
    return 0


OUTBOX_HEADER = ("ID", "STATUS", "KIND", "TICKET", "ATTEMPTS", "TO", "ERROR")


def _outbox_row(document: dict[str, Any]) -> tuple[str, ...]:
    """One outbox mail as a table row (its last error in full: it says what to fix)."""
    return (
        str(document["id"]),
        document["status"],
        document["kind"],
        document["ticket"] or "-",
        str(document["attempts"]),
        ",".join(document["to"]),
        document["error"] or "",
    )


def outbox_retry(args: argparse.Namespace, runtime: Runtime) -> int:
    """``outbox retry``: failed mail back to pending, then sent at once."""
    from datetime import timedelta

    from complaintd.outbox.manage import retry_failed_mail

    deadline = timedelta(hours=runtime.config.smtp.retry_deadline_hours)
    ids = retry_failed_mail(runtime, None if args.all else args.id, deadline)
    if not ids and not args.all:
        raise NotFoundError(f"no failed outbox mail {args.id}")
    print(f"{len(ids)} mail(s) back in the queue", file=sys.stderr)
    return _flush_and_report(runtime)


def outbox_cancel(args: argparse.Namespace, runtime: Runtime) -> int:
    """``outbox cancel ID [--reason TEXT]``: a pending or failed mail is never to be sent."""
    from complaintd.outbox.manage import cancel_mail, cancel_reason

    actor = cli_actor()
    if args.reason is not None and not args.reason.split():
        raise UsageError("outbox cancel: --reason is empty; say why, or leave --reason out")
    if cancel_mail(runtime, args.id, actor, cancel_reason(args.reason, actor)):
        print(f"outbox mail {args.id}: cancelled", file=sys.stderr)
    else:
        print(f"outbox mail {args.id}: cancelled already; nothing changed", file=sys.stderr)
    return 0


def status(args: argparse.Namespace, runtime: Runtime) -> int:
    """``status``: mailboxes, backlog, outbox, jobs, instances; exit 1 when something
    needs a human (a monitoring check)."""
    from complaintd.views.status import status_document, status_text

    document = status_document(runtime.config, runtime.clock.now())
    if args.format == "json":
        print_json(document)
    else:
        print(status_text(document))
    return 1 if document["needs_attention"] else 0


def customers_at_risk(args: argparse.Namespace, runtime: Runtime) -> int:
    """``customers at-risk``: complain, complain again, then silence."""
    from complaintd.views.status import at_risk_documents, at_risk_text

    documents = at_risk_documents(runtime.config)
    if args.format == "json":
        print_json(documents)
    else:
        print(at_risk_text(documents))
        print(f"{len(documents)} customer(s) at risk", file=sys.stderr)
    return 0


_HANDLERS: dict[str, Handler] = {
    "once": run_once,
    "status": status,
    "customers at-risk": customers_at_risk,
    "tickets list": tickets_list,
    "tickets show": tickets_show,
    "inbound failed": inbound_failed,
    "inbound retry": inbound_retry,
    "tickets reply": _desk_action,
    "tickets propose": _desk_action,
    "tickets close": _desk_action,
    "tickets set": tickets_set,
    "tickets dispatch": tickets_dispatch,
    "tickets note": tickets_note,
    "tickets reopen": tickets_reopen,
    "outbox list": outbox_list,
    "outbox retry": outbox_retry,
    "outbox cancel": outbox_cancel,
    "digest": reports.digest,
    "report monthly": reports.report_monthly,
}
