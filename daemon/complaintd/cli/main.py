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
from complaintd.classify import CATEGORIES
from complaintd.cli import commands
from complaintd.clock import Clock, FixedClock, SystemClock, parse_now
from complaintd.config import DEFAULT_CONFIG_PATH
from complaintd.errors import ComplaintdError, ConfigError, NotFoundError, UsageError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command of DESIGN.md's contract."""
    parser = argparse.ArgumentParser(prog="complaintd", description="Email-driven complaint desk.")
    parser.add_argument(
        "--config",
        help=f"configuration file (default: $COMPLAINTD_CONFIG or {DEFAULT_CONFIG_PATH})",
    )
    parser.add_argument("--now", help="fix the clock (ISO 8601); also $COMPLAINTD_NOW")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("--version", action="version", version=f"complaintd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="the daemon, until SIGTERM/SIGINT; SIGHUP reloads config")
    sub.add_parser("once", help="one full pass over every mailbox, then exit")
    check = sub.add_parser("check", help="validate the configuration")
    check.add_argument(
        "--connect", action="store_true", help="also log in to IMAP, SMTP and the database"
    )
    db = sub.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply pending migrations")
    _add_ticket_commands(sub)
    _add_inbound_commands(sub)
    _add_outbox_commands(sub)
    return parser


def _add_ticket_commands(sub: argparse._SubParsersAction) -> None:
    tickets = sub.add_parser("tickets", help="list and show tickets").add_subparsers(
        dest="tickets_command", required=True
    )
    listing = tickets.add_parser("list", help="list tickets")
    listing.add_argument("--status", help="only tickets with this status")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    show = tickets.add_parser("show", help="one ticket with its conversation")
    show.add_argument("number")
    show.add_argument("--format", choices=("text", "json"), default="text")
    for name, flag, what in (
        ("reply", "--text", "send the desk's reply to the customer"),
        ("propose", "--text", "propose a solution; the customer is asked to agree"),
        ("close", "--resolution", "close with a resolution (then the survey follows)"),
    ):
        action = tickets.add_parser(name, help=what)
        action.add_argument("number")
        action.add_argument(flag, required=True, dest="text")
    dispatch = tickets.add_parser("dispatch", help="send contact sheets to more departments")
    dispatch.add_argument("number")
    dispatch.add_argument("departments", nargs="+", metavar="DEPARTMENT", help="department keys")
    note = tickets.add_parser("note", help="an internal note (audit trail only)")
    note.add_argument("number")
    note.add_argument("--text", required=True)
    change = tickets.add_parser("set", help="change severity or category, or invalidate")
    change.add_argument("number")
    change.add_argument("--severity", choices=("serious", "important", "general"))
    change.add_argument("--category", choices=CATEGORIES)
    change.add_argument(
        "--invalid", metavar="REASON", help="not a valid complaint, with the reason"
    )


def _add_inbound_commands(sub: argparse._SubParsersAction) -> None:
    inbound = sub.add_parser("inbound", help="quarantined inbound mail").add_subparsers(
        dest="inbound_command", required=True
    )
    failed = inbound.add_parser("failed", help="list quarantined messages")
    failed.add_argument("--format", choices=("table", "json"), default="table")
    retry = inbound.add_parser("retry", help="replay quarantined messages")
    target = retry.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", type=int, help="the inbound id")
    target.add_argument("--all", action="store_true", help="every quarantined message")


def _add_outbox_commands(sub: argparse._SubParsersAction) -> None:
    outbox = sub.add_parser("outbox", help="outgoing mail").add_subparsers(
        dest="outbox_command", required=True
    )
    listing = outbox.add_parser("list", help="list outgoing mail")
    listing.add_argument("--status", choices=("pending", "sending", "sent", "failed", "cancelled"))
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
            "never sent afterwards; who cancelled it and why go into the audit trail.\n"
            "A mail already sent, or being sent at this moment, cannot be cancelled.\n"
            "Cancelling a cancelled mail changes nothing."
        ),
        epilog=(
            "exit status: 0 cancelled (or cancelled already);\n"
            "             1 no such mail, or it was sent or is being sent\n\n"
            "example:\n"
            "  complaintd outbox list --status failed\n"
            '  complaintd outbox cancel 42 --reason "customer withdrew the complaint by phone"'
        ),
    )
    cancel.add_argument("id", type=int, help="the outbox id, as outbox list shows it")
    cancel.add_argument(
        "--reason", required=True, help="why it is not to be sent (kept in the audit trail)"
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


def configure_logging(verbosity: int) -> None:
    """Log to stderr; ``-v`` for INFO, ``-vv`` for DEBUG."""
    level = logging.WARNING - 10 * min(verbosity, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status."""
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        clock = make_clock(args.now)
        config_path = args.config or os.environ.get("COMPLAINTD_CONFIG") or DEFAULT_CONFIG_PATH
        return commands.dispatch(args, config_path, clock)
    except (ConfigError, UsageError) as exc:
        print(f"complaintd: {_describe(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except (NotFoundError, ComplaintdError) as exc:
        print(f"complaintd: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE


def _describe(exc: ComplaintdError) -> str:
    if isinstance(exc, ConfigError):
        return f"configuration error: {exc}"
    return str(exc)
