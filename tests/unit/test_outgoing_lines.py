"""No line of an outgoing mail passes 998 octets (RFC 5322 2.1.1), whatever the input.

Two acknowledgements were refused with "500 Line too long": a long word in a subject, a
long display name, a long Message-ID in the thread or a long attachment name made one
header line of thousands of octets.  Every case is written here as it came, and then
``hypothesis`` throws arbitrary text at every field the composer takes.
"""

from __future__ import annotations

import email.policy
import re
from datetime import UTC, datetime
from email import message_from_bytes, message_from_string
from email.header import decode_header
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintd.outbox.compose import OutgoingMail, build_message, header_safe
from complaintd.outbox.headers import MAX_LINE_OCTETS, MAX_REFERENCES
from complaintd.store.mail_kind import MailKind

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
WORD = "x" * 5000
ZH_SUBJECT = "[TS-202611-0001] 我们已收到您的投诉：" + "运单SF1234567890破损，外包装压坏。" * 150
LONG_ID = "CAF" + "a1B2" * 500 + "@mail.gmail.com"


def outgoing(**overrides: object) -> OutgoingMail:
    fields: dict[str, object] = {
        "kind": MailKind.ACK,
        "from_address": "complaints@lida.example",
        "from_name": "Lida 客服",
        "to": ("zhang.wei@customer.example",),
        "subject": "[TS-202611-0001] 已受理",
        "text": "您好",
        "html": "<p>您好</p>",
        "message_id": "m1@lida.example",
        "date": NOW,
        "in_reply_to": "c1@customer.example",
        "references": ("c0@customer.example", "c1@customer.example"),
        "reply_to": "complaints+ts-202611-0001.c.abcdefghijkl@lida.example",
    }
    fields.update(overrides)
    return OutgoingMail(**fields)  # type: ignore[arg-type]


def lines(raw: bytes) -> list[bytes]:
    assert raw.endswith(b"\r\n")
    return raw[:-2].split(b"\r\n")


def assert_lines_fit(raw: bytes) -> None:
    """Every line at most 998 octets, ended by CRLF, with no bare CR or LF in it."""
    for line in lines(raw):
        assert len(line) <= MAX_LINE_OCTETS, line[:80]
        assert b"\r" not in line and b"\n" not in line


def read(raw: bytes) -> EmailMessage:
    """The mail as a receiving client reads it (UTF-8 headers as RFC 6532 allows)."""
    parsed = message_from_string(raw.decode("utf-8"), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def display_name(raw: bytes) -> str:
    """The From display name decoded as RFC 2047 6.2 says.

    Python's modern address parser puts a space between adjacent encoded-words of a
    display name; mail clients (and RFC 2047) ignore the white space between them.
    """
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", str(message_from_bytes(raw)["From"]))
    name, charset = decode_header(unfolded)[0]
    text = name.decode(charset or "ascii") if isinstance(name, bytes) else name
    return parseaddr(text)[0] if charset is None else text  # ASCII: perhaps quoted


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


CHAIN = tuple(f"{i}.{'r' * 60}@mail.example" for i in range(3000))

CASES: dict[str, dict[str, object]] = {
    "5,000-character word in subject, text and HTML": {
        "subject": f"Re: {WORD}",
        "text": f"see {WORD} here",
        "html": f"<p>{WORD}</p>",
    },
    "long subject in Chinese": {"subject": ZH_SUBJECT},
    "long subject of short ASCII words": {"subject": "parcel late again " * 200},
    "subject that looks like an encoded-word": {"subject": "=?utf-8?b?5L2g5aW9?= is literal"},
    "References chain of 3,000 ids": {"references": CHAIN},
    "Message-IDs too long for any line": {"in_reply_to": LONG_ID, "references": (LONG_ID,)},
    "long display name in Chinese": {"from_name": "利达物流客户服务中心" * 100},
    "long ASCII display name with specials": {"from_name": "Lida, Customer Service " * 60},
    "display name of one long word": {"from_name": "L" * 3000},
    "many recipients": {"to": tuple(f"dept{i}@lida.example" for i in range(300))},
    "attachment with a 400-character Chinese name": {
        "attachments": (("运单照片" * 100 + ".jpg", "image/jpeg", b"\xff\xd8" * 10),)
    },
    "attachment with a long ASCII name and a bogus type": {
        "attachments": (("a" * 3000 + ".pdf", "application/" + "x" * 2000, b"%PDF"),)
    },
    "HTML of one 200 KB line": {"html": "<table>" + "<td>破损</td>" * 20000 + "</table>"},
}


@pytest.mark.parametrize("overrides", CASES.values(), ids=CASES.keys())
def test_extreme_inputs_give_no_line_over_998_octets(overrides: dict[str, object]) -> None:
    mail = outgoing(**overrides)
    raw = build_message(mail)
    assert_lines_fit(raw)
    message = read(raw)
    assert message["Subject"] == header_safe(mail.subject)
    assert body(message, "plain") == mail.text
    assert body(message, "html") == mail.html
    assert [a.addr_spec for a in message["To"].addresses] == list(mail.to)
    assert display_name(raw) == header_safe(mail.from_name)
    for (name, _, data), part in zip(mail.attachments, message.iter_attachments(), strict=True):
        assert (part.get_filename(), part.get_content()) == (name, data)


def test_headers_keep_to_78_octets_where_a_token_allows() -> None:
    raw = build_message(outgoing(**CASES["5,000-character word in subject, text and HTML"]))
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in lines(head + b"\r\n")) <= 78


