"""Reply tokens and the threading decision (pure)."""

from __future__ import annotations

import pytest

from complaintd.thread.matcher import (
    Candidate,
    MatchMethod,
    ThreadAction,
    decide_thread,
    subject_tag_numbers,
)
from complaintd.thread.tokens import find_tokens, make_token, reply_address

SECRET = b"0123456789abcdef-secret"


def test_token_round_trip_is_case_insensitive() -> None:
    token = make_token(SECRET, "TS-202611-0007", "c")
    address = reply_address("complaints@lida.example", token)
    assert address.startswith("complaints+ts-202611-0007.c.")
    [found] = find_tokens(SECRET, [address.upper()])
    assert (found.number, found.scope, found.valid) == ("TS-202611-0007", "c", True)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("0007", "0008"),  # another ticket
        lambda t: t.replace(".c.", ".a."),  # another scope
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # damaged signature
    ],
    ids=["other-ticket", "other-scope", "bad-signature"],
)
def test_tampered_token_is_invalid(tamper) -> None:  # type: ignore[no-untyped-def]
    token = tamper(make_token(SECRET, "TS-202611-0007", "c"))
    [found] = find_tokens(SECRET, [f"complaints+{token}@lida.example"])
    assert not found.valid


def test_token_under_another_secret_is_invalid() -> None:
    token = make_token(b"another-secret-of-16", "TS-202611-0007")
    assert not find_tokens(SECRET, [token])[0].valid


def test_subject_tags() -> None:
    assert subject_tag_numbers("Re: 回复: [TS-202611-0012] 货物破损", "TS") == ["TS-202611-0012"]
    assert subject_tag_numbers("[ts-202611-0012] lower case", "TS") == ["TS-202611-0012"]
    assert subject_tag_numbers("TS-202611-0012 without brackets", "TS") == []
    assert subject_tag_numbers("[XX-202611-0012]", "TS") == []


def candidate(
    method: MatchMethod, ticket_id: int, participants: set[str], valid: bool = False
) -> Candidate:
    return Candidate(
        method, ticket_id, f"TS-202611-{ticket_id:04d}", frozenset(participants), valid, "c"
    )


def test_no_candidates_is_a_new_ticket() -> None:
    assert decide_thread("a@x.cn", []).action is ThreadAction.NEW


def test_valid_token_wins_even_for_a_stranger() -> None:
    decision = decide_thread(
        "new-address@x.cn",
        [
            candidate(MatchMethod.SUBJECT, 2, {"a@x.cn"}),
            candidate(MatchMethod.TOKEN, 1, set(), valid=True),
        ],
    )
    assert (decision.action, decision.ticket_id, decision.method) == (
        ThreadAction.APPEND,
        1,
        MatchMethod.TOKEN,
    )


def test_invalid_token_falls_through_to_references() -> None:
    decision = decide_thread(
        "a@x.cn",
        [
            candidate(MatchMethod.TOKEN, 1, set(), valid=False),
            candidate(MatchMethod.REFERENCES, 3, {"a@x.cn"}),
        ],
    )
    assert (decision.action, decision.ticket_id) == (ThreadAction.APPEND, 3)


def test_references_before_subject() -> None:
    decision = decide_thread(
        "a@x.cn",
        [
            candidate(MatchMethod.SUBJECT, 2, {"a@x.cn"}),
            candidate(MatchMethod.REFERENCES, 3, {"a@x.cn"}),
        ],
    )
    assert decision.ticket_id == 3


def test_stranger_with_subject_tag_gets_a_linked_ticket() -> None:
    decision = decide_thread(
        "intruder@evil.example", [candidate(MatchMethod.SUBJECT, 2, {"a@x.cn"})]
    )
    assert (decision.action, decision.ticket_id) == (ThreadAction.NEW_LINKED, 2)
    assert "not a participant" in decision.reason


def test_only_invalid_tokens_is_new() -> None:
    decision = decide_thread("a@x.cn", [candidate(MatchMethod.TOKEN, 1, {"a@x.cn"}, valid=False)])
    assert decision.action is ThreadAction.NEW
