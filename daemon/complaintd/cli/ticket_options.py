"""The ``tickets`` subcommands' arguments, each with a description and what every option
means (``complaintd tickets list --help``)."""

from __future__ import annotations

import argparse

from complaintd.classify import CATEGORIES
from complaintd.store.ticket_status import TicketStatus

SEVERITIES = ("serious", "important", "general")
FORMATTER = argparse.RawDescriptionHelpFormatter


def add_ticket_commands(sub: argparse._SubParsersAction) -> None:
    """``tickets list|show|reply|propose|close|set|dispatch|note``."""
    tickets = sub.add_parser(
        "tickets",
        help="list, show and act on tickets",
        description="List, show and act on complaint tickets. Acting here is the same as a "
        "desk agent replying to the desk's mail: the customer is mailed and the audit trail "
        "records who did it (cli:<your user name>).",
    ).add_subparsers(dest="tickets_command", required=True, metavar="SUBCOMMAND")
    _add_list(tickets)
    _add_show(tickets)
    _add_desk_actions(tickets)
    _add_set(tickets)
    _add_dispatch(tickets)
    _add_note(tickets)
    _add_reopen(tickets)


def _non_negative(value: str) -> int:
    """An argument that must be a whole number of at least 0."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return number


def _add_list(tickets: argparse._SubParsersAction) -> None:
    listing = tickets.add_parser(
        "list",
        help="list tickets, soonest due first",
        formatter_class=FORMATTER,
        description="List tickets, the one whose promised answer time comes first at the top.\n"
        "The table shows DUE (the answer time promised to the customer, '!' when it has\n"
        "passed on an open ticket) and AGE (time since the complaint came in).",
        epilog="examples:\n"
        "  complaintd tickets list --overdue\n"
        "  complaintd tickets list --owner agent1@lida.example --status investigating\n"
        "  complaintd tickets list --search SF1402736591\n"
        "  complaintd tickets list --format csv > tickets.csv",
    )
    listing.add_argument(
        "--status",
        choices=[status.value for status in TicketStatus],
        metavar="STATUS",
        help=f"only this status: {', '.join(TicketStatus)}",
    )
    listing.add_argument(
        "--overdue",
        action="store_true",
        help="only open tickets whose promised answer time has passed",
    )
    listing.add_argument(
        "--owner", metavar="ADDR", help="only tickets this agent has taken (#take)"
    )
    listing.add_argument(
        "--search",
        metavar="TEXT",
        help="only tickets with TEXT in a waybill or order number, the ticket number, the "
        "customer's name, address or fax, the subject, or the body of any of its messages "
        "(case does not matter)",
    )
    listing.add_argument("--limit", type=_non_negative, metavar="N", help="at most N tickets")
    listing.add_argument(
        "--offset", type=_non_negative, default=0, metavar="N", help="skip the first N tickets"
    )
    listing.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table (default) for a terminal; json: the ticket documents without messages; "
        "csv: one ticket a row with a header line, UTF-8, for spreadsheets",
    )


def _add_show(tickets: argparse._SubParsersAction) -> None:
    show = tickets.add_parser(
        "show",
        help="one ticket's story",
        description="One ticket: its facts, the contact sheets and the departments' answers, "
        "then a timeline of the messages, notes, status changes, refused commands and "
        "ownership. Automatic mail is one line each unless --full.",
    )
    show.add_argument("number", help="the ticket number, e.g. TS-202611-0001")
    show.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) for people; json: the whole ticket document with its messages "
        "and events",
    )
    show.add_argument(
        "--full",
        action="store_true",
        help="text: the text of automatic mail too, whole messages and every audit event",
    )


# name, what it does, the flag that gives its text, what that text is
DESK_ACTIONS = (
    (
        "reply",
        "send the desk's reply to the customer (a received ticket moves to investigating)",
        "--text",
        "the reply",
    ),
    (
        "propose",
        "propose a solution; the customer is asked to agree (status solution_proposed)",
        "--text",
        "the solution",
    ),
    (
        "close",
        "close with a resolution sent to the customer; the survey follows (status follow_up)",
        "--resolution",
        "the resolution",
    ),
)


def _add_desk_actions(tickets: argparse._SubParsersAction) -> None:
    for name, what, flag, text in DESK_ACTIONS:
        action = tickets.add_parser(
            name,
            help=what,
            usage=f"%(prog)s NUMBER ({flag} TEXT | --file F | -)",
            formatter_class=FORMATTER,
            description=f"{what[0].upper()}{what[1:]}.\n"
            f"Give {text} with {flag}, from a file with --file, or on standard input with -.",
            epilog=f"examples:\n"
            f"  complaintd tickets {name} TS-202611-0001 {flag} '...'\n"
            f"  complaintd tickets {name} TS-202611-0001 --file {name}.txt\n"
            f"  complaintd tickets {name} TS-202611-0001 - < {name}.txt",
        )
        action.add_argument("number", help="the ticket number, e.g. TS-202611-0001")
        add_text_source(action, flag, text)


def add_text_source(parser: argparse.ArgumentParser, flag: str, text: str) -> None:
    """``FLAG TEXT | --file F | -``: exactly one of them gives the text."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(flag, dest="text", metavar="TEXT", help=f"{text} itself")
    source.add_argument(
        "--file", metavar="F", help=f"read {text} from file F (UTF-8; - is standard input)"
    )
    source.add_argument(
        "stdin",
        nargs="?",
        choices=("-",),
        metavar="-",
        help=f"read {text} from standard input",
    )


def _add_set(tickets: argparse._SubParsersAction) -> None:
    change = tickets.add_parser(
        "set",
        help="change severity or category, or invalidate",
        description="Change a ticket's severity or category, or declare it not a valid "
        "complaint (the customer is told the reason). Raising it to serious starts the "
        "emergency response.",
    )
    change.add_argument("number", help="the ticket number, e.g. TS-202611-0001")
    change.add_argument("--severity", choices=SEVERITIES, help="the new severity")
    change.add_argument("--category", choices=CATEGORIES, help="the new category")
    change.add_argument(
        "--invalid",
        metavar="REASON",
        help="not a valid complaint; REASON is sent to the customer",
    )


def _add_dispatch(tickets: argparse._SubParsersAction) -> None:
    dispatch = tickets.add_parser(
        "dispatch",
        help="send contact sheets to more departments",
        description="Send a contact sheet (工作联系单) about the ticket to each department "
        "named; they answer by replying to it.",
    )
    dispatch.add_argument("number", help="the ticket number, e.g. TS-202611-0001")
    dispatch.add_argument(
        "departments", nargs="+", metavar="DEPARTMENT", help="department keys, as in [[department]]"
    )


def _add_note(tickets: argparse._SubParsersAction) -> None:
    note = tickets.add_parser(
        "note",
        help="an internal note (audit trail only)",
        usage="%(prog)s NUMBER (--text TEXT | --file F | -)",
        description="Add an internal note to the ticket's audit trail; nobody is mailed.",
    )
    note.add_argument("number", help="the ticket number, e.g. TS-202611-0001")
    add_text_source(note, "--text", "the note")


def _add_reopen(tickets: argparse._SubParsersAction) -> None:
    reopen = tickets.add_parser(
        "reopen",
        help="reopen a closed ticket",
        description="Take a closed, follow-up or invalid ticket back to investigating, under a "
        "new committed answer time and resolve deadline (progress updates follow as for a new "
        "complaint); its survey stops. An open ticket is refused.",
    )
    reopen.add_argument("number", help="the ticket number, e.g. TS-202611-0001")
    reopen.add_argument("--reason", help="why (optional; kept in the audit trail)")
