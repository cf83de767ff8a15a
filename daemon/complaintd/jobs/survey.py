"""Follow-up: the satisfaction survey, its one reminder, the answer, and closing.

The desk closes a ticket (``follow_up``, :func:`start_follow_up`); ``survey_after_days``
later the customer gets the survey - one ``mailto:`` link per score, which a security
scanner cannot "click" the way it follows web links - and, unanswered,
``survey_reminder_days`` after that one reminder; as long again without an answer and
the ticket is ``closed`` (and the customer may be at risk, :mod:`complaintd.jobs.at_risk`).
Mail goes out within business hours only; days are calendar days.

An answer (:func:`record_survey_answer`, routed here by the one routing decision) is
recorded with its score and comment; a score of 1-2 or an explicit "not satisfied"
reopens the ticket to ``investigating`` and alerts the agents, any other answer closes it.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from complaintd.jobs.at_risk import clear_at_risk, flag_if_at_risk
from complaintd.jobs.due import business_calendar
from complaintd.jobs.steps import StepKey, claim_step, locked, note_mail, take_each, withdraw_mail
from complaintd.jobs.survey_plan import EXPIRY, SURVEY, SurveyStep, next_survey_step
from complaintd.jobs.survey_reply import SurveyAnswer
from complaintd.parse.model import ParsedMessage
from complaintd.render.contexts import (
    ReopenedMail,
    ScoreLink,
    SurveyAlertMail,
    SurveyMail,
    SurveyReminderMail,
)
from complaintd.runtime import Runtime
from complaintd.staff_replies import known_line_key
from complaintd.store.event_action import EventAction
from complaintd.store.models import Message, Ticket
from complaintd.store.records import record_event
from complaintd.store.ticket_status import TicketStatus
from complaintd.store.timed import SURVEY_STEPS, Survey
from complaintd.workflow.customer import customer_reply_address, excerpt, send_to_customer
from complaintd.workflow.internal import agent_recipients, send_internal
from complaintd.workflow.mail import desk_lines, format_local
from complaintd.workflow.reopen import reopen_ticket
from complaintd.workflow.status import transition

SCORES = (5, 4, 3, 2, 1)


def follow_up_surveys(runtime: Runtime, now: datetime) -> int:
    """Every survey step due at ``now`` (mail only within business hours)."""
    query = Survey.select(Survey.id).where(Survey.next_at <= now).order_by(Survey.next_at)
    ids = [row.id for row in query]
    return take_each(
        runtime.database, Survey, ids, lambda s: _survey_step(runtime, s, now), "survey"
    )


def _survey_step(runtime: Runtime, survey: Survey, now: datetime) -> int:
    """Take the survey's next step (``survey`` re-read in the step's transaction); 1
    when one was taken."""
    ticket = locked(Ticket, survey.ticket_id)
    step = next_survey_step(survey, runtime.config.schedule)
    if ticket is None or ticket.status != TicketStatus.FOLLOW_UP or step is None:
        survey.next_at = None  # answered, reopened or closed by hand: nothing more to do
        survey.save()
        return 0
    not_before = _not_before(runtime, step, now)
    if not_before > now:
        survey.next_at = not_before
        survey.save()
        return 0
    step_id = claim_step(StepKey(SURVEY_STEPS, survey.id, step.step), ticket.id, step.due_at, now)
    if step_id is None:
        return 0
    _take(runtime, survey, ticket, step, step_id, now)
    return 1


def _not_before(runtime: Runtime, step: SurveyStep, now: datetime) -> datetime:
    """When ``step`` may be taken: its due time, and for mail the next business hour."""
    if step.due_at > now or not step.sends_mail:
        return step.due_at
    return business_calendar(runtime.config).next_business_time(now)


def _take(
    runtime: Runtime, survey: Survey, ticket: Ticket, step: SurveyStep, step_id: int, now: datetime
) -> None:
    """Send the survey or its reminder, or let it expire; schedule what follows."""
    if step.step == EXPIRY or not ticket.customer_email:
        _expire(runtime, survey, ticket, now)
        return
    if step.step == SURVEY:
        survey.sent_at = now
    else:
        survey.reminded_at = now
    mail = SurveyMail if step.step == SURVEY else SurveyReminderMail
    address = customer_reply_address(runtime, ticket)
    content = mail(
        closed_at=format_local(survey.started_at, runtime),
        sent_at=format_local(survey.sent_at, runtime),
        scores=score_links(address, ticket.number, ticket.language),
    )
    row = send_to_customer(runtime, ticket, content, now=now)
    action = EventAction.SURVEY_SENT if step.step == SURVEY else EventAction.SURVEY_REMINDER_SENT
    record_event(now, "system", action, ticket=ticket, round=survey.round)
    following = next_survey_step(survey, runtime.config.schedule)
    survey.next_at = following.due_at if following else None
    survey.save()
    note_mail(step_id, row.id if row else None)


def _expire(runtime: Runtime, survey: Survey, ticket: Ticket, now: datetime) -> None:
    """No answer (or nobody to ask): the ticket is closed; the customer may be at risk."""
    survey.expired_at, survey.next_at = now, None
    survey.save()
    reason = "survey unanswered" if ticket.customer_email else "no address to send a survey to"
    transition(ticket, TicketStatus.CLOSED, "system", now, reason=reason)
    if survey.sent_at is not None:
        flag_if_at_risk(runtime.config.schedule, ticket, now)


_LABELS = {
    "zh-CN": {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"},
    "en": {
        5: "Very satisfied",
        4: "Satisfied",
        3: "Neutral",
        2: "Dissatisfied",
        1: "Very dissatisfied",
    },
}


def score_links(address: str, number: str, language: str) -> list[ScoreLink]:
    """One ``mailto:`` (RFC 6068) per score, 5 to 1, pre-filling a reply the parser reads."""
    labels = _LABELS["en" if language == "en" else "zh-CN"]
    return [
        {"score": score, "label": labels[score], "mailto": survey_mailto(address, number, score)}
        for score in SCORES
    ]


def survey_mailto(address: str, number: str, score: int) -> str:
    """A ``mailto:`` answering the survey of ``number`` with ``score``."""
    subject = f"[{number}] 评分 {score} / Score {score}"
    body = f"评分 / Score: {score}\n意见 / Comment: "
    return f"mailto:{address}?subject={quote(subject)}&body={quote(body)}"


# --- the customer answers ------------------------------------------------------------------


def own_words(ticket: Ticket, parsed: ParsedMessage) -> str:
    """The customer's reply without the lines of the desk's mail it answers (a client
    that pastes the original without quote markers leaves them in the reply text)."""
    probe = Message(in_reply_to=list(parsed.in_reply_to), references=list(parsed.references))
    known = desk_lines(ticket, probe)
    lines = parsed.reply_text.split("\n")
    return "\n".join(line for line in lines if known_line_key(line) not in known)


def record_survey_answer(
    runtime: Runtime, ticket: Ticket, message: Message, answer: SurveyAnswer, now: datetime
) -> str:
    """Record ``answer``; reopen and alert the agents when the customer is unhappy, close
    the ticket otherwise.  Returns what happened (for the intake result)."""
    survey = Survey.select().where(Survey.ticket == ticket).order_by(Survey.round.desc()).first()
    actor = message.from_addr or "customer"
    if survey is not None:
        survey.score, survey.comment, survey.satisfied = (
            answer.score,
            answer.comment or None,
            answer.satisfied,
        )
        survey.answered_at, survey.next_at = now, None
        survey.save()
        withdraw_mail(SURVEY_STEPS, survey.id, "the customer answered the survey first")
    record_event(
        now,
        actor,
        EventAction.SURVEY_ANSWERED,
        ticket=ticket,
        score=answer.score,
        satisfied=answer.satisfied,
        comment=answer.comment,
    )
    clear_at_risk(ticket.customer_email, ticket, "survey answer", now)
    if answer.unhappy:
        _reopen_unhappy(runtime, ticket, answer, message.body, actor, now)
        return f"survey answered ({answer.score}): reopened"
    if ticket.status == TicketStatus.FOLLOW_UP:
        transition(
            ticket, TicketStatus.CLOSED, actor, now, reason=f"survey answered ({answer.score})"
        )
    return f"survey answered ({answer.score})"


def _reopen_unhappy(
    runtime: Runtime, ticket: Ticket, answer: SurveyAnswer, text: str, actor: str, now: datetime
) -> None:
    """Back to ``investigating`` under a new promise; the customer and agents told."""
    score = f" ({answer.score})" if answer.score is not None else ""
    reopen_ticket(runtime, ticket, actor, now, f"survey: not satisfied{score}")
    reopened = ReopenedMail(text=excerpt(text))
    send_to_customer(runtime, ticket, reopened, now=now, auto_submitted="auto-replied")
    alert = SurveyAlertMail(score=answer.score, comment=answer.comment, customer=actor)
    send_internal(runtime, ticket, alert, agent_recipients(runtime, ticket), now=now)
