"""The admins' reports as timed jobs: the daily digest and the monthly report.

The digest of yesterday is due from ``[schedule] digest_time``; the report of last month
from ``digest_time`` on the 1st (for a few days, should the desk be down on the 1st).
Each is claimed once per period in the transaction of its outbox row
(:mod:`complaintd.reports.send`): ``run``'s every tick and any number of ``once`` passes
send it once.  The cheap "sent already?" read comes first, so a tick after the report
went out costs one indexed query.
"""

from __future__ import annotations

from datetime import datetime

import peewee

from complaintd.reports.period import day_period, digest_due, month_period, monthly_due
from complaintd.reports.send import send_report, sent_already
from complaintd.runtime import Runtime
from complaintd.store.mail_kind import ReportKind
from complaintd.store.models import SchemaMigration


def ledger_started() -> datetime | None:
    """When the ledger was created (its first migration), by the clock of that time."""
    started = SchemaMigration.select(peewee.fn.MIN(SchemaMigration.applied_at)).scalar()
    return SchemaMigration.applied_at.python_value(started) if started else None


def in_use_before(end: datetime) -> bool:
    """Whether the ledger existed before ``end``: a new desk mails no report about a day
    or month before it was set up."""
    started = ledger_started()
    return started is not None and started < end


def daily_digest(runtime: Runtime, now: datetime) -> int:
    """Mail yesterday's digest to the admins once ``digest_time`` has come; 1 when queued
    (0 also when there are no admins: the day is taken all the same)."""
    config = runtime.config
    day = digest_due(now, config.desk.timezone, config.schedule.digest_time)
    if day is None or sent_already(ReportKind.DIGEST, day.isoformat()) is not None:
        return 0
    if not in_use_before(day_period(day, config.desk.timezone).end):
        return 0
    from complaintd.reports.digest import build_digest  # charts (Pillow): only when due

    return 1 if send_report(runtime, build_digest(runtime, day, now), now) else 0


def monthly_report(runtime: Runtime, now: datetime) -> int:
    """Mail last month's report to the admins from ``digest_time`` on the 1st; 1 when sent."""
    config = runtime.config
    first = monthly_due(now, config.desk.timezone, config.schedule.digest_time)
    if first is None or sent_already(ReportKind.MONTHLY_REPORT, f"{first:%Y-%m}") is not None:
        return 0
    if not in_use_before(month_period(first, config.desk.timezone).end):
        return 0
    from complaintd.reports.monthly import build_monthly  # charts (Pillow): only when due

    return 1 if send_report(runtime, build_monthly(runtime, first, now), now) else 0
