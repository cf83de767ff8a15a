"""format=flowed (RFC 3676): soft line breaks joined, DelSp honoured, quotes kept.

Issue 11, item 5.  The unit cases follow RFC 3676 sections 4.1-4.5; the two
messages are written as Apple Mail (``format=flowed; delsp=yes``, Chinese text
wrapped between characters) and Thunderbird (``format=flowed``) send them.
"""

from __future__ import annotations

import pytest

from complaintd.parse import parse_message
from complaintd.parse.flowed import unflow
from tests.parse.corpus import parse_corpus, parse_handmade

UNFLOW_CASES = [
    ("soft_break_joined", "Hello \nworld", False, "Hello world"),
    ("fixed_line_kept", "Hello\nworld", False, "Hello\nworld"),
    ("delsp_removes_the_space", "我的包裹在 \n杭州", True, "我的包裹在杭州"),
    ("delsp_no_keeps_the_space", "my parcel \nis late", False, "my parcel is late"),
    ("paragraph_ends_at_fixed_line", "a \nb\nc \nd", False, "a b\nc d"),
    ("empty_line_separates", "a\n\nb", False, "a\n\nb"),
    ("space_stuffing_removed", " From here \non", False, "From here on"),
    ("quoted_lines_joined", "> quoted \n> text", False, "> quoted text"),
    ("nested_quote", ">> deep \n>> er", False, ">> deep er"),
    ("quote_depth_change_is_a_hard_break", "> quoted \nreply", False, "> quoted \nreply"),
    ("signature_separator_is_fixed", "text\n-- \nLi Lei", False, "text\n-- \nLi Lei"),
    ("empty_quote_line", ">\n> a", False, ">\n> a"),
]


@pytest.mark.parametrize(
    ("case", "text", "delsp", "expected"), UNFLOW_CASES, ids=[c[0] for c in UNFLOW_CASES]
)
def test_unflow(case: str, text: str, delsp: bool, expected: str) -> None:
    """RFC 3676 unwrapping, line by line."""
    assert unflow(text, delsp) == expected, case


def test_apple_mail_delsp_yes_chinese() -> None:
    """Apple Mail wraps Chinese between characters; DelSp=yes joins them without spaces."""
    message = parse_handmade("apple_mail_flowed_delsp.eml")
    paragraph = (
        "我的包裹在二零二四年一月五日从上海发出，到现在已经一个星期了，物流信息一直停在杭州转运中心，"
        "打电话给快递员也没有人接，请尽快帮我查一下包裹现在在哪里。"
    )
    assert message.body.text == f"您好：\n\n{paragraph}\n\n谢谢！\n赵六\n\n发自我的iPhone"
    assert message.reply_text == f"您好：\n\n{paragraph}\n\n谢谢！\n赵六"


def test_thunderbird_flowed_reply() -> None:
    """Thunderbird's flowed paragraphs and flowed quote are joined; quote and signature go."""
    message = parse_handmade("thunderbird_flowed_reply.eml")
    assert message.reply_text == (
        "Hello,\n\nI am still waiting for the refund of the freight charge for waybill "
        "SF1234567890. You promised it within three working days, and it has been a week now."
    )
    assert (
        "> Dear customer, we are sorry for the overcharge. The difference will be refunded "
        "to your account within three working days.\n>\n> Complaint Desk"
    ) in message.body.text


def test_talon_thunderbird_reply_is_still_hello() -> None:
    """A real Thunderbird flowed reply from talon's fixtures still strips to Hello."""
    assert parse_corpus("talon/fixtures/standard_replies/thunderbird.eml").reply_text == "Hello"


def test_not_flowed_keeps_trailing_spaces_as_line_ends() -> None:
    """Without format=flowed a line ending in a space is still a line end."""
    raw = b"From: a@b.cn\nContent-Type: text/plain; charset=utf-8\n\nline one \nline two\n"
    assert parse_message(raw).body.text == "line one \nline two"
