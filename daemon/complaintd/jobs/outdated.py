"""Timed mail a status change makes wrong is withdrawn: the one place that decides it.

A timed mail is queued in the outbox by one pass and sent by a flush; in between, a
status change may make it wrong to send.  :func:`complaintd.workflow.status.transition`
calls :func:`withdraw_outdated_mail` on every status change, so whatever moves the
ticket (an agent's command, the command line, the customer's answer, the survey) -

* a progress update ("we are still working on it") is withdrawn once the ticket leaves
  ``received``/``investigating``: a solution was proposed, or the ticket was closed or
  found invalid, so the customer must not hear it was still being worked on;
* survey mail is withdrawn, and the survey rounds stop, once a closed ticket opens again
  (a reminder queued just before the customer's answer must not reach them after it).

Mail being sent at this moment stays (:func:`complaintd.jobs.steps.withdraw_mail`).
"""

from __future__ import annotations

from complaintd.jobs.steps import withdraw_mail
from complaintd.store.ticket_status import AWAITING_SOLUTION, OPEN_STATUSES, TicketStatus
from complaintd.store.timed import SURVEY_STEPS, TICKET_STEPS, Survey


def ends_progress_updates(previous: TicketStatus, target: TicketStatus) -> bool:
    """True when a progress update queued in ``previous`` is wrong in ``target`` (pure)."""
    return previous in AWAITING_SOLUTION and target not in AWAITING_SOLUTION


def ends_follow_up(previous: TicketStatus, target: TicketStatus) -> bool:
    """True when the survey of ``previous`` is over because the ticket is open again (pure)."""
    return previous not in OPEN_STATUSES and target in OPEN_STATUSES


def withdraw_outdated_mail(ticket_id: int, previous: TicketStatus, target: TicketStatus) -> int:
    """Withdraw the ticket's waiting timed mail that ``previous -> target`` makes wrong
    (in the caller's transaction); return how many mails were withdrawn."""
    withdrawn = 0
    if ends_progress_updates(previous, target):
        withdrawn += withdraw_mail(TICKET_STEPS, ticket_id, f"the ticket went to {target} first")
    if ends_follow_up(previous, target):
        withdrawn += end_follow_up(ticket_id, "the ticket was reopened")
    return withdrawn


def end_follow_up(ticket_id: int, reason: str) -> int:
    """Stop every survey round of the ticket and withdraw its survey mail still waiting
    in the outbox; return how many mails were withdrawn."""
    rounds = [row.id for row in Survey.select(Survey.id).where(Survey.ticket == ticket_id)]
    Survey.update(next_at=None).where(
        (Survey.ticket == ticket_id) & Survey.next_at.is_null(False)
    ).execute()
    return sum(withdraw_mail(SURVEY_STEPS, survey_id, reason) for survey_id in rounds)
