"""The ledger of timed work (migration 8): steps taken, job runs, surveys, customers at risk.

A timed mail is sent at most once because its step is a row here under a unique key
(subject, subject id, step, ordinal), inserted in the same transaction as its outbox row:
a second pass, a restarted one or another instance finds the key taken and sends nothing.
"""

from __future__ import annotations

import peewee

from complaintd.store.fields import JsonField, MailKeyField, MailTextField, UtcDateTimeField
from complaintd.store.models import BaseModel, Ticket

TICKET_STEPS = "ticket"  # the timed-step subject of a ticket's progress updates
SURVEY_STEPS = "survey"  # the timed-step subject of survey mail


class TimedStep(BaseModel):
    """One timed step taken (a chaser, an escalation, a progress update, a survey ...)."""

    id = peewee.AutoField()
    subject = peewee.CharField()  # ticket | sheet | survey
    subject_id = peewee.IntegerField()
    step = peewee.CharField()  # chaser | escalation | progress_update | survey | ...
    ordinal = peewee.IntegerField()  # 1, 2, ... for steps that repeat
    ticket = peewee.ForeignKeyField(Ticket, backref="timed_steps", on_delete="CASCADE")
    ticket_id: int
    outbox_id = peewee.IntegerField(null=True)  # the mail it sent; null: a step without mail
    due_at = UtcDateTimeField()  # when the step fell due
    taken_at = UtcDateTimeField()  # the clock's now when it was taken

    class Meta:
        indexes = ((("subject", "subject_id", "step", "ordinal"), True),)


class JobRun(BaseModel):
    """The last run of each job (``complaintd status``)."""

    job = peewee.CharField(primary_key=True)
    last_run_at = UtcDateTimeField()  # the clock's now (``--now`` in simulations)
    finished_at = UtcDateTimeField()  # last_run_at plus what the run took (the clock's)
    duration_ms = peewee.FloatField()
    steps = peewee.IntegerField()  # steps taken by that run
    error = peewee.TextField(null=True)
    holder = peewee.CharField(null=True)  # host:pid of the instance that ran it


class Survey(BaseModel):
    """The follow-up of one closure of a ticket: survey, reminder, answer or expiry."""

    id = peewee.AutoField()
    ticket = peewee.ForeignKeyField(Ticket, backref="surveys", on_delete="CASCADE")
    ticket_id: int
    round = peewee.IntegerField()  # 1 for the first closure, 2 after a reopening, ...
    started_at = UtcDateTimeField()  # the desk closed the ticket (status follow_up)
    next_at = UtcDateTimeField(null=True, index=True)  # next step; null: finished
    sent_at = UtcDateTimeField(null=True)
    reminded_at = UtcDateTimeField(null=True)
    answered_at = UtcDateTimeField(null=True)
    expired_at = UtcDateTimeField(null=True)  # closed without an answer
    score = peewee.IntegerField(null=True)  # 1-5
    comment = MailTextField(null=True)
    satisfied = peewee.BooleanField(null=True)  # an explicit verdict, with or without score

    class Meta:
        indexes = ((("ticket", "round"), True),)


class CustomerRisk(BaseModel):
    """A customer who complained again and again and then left a survey unanswered."""

    email = MailKeyField(primary_key=True)  # as Ticket.customer_email stores it
    flagged_at = UtcDateTimeField()
    ticket = peewee.ForeignKeyField(Ticket, backref="risks", on_delete="CASCADE")
    ticket_id: int
    tickets = JsonField(default=list)  # the complaints counted, by number
    cleared_at = UtcDateTimeField(null=True)
    cleared_by = peewee.TextField(null=True)  # what cleared it


TIMED_MODELS: tuple[type[BaseModel], ...] = (TimedStep, JobRun, Survey, CustomerRisk)
