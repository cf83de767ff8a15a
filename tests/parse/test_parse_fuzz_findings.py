"""Regression tests for what the fuzz harness (tests/fuzz) found in the parse stage."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

from complaintd.classify.extract import DEFAULT_PATTERNS
from complaintd.classify.rules import DEFAULT_RULES
from complaintd.parse import parse_message
from complaintd.parse.model import ParsedMessage
from complaintd.workflow.analysis import AnalysisSettings, analyze

MULTIPART_WITH_NUL = (
    b"From: a@b.example\r\nSubject: photos\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n"
    b"--b\r\nContent-Type: image/jp\x00eg\r\nContent-ID: <ph\x00oto@x>\r\n"
    b"Content-Disposition: attachment; filename=box.jpg\r\n\r\nxx\r\n--b--\r\n"
)


def test_a_nul_in_an_attachment_header_does_not_reach_the_ledger() -> None:
    """Found by the fuzzer: msg_05 with a NUL inserted into a part's Content-Type."""
    [attachment] = parse_message(MULTIPART_WITH_NUL).attachments
    assert (attachment.content_type, attachment.content_id) == ("image/jpeg", "photo@x")


def test_a_nul_in_the_charset_label_does_not_reach_the_ledger() -> None:
    """Found by the fuzzer: talon's apple_mail.eml with a NUL flipped into the label."""
    raw = (
        b"From: a@b.example\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="utf-\x008"\r\n\r\n\xe5\x8c\x85\xe8\xa3\xb9\r\n'
    )
    parsed = parse_message(raw)
    assert parsed.body.declared_charset == "utf-8"
    assert parsed.body.text == "包裹"


def _all_text(value: object) -> Iterator[str]:
    """Every str inside a parsed message (dataclasses, tuples, dicts)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _all_text(getattr(value, item.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _all_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _all_text(key)
            yield from _all_text(item)


def _storable(parsed: ParsedMessage) -> bool:
    """No NUL (PostgreSQL text rejects it) and no lone surrogate (not encodable)."""
    return all("\x00" not in text and text == _encodable(text) for text in _all_text(parsed))


def _encodable(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def test_an_encoded_word_that_decodes_to_nul_stays_out_of_names_and_addresses() -> None:
    """Found by the fuzzer: ``=?utf-8?B?AA==?=`` is a NUL in a display name or address."""
    raw = (
        b"From: =?utf-8?B?5byg5LiJAA==?= <qc=?utf-8?B?AA==?=@lida.example>\r\n"
        b"To: =?utf-8?Q?Desk=00?= <desk@lida.example>\r\n"
        b"Cc: =?utf-8?B?AA==?= <a@b.example>\r\nReply-To: <r=?utf-8?Q?=00?=@b.example>\r\n"
        b"Subject: =?utf-8?B?AA==?=late\r\n\r\nWhere is my parcel?\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.from_addr is not None
    assert parsed.from_addr.name == "张三"
    assert "\x00" not in parsed.from_addr.email
    assert parsed.to[0].name == "Desk"
    assert parsed.subject == "late"
    assert _storable(parsed)


def test_a_nul_in_a_parts_content_type_stays_out_of_the_defect_notes() -> None:
    """Found by the fuzzer: a part's raw content type is copied into ``defects``."""
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mi\x00xed\r\n\r\nhi\r\n"
    )
    parsed = parse_message(raw)
    assert "NoBoundaryInMultipartDefect in multipart/mixed" in parsed.defects
    assert _storable(parsed)


def test_utf7_that_decodes_to_lone_surrogates_is_classified() -> None:
    """Found by the fuzzer: a body labelled UTF-7 decoded to lone surrogates, and
    classification raised UnicodeEncodeError."""
    raw = (
        b"From: a@b.example\r\nSubject: =?utf-7?Q?+2D0-late?=\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-7\r\n\r\nWhere +2D0- is my +3AA-parcel?\r\n"
    )
    parsed = parse_message(raw)
    assert _storable(parsed)
    assert "parcel" in parsed.body.text
    analysis = analyze(
        raw, AnalysisSettings(DEFAULT_RULES, DEFAULT_PATTERNS, "en"), date(2026, 11, 20)
    )
    assert analysis.parsed.subject.endswith("late")
