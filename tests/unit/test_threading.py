"""Reply tokens and subject tags (pure); the routing decision is in test_routing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random

import pytest

from complaintd.thread.tokens import (
    find_tokens,
    make_token,
    reply_address,
    subject_tag,
    subject_tag_numbers,
)

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


def test_subject_tag_carries_a_checked_token() -> None:
    tag = subject_tag(SECRET, "TS-202611-0007", "s12")
    assert tag.startswith("TS-202611-0007/S12-") and len(tag.rpartition("-")[2]) == 10
    subject = f"答复: [{tag}] 工作联系单：质量管理部"
    [found] = find_tokens(SECRET, [], subject)
    assert (found.number, found.scope, found.valid) == ("TS-202611-0007", "s12", True)
    assert subject_tag_numbers(subject, "TS") == ["TS-202611-0007"]


@pytest.mark.parametrize(
    "subject",
    [
        "[TS-202611-0007/S13-{sig}]",  # another sheet
        "[TS-202611-0008/S12-{sig}]",  # another ticket
        "[TS-202611-0007/A-{sig}]",  # another scope
    ],
)
def test_subject_tag_copied_to_another_scope_is_invalid(subject: str) -> None:
    sig = subject_tag(SECRET, "TS-202611-0007", "s12").rpartition("-")[2]
    [found] = find_tokens(SECRET, [], subject.format(sig=sig))
    assert not found.valid


def test_an_address_token_in_the_subject_is_found_too() -> None:
    token = make_token(SECRET, "TS-202611-0007", "a")
    [found] = find_tokens(SECRET, [], f"Re: {token}")
    assert found.valid and found.scope == "a"


def test_tokens_are_the_base32_of_the_hmac_as_ever() -> None:
    """Tokens in mail already sent must still check: each is the first 12 characters of
    the base32 (RFC 4648) of HMAC-SHA256(``<NUMBER>.<scope>``), lower case; the subject
    tag shows the first 10, upper case."""
    rng = random.Random(17)
    for _ in range(2000):
        secret = rng.randbytes(rng.randint(16, 64))
        number = f"TS-2026{rng.randint(1, 12):02d}-{rng.randint(1, 99999):04d}"
        scope = rng.choice(["c", "a", f"s{rng.randint(1, 10**6)}"])
        digest = hmac.new(secret, f"{number}.{scope}".encode(), hashlib.sha256).digest()
        signature = base64.b32encode(digest).decode("ascii").lower()
        assert make_token(secret, number, scope) == f"{number.lower()}.{scope}.{signature[:12]}"
        tag = f"{number}/{scope.upper()}-{signature[:10].upper()}"
        assert subject_tag(secret, number, scope) == tag
    assert make_token(SECRET, "TS-202611-0007", "c") == "ts-202611-0007.c.nwdfonouykjf"
