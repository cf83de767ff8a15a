"""The command line: ``complaintd [--config PATH] [--now ISO-8601] COMMAND ...``.

Exit status: 0 done; 1 a failure the message names; 2 bad usage or bad configuration
(the message names the key and why).  JSON goes to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from complaintd import __version__
from complaintd.cli import commands
from complaintd.cli.reports import add_report_commands
from complaintd.cli.ticket_options import add_ticket_commands
from complaintd.clock import Clock, FixedClock, SystemClock, parse_now
from complaintd.config import DEFAULT_CONFIG_PATH
from complaintd.errors import ComplaintdError, ConfigError, NotFoundError, UsageError
from complaintd.store.outbox_status import OutboxStatus

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command of DESIGN.md's contract."""
    parser = argparse.ArgumentParser(prog="complaintd", description="Email-driven complaint desk.")
    parser.add_argument(
        "--config",
        help=f"configuration file (default: $COMPLAINTD_CONFIG or {DEFAULT_CONFIG_PATH})",
    )
    parser.add_argument("--now", help="fix the clock (ISO 8601); also $COMPLAINTD_NOW")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more log output (-v: INFO, -vv: DEBUG; run logs INFO already)",
    )
    parser.add_argument("--version", action="version", version=f"complaintd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_service_commands(sub)
    add_ticket_commands(sub)
    _add_inbound_commands(sub)
    _add_outbox_commands(sub)
    _add_watch_commands(sub)
    add_report_commands(sub)
    return parser


def _add_watch_commands(sub: argparse._SubParsersAction) -> None:
    """``status`` and ``customers at-risk``."""
    status = sub.add_parser(
        "status",
        help="mailboxes, backlog, outbox, timed jobs and instances; exit 1 if a human is needed",
        description="What the ledger knows: per mailbox its last check and new mail, the fetch "
        "lag, IDLE or polling and which instance holds it; inbound mail waiting and "
        "quarantined; the outbox by status (retrying, failed) and its oldest waiting mail; "
        "each timed job's last run (at the clock's time, --now in simulations) with the "
        "steps it took; the instances alive; years the business calendar has no holidays "
        "for. Exit status 1 when something needs a human: quarantined inbound mail, failed "
        "outgoing mail, or a mailbox nobody fetched for 10 x poll_seconds - so it serves as "
        "a monitoring check.",
    )
    status.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    customers = sub.add_parser(
        "customers",
        help="customers the desk should look after",
        description="Customers as the desk sees them across their tickets.",
    ).add_subparsers(dest="customers_command", required=True, metavar="SUBCOMMAND")
    at_risk = customers.add_parser(
        "at-risk",
        help="customers at risk of being lost",
        description="Customers with [schedule] at_risk_complaints complaints within "
        "at_risk_days who left a satisfaction survey unanswered, most recent first, with "
        "their tickets. A new complaint or a survey answer takes a customer off the list.",
    )
    at_risk.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )


def _add_service_commands(sub: argparse._SubParsersAction) -> None:
    """``run``, ``once``, ``check`` and ``db upgrade``."""
    sub.add_parser(
        "run",
        help="the daemon, until SIGTERM/SIGINT; SIGHUP reloads config",
        description="Run the desk: watch every mailbox (IMAP IDLE or polling), process mail "
        "as it comes, send the outbox and run the scheduled jobs, until SIGTERM or SIGINT. "
        "SIGHUP reloads the configuration. Logs one INFO line per message fetched, ticket "
        "created or changed and mail sent or failed.",
    )
    sub.add_parser(
        "once",
        help="one full pass over every mailbox, then exit",
        description="One full pass: fetch every mailbox, process what came, run every job "
        "due at --now and send the outbox; then exit (1 when a mailbox could not be reached).",
    )
    check = sub.add_parser(
        "check",
        help="validate the configuration",
        description="Validate the configuration and render every mail template with sample "
        "data; exit 2 naming the key and why when something is wrong.",
    )
    check.add_argument(
        "--connect", action="store_true", help="also log in to IMAP, SMTP and the database"
    )
    db = sub.add_parser(
        "db", help="database maintenance", description="Database maintenance."
    ).add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    db.add_parser(
        "upgrade",
        help="apply pending migrations",
        description="Apply the pending schema migrations (run and once apply them too). "
        "On an empty PostgreSQL database this creates the ledger.",
    )
    copy = db.add_parser(
        "copy",
        help="copy the ledger into another, empty database (SQLite to PostgreSQL)",
        description="Copy the whole ledger of [database] url into the empty database at "
        "--to (its schema is created first), check every table's row count, and move "
        "PostgreSQL's id sequences past the copied ids. Stop the daemon first. Afterwards "
        "point [database] url at the new database.",
        epilog="example: complaintd db copy --to postgresql://complaintd@db.lida.example/complaintd"
        " (the password from PGPASSWORD or ~/.pgpass)",
    )
    copy.add_argument("--to", required=True, metavar="URL", help="the target database's URL")


def _add_inbound_commands(sub: argparse._SubParsersAction) -> None:
    inbound = sub.add_parser(
        "inbound",
        help="quarantined inbound mail",
        description="Inbound mail that failed to process: it is kept (quarantined), never lost.",
    ).add_subparsers(dest="inbound_command", required=True, metavar="SUBCOMMAND")
    failed = inbound.add_parser(
        "failed",
        help="list quarantined messages",
        description="List quarantined inbound messages with the error that stopped each.",
    )
    failed.add_argument(
        "--format", choices=("table", "json"), default="table", help="table (default) or json"
    )
    retry = inbound.add_parser(
        "retry",
        help="replay quarantined messages",
        description="Put quarantined messages back in the queue and process them at once.",
    )
    target = retry.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", type=int, help="the inbound id")
    target.add_argument("--all", action="store_true", help="every quarantined message")


