"""Chasing contact sheets: reminders past the due time, then one escalation.

A sheet past its due time is ``overdue``.  Within business hours it gets a reminder
(``chaser``) - the first at its due time, then one every ``chase_every_hours`` (business
hours with ``[calendar]``) after the previous one - and after ``escalate_after_reminders``
reminders, one escalation to the department's manager (``escalated``), after which the
department gets no more reminders.

Each reminder carries the original sheet's form and the case with its files, is threaded
under the sheet mail and has the sheet's own reply token (scope ``s<id>``), so answering
a reminder answers the sheet.  An answer stops the chase at once: the step re-reads the
sheet in its own transaction, and the answer withdraws a reminder still waiting in the
outbox (:func:`complaintd.jobs.steps.withdraw_mail`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from complaintd.jobs.due import business_calendar, due_after
from complaintd.jobs.steps import StepKey, claim_step, note_mail, take_each
from complaintd.outbox.queue import QueuedMail
from complaintd.render import cause_choices
from complaintd.render.contexts import ChaserMail, EscalationMail
from complaintd.runtime import Runtime
from complaintd.store.event_action import EventAction
from complaintd.store.models import ContactSheet, Outbox, Ticket
from complaintd.store.prepared import execute
from complaintd.store.records import record_event
from complaintd.store.sheet_status import SheetStatus
from complaintd.workflow.departments import department_by_key
from complaintd.workflow.internal import department_context, internal_context, sheet_context
from complaintd.workflow.mail import complaint_files, queue_mail, scoped_reply_address

CHASER, ESCALATION = "chaser", "escalation"


def next_chase_step(reminders: int, escalate_after: int) -> tuple[str, int]:
    """The step an overdue sheet with ``reminders`` sent is due for, and its ordinal (pure)."""
    if reminders < escalate_after:
        return CHASER, reminders + 1
    return ESCALATION, 1


def chase_sheets(runtime: Runtime, now: datetime) -> int:
    """Mark sheets overdue; within business hours send every reminder and escalation due."""
    database = runtime.database
    overdue = _newly_overdue(now)
    take_each(database, ContactSheet, overdue, lambda s: _mark_overdue(s, now), "sheet")
    if not business_calendar(runtime.config).is_business_time(now):
        return 0
    due = _chase_due(now)
    chase = partial(_chase, runtime, now=now)
    return take_each(database, ContactSheet, due, chase, "sheet", joined=Ticket)


def _newly_overdue(now: datetime) -> list[int]:
    """Open sheets past their due time (index contact_sheet(status, due_at))."""
    query = ContactSheet.select(ContactSheet.id).where(
        (ContactSheet.status == SheetStatus.OPEN) & (ContactSheet.due_at <= now)
    )
    return [row.id for row in query.order_by(ContactSheet.due_at, ContactSheet.id)]


def _chase_due(now: datetime) -> list[int]:
    """Overdue sheets whose next step is due (index contact_sheet(status, next_chase_at))."""
    query = ContactSheet.select(ContactSheet.id).where(
        (ContactSheet.status == SheetStatus.OVERDUE) & (ContactSheet.next_chase_at <= now)
    )
    return [row.id for row in query.order_by(ContactSheet.next_chase_at, ContactSheet.id)]


def _mark_overdue(sheet: ContactSheet, now: datetime) -> int:
    """``open`` -> ``overdue``, its first reminder due at the sheet's due time."""
    if sheet.status != SheetStatus.OPEN or sheet.due_at > now:
        return 0
    sheet.status, sheet.next_chase_at = SheetStatus.OVERDUE, sheet.due_at
    sheet.save()
    record_event(
        now,
        "system",
        EventAction.SHEET_OVERDUE,
        ticket=sheet.ticket_id,
        department=sheet.department,
        due_at=sheet.due_at.isoformat(),
    )
    return 0


