"""The I/O side of routing: a parsed mail's facts and the ledger lookups it may need.

The decision itself is :func:`complaintd.thread.routing.route_mail` (pure); this module
only gathers what it decides on.
"""

from __future__ import annotations

from complaintd.config import Config
from complaintd.jobs.survey_plan import awaiting_answer
from complaintd.parse import bounced_message_ids
from complaintd.parse.model import ParsedMessage
from complaintd.store.models import ContactSheet, Message, Ticket
from complaintd.store.queries import ticket_of_message_ids
from complaintd.store.records import participant_emails
from complaintd.thread.authentication import check_authentication
from complaintd.thread.routing import (
    Lookups,
    MailFacts,
    RouteDecision,
    SenderFacts,
    SheetRef,
    TicketRef,
    route_mail,
)
from complaintd.thread.tokens import find_tokens, subject_tag_numbers


def sender_of(parsed: ParsedMessage) -> str | None:
    """The sender's lower-cased address, or None when the mail has none."""
    return parsed.from_addr.email if parsed.from_addr else None


def is_machine_mail(parsed: ParsedMessage) -> bool:
    """Auto-replies, bounces, list and robot mail - not mail a person may have written.

    Shops and platforms forward real complaints from ``noreply@`` addresses, and CRMs
    put ``X-Auto-Response-Suppress`` on everything: such mail is a complaint like any
    other, and loop safety withholds the acknowledgement.
    """
    rule = parsed.automated_rule
    return parsed.automated is not None and not (rule and rule.person_may_have_written)


def sender_facts(config: Config, sender: str | None) -> SenderFacts:
    """Whether ``sender`` is a desk agent, and which departments' sheets it may answer."""
    if sender is None:
        return SenderFacts(None)
    departments = frozenset(
        d.key for d in config.departments if sender in d.emails or sender == d.manager
    )
    return SenderFacts(sender, sender in config.desk.agents, departments)


def mail_facts(config: Config, parsed: ParsedMessage) -> MailFacts:
    """What routing decides on: sender, tokens, automated or not, authentication."""
    sender = sender_of(parsed)
    addresses = [a.email for a in (*parsed.to, *parsed.cc)] + list(parsed.delivered_to)
    domain = sender.rpartition("@")[2] if sender else None
    return MailFacts(
        sender=sender_facts(config, sender),
        tokens=tuple(find_tokens(config.desk.token_secret, addresses, parsed.subject)),
        automated=is_machine_mail(parsed),
        auth=check_authentication(
            parsed.headers.get("authentication-results"),
            config.desk.trusted_authserv_id,
            domain,
        ),
    )


def route(config: Config, parsed: ParsedMessage) -> RouteDecision:
    """Route ``parsed`` with lookups into the ledger."""
    facts = mail_facts(config, parsed)
    return route_mail(facts, ledger_lookups(config, parsed, facts.automated))


def ledger_lookups(config: Config, parsed: ParsedMessage, automated: bool) -> Lookups:
    """Lookups for ``parsed``: by number, by sheet id, by its References and subject."""
    referenced = [*parsed.in_reply_to, *reversed(parsed.references)]
    if automated:  # a bounce names our mail inside its report
        referenced = [*bounced_message_ids(parsed), *referenced]
    numbers = subject_tag_numbers(parsed.subject, config.desk.ticket_prefix)
    return Lookups(
        ticket_by_number=ticket_ref_by_number,
        sheet_by_id=sheet_ref,
        ticket_by_references=lambda: _ticket_by_message_ids(referenced),
        sheet_by_references=lambda: _sheet_by_message_ids(referenced),
        ticket_by_subject=lambda: ticket_ref_by_number(numbers[0]) if numbers else None,
    )


def ticket_ref(ticket: Ticket) -> TicketRef:
    """``ticket`` as routing sees it, with its participants and open survey."""
    return TicketRef(
        ticket.id,
        ticket.number,
        participant_emails(ticket.id),
        awaiting_answer(ticket.id, ticket.status),
    )


def ticket_ref_by_number(number: str) -> TicketRef | None:
    """The ticket numbered ``number``, or None."""
    ticket = Ticket.get_or_none(Ticket.number == number)
    return ticket_ref(ticket) if ticket is not None else None


def sheet_ref(sheet_id: int) -> SheetRef | None:
    """The contact sheet ``sheet_id`` with its ticket, or None."""
    sheet = ContactSheet.get_or_none(ContactSheet.id == sheet_id)
    return SheetRef(sheet.id, ticket_ref(sheet.ticket), sheet.department) if sheet else None


def _ticket_by_message_ids(ids: list[str]) -> TicketRef | None:
    ticket_id = ticket_of_message_ids(ids) if ids else None
    return ticket_ref(Ticket.get_by_id(ticket_id)) if ticket_id is not None else None


def _sheet_by_message_ids(ids: list[str]) -> SheetRef | None:
    """The sheet of the first referenced mail that belongs to one."""
    if not ids:
        return None
    row = (
        Message.select(Message.contact_sheet_id)
        .where(Message.message_id.in_(ids) & Message.contact_sheet_id.is_null(False))
        .first()
    )
    return sheet_ref(row.contact_sheet_id) if row else None
