"""Mutated real mail through every pure stage of intake: parse -> classify/register ->
thread decision -> department form and agent command parsers.

For every input: no exception but the one that means "not mail at all"
(PermanentError), no message taking more than FUZZ_SECONDS of CPU, and no NUL or lone surrogate in
any text field of the analysis (they are stored as text: PostgreSQL rejects NUL, and a
lone surrogate cannot be encoded).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from datetime import date

from hypothesis import given

from complaintd.classify.extract import DEFAULT_PATTERNS
from complaintd.classify.rules import DEFAULT_RULES
from complaintd.errors import PermanentError
from complaintd.parse.model import ParsedMessage
from complaintd.staff_replies.commands import parse_agent_instruction
from complaintd.staff_replies.form import parse_department_answer
from complaintd.thread.routing import (
    Lookups,
    MailFacts,
    Route,
    SenderFacts,
    SheetRef,
    TicketRef,
    route_mail,
)
from complaintd.thread.tokens import find_tokens, subject_tag_numbers
from complaintd.workflow.analysis import Analysis, AnalysisSettings, analyze
from complaintd.workflow.route import is_machine_mail
from tests.fuzz.conftest import FIGURES
from tests.fuzz.mutations import (
    AGENT,
    DEPARTMENT,
    SECRET,
    SHEET_ID,
    TICKET_NUMBER,
    Mutation,
    Seed,
    mutate,
    mutations,
    seeds,
)

SETTINGS = AnalysisSettings(DEFAULT_RULES, DEFAULT_PATTERNS, "zh-CN")
DAY = date(2026, 11, 20)
# Far below the 30 s a worker is given: inputs here are at most a few hundred KB, so
# anything near this is super-linear behaviour worth a look.
# Measured as this process's CPU time: on a shared machine the wall clock also counts
# the other processes' turns (a 0.2 s input once took 7.3 s of wall time).
FUZZ_SECONDS = 5.0


@given(seed=seeds, changes=mutations)
def test_mutated_mail_goes_through_every_pure_stage(seed: Seed, changes: list[Mutation]) -> None:
    raw = mutate(seed[1], changes)
    started = time.process_time()
    try:
        analysis = analyze(raw, SETTINGS, DAY)
    except PermanentError:
        analysis = None  # not mail at all: quarantined, as it should be
    decisions(analysis)
    elapsed = time.process_time() - started
    record(seed[0], changes, elapsed)
    assert elapsed < FUZZ_SECONDS, f"{elapsed:.1f} s"
    if analysis is not None:
        unstorable = [
            path for path, text in text_fields(analysis, "analysis") if not storable(text)
        ]
        assert not unstorable, unstorable


def storable(text: str) -> bool:
    """No NUL (PostgreSQL text rejects it) and no lone surrogate (not UTF-8 encodable)."""
    return "\x00" not in text and _SURROGATE.search(text) is None


_SURROGATE = re.compile("[\ud800-\udfff]")


TICKET = TicketRef(7, TICKET_NUMBER, frozenset({"zhang.wei@customer.example", DEPARTMENT}))
SHEET = SheetRef(SHEET_ID, TICKET, "qc")


def decisions(analysis: Analysis | None) -> None:
    """Run the decisions intake takes on an analysed message (pure, no database)."""
    if analysis is None:
        return
    parsed = analysis.parsed
    decision = route_mail(facts(parsed), lookups(parsed))
    assert decision.route in Route
    parse_department_answer(parsed.reply_text)
    parse_agent_instruction(parsed.reply_text)


def facts(parsed: ParsedMessage) -> MailFacts:
    """What intake knows about the mail, with one agent and one department on the desk."""
    sender = parsed.from_addr.email if parsed.from_addr else None
    departments = frozenset({"qc"}) if sender == DEPARTMENT else frozenset()
    addresses = [a.email for a in (*parsed.to, *parsed.cc)] + list(parsed.delivered_to)
    return MailFacts(
        sender=SenderFacts(sender, is_agent=sender == AGENT, departments=departments),
        tokens=tuple(find_tokens(SECRET, addresses, parsed.subject)),
        automated=is_machine_mail(parsed),
    )


def lookups(parsed: ParsedMessage) -> Lookups:
    """A ledger holding ticket 7 with the qc sheet: whatever the mail refers to exists."""
    referred = bool(parsed.in_reply_to or parsed.references)
    tagged = bool(subject_tag_numbers(parsed.subject, "TS"))
    return Lookups(
        ticket_by_number=lambda number: TICKET if number == TICKET.number else None,
        sheet_by_id=lambda sheet_id: SHEET if sheet_id == SHEET.id else None,
        ticket_by_references=lambda: TICKET if referred else None,
        sheet_by_references=lambda: SHEET if referred else None,
        ticket_by_subject=lambda: TICKET if tagged else None,
    )


def text_fields(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every str inside ``value`` (dataclasses, tuples, lists, dicts), with its path."""
    if isinstance(value, str):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from text_fields(getattr(value, item.name), f"{path}.{item.name}")
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from text_fields(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from text_fields(key, f"{path}.key")
            yield from text_fields(item, f"{path}[{key!r}]")


def record(seed: str, changes: list[Mutation], elapsed: float) -> None:
    FIGURES.inputs += 1
    if elapsed > FIGURES.slowest_seconds:
        FIGURES.slowest_seconds = elapsed
        FIGURES.slowest = f"{seed} with {changes}"
