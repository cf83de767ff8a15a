"""``digest`` and ``report monthly``: the admins' reports on demand."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from complaintd.errors import UsageError
from complaintd.reports.period import default_day, default_month, parse_month
from complaintd.reports.send import Report, send_report
from complaintd.runtime import Runtime


def add_report_commands(sub: argparse._SubParsersAction) -> None:
    """``digest (--print | --send) [--date D]`` and ``report monthly ... [--month M]``."""
    digest = sub.add_parser(
        "digest",
        help="the admins' daily digest",
        description="The daily digest of one day: new complaints by category and severity, "
        "open tickets by status and age, overdue and escalated contact sheets by department, "
        "SLA breaches and unkept promises, satisfaction, customers at risk, quarantined and "
        "failed mail - each line with its ticket numbers or message ids. The daemon mails it "
        "to [desk] admins at [schedule] digest_time; --send queues it now unless that day's "
        "digest was sent already.",
    )
    _add_output(digest)
    digest.add_argument(
        "--date", help="the day it covers, YYYY-MM-DD in the desk's time zone (default: yesterday)"
    )

    report = sub.add_parser(
        "report",
        help="the admins' monthly report",
        description="Reports to [desk] admins.",
    ).add_subparsers(dest="report_command", required=True, metavar="SUBCOMMAND")
    monthly = report.add_parser(
        "monthly",
        help="hot spots of one month against the month before, with charts",
        description="Complaints of one month against the month before by category, "
        "severity, cause, department and route; repeat complainants; time to first answer "
        "and to resolution per severity against the SLA; satisfaction per department; "
        "customers at risk; the worst-handled tickets. The daemon mails last month's to "
        "[desk] admins on the 1st at [schedule] digest_time.",
    )
    _add_output(monthly)
    monthly.add_argument("--month", help="YYYY-MM in the desk's time zone (default: last month)")


def _add_output(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--print", action="store_true", help="write the text version to stdout")
    what.add_argument("--send", action="store_true", help="mail it to [desk] admins now")


def digest(args: argparse.Namespace, runtime: Runtime) -> int:
    """Print or send the digest of ``--date`` (default: yesterday)."""
    from complaintd.reports.digest import build_digest

    now = runtime.clock.now()
    day = _parse_day(args.date) if args.date else default_day(now, runtime.config.desk.timezone)
    return _deliver(args, runtime, build_digest(runtime, day, now))


def report_monthly(args: argparse.Namespace, runtime: Runtime) -> int:
    """Print or send the monthly report of ``--month`` (default: last month)."""
    from complaintd.reports.monthly import build_monthly

    now = runtime.clock.now()
    zone = runtime.config.desk.timezone
    first = _parse_month(args.month) if args.month else default_month(now, zone)
    return _deliver(args, runtime, build_monthly(runtime, first, now))


def _parse_month(text: str) -> date:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise UsageError(f"--month: expected YYYY-MM, got {text!r}") from exc


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"--date: expected YYYY-MM-DD, got {text!r}") from exc


def _deliver(args: argparse.Namespace, runtime: Runtime, report: Report) -> int:
    """``--print``: the text to stdout; ``--send``: queue it once for its period and send."""
    if args.print:
        sys.stdout.write(report.mail.text)
        return 0
    from complaintd.cli.commands import _flush_and_report

    outbox = send_report(runtime, report, runtime.clock.now())
    if outbox is None:
        print(
            f"{report.kind} {report.period}: sent already (see outbox list); not sent again",
            file=sys.stderr,
        )
        return 0
    if not outbox:
        print(
            f"{report.kind} {report.period}: [desk] admins is empty; nothing sent", file=sys.stderr
        )
        return 0
    print(f"{report.kind} {report.period}: queued as outbox {outbox}", file=sys.stderr)
    return _flush_and_report(runtime)