def _add_outbox_commands(sub: argparse._SubParsersAction) -> None:
    outbox = sub.add_parser("outbox", help="outgoing mail").add_subparsers(
        dest="outbox_command", required=True
    )
    listing = outbox.add_parser("list", help="list outgoing mail")
    listing.add_argument("--status", choices=[status.value for status in OutboxStatus])
    listing.add_argument("--format", choices=("table", "json"), default="table")
    retry = outbox.add_parser("retry", help="send failed mail again")
    target = retry.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", type=int, help="the outbox id")
    target.add_argument("--all", action="store_true", help="every failed mail")
    _add_outbox_cancel(outbox)


def _add_outbox_cancel(outbox: argparse._SubParsersAction) -> None:
    cancel = outbox.add_parser(
        "cancel",
        help="decide a queued or failed mail is not to be sent",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Cancel one outgoing mail that is pending or failed: it is marked cancelled and\n"
            "never sent afterwards; who cancelled it and why go into the audit trail\n"
            "(without --reason the trail says no reason was given and who cancelled it).\n"
            "A mail already sent, or being sent at this moment, cannot be cancelled.\n"
            "Cancelling a cancelled mail changes nothing."
        ),
        epilog=(
            "exit status: 0 cancelled (or cancelled already);\n"
            "             1 no such mail, or it was sent or is being sent\n\n"
            "example:\n"
            "  complaintd outbox list --status failed\n"
            "  complaintd outbox cancel 42\n"
            '  complaintd outbox cancel 42 --reason "customer withdrew the complaint by phone"'
        ),
    )
    cancel.add_argument("id", type=int, help="the outbox id, as outbox list shows it")
    cancel.add_argument(
        "--reason", help="why it is not to be sent (optional; kept in the audit trail)"
    )


def make_clock(value: str | None) -> Clock:
    """``--now`` (or ``$COMPLAINTD_NOW``) fixes the clock; otherwise the system clock."""
    value = value or os.environ.get("COMPLAINTD_NOW")
    if not value:
        return SystemClock()
    try:
        return FixedClock(parse_now(value))
    except ValueError as exc:
        raise UsageError(f"--now: {exc}") from exc


def log_level(command: str, verbosity: int) -> int:
    """The daemon logs INFO (what it fetched, decided and sent); other commands only
    warnings, their output being the answer.  Each ``-v`` is one level more."""
    base = logging.INFO if command == "run" else logging.WARNING
    return max(logging.DEBUG, base - 10 * verbosity)


# Python's log levels as syslog priorities (RFC 5424 6.2.1); anything else is debug (7).
SYSLOG_PRIORITIES = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6}


class JournalFormatter(logging.Formatter):
    """``<4>name: message``: journald takes the syslog priority from the prefix and adds
    its own time stamp (systemd.exec(5), SyslogLevelPrefix=)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record with its priority prefix."""
        priority = SYSLOG_PRIORITIES.get(record.levelno, 7)
        return f"<{priority}>{super().format(record)}"


def on_journal() -> bool:
    """True when stderr is systemd's journal stream ($JOURNAL_STREAM names it)."""
    try:
        status = os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests, closed)
        return False
    return os.environ.get("JOURNAL_STREAM") == f"{status.st_dev}:{status.st_ino}"


def configure_logging(command: str, verbosity: int) -> None:
    """Log to stderr at the command's level; in the journal without our own time stamp."""
    handler = logging.StreamHandler(sys.stderr)
    if on_journal():
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=log_level(command, verbosity), handlers=[handler])


def parse_arguments(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> argparse.Namespace:
    """Parse ``argv``; ``--config`` and ``--now`` may also follow the command.

    ``complaintd tickets list --now 2026-11-25T10:00`` is what people type when they
    simulate a day; it means the same as putting ``--now`` first.
    """
    args, extra = parser.parse_known_args(argv)
    if extra:
        late = argparse.ArgumentParser(add_help=False)
        for name in ("--config", "--now"):
            late.add_argument(name, dest=name.removeprefix("--"), default=None)
        given, rest = late.parse_known_args(extra)
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        for name, value in vars(given).items():
            if value is not None:
                setattr(args, name, value)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status."""
    try:
        args = parse_arguments(build_parser(), argv)
    except SystemExit as exc:  # --help, --version, or bad usage that argparse explained
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    configure_logging(args.command, args.verbose)
    try:
        clock = make_clock(args.now)
        config_path = args.config or os.environ.get("COMPLAINTD_CONFIG") or DEFAULT_CONFIG_PATH
        code = commands.dispatch(args, config_path, clock)
        sys.stdout.flush()  # a reader that went away is noticed here, not at exit
        return code
    except BrokenPipeError:
        # `complaintd tickets list | head -1`: the reader has all it wanted.
        _discard_stdout()
        return EXIT_OK
    except (ConfigError, UsageError) as exc:
        print(f"complaintd: {_describe(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except (NotFoundError, ComplaintdError) as exc:
        print(f"complaintd: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (tests): nothing to flush
        pass


def _describe(exc: ComplaintdError) -> str:
    if isinstance(exc, ConfigError):
        return f"configuration error: {exc}"
    return str(exc)