def test_a_long_thread_keeps_its_first_and_newest_ids() -> None:
    message = read(build_message(outgoing(references=CHAIN)))
    written = message["References"].split()
    assert len(written) == MAX_REFERENCES
    assert written[0] == f"<{CHAIN[0]}>" and written[-1] == f"<{CHAIN[-1]}>"


def test_message_ids_no_line_can_hold_are_left_out() -> None:
    raw = build_message(outgoing(in_reply_to=LONG_ID, references=(LONG_ID, "c1@customer.example")))
    message = read(raw)
    assert message["In-Reply-To"] is None
    assert message["References"] == "<c1@customer.example>"


def test_an_attachment_name_too_long_for_a_line_goes_in_rfc2231_continuations() -> None:
    name = "运单照片" * 100 + ".jpg"
    raw = build_message(outgoing(attachments=((name, "image/jpeg", b"x"),)))
    assert b"filename*0*=utf-8''%E8%BF%90" in raw and b"filename*1*=" in raw
    [part] = read(raw).iter_attachments()
    assert part.get_filename() == name and part.get_content_type() == "image/jpeg"


def test_a_malformed_content_type_of_a_customer_file_is_sent_as_octet_stream() -> None:
    raw = build_message(
        outgoing(attachments=(("a.jpg", "image/jpeg\r\nBcc: evil@x.example", b"x"),))
    )
    [part] = read(raw).iter_attachments()
    assert part.get_content_type() == "application/octet-stream"
    assert b"\r\nBcc:" not in raw


def _texts(max_size: int) -> st.SearchStrategy[str]:
    """Any text, with long runs without spaces and lots of CJK, emoji and controls."""
    alphabet = st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from('货物破损运单号😀 é\r\n\t\x00\u2028=?<>"\\,;@'),
    )
    return st.text(alphabet, max_size=max_size) | st.builds(
        lambda c, n: c * n, st.characters(codec="utf-8"), st.integers(900, 3000)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=_texts(3000),
    from_name=_texts(1500),
    text=_texts(3000),
    references=st.lists(_texts(1200), max_size=40),
    filename=_texts(600),
)
def test_any_text_in_any_field_gives_lines_within_998_octets(
    subject: str, from_name: str, text: str, references: list[str], filename: str
) -> None:
    mail = outgoing(
        subject=subject,
        from_name=from_name,
        text=text,
        html=f"<p>{text}</p>",
        in_reply_to=references[-1] if references else None,
        references=tuple(references),
        attachments=((filename, "text/plain", text.encode("utf-8")),),
    )
    raw = build_message(mail)
    assert_lines_fit(raw)
    parsed = message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == header_safe(subject)
    assert display_name(raw) == header_safe(from_name)
    [part] = parsed.iter_attachments()
    # Python's reader drops one pair of quotes around a file name; mail clients do not.
    assert (part.get_filename() or "").strip('"') == header_safe(filename).strip('"')
