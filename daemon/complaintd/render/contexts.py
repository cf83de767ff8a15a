"""The context contract: what the templates of each kind of mail are given (pure).

Every template gets the mail's language, the desk and the ticket: mail to the customer
a :class:`CustomerContext`, internal mail (to departments, desk agents, the response
lead, admins) an :class:`InternalContext` with the whole case.  Beyond that a kind gets
the fields of its :class:`MailContent` class, and nothing else.

The workflow builds that object to send a mail, and :mod:`complaintd.render.samples`
builds one of each for ``complaintd check``, which renders every template with them
(undefined names raise).  So a key a template needs and nobody passes is a missing
field - a failure of mypy and the tests, not a hole in a customer's mail.

A *time* (:data:`Time`) is a :class:`~complaintd.render.times.LocalTime`, or ``"-"``
when there is none; the renderer writes every one in the language of the mail.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar, Literal, TypedDict

from complaintd.render.labels import CauseChoice
from complaintd.render.times import LocalTime
from complaintd.reports.digest_data import DigestData
from complaintd.reports.monthly_data import MonthlyData
from complaintd.store.mail_kind import MailKind, ReportKind
from complaintd.store.ticket_status import TicketStatus

Time = LocalTime | str


class DeskFacts(TypedDict):
    """The desk as a mail names it."""

    name: str  # in the mail's language
    address: str


class TicketFacts(TypedDict):
    """The ticket as the customer knows it."""

    number: str
    subject: str
    category: str
    severity: str
    status: str  # a TicketStatus
    waybills: list[str]
    order_numbers: list[str]
    attachments: list[str]  # the names of the files the customer sent
    customer_name: str | None
    created_at: Time
    due_at: Time  # the first answer promised to the customer


class CaseFacts(TicketFacts):
    """The ticket as staff need it: everything registered, the complaint in full."""

    customer_email: str | None
    customer_fax: str | None
    shipping_date: str | None
    goods: str | None
    quantity: str | None
    complaint_text: str  # the customer's complaint in full
    source: str  # "email" | "fax"
    # The desk's own answer target when a raised severity made it earlier than due_at.
    internal_due_at: Time | None


class CustomerContext(TypedDict):
    """What every template of mail to the customer gets."""

    language: str  # "zh-CN" | "en"; the renderer sets the language actually used
    desk: DeskFacts
    ticket: TicketFacts
    # The copy faxed to a fax customer: they answer by email to ``desk.address``, not by
    # replying (templates say so through ``_reply_how.txt``).
    reply_by_fax: bool


class InternalContext(TypedDict):
    """What every template of internal mail gets (in the desk's default language)."""

    language: str
    desk: DeskFacts
    ticket: CaseFacts


class DepartmentFacts(TypedDict):
    """A department as templates name it."""

    key: str
    name: str


class SheetFacts(TypedDict):
    """One contact sheet."""

    due_at: Time
    reminders: int  # in a chaser: the number of this reminder


class AnswerFacts(TypedDict):
    """A department's answer as the agents' mail shows it."""

    department: str  # the department's name
    finding: str | None  # "valid" | "invalid"
    cause_label: str | None
    responsible: str | None
    solution: str | None
    note: str | None


# A mail someone wrote about the ticket, forwarded to the agents ("from" is a keyword).
ForwardedMail = TypedDict(
    "ForwardedMail", {"from": str, "name": str, "text": str, "attachments": list[str]}
)


class ReplyOutcome(StrEnum):
    """What a forwarded mail did to the ticket (told to the agents)."""

    ADDED = "added"  # new information, the ticket stays where it is
    REOPENED = "reopened"
    AGREED = "agreed"
    DISAGREED = "disagreed"
    UNCLEAR = "unclear"  # an answer to a proposal that is neither yes nor no
    STAFF_NOTE = "staff_note"  # staff mail without the agent token: only a note


@dataclass(frozen=True, kw_only=True)
class MailContent:
    """What one kind of mail says beyond language, desk and ticket: its own keys."""

    kind: ClassVar[MailKind]

    def values(self) -> dict[str, Any]:
        """The fields as the template sees them (one key each)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True, kw_only=True)
class CustomerMail(MailContent):
    """Mail to the customer: its templates extend ``_base.*`` (a :class:`CustomerContext`)."""


@dataclass(frozen=True, kw_only=True)
class InternalMail(MailContent):
    """Mail to the desk's own people: templates extend ``_internal.*`` (an
    :class:`InternalContext`)."""


# --- to the customer ----------------------------------------------------------------------


class AckMail(CustomerMail):
    """The acknowledgement of a new complaint."""

    kind = MailKind.ACK


@dataclass(frozen=True, kw_only=True)
class LetterMail(CustomerMail):
    """A letter around one text (the desk's words, or the customer's quoted back)."""

    text: str


class ReopenedMail(LetterMail):
    """The customer wrote to a closed ticket (``text``: what they wrote)."""

    kind = MailKind.REOPENED


@dataclass(frozen=True, kw_only=True)
class DeskReopenedMail(CustomerMail):
    """The desk (an agent's ``#reopen``, ``tickets reopen``) reopened a closed ticket;
    ``ticket.due_at`` is the new committed answer time."""

    kind = MailKind.DESK_REOPENED
    reason: str  # the agent's reason as given; empty when they gave none


class ReplyMail(LetterMail):
    """The desk's own reply (``text``)."""

    kind = MailKind.REPLY


class AgreedMail(LetterMail):
    """The customer agreed to the solution (``text``: the solution)."""

    kind = MailKind.AGREED


class ObjectionMail(LetterMail):
    """The customer did not agree (``text``: their objection)."""

    kind = MailKind.OBJECTION


class ResolutionMail(LetterMail):
    """The desk closes the ticket (``text``: the resolution)."""

    kind = MailKind.RESOLUTION


@dataclass(frozen=True, kw_only=True)
class InvalidMail(CustomerMail):
    """Not a valid complaint, and why."""

    kind = MailKind.INVALID
    reason: str


@dataclass(frozen=True, kw_only=True)
class SolutionMail(CustomerMail):
    """A solution the customer is asked to agree to, with one-click answer links."""

    kind = MailKind.SOLUTION
    text: str
    agree_mailto: str
    disagree_mailto: str


# --- to departments -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SheetMail(InternalMail):
    """Mail about one contact sheet of one department."""

    department: DepartmentFacts
    sheet: SheetFacts


@dataclass(frozen=True, kw_only=True)
class FormMail(SheetMail):
    """Sheet mail with the reply form."""

    causes: list[CauseChoice]  # the six causes, in order


class ContactSheetMail(FormMail):
    """The work order to a department."""

    kind = MailKind.CONTACT_SHEET


class ChaserMail(FormMail):
    """A reminder of a sheet past its due time."""

    kind = MailKind.CHASER


@dataclass(frozen=True, kw_only=True)
class EscalationMail(SheetMail):
    """A sheet escalated to the department's manager."""

    kind = MailKind.ESCALATION
    reminders: int  # sent before escalating


@dataclass(frozen=True, kw_only=True)
class AnswerIncompleteMail(FormMail):
    """What an answer lacks, with the form pre-filled with what was written."""

    kind = MailKind.ANSWER_INCOMPLETE
    problems: list[str]  # what to put right, in the mail's language
    filled: dict[str, str]  # finding, cause, responsible, solution, note ("" = blank)


@dataclass(frozen=True, kw_only=True)
class SheetCancelledMail(SheetMail):
    """The ticket closed or was found invalid before the department answered."""

    kind = MailKind.SHEET_CANCELLED
    cancelled_because: Literal[TicketStatus.CLOSED, TicketStatus.INVALID]
    explanation: str  # the resolution, or why the complaint is invalid


# --- to agents, the response lead and admins --------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AgentNewTicketMail(InternalMail):
    """A new ticket, and the departments sent a contact sheet."""

    kind = MailKind.AGENT_NEW_TICKET
    dispatched: list[str]


@dataclass(frozen=True, kw_only=True)
class AgentAnswersMail(InternalMail):
    """Every department has answered."""

    kind = MailKind.AGENT_ANSWERS
    answers: list[AnswerFacts]
    all_invalid: bool
    suggested_solution: str  # may be empty


@dataclass(frozen=True, kw_only=True)
class DepartmentAnswerMail(InternalMail):
    """One department answered."""

    kind = MailKind.DEPARTMENT_ANSWER
    department: DepartmentFacts
    answer: AnswerFacts
    open_sheets: list[str]  # the departments still to answer


@dataclass(frozen=True, kw_only=True)
class EmergencyMail(InternalMail):
    """A serious complaint, to the response lead at once."""

    kind = MailKind.EMERGENCY
    reason: str  # why the complaint is serious


@dataclass(frozen=True, kw_only=True)
class RejectedMail(InternalMail):
    """Someone tried to act who may not: who, why not, and what they wrote."""

    sender: str
    reason: str
    excerpt: str


class RejectedAttemptMail(RejectedMail):
    """Staff mail with a bad token or failed authentication."""

    kind = MailKind.REJECTED_ATTEMPT


@dataclass(frozen=True, kw_only=True)
class RejectedAnswerMail(RejectedMail):
    """A sheet answer from someone who may not give it."""

    kind = MailKind.REJECTED_ANSWER
    department: DepartmentFacts


@dataclass(frozen=True, kw_only=True)
class AgentForwardMail(InternalMail):
    """What someone wrote about the ticket, and what it did to it."""

    kind = MailKind.AGENT_FORWARD
    mail: ForwardedMail
    outcome: ReplyOutcome


@dataclass(frozen=True, kw_only=True)
class AgentRefusedMail(InternalMail):
    """An agent's commands that were refused, or text kept from the customer."""

    kind = MailKind.AGENT_REFUSED
    problems: list[str]
    withheld: str


@dataclass(frozen=True, kw_only=True)
class FloodMail(InternalMail):
    """A sender's new complaints went over ``limit`` within ``window_minutes`` (once a
    flood)."""

    kind = MailKind.FLOOD
    sender: str
    limit: int
    window_minutes: int


# --- timed mail (complaintd.jobs) ------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProgressUpdateMail(CustomerMail):
    """The committed answer time has come without a solution: where things stand.

    ``ticket.due_at`` is already the next committed time.
    """

    kind = MailKind.PROGRESS_UPDATE
    promised_at: Time  # the answer time that has come
    asked: list[str]  # the departments sent a contact sheet, by name
    answered: list[str]  # those of them that have answered


class ScoreLink(TypedDict):
    """One answer of the satisfaction survey: a score and the ``mailto:`` that sends it."""

    score: int  # 5 (very satisfied) to 1
    label: str  # in the mail's language
    mailto: str


@dataclass(frozen=True, kw_only=True)
class SurveyMail(CustomerMail):
    """The satisfaction survey, one ``mailto:`` link per score."""

    kind = MailKind.SURVEY
    closed_at: Time  # when the desk closed the ticket
    sent_at: Time  # when the survey (first) went out
    scores: list[ScoreLink]


class SurveyReminderMail(SurveyMail):
    """The one reminder of an unanswered survey."""

    kind = MailKind.SURVEY_REMINDER


@dataclass(frozen=True, kw_only=True)
class SurveyAlertMail(InternalMail):
    """To the agents: an unhappy survey answer reopened the ticket."""

    kind = MailKind.SURVEY_ALERT
    score: int | None  # None: "not satisfied" in words only
    comment: str  # may be empty
    customer: str  # who answered


CUSTOMER_MAILS: tuple[type[CustomerMail], ...] = (
    AckMail,
    ReopenedMail,
    DeskReopenedMail,
    InvalidMail,
    ReplyMail,
    SolutionMail,
    AgreedMail,
    ObjectionMail,
    ResolutionMail,
    ProgressUpdateMail,
    SurveyMail,
    SurveyReminderMail,
)
INTERNAL_MAILS: tuple[type[InternalMail], ...] = (
    ContactSheetMail,
    ChaserMail,
    EscalationMail,
    AgentNewTicketMail,
    AgentAnswersMail,
    DepartmentAnswerMail,
    EmergencyMail,
    RejectedAnswerMail,
    AnswerIncompleteMail,
    SheetCancelledMail,
    AgentForwardMail,
    AgentRefusedMail,
    RejectedAttemptMail,
    FloodMail,
    SurveyAlertMail,
)
MAIL_CLASSES: dict[MailKind, type[MailContent]] = {
    mail.kind: mail for mail in (*CUSTOMER_MAILS, *INTERNAL_MAILS)
}

# Mail to the customer; internal mail; both (the kinds ``complaintd check`` renders).
KINDS: tuple[MailKind, ...] = tuple(mail.kind for mail in CUSTOMER_MAILS)
INTERNAL_KINDS: tuple[MailKind, ...] = tuple(mail.kind for mail in INTERNAL_MAILS)
ALL_KINDS: tuple[MailKind, ...] = KINDS + INTERNAL_KINDS


# --- reports to the admins (complaintd.reports) --------------------------------------------


class ChartRef(TypedDict):
    """A chart the HTML shows by ``cid:``; the table beside it carries the same numbers."""

    cid: str
    alt: str  # what the image shows, for a reader with images blocked


class DayCount(TypedDict):
    """How many on one day of a trend (``label``: ``12/5``)."""

    label: str
    count: int


@dataclass(frozen=True, kw_only=True)
class ReportContent:
    """What a report to the admins says; its templates get ``language``, ``desk`` and
    these fields (no ticket: a report is about the desk)."""

    kind: ClassVar[ReportKind]

    def values(self) -> dict[str, Any]:
        """The fields as the template sees them (one key each)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True, kw_only=True)
class DigestMail(ReportContent):
    """The daily digest of one day (``data``: every section, in the ledger's keys)."""

    kind = ReportKind.DIGEST
    day: str  # YYYY-MM-DD
    day_label: str  # the day as the mail's language writes it
    generated_at: Time  # when the open work was counted
    data: DigestData
    departments: dict[str, str]  # key -> name
    trend: list[DayCount]  # new complaints on each of the 30 days ending with ``day``
    charts: list[ChartRef]


@dataclass(frozen=True, kw_only=True)
class MonthlyReportMail(ReportContent):
    """The hot spots of one month against the month before (``data``, in ledger keys)."""

    kind = ReportKind.MONTHLY_REPORT
    month: str  # YYYY-MM
    month_label: str  # the month as the mail's language writes it
    previous_label: str  # the month before
    generated_at: Time
    data: MonthlyData
    departments: dict[str, str]  # key -> name
    charts: dict[str, ChartRef]  # by section: category, department, route, timing
