"""A report to the admins, rendered and put in the outbox once per period.

The period's key (kind, period) is inserted into ``report_mail`` in the transaction of
the outbox row (``INSERT ... ON CONFLICT DO NOTHING``): a repeated pass, a restarted one
or a second instance finds the key taken and queues nothing - the same mechanism as
every timed mail (:mod:`complaintd.jobs.steps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from complaintd.outbox.compose import OutgoingMail, address_domain, new_message_id
from complaintd.outbox.queue import enqueue
from complaintd.render.contexts import ReportContent
from complaintd.render.templates import RenderedMail
from complaintd.runtime import Runtime
from complaintd.store.mail_kind import ReportKind
from complaintd.store.prepared import execute, insert_row
from complaintd.store.reports import ReportMail
from complaintd.workflow.mail import desk_name

if TYPE_CHECKING:  # drawing charts needs Pillow: imported when a report is built
    from complaintd.reports.charts import Chart


@dataclass(frozen=True)
class Report:
    """A rendered report and its charts, ready to mail."""

    kind: ReportKind
    period: str  # YYYY-MM-DD or YYYY-MM
    mail: RenderedMail
    charts: tuple[Chart, ...]


def render_report(runtime: Runtime, content: ReportContent, language: str) -> RenderedMail:
    """``content`` rendered with the desk named in ``language``."""
    desk = runtime.config.desk
    values = {
        "language": language,
        "desk": {"name": desk_name(desk, language), "address": desk.address},
        **content.values(),
    }
    return runtime.templates.render(content.kind, language, values)


def sent_already(kind: ReportKind, period: str) -> int | None:
    """The ``report_mail`` row of the period's report when it was taken, else None."""
    row = (
        ReportMail.select(ReportMail.id)
        .where((ReportMail.kind == kind) & (ReportMail.period == period))
        .first()
    )
    return row.id if row else None


def send_report(runtime: Runtime, report: Report, now: datetime) -> int | None:
    """Queue ``report`` to the admins unless its period was taken; the outbox id (0 when
    there are no admins to send to), or None when it had been sent already."""
    config = runtime.config
    with runtime.database.atomic():
        taken = insert_row(
            ReportMail,
            {"kind": report.kind, "period": report.period, "taken_at": now},
            ignore=True,
        )
        if taken is None:
            return None
        if not config.desk.admins:
            return 0
        language = config.desk.default_language
        smtp = config.smtp
        mail = OutgoingMail(
            kind=report.kind,
            from_address=smtp.from_address,
            from_name=desk_name(config.desk, language),
            to=tuple(config.desk.admins),
            subject=report.mail.subject,
            text=report.mail.text,
            html=report.mail.html,
            message_id=new_message_id(address_domain(smtp.from_address)),
            date=now.astimezone(config.desk.timezone),
            inline_images=tuple((c.cid, c.filename, c.png) for c in report.charts),
        )
        row = enqueue(
            mail,
            ticket=None,
            envelope_from=smtp.from_address,
            at=now,
            deadline=timedelta(hours=smtp.retry_deadline_hours),
        )
        execute(
            ReportMail,
            'UPDATE "report_mail" SET "outbox_id" = ? WHERE "id" = ?',
            (row.id, taken),
        )
        return int(row.id)
