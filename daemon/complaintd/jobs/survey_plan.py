"""When a survey's steps fall due (pure apart from creating the round's row).

Kept apart from :mod:`complaintd.jobs.survey` so that closing a ticket
(:func:`complaintd.workflow.customer.close_ticket`) can start the follow-up without
importing the mail-sending side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from complaintd.config.model import ScheduleConfig
from complaintd.store.models import Ticket
from complaintd.store.ticket_status import TicketStatus
from complaintd.store.timed import Survey

SURVEY, REMINDER, EXPIRY = "survey", "survey_reminder", "survey_expired"


@dataclass(frozen=True)
class SurveyStep:
    """The step a survey is due for next, and when."""

    step: str  # survey | survey_reminder | survey_expired
    due_at: datetime
    sends_mail: bool


def next_survey_step(survey: Survey, schedule: ScheduleConfig) -> SurveyStep | None:
    """What comes next for ``survey`` (pure); None when it is answered or over."""
    if survey.answered_at or survey.expired_at:
        return None
    if survey.sent_at is None:
        return SurveyStep(SURVEY, survey.started_at + _days(schedule.survey_after_days), True)
    if survey.reminded_at is None:
        return SurveyStep(REMINDER, survey.sent_at + _days(schedule.survey_reminder_days), True)
    return SurveyStep(EXPIRY, survey.reminded_at + _days(schedule.survey_reminder_days), False)


def _days(days: float) -> timedelta:
    return timedelta(days=days)


def start_follow_up(schedule: ScheduleConfig, ticket: Ticket, now: datetime) -> Survey:
    """The desk closed ``ticket``: its survey round starts (called in that transaction)."""
    rounds = Survey.select().where(Survey.ticket == ticket).count()
    survey = Survey.create(ticket=ticket, round=rounds + 1, started_at=now, next_at=now)
    step = next_survey_step(survey, schedule)
    survey.next_at = step.due_at if step else None
    survey.save()
    return survey


def awaiting_answer(ticket_id: int, status: str) -> bool:
    """True when the ticket's latest survey was sent and is not answered yet."""
    if status not in (TicketStatus.FOLLOW_UP, TicketStatus.CLOSED):
        return False
    latest = Survey.select().where(Survey.ticket == ticket_id).order_by(Survey.round.desc()).first()
    return latest is not None and latest.sent_at is not None and latest.answered_at is None
