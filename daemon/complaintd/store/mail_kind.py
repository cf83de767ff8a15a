"""The kinds of mail the desk sends, as stored in ``outbox.kind`` and in ``message.kind``
of outgoing messages.

Each kind is one template triplet (``templates/<language>/<kind>.*``); what its
template is given is :mod:`complaintd.render.contexts`.
"""

from __future__ import annotations

from enum import StrEnum


class MailKind(StrEnum):
    """One kind of mail from the desk; the value names its templates and is stored."""

    # To the customer.
    ACK = "ack"
    REOPENED = "reopened"
    DESK_REOPENED = "desk_reopened"  # an agent or the CLI reopened a closed ticket
    INVALID = "invalid"
    REPLY = "reply"
    SOLUTION = "solution"
    AGREED = "agreed"
    OBJECTION = "objection"
    RESOLUTION = "resolution"
    PROGRESS_UPDATE = "progress_update"  # at the committed answer time, no solution yet
    SURVEY = "survey"
    SURVEY_REMINDER = "survey_reminder"
    # To departments, their managers, desk agents, the response lead, admins.
    CONTACT_SHEET = "contact_sheet"
    CHASER = "chaser"
    ESCALATION = "escalation"
    AGENT_NEW_TICKET = "agent_new_ticket"
    AGENT_ANSWERS = "agent_answers"
    DEPARTMENT_ANSWER = "department_answer"
    EMERGENCY = "emergency"
    REJECTED_ANSWER = "rejected_answer"
    ANSWER_INCOMPLETE = "answer_incomplete"
    SHEET_CANCELLED = "sheet_cancelled"
    AGENT_FORWARD = "agent_forward"
    AGENT_REFUSED = "agent_refused"
    REJECTED_ATTEMPT = "rejected_attempt"
    FLOOD = "flood"  # a sender whose new complaints came too fast
    SURVEY_ALERT = "survey_alert"  # an unhappy survey answer reopened the ticket


class ReportKind(StrEnum):
    """A report to the admins (``[desk] admins``): about the desk, not about one ticket.

    Its templates are ``templates/<language>/<kind>.*`` like every mail's; what they are
    given is :mod:`complaintd.reports.contexts`.
    """

    DIGEST = "digest"  # the daily digest, at digest_time, about yesterday
    MONTHLY_REPORT = "monthly_report"  # hot spots of last month, on the 1st
