"""Contact sheets (工作联系单): dispatch to departments, answers by email, completion.

A department may answer only from one of its ``emails`` (or its manager's address);
an answer from anyone else is never applied: it is recorded as a rejected attempt and
the admins and agents are told.

An incomplete answer is kept on the sheet (``partial_answer``) and the department is
asked, in its own language, for what is missing, with what it wrote already filled in;
its next reply on the sheet is merged with it.  A ticket that is closed or found invalid
cancels its open sheets (each department is told once, and nobody chases them); a
severity raised later tightens the open sheets' due times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from complaintd.config.model import DepartmentConfig
from complaintd.errors import UsageError
from complaintd.jobs.due import due_after
from complaintd.jobs.steps import withdraw_mail
from complaintd.render import cause_choices, cause_label, resolve_language
from complaintd.render.contexts import (
    AgentAnswersMail,
    AnswerFacts,
    AnswerIncompleteMail,
    ContactSheetMail,
    DepartmentAnswerMail,
    SheetCancelledMail,
)
from complaintd.runtime import Runtime
from complaintd.staff_replies import DepartmentAnswer, describe_issue, form_prefill, merged_answer
from complaintd.store.event_action import EventAction
from complaintd.store.models import ContactSheet, Message, Ticket
from complaintd.store.prepared import create
from complaintd.store.queries import has_open_sheet
from complaintd.store.records import add_participant, record_event
from complaintd.store.sheet_status import OPEN_SHEET_STATUSES, SheetStatus
from complaintd.store.ticket_status import TicketStatus
from complaintd.workflow.internal import (
    agent_recipients,
    department_context,
    send_internal,
    sheet_context,
)
from complaintd.workflow.mail import complaint_files
from complaintd.workflow.status import require_open, transition

ANSWER_FIELDS = ("finding", "cause", "responsible", "solution", "note")


class UnknownDepartment(UsageError):
    """No department ``key`` is configured; ``known`` are the keys that are."""

    def __init__(self, key: str, known: tuple[str, ...]) -> None:
        super().__init__(f"no department {key!r} (known: {', '.join(known) or 'none configured'})")
        self.key = key
        self.known = known


def department_by_key(runtime: Runtime, key: str) -> DepartmentConfig:
    """The configured department ``key``; a clear error when there is none."""
    for department in runtime.config.departments:
        if department.key == key:
            return department
    raise UnknownDepartment(key, tuple(d.key for d in runtime.config.departments))


def may_answer(department: DepartmentConfig, sender: str | None) -> bool:
    """Only the department's own addresses and its manager answer its sheets."""
    return sender is not None and (sender in department.emails or sender == department.manager)


def dispatch_sheets(
    runtime: Runtime, ticket: Ticket, keys: tuple[str, ...], actor: str, now: datetime
) -> list[ContactSheet]:
    """Send a contact sheet to each department in ``keys`` that has none open yet; a
    ticket that is not open is refused (:class:`NotOpen`): it has to be reopened first,
    or its sheets would be chased while it stays closed."""
    require_open(ticket, "reopen it before sending contact sheets")
    sheets = []
    for key in keys:
        department = department_by_key(runtime, key)
        if not has_open_sheet(ticket.id, key):
            sheets.append(_send_sheet(runtime, ticket, department, actor, now))
    if sheets and ticket.status == TicketStatus.RECEIVED:
        transition(
            ticket, TicketStatus.INVESTIGATING, actor, now, reason="contact sheets dispatched"
        )
    return sheets


def _send_sheet(
    runtime: Runtime, ticket: Ticket, department: DepartmentConfig, actor: str, now: datetime
) -> ContactSheet:
    hours = runtime.config.sla[ticket.severity].department_reply_hours
    sheet = create(
        ContactSheet,
        ticket=ticket,
        department=department.key,
        due_at=due_after(runtime.config, now, hours),
        created_at=now,
    )
    for address in (*department.emails, department.manager):
        if address:
            add_participant(ticket, address, "department")
    mail = ContactSheetMail(
        department=department_context(department),
        sheet=sheet_context(runtime, sheet),
        causes=cause_choices(),
    )
    row = send_internal(
        runtime,
        ticket,
        mail,
        department.emails,
        now=now,
        scope=f"s{sheet.id}",
        actor=actor,
        attachments=complaint_files(ticket),
        contact_sheet_id=sheet.id,
    )
    sheet.message_id = row.message_id if row else None
    sheet.save()
    record_event(
        now,
        actor,
        EventAction.SHEET_DISPATCHED,
        ticket=ticket,
        department=department.key,
        due_at=sheet.due_at.isoformat(),
    )
    return sheet


