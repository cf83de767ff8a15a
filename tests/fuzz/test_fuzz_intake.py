"""Mutated real mail through every pure stage of intake: parse -> classify/register ->
thread decision -> department form and agent command parsers.

For every input: no exception but the one that means "not mail at all"
(PermanentError), no message slower than FUZZ_SECONDS, and no NUL in any text field of
the analysis (they are stored as text, and PostgreSQL rejects NUL).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import date

from hypothesis import given

from complaintd.classify.extract import DEFAULT_PATTERNS
from complaintd.classify.rules import DEFAULT_RULES
from complaintd.departments.commands import parse_agent_instruction
from complaintd.departments.form import parse_department_answer
from complaintd.errors import PermanentError
from complaintd.parse.model import ParsedMessage
from complaintd.thread.matcher import (
    Candidate,
    MatchMethod,
    ThreadAction,
    decide_thread,
    subject_tag_numbers,
)
from complaintd.thread.tokens import find_tokens
from complaintd.workflow.analysis import Analysis, AnalysisSettings, analyze
from complaintd.workflow.intake import is_machine_mail
from tests.fuzz.conftest import FIGURES
from tests.fuzz.mutations import SECRET, Mutation, Seed, mutate, mutations, seeds

SETTINGS = AnalysisSettings(DEFAULT_RULES, DEFAULT_PATTERNS, "zh-CN")
DAY = date(2026, 11, 20)
# Far below the 30 s a worker is given: inputs here are at most a few hundred KB, so
# anything near this is super-linear behaviour worth a look.
FUZZ_SECONDS = 5.0


@given(seed=seeds, changes=mutations)
def test_mutated_mail_goes_through_every_pure_stage(seed: Seed, changes: list[Mutation]) -> None:
    raw = mutate(seed[1], changes)
    started = time.perf_counter()
    try:
        analysis = analyze(raw, SETTINGS, DAY)
    except PermanentError:
        analysis = None  # not mail at all: quarantined, as it should be
    decisions(analysis)
    elapsed = time.perf_counter() - started
    record(seed[0], changes, elapsed)
    assert elapsed < FUZZ_SECONDS, f"{elapsed:.1f} s"
    if analysis is not None:
        with_nul = [path for path, text in text_fields(analysis, "analysis") if "\x00" in text]
        assert not with_nul, with_nul


def decisions(analysis: Analysis | None) -> None:
    """Run the decisions intake takes on an analysed message (pure, no database)."""
    if analysis is None:
        return
    parsed = analysis.parsed
    is_machine_mail(parsed)
    decision = decide_thread(sender_of(parsed), candidates(parsed))
    assert decision.action in ThreadAction
    parse_department_answer(parsed.reply_text)
    parse_agent_instruction(parsed.reply_text)


def sender_of(parsed: ParsedMessage) -> str | None:
    return parsed.from_addr.email if parsed.from_addr else None


def candidates(parsed: ParsedMessage) -> list[Candidate]:
    """The tickets a message refers to, as intake would find them in a ledger where
    every referred ticket exists and the department qc@ takes part in it."""
    addresses = [a.email for a in (*parsed.to, *parsed.cc)] + list(parsed.delivered_to)
    found = [
        Candidate(MatchMethod.TOKEN, n, token.number, frozenset({"qc@lida.example"}),
                  token.valid, token.scope)
        for n, token in enumerate(find_tokens(SECRET, [*addresses, parsed.subject]))
    ]  # fmt: skip
    if parsed.in_reply_to or parsed.references:
        found.append(Candidate(MatchMethod.REFERENCES, 900, "TS-202611-0900", frozenset()))
    for number in subject_tag_numbers(parsed.subject, "TS")[:1]:
        found.append(Candidate(MatchMethod.SUBJECT, 901, number, frozenset({"qc@lida.example"})))
    return found


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
