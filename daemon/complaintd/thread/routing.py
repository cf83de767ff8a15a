"""Where an inbound mail belongs: the one routing decision (pure).

Every inbound mail that is not a duplicate or our own is routed here, and only here:
to a new ticket, a customer's reply, a department's answer to a contact sheet, an
agent's action, a note from staff, a rejected attempt, or automated mail about a ticket.

The order is who the sender is and which token they hold, before any References
lookup (issue 9: a customer's References may name internal mail, which must never make
their reply a department answer):

1. automated mail (auto-replies, bounces, list mail) is only ever attached;
2. a valid contact-sheet token (``s<id>``): the sheet's department answers, anyone
   else's mail is a rejected answer;
3. a valid agent token (``a``) from an agent address: the agent acts;
4. staff (an agent or department address) with a tampered or foreign token: rejected,
   never a new complaint (issue 10, item 4);
5. a department address whose References name one of its sheets: an answer;
6. staff without their token: a note on the ticket they refer to, nothing more (a
   subject tag alone authorises nothing, issue 10, item 1);
7. a valid customer token (``c``): the customer's reply;
8. In-Reply-To/References, then the subject tag: a participant's reply is added, anyone
   else's mail becomes a new ticket linked to the one it referred to.

A customer's reply (7 or 8) to a ticket whose satisfaction survey was sent and is not
answered yet is a survey answer (its handler falls back to a plain reply when the text
holds no score).

Agent and department actions also need the desk's MTA to have authenticated the sender
when ``desk.trusted_authserv_id`` is set (see :mod:`complaintd.thread.authentication`).
The caller gathers the facts and supplies lookups; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

from complaintd.thread.authentication import NOT_REQUIRED, AuthVerdict
from complaintd.thread.tokens import ReplyToken


class Route(StrEnum):
    """What an inbound mail is."""

    NEW_TICKET = "new_ticket"
    CUSTOMER_REPLY = "customer_reply"
    DEPARTMENT_ANSWER = "department_answer"
    REJECTED_ANSWER = "rejected_answer"  # a sheet answer from someone who may not give it
    AGENT_ACTION = "agent_action"
    STAFF_NOTE = "staff_note"  # staff mail without the token that would let it act
    REJECTED_STAFF = "rejected_staff"  # staff mail with a bad token or failed authentication
    AUTOMATED = "automated"
    SURVEY_ANSWER = "survey_answer"  # the customer's reply while their survey is open


class Rejection(StrEnum):
    """Why staff mail was not acted on (worded for people by workflow.staff_words)."""

    NOT_THE_DEPARTMENT = "not_the_department"  # the sender is not one of its addresses
    NOT_AUTHENTICATED = "not_authenticated"  # required sender authentication failed
    BAD_TOKEN = "bad_token"  # the reply token was altered or has expired


class MatchMethod(StrEnum):
    """How the mail was tied to a ticket."""

    TOKEN = "token"
    REFERENCES = "references"
    SUBJECT = "subject"


@dataclass(frozen=True)
class TicketRef:
    """A ticket as routing sees it."""

    id: int
    number: str
    participants: frozenset[str]  # lower-cased addresses
    awaiting_survey: bool = False  # its survey was sent and is not answered yet


@dataclass(frozen=True)
class SheetRef:
    """A contact sheet as routing sees it."""

    id: int
    ticket: TicketRef
    department: str  # the department's key


@dataclass(frozen=True)
class SenderFacts:
    """Who wrote the mail, as far as the configuration knows them."""

    email: str | None
    is_agent: bool = False
    departments: frozenset[str] = frozenset()  # keys whose sheets this address may answer

    @property
    def is_staff(self) -> bool:
        """An agent or a department address (or manager)."""
        return self.is_agent or bool(self.departments)


@dataclass(frozen=True)
class MailFacts:
    """The structured facts of one parsed mail that routing needs."""

    sender: SenderFacts
    tokens: tuple[ReplyToken, ...] = ()
    automated: bool = False
    auth: AuthVerdict = NOT_REQUIRED


@dataclass(frozen=True)
class Lookups:
    """Database lookups supplied by the caller, called only when the decision needs them."""

    ticket_by_number: Callable[[str], TicketRef | None]
    sheet_by_id: Callable[[int], SheetRef | None]
    ticket_by_references: Callable[[], TicketRef | None]
    sheet_by_references: Callable[[], SheetRef | None]
    ticket_by_subject: Callable[[], TicketRef | None]


@dataclass(frozen=True)
class RouteDecision:
    """The decision: what the mail is, the ticket (and sheet) concerned, and why."""

    route: Route
    ticket: TicketRef | None = None
    sheet: SheetRef | None = None
    method: MatchMethod | None = None
    reason: str = ""
    basis: dict[str, str] = field(default_factory=dict)  # the authenticated basis (audit)
    rejection: Rejection | None = None  # set on the REJECTED_* routes

    @property
    def linked(self) -> bool:
        """A new ticket that refers to an existing one."""
        return self.route is Route.NEW_TICKET and self.ticket is not None


def route_mail(facts: MailFacts, look: Lookups) -> RouteDecision:
    """Decide what ``facts`` describe; see the module docstring for the order."""
    if facts.automated:
        ticket = look.ticket_by_references() or look.ticket_by_subject()
        return RouteDecision(Route.AUTOMATED, ticket, reason="automated mail")
    return (
        _by_sheet_token(facts, look)
        or _by_agent_token(facts, look)
        or _staff_without_token(facts, look)
        or _by_customer_token(facts, look)
        or _by_thread(facts, look)
    )


def _valid(facts: MailFacts, scope_kind: str) -> list[ReplyToken]:
    return [t for t in facts.tokens if t.valid and t.scope.startswith(scope_kind)]


def _basis(facts: MailFacts, token: ReplyToken | None) -> dict[str, str]:
    basis = {"auth": facts.auth.status.value, "auth_detail": facts.auth.basis}
    if token is not None:
        basis["token"] = f"{token.number}.{token.scope}"
    return basis


def _by_sheet_token(facts: MailFacts, look: Lookups) -> RouteDecision | None:
    for token in _valid(facts, "s"):
        sheet = look.sheet_by_id(int(token.scope[1:]))
        if sheet is not None and sheet.ticket.number == token.number:
            return _department_mail(facts, sheet, MatchMethod.TOKEN, token)
    return None


def _department_mail(
    facts: MailFacts, sheet: SheetRef, method: MatchMethod, token: ReplyToken | None
) -> RouteDecision:
    """An answer to ``sheet``: applied only from the department, authenticated."""
    basis = _basis(facts, token)
    rejected = partial(RouteDecision, Route.REJECTED_ANSWER, sheet.ticket, sheet, method)
    if sheet.department not in facts.sender.departments:
        reason = f"{facts.sender.email} may not answer for {sheet.department}"
        return rejected(reason, basis, Rejection.NOT_THE_DEPARTMENT)
    if facts.auth.refused:
        reason = f"sender not authenticated ({facts.auth.basis})"
        return rejected(reason, basis, Rejection.NOT_AUTHENTICATED)
    reason = f"answer to the {sheet.department} sheet ({method.value})"
    return RouteDecision(Route.DEPARTMENT_ANSWER, sheet.ticket, sheet, method, reason, basis)


def _by_agent_token(facts: MailFacts, look: Lookups) -> RouteDecision | None:
    if not facts.sender.is_agent:
        return None  # an agent token held by anyone else (a forwarded notice) proves nothing
    for token in _valid(facts, "a"):
        ticket = look.ticket_by_number(token.number)
        if ticket is None:
            continue
        basis = _basis(facts, token)
        if facts.auth.refused:
            reason = f"agent not authenticated ({facts.auth.basis})"
            return RouteDecision(
                Route.REJECTED_STAFF,
                ticket,
                None,
                MatchMethod.TOKEN,
                reason,
                basis,
                Rejection.NOT_AUTHENTICATED,
            )
        reason = "agent token"
        return RouteDecision(Route.AGENT_ACTION, ticket, None, MatchMethod.TOKEN, reason, basis)
    return None


def _staff_without_token(facts: MailFacts, look: Lookups) -> RouteDecision | None:
    """Staff mail that holds no token of its own: rejected, an answer by References, or a note."""
    if not facts.sender.is_staff:
        return None
    bad = [t for t in facts.tokens if not t.valid]
    if bad:
        ticket = look.ticket_by_number(bad[0].number)
        reason = f"tampered or expired reply token from staff ({bad[0].number}.{bad[0].scope})"
        return RouteDecision(
            Route.REJECTED_STAFF,
            ticket,
            None,
            MatchMethod.TOKEN,
            reason,
            _basis(facts, None),
            Rejection.BAD_TOKEN,
        )
    if facts.sender.departments:
        sheet = look.sheet_by_references()
        if sheet is not None:
            return _department_mail(facts, sheet, MatchMethod.REFERENCES, None)
    return _staff_note(facts, look)


def _staff_note(facts: MailFacts, look: Lookups) -> RouteDecision | None:
    """Staff writing about a ticket without its token: recorded as a note, nothing more."""
    for method, find in _thread_lookups(facts, look):
        ticket = find()
        if ticket is not None:
            token = "agent" if facts.sender.is_agent else "sheet"
            reason = f"staff mail without the {token} token ({method.value})"
            return RouteDecision(
                Route.STAFF_NOTE, ticket, None, method, reason, _basis(facts, None)
            )
    return None  # about no ticket: staff may report a complaint like anyone


def _thread_lookups(
    facts: MailFacts, look: Lookups
) -> list[tuple[MatchMethod, Callable[[], TicketRef | None]]]:
    """Token-named tickets first, then References, then the subject tag."""
    by_token = [
        (MatchMethod.TOKEN, partial(look.ticket_by_number, token.number))
        for token in facts.tokens
        if token.valid
    ]
    return [
        *by_token,
        (MatchMethod.REFERENCES, look.ticket_by_references),
        (MatchMethod.SUBJECT, look.ticket_by_subject),
    ]


def _by_customer_token(facts: MailFacts, look: Lookups) -> RouteDecision | None:
    for token in _valid(facts, "c"):
        ticket = look.ticket_by_number(token.number)
        if ticket is not None:
            return RouteDecision(
                _customer_route(ticket),
                ticket,
                None,
                MatchMethod.TOKEN,
                "valid reply token (c)",
                _basis(facts, token),
            )
    return None


def _customer_route(ticket: TicketRef) -> Route:
    """A customer's reply: a survey answer while their survey is open."""
    return Route.SURVEY_ANSWER if ticket.awaiting_survey else Route.CUSTOMER_REPLY


def _by_thread(facts: MailFacts, look: Lookups) -> RouteDecision:
    """References, then the subject tag; only a participant writes into the ticket."""
    sender = facts.sender.email
    for method, find in (
        (MatchMethod.REFERENCES, look.ticket_by_references),
        (MatchMethod.SUBJECT, look.ticket_by_subject),
    ):
        ticket = find()
        if ticket is None:
            continue
        if sender is not None and sender in ticket.participants:
            reason = f"{method.value}: sender is a participant"
            return RouteDecision(
                _customer_route(ticket), ticket, None, method, reason, _basis(facts, None)
            )
        reason = f"{method.value} points to {ticket.number} but the sender is not a participant"
        return RouteDecision(Route.NEW_TICKET, ticket, None, method, reason, _basis(facts, None))
    if facts.tokens:
        return RouteDecision(Route.NEW_TICKET, reason="only invalid reply tokens")
    return RouteDecision(Route.NEW_TICKET, reason="no ticket referred to")
