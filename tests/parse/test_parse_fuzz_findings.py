"""Regression tests for what the fuzz harness (tests/fuzz) found in the parse stage."""

from __future__ import annotations

from complaintd.parse import parse_message

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