def sheet_for_message(ticket_sheet_ids: list[int], references: list[str]) -> ContactSheet | None:
    """The sheet a department mail answers: by its token's scope, else by References."""
    for sheet_id in ticket_sheet_ids:
        sheet = ContactSheet.get_or_none(ContactSheet.id == sheet_id)
        if sheet is not None:
            return sheet
    if not references:
        return None
    row = (
        Message.select(Message.contact_sheet_id)
        .where(Message.message_id.in_(references) & Message.contact_sheet_id.is_null(False))
        .first()
    )
    return ContactSheet.get_or_none(ContactSheet.id == row.contact_sheet_id) if row else None


def answer_document(answer: DepartmentAnswer, sender: str, now: datetime) -> dict[str, Any]:
    """The answer as stored on the sheet and shown by ``tickets show``."""
    return {
        "finding": answer.finding,
        "cause": answer.cause,
        "responsible": answer.responsible,
        "solution": answer.solution,
        "note": answer.note,
        "by": sender,
        "at": now.isoformat(),
    }


def record_answer(
    runtime: Runtime,
    sheet: ContactSheet,
    answer: DepartmentAnswer,
    sender: str,
    now: datetime,
    basis: dict[str, str] | None = None,
) -> bool:
    """Apply a department's answer, merged with what it wrote before on this sheet.

    False (the sheet stays open, the department is asked for the rest) while the merged
    form is incomplete.  ``basis`` (token scope, authentication verdict) goes into the
    audit event.
    """
    answer = merged_answer(earlier_values(sheet), answer)
    if not answer.complete:
        _keep_partial_answer(runtime, sheet, answer, sender, now)
        return False
    cancelled = sheet.status == SheetStatus.CANCELLED
    if not cancelled:
        sheet.status, sheet.answered_at = SheetStatus.ANSWERED, now
        withdraw_mail("sheet", sheet.id, "the department answered the sheet first")
    sheet.answer = answer_document(answer, sender, now)
    sheet.partial_answer = None
    sheet.save()
    record_event(
        now,
        sender,
        (
            EventAction.DEPARTMENT_ANSWERED_AFTER_CANCEL
            if cancelled
            else EventAction.DEPARTMENT_ANSWERED
        ),
        ticket=sheet.ticket,
        department=sheet.department,
        answer=sheet.answer,
        basis=basis or {},
    )
    _tell_agents_of_answer(runtime, sheet, now)
    if not cancelled and not open_sheets(sheet.ticket):
        _tell_agents_all_answered(runtime, sheet.ticket, now)
    return True


def earlier_values(sheet: ContactSheet) -> dict[str, str]:
    """What the department has written on ``sheet`` before: the incomplete answer kept,
    else the recorded answer (so a correction of one field keeps the others)."""
    if sheet.partial_answer:
        return dict(sheet.partial_answer)
    recorded = sheet.answer or {}
    return {name: str(recorded[name]) for name in ANSWER_FIELDS if recorded.get(name)}


def open_sheets(ticket: Ticket) -> list[ContactSheet]:
    """The ticket's sheets still waiting for an answer, oldest first."""
    query = ContactSheet.select().where(
        (ContactSheet.ticket == ticket) & ContactSheet.status.in_(OPEN_SHEET_STATUSES)
    )
    return list(query.order_by(ContactSheet.id))


def _keep_partial_answer(
    runtime: Runtime, sheet: ContactSheet, answer: DepartmentAnswer, sender: str, now: datetime
) -> None:
    """Store what the department wrote so far and ask it for the rest."""
    sheet.partial_answer = dict(answer.values)
    sheet.save()
    record_event(
        now,
        sender,
        EventAction.DEPARTMENT_ANSWER_INCOMPLETE,
        ticket=sheet.ticket,
        department=sheet.department,
        problems=list(answer.problems),
        values=dict(answer.values),
    )
    _ask_for_the_rest(runtime, sheet, answer, sender, now)


def _ask_for_the_rest(
    runtime: Runtime, sheet: ContactSheet, answer: DepartmentAnswer, sender: str, now: datetime
) -> None:
    """Tell whoever answered what the form lacks, in the department's language, with
    the form pre-filled; their reply threads back to the sheet."""
    language = resolve_language(runtime.config.desk.default_language)
    mail = AnswerIncompleteMail(
        department=department_context(department_by_key(runtime, sheet.department)),
        sheet=sheet_context(runtime, sheet),
        causes=cause_choices(),
        problems=[describe_issue(issue, language) for issue in answer.issues],
        filled=form_prefill(answer, language),
    )
    send_internal(
        runtime,
        sheet.ticket,
        mail,
        [sender],
        now=now,
        scope=f"s{sheet.id}",
        contact_sheet_id=sheet.id,
    )