def _chase(runtime: Runtime, sheet: ContactSheet, now: datetime) -> int:
    """Take the sheet's next step (``sheet`` re-read in the step's transaction); 1 when
    a mail was queued."""
    if sheet.status != SheetStatus.OVERDUE or not sheet.next_chase_at:
        return 0  # answered or cancelled since the query: the chase stops here
    if sheet.next_chase_at > now:
        return 0
    step, ordinal = next_chase_step(
        sheet.reminders, runtime.config.schedule.escalate_after_reminders
    )
    step_id = claim_step(
        StepKey("sheet", sheet.id, step, ordinal), sheet.ticket_id, sheet.next_chase_at, now
    )
    if step_id is None:
        return 0  # another pass or instance took it
    ticket = sheet.ticket  # read with the sheet (take_each's joined)
    take = _remind if step == CHASER else _escalate
    row = take(runtime, sheet, ticket, now)
    note_mail(step_id, row.id if row else None)
    return 1


def _remind(
    runtime: Runtime, sheet: ContactSheet, ticket: Ticket, now: datetime
) -> QueuedMail | None:
    """Reminder number ``reminders + 1`` to the department; the next one scheduled."""
    sheet.reminders += 1
    sheet.last_reminder_at = now
    sheet.next_chase_at = due_after(runtime.config, now, runtime.config.schedule.chase_every_hours)
    sheet.save()
    department = department_by_key(runtime, sheet.department)
    record_event(
        now,
        "system",
        EventAction.SHEET_REMINDED,
        ticket=sheet.ticket_id,
        department=sheet.department,
        reminder=sheet.reminders,
        next_at=sheet.next_chase_at.isoformat(),
    )
    facts = department_context(department), sheet_context(runtime, sheet)
    chaser = ChaserMail(department=facts[0], sheet=facts[1], causes=cause_choices())
    return _send(runtime, sheet, ticket, chaser, department.emails, now)


def _escalate(
    runtime: Runtime, sheet: ContactSheet, ticket: Ticket, now: datetime
) -> QueuedMail | None:
    """The one escalation to the department's manager (the admins when it has none)."""
    sheet.status, sheet.next_chase_at = SheetStatus.ESCALATED, None
    sheet.save()
    department = department_by_key(runtime, sheet.department)
    recipients = [department.manager] if department.manager else list(runtime.config.desk.admins)
    record_event(
        now,
        "system",
        EventAction.SHEET_ESCALATED,
        ticket=sheet.ticket_id,
        department=sheet.department,
        reminders=sheet.reminders,
        to=recipients,
        manager=department.manager,
    )
    escalation = EscalationMail(
        department=department_context(department),
        sheet=sheet_context(runtime, sheet),
        reminders=sheet.reminders,
    )
    return _send(runtime, sheet, ticket, escalation, recipients, now)


def _send(
    runtime: Runtime,
    sheet: ContactSheet,
    ticket: Ticket,
    content: ChaserMail | EscalationMail,
    to: Sequence[str],
    now: datetime,
) -> QueuedMail | None:
    """Queue ``content`` about ``sheet``: its case and files, its token, in its thread."""
    if not to:
        record_event(
            now,
            "system",
            EventAction.MAIL_NOT_SENT,
            ticket=sheet.ticket_id,
            kind=content.kind,
            reason="nobody to send it to",
        )
        return None
    return queue_mail(
        runtime,
        ticket,
        content,
        to=to,
        language=runtime.config.desk.default_language,
        context=internal_context(runtime, ticket),
        reply_to=scoped_reply_address(runtime, ticket, f"s{sheet.id}"),
        thread=_sheet_thread(sheet),
        now=now,
        attachments=complaint_files(ticket),
        contact_sheet_id=sheet.id,
        subject_scope=f"s{sheet.id}",
    )


def _sheet_thread(sheet: ContactSheet) -> tuple[str | None, list[str]]:
    """Under the original sheet mail, after the reminders already sent about it."""
    earlier = execute(
        Outbox,
        'SELECT o."message_id" FROM "timed_step" AS s JOIN "outbox" AS o ON o."id" = s."outbox_id"'
        ' WHERE s."subject" = \'sheet\' AND s."subject_id" = ? ORDER BY s."id"',
        (sheet.id,),
    )
    ids = [row[0] for row in earlier]
    if sheet.message_id:
        ids.insert(0, sheet.message_id)
    return (ids[-1], ids[:-1]) if ids else (None, [])
