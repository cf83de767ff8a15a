"""The pure decisions behind issue 11, items 9-12: stored keys, NUL, same message, ledger gap."""

from __future__ import annotations

import json

import pytest

from complaintd.config.model import MailboxConfig
from complaintd.fetch.imap import carries_processed_flag
from complaintd.service.checks import LedgerMark, ProcessedOnServer, ledger_gap
from complaintd.store.fields import KEY_MAX_BYTES, JsonField, MailTextField, store_key
from complaintd.store.models import InboundMessage
from complaintd.store.queries import KnownMessage
from complaintd.workflow.intake import same_message_basis

# --- stored keys and NUL ------------------------------------------------------------------


def test_short_keys_are_stored_as_they_are() -> None:
    assert store_key("CAKx=3fQ@mail.gmail.com") == "CAKx=3fQ@mail.gmail.com"
    assert store_key("a" * KEY_MAX_BYTES) == "a" * KEY_MAX_BYTES


@pytest.mark.parametrize("unit", ["a", "乱", "😀"])
def test_long_keys_fit_the_limit_and_stay_distinct(unit: str) -> None:
    """Cut at a character boundary in UTF-8 bytes; the digest keeps different ids apart."""
    long = unit * 2000
    key = store_key(long)
    assert len(key.encode("utf-8")) <= KEY_MAX_BYTES
    assert key == store_key(long)  # a lookup finds what was stored
    assert key != store_key(long + "x")
    assert key.startswith(unit * 10)


def test_nul_is_dropped_from_keys_and_text() -> None:
    assert store_key("a\x00b@x") == "ab@x"
    assert MailTextField().db_value("张\x00伟") == "张伟"
    assert MailTextField().db_value(None) is None


def test_json_documents_lose_nul_in_every_string() -> None:
    stored = JsonField().db_value({"sen\x00der": ["a\x00@x", {"n": "\x00"}], "n": 1})
    assert json.loads(stored) == {"sender": ["a@x", {"n": ""}], "n": 1}
    assert JsonField().db_value({"text": "a\\u0000b"}) == '{"text":"a\\\\u0000b"}'  # not a NUL


# --- the same message again ----------------------------------------------------------------


def _known(**changes: object) -> KnownMessage:
    values: dict[str, object] = {
        "id": 1,
        "ticket_id": 1,
        "ticket_number": "TS-202611-0001",
        "inbound_id": 1,
        "sha256": "a" * 64,
        "mailbox": "complaints",
        "uid": 7,
        "same_text": False,
    }
    values.update(changes)
    return KnownMessage(**values)  # type: ignore[arg-type]


def _inbound(**changes: object) -> InboundMessage:
    values: dict[str, object] = {"sha256": "b" * 64, "mailbox": "complaints", "uid": 9}
    values.update(changes)
    return InboundMessage(**values)


@pytest.mark.parametrize(
    ("known", "inbound", "basis"),
    [
        (_known(), _inbound(sha256="a" * 64), "same content"),
        (_known(), _inbound(uid=7), "same mailbox UID"),  # fetched again, new UIDVALIDITY
        (_known(same_text=True), _inbound(), "same sender, subject and text"),
        (_known(), _inbound(mailbox="fax", uid=7), None),
        (_known(sha256=None, mailbox=None, uid=None), _inbound(), None),
        (_known(), _inbound(), None),  # only the Message-ID in common: a new message
    ],
)
def test_what_makes_the_same_message(
    known: KnownMessage, inbound: InboundMessage, basis: str | None
) -> None:
    assert same_message_basis(known, inbound) == basis


# --- the processed keyword and the ledger gap ---------------------------------------------


def test_the_processed_keyword_is_read_caselessly() -> None:
    assert carries_processed_flag((b"\\Seen", b"$complaintd"))
    assert carries_processed_flag(("$Complaintd",))
    assert not carries_processed_flag((b"\\Seen", b"$ComplaintdFailed"))
    assert not carries_processed_flag(())


MAILBOX = MailboxConfig(
    name="complaints",
    kind="complaint",
    host="127.0.0.1",
    port=143,
    tls="none",
    username="u",
    password="p",
    folder="INBOX",
    processed_folder=None,
    quarantine_folder=None,
    idle=True,
    poll_seconds=60,
    batch_size=50,
)
MOVING = MailboxConfig(**{**MAILBOX.__dict__, "processed_folder": "Processed"})


@pytest.mark.parametrize(
    ("mailbox", "mark", "server", "says"),
    [
        (MAILBOX, None, ProcessedOnServer(5, (1, 2), 0), "2 message(s) in the folder INBOX"),
        (MAILBOX, LedgerMark(5, 0), ProcessedOnServer(5, (3,), 0), "looks new: 1 message(s)"),
        (MAILBOX, LedgerMark(5, 2), ProcessedOnServer(5, (1, 2, 3, 4), 0), "older than"),
        (MAILBOX, LedgerMark(5, 4), ProcessedOnServer(5, (1, 2, 3, 4), 0), None),
        (MAILBOX, LedgerMark(4, 2), ProcessedOnServer(5, (1, 2, 3), 0), None),  # new UIDVALIDITY
        (MAILBOX, None, ProcessedOnServer(5, (), 0), None),  # a new desk on a new mailbox
        (MOVING, None, ProcessedOnServer(5, (), 12), "the folder Processed holds 12 message(s)"),
        (MOVING, LedgerMark(5, 30), ProcessedOnServer(5, (), 12), None),
    ],
)
def test_ledger_gap(
    mailbox: MailboxConfig, mark: LedgerMark | None, server: ProcessedOnServer, says: str | None
) -> None:
    problem = ledger_gap(mailbox, mark, server)
    if says is None:
        assert problem is None
    else:
        assert problem is not None and says in problem and "database.url" in problem