# --- the ticket moves on without the sheets -----------------------------------------------


def cancel_open_sheets(
    runtime: Runtime,
    ticket: Ticket,
    because: Literal[TicketStatus.CLOSED, TicketStatus.INVALID],
    explanation: str,
    actor: str,
    now: datetime,
) -> list[ContactSheet]:
    """Cancel the ticket's open sheets (``because``: ``CLOSED`` or ``INVALID``).

    Each department is told once, with ``explanation`` (the resolution or the reason);
    the manager too when the sheet had been escalated to them.  Chasers look at open
    sheets only, so a cancelled sheet is never chased again.
    """
    sheets = open_sheets(ticket)
    for sheet in sheets:
        was_escalated = sheet.status == SheetStatus.ESCALATED
        sheet.status = SheetStatus.CANCELLED
        withdraw_mail("sheet", sheet.id, f"the ticket was {because} first")
        sheet.save()
        record_event(
            now,
            actor,
            EventAction.SHEET_CANCELLED,
            ticket=ticket,
            department=sheet.department,
            because=because,
        )
        department = department_by_key(runtime, sheet.department)
        manager = (department.manager,) if was_escalated and department.manager else ()
        mail = SheetCancelledMail(
            department=department_context(department),
            sheet=sheet_context(runtime, sheet),
            cancelled_because=because,
            explanation=explanation,
        )
        send_internal(
            runtime,
            ticket,
            mail,
            (*department.emails, *manager),
            now=now,
            scope=f"s{sheet.id}",
            actor=actor,
            contact_sheet_id=sheet.id,
        )
    return sheets


def tighten_sheet_due_times(
    runtime: Runtime, ticket: Ticket, actor: str, now: datetime
) -> list[ContactSheet]:
    """Bring the open sheets' due times forward to the ticket's (new) severity.

    Counted from ``now``, the moment the severity changed; a due time is only ever made
    earlier, never pushed back.  Returns the sheets changed.
    """
    hours = runtime.config.sla[ticket.severity].department_reply_hours
    due = due_after(runtime.config, now, hours)
    changed = [sheet for sheet in open_sheets(ticket) if due < sheet.due_at]
    for sheet in changed:
        previous, sheet.due_at = sheet.due_at, due
        sheet.save()
        record_event(
            now,
            actor,
            EventAction.SHEET_DUE_TIGHTENED,
            ticket=ticket,
            department=sheet.department,
            previous=previous.isoformat(),
            due_at=due.isoformat(),
        )
    return changed


def answer_context(runtime: Runtime, sheet: ContactSheet) -> AnswerFacts:
    """One answer as the agent templates show it."""
    answer = sheet.answer or {}
    language = runtime.config.desk.default_language
    cause = answer.get("cause")
    return {
        "department": department_by_key(runtime, sheet.department).name,
        "finding": answer.get("finding"),
        "cause_label": cause_label(cause, language) if cause else None,
        "responsible": answer.get("responsible"),
        "solution": answer.get("solution"),
        "note": answer.get("note"),
    }


def _tell_agents_of_answer(runtime: Runtime, sheet: ContactSheet, now: datetime) -> None:
    ticket = sheet.ticket
    still_open = [department_by_key(runtime, s.department).name for s in open_sheets(ticket)]
    mail = DepartmentAnswerMail(
        department=department_context(department_by_key(runtime, sheet.department)),
        answer=answer_context(runtime, sheet),
        open_sheets=still_open,
    )
    send_internal(runtime, ticket, mail, agent_recipients(runtime, ticket), now=now)


def _tell_agents_all_answered(runtime: Runtime, ticket: Ticket, now: datetime) -> None:
    """Every sheet answered: ask to confirm invalid, or hand over a suggested solution."""
    sheets = list(
        ContactSheet.select().where(ContactSheet.ticket == ticket).order_by(ContactSheet.id)
    )
    answers = [answer_context(runtime, s) for s in sheets if s.status == SheetStatus.ANSWERED]
    all_invalid = bool(answers) and all(a["finding"] == "invalid" for a in answers)
    suggestion = suggested_solution(answers)
    record_event(
        now, "system", EventAction.ALL_DEPARTMENTS_ANSWERED, ticket=ticket, all_invalid=all_invalid
    )
    mail = AgentAnswersMail(answers=answers, all_invalid=all_invalid, suggested_solution=suggestion)
    send_internal(runtime, ticket, mail, agent_recipients(runtime, ticket), now=now)


def suggested_solution(answers: list[AnswerFacts]) -> str:
    """The departments' proposed solutions of valid findings, one per line (pure)."""
    lines = [a["solution"] for a in answers if a["finding"] == "valid"]
    return "\n".join(dict.fromkeys(line for line in lines if line))
