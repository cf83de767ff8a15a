"""The one routing decision, branch by branch (pure; the ledger is a table here).

The world: ticket 1 (customer c@x.cn, departments qc@ and ops@ are participants) with
contact sheet 7 to qc; ticket 2 of another customer.  Each case names the sender, the
tokens the mail holds, what its References and subject point to, and the verdict of
the MTA; the expected route, ticket and sheet follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from complaintd.thread.authentication import NOT_REQUIRED, AuthStatus, AuthVerdict
from complaintd.thread.routing import (
    Lookups,
    MailFacts,
    Route,
    SenderFacts,
    SheetRef,
    TicketRef,
    route_mail,
)
from complaintd.thread.tokens import ReplyToken

T1 = TicketRef(1, "TS-202611-0001", frozenset({"c@x.cn", "qc@lida.example", "ops@lida.example"}))
T2 = TicketRef(2, "TS-202611-0002", frozenset({"d@y.cn"}))
# Ticket 3 of customer c@x.cn is in follow-up: its satisfaction survey is out, unanswered.
T3 = TicketRef(3, "TS-202611-0003", frozenset({"c@x.cn", "agent1@lida.example"}), True)
SHEET = SheetRef(7, T1, "qc")
TICKETS = {t.number: t for t in (T1, T2, T3)}

CUSTOMER = SenderFacts("c@x.cn")
STRANGER = SenderFacts("intruder@evil.example")
AGENT = SenderFacts("agent1@lida.example", is_agent=True)
QC = SenderFacts("qc@lida.example", departments=frozenset({"qc"}))
OPS = SenderFacts("ops@lida.example", departments=frozenset({"ops"}))

PASS = AuthVerdict(AuthStatus.PASS, "mx.lida.example: dmarc=pass")
FAIL = AuthVerdict(AuthStatus.FAIL, "mx.lida.example: dmarc=fail")


def token(number: str, scope: str, valid: bool = True) -> ReplyToken:
    return ReplyToken(number, scope, valid)


C1, A1, S7 = token(T1.number, "c"), token(T1.number, "a"), token(T1.number, "s7")
BAD_A1, BAD_S7 = token(T1.number, "a", False), token(T1.number, "s7", False)
C2 = token(T2.number, "c")
C3, A3 = token(T3.number, "c"), token(T3.number, "a")


@dataclass(frozen=True)
class Case:
    sender: SenderFacts
    tokens: tuple[ReplyToken, ...] = ()
    references: TicketRef | None = None  # the ticket the References point to
    references_sheet: SheetRef | None = None  # the sheet of a referenced internal mail
    subject: TicketRef | None = None  # the ticket of the subject tag
    automated: bool = False
    auth: AuthVerdict = NOT_REQUIRED


def lookups(case: Case) -> Lookups:
    return Lookups(
        ticket_by_number=TICKETS.get,
        sheet_by_id=lambda sheet_id: SHEET if sheet_id == SHEET.id else None,
        ticket_by_references=lambda: case.references,
        sheet_by_references=lambda: case.references_sheet,
        ticket_by_subject=lambda: case.subject,
    )


CASES: list[tuple[str, Case, Route, TicketRef | None, SheetRef | None]] = [
    # new complaints
    ("plain-new-complaint", Case(CUSTOMER), Route.NEW_TICKET, None, None),
    ("only-tampered-tokens", Case(STRANGER, (BAD_A1,)), Route.NEW_TICKET, None, None),
    # the customer
    ("customer-token", Case(STRANGER, (C1,)), Route.CUSTOMER_REPLY, T1, None),
    ("customer-by-references", Case(CUSTOMER, references=T1), Route.CUSTOMER_REPLY, T1, None),
    ("customer-by-subject", Case(CUSTOMER, subject=T1), Route.CUSTOMER_REPLY, T1, None),
    (
        # issue 9: a customer's References name a contact sheet (old desk mail listed every
        # Message-ID): still the customer's reply, never a department answer.
        "customer-references-hold-a-sheet",
        Case(CUSTOMER, (C1,), references=T1, references_sheet=SHEET),
        Route.CUSTOMER_REPLY,
        T1,
        None,
    ),
    (
        "customer-without-token-references-hold-a-sheet",
        Case(CUSTOMER, references=T1, references_sheet=SHEET),
        Route.CUSTOMER_REPLY,
        T1,
        None,
    ),
    ("stranger-with-subject-tag", Case(STRANGER, subject=T1), Route.NEW_TICKET, T1, None),
    ("stranger-with-references", Case(STRANGER, references=T1), Route.NEW_TICKET, T1, None),
    (
        "references-before-subject",
        Case(CUSTOMER, references=T1, subject=T2),
        Route.CUSTOMER_REPLY,
        T1,
        None,
    ),
    (
        "stranger-forwarding-an-agent-notice",
        Case(STRANGER, (A1,), references=T1),
        Route.NEW_TICKET,
        T1,
        None,
    ),
    # the satisfaction survey: the customer's reply while it is out, however it is tied
    ("survey-by-customer-token", Case(CUSTOMER, (C3,)), Route.SURVEY_ANSWER, T3, None),
    ("survey-by-mailto-link", Case(STRANGER, (C3,)), Route.SURVEY_ANSWER, T3, None),
    ("survey-by-references", Case(CUSTOMER, references=T3), Route.SURVEY_ANSWER, T3, None),
    ("survey-by-subject", Case(CUSTOMER, subject=T3), Route.SURVEY_ANSWER, T3, None),
    ("stranger-on-survey-ticket", Case(STRANGER, references=T3), Route.NEW_TICKET, T3, None),
    ("agent-on-survey-ticket", Case(AGENT, (A3,)), Route.AGENT_ACTION, T3, None),
    (
        "auto-reply-to-a-survey",
        Case(CUSTOMER, references=T3, automated=True),
        Route.AUTOMATED,
        T3,
        None,
    ),
    # departments
    ("department-sheet-token", Case(QC, (S7,)), Route.DEPARTMENT_ANSWER, T1, SHEET),
    (
        "department-sheet-by-references",
        Case(QC, references=T1, references_sheet=SHEET),
        Route.DEPARTMENT_ANSWER,
        T1,
        SHEET,
    ),
    (
        # issue 10: a forged From: qc@ holding a valid sheet token, refused by the MTA
        "forged-department-fails-authentication",
        Case(QC, (S7,), auth=FAIL),
        Route.REJECTED_ANSWER,
        T1,
        SHEET,
    ),
    ("department-authenticated", Case(QC, (S7,), auth=PASS), Route.DEPARTMENT_ANSWER, T1, SHEET),
    ("other-department-answers", Case(OPS, (S7,)), Route.REJECTED_ANSWER, T1, SHEET),
    ("stranger-with-sheet-token", Case(STRANGER, (S7,)), Route.REJECTED_ANSWER, T1, SHEET),
    ("customer-with-sheet-token", Case(CUSTOMER, (S7,)), Route.REJECTED_ANSWER, T1, SHEET),
    (
        # issue 10: a tampered token from a department address is nobody's - no new complaint
        "department-with-tampered-token",
        Case(QC, (BAD_S7,)),
        Route.REJECTED_STAFF,
        T1,
        None,
    ),
    ("department-writes-about-a-ticket", Case(QC, references=T1), Route.STAFF_NOTE, T1, None),
    ("department-new-mail", Case(QC), Route.NEW_TICKET, None, None),
    # agents
    ("agent-token", Case(AGENT, (A1,)), Route.AGENT_ACTION, T1, None),
    ("agent-authenticated", Case(AGENT, (A1,), auth=PASS), Route.AGENT_ACTION, T1, None),
    ("agent-fails-authentication", Case(AGENT, (A1,), auth=FAIL), Route.REJECTED_STAFF, T1, None),
    (
        # issue 10: From: agent1@ with the (sequential, public) subject tag and no token
        "forged-agent-with-subject-tag-only",
        Case(AGENT, subject=T1),
        Route.STAFF_NOTE,
        T1,
        None,
    ),
    ("agent-by-references-only", Case(AGENT, references=T1), Route.STAFF_NOTE, T1, None),
    ("agent-with-customer-token", Case(AGENT, (C1,)), Route.STAFF_NOTE, T1, None),
    ("agent-tampered-token", Case(AGENT, (BAD_A1,), subject=T1), Route.REJECTED_STAFF, T1, None),
    ("agent-new-mail", Case(AGENT), Route.NEW_TICKET, None, None),
    (
        "agent-token-wins-over-other-tickets",
        Case(AGENT, (C2, A1), references=T2),
        Route.AGENT_ACTION,
        T1,
        None,
    ),
    # automated mail
    (
        "automated-about-a-ticket",
        Case(STRANGER, automated=True, references=T1),
        Route.AUTOMATED,
        T1,
        None,
    ),
    ("automated-by-subject", Case(STRANGER, automated=True, subject=T2), Route.AUTOMATED, T2, None),
    ("automated-about-nothing", Case(STRANGER, automated=True), Route.AUTOMATED, None, None),
    (
        "automated-with-agent-token",
        Case(AGENT, (A1,), automated=True, references=T1),
        Route.AUTOMATED,
        T1,
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "route", "ticket", "sheet"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_route_mail(
    case: Case, route: Route, ticket: TicketRef | None, sheet: SheetRef | None
) -> None:
    facts = MailFacts(case.sender, case.tokens, case.automated, case.auth)
    decision = route_mail(facts, lookups(case))
    assert (decision.route, decision.ticket, decision.sheet) == (route, ticket, sheet)
    assert decision.reason


def test_every_route_is_covered() -> None:
    assert {c[2] for c in CASES} == set(Route)


def test_the_basis_names_the_token_and_the_verdict() -> None:
    decision = route_mail(MailFacts(AGENT, (A1,), auth=PASS), lookups(Case(AGENT)))
    assert decision.basis == {
        "auth": "pass",
        "auth_detail": "mx.lida.example: dmarc=pass",
        "token": "TS-202611-0001.a",
    }


def test_a_new_complaint_makes_no_lookup() -> None:
    def fail(*_: object) -> None:
        raise AssertionError("looked up")

    look = Lookups(fail, fail, lambda: None, fail, lambda: None)
    assert route_mail(MailFacts(CUSTOMER), look).route is Route.NEW_TICKET
