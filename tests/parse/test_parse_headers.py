"""Header decoding: RFC 2047 words, raw 8-bit text, addresses, ids and dates."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from complaintd.parse.headers import decode_text, parse_addresses, parse_date, parse_msg_ids
from complaintd.parse.model import Address


def _b(text: str, charset: str, codec: str | None = None) -> str:
    """One RFC 2047 B-encoded word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec or charset)).decode()}?="


def _raw(text: str, codec: str) -> str:
    """Header text as the stdlib parser hands over undeclared 8-bit bytes."""
    return text.encode(codec).decode("ascii", "surrogateescape")


GBK_SPLIT = "关于快递丢失的投诉".encode("gbk")
SPLIT_WORDS = (
    f"=?gb2312?B?{base64.b64encode(GBK_SPLIT[:5]).decode()}?= "
    f"=?gb2312?B?{base64.b64encode(GBK_SPLIT[5:]).decode()}?="
)

DECODE_CASES = [
    ("plain_ascii", "Re: my parcel", None, "Re: my parcel"),
    ("folded_and_padded", "  Re: my\r\n   parcel \r\n", None, "Re: my parcel"),
    ("gbk_in_gb2312_word", _b("投诉（王喆）", "gb2312", "gbk"), None, "投诉（王喆）"),
    ("mixed_case_label", _b("测试", "gBK"), None, "测试"),
    ("multibyte_split_across_words", SPLIT_WORDS, None, "关于快递丢失的投诉"),
    ("big5_word", _b("查詢包裹", "big5"), None, "查詢包裹"),
    ("q_encoding", "=?utf-8?q?caf=C3=A9_cr=C3=A8me?=", None, "café crème"),
    ("text_around_words", f"回复: {_b('包裹', 'utf-8')} 123", None, "回复: 包裹 123"),
    ("reply_prefix_kept", f"Re: 回复: {_b('包裹', 'utf-8')}", None, "Re: 回复: 包裹"),
    ("rfc2231_language_suffix", "=?utf-8*zh?B?5Lit5paH?=", None, "中文"),
    ("missing_base64_padding", "=?utf-8?B?5Lit5paH5Lit?=", None, "中文中"),
    ("broken_word_kept", "=?utf-8?B?@@@?=", None, "=?utf-8?B?@@@?="),
    ("raw_8bit_gbk_no_hint", _raw("回复: 快递丢失", "gbk"), None, "回复: 快递丢失"),
    ("raw_8bit_gbk_with_hint", _raw("回复: 快递丢失", "gbk"), "gb2312", "回复: 快递丢失"),
    ("raw_8bit_big5_with_hint", _raw("查詢包裹狀態", "big5"), "big5", "查詢包裹狀態"),
    ("raw_8bit_utf8_beats_gb_hint", _raw("danglüe", "utf-8"), "gb2312", "danglüe"),
    ("control_characters_dropped", "a\x00b\x07c", None, "abc"),
    # Exchange folds long encoded words inside the encoded text, with a TAB.
    (
        "b_word_folded_inside_by_tab",
        "=?utf-8?B?5Zue5aSNOiBbQ1BMLTEwMDRdIOWMheij\r\n\tueaNn+Wdj++8jOimgeaxgui1lOWBvw==?=",
        None,
        "回复: [CPL-1004] 包裹损坏，要求赔偿",
    ),
    (
        "q_word_folded_inside_by_tab",
        "=?utf-8?Q?=E5=8C=85=E8=A3=B9=E6=8D=9F=E5=9D=8F\r\n\t=EF=BC=8C=E8=B5=94=E5=81=BF?=",
        None,
        "包裹损坏，赔偿",
    ),
    ("words_separated_by_tab", "=?utf-8?B?5YyF6KO5?=\t=?utf-8?B?5o2f5Z2P?=", None, "包裹损坏"),
]


@pytest.mark.parametrize(
    ("case", "value", "hint", "expected"), DECODE_CASES, ids=[c[0] for c in DECODE_CASES]
)
def test_decode_text(case: str, value: str, hint: str | None, expected: str) -> None:
    """Unstructured header values decode to one stripped line."""
    notes: list[str] = []
    assert decode_text(value, hint, notes) == expected, case


def test_undecodable_encoded_word_is_escaped_and_noted() -> None:
    """Bad bytes in a word become \\xNN and a note."""
    notes: list[str] = []
    encoded = base64.b64encode(b"ok \xff").decode()
    value = f"=?utf-8?B?{encoded}?="
    assert decode_text(value, None, notes) == "ok \\xff"
    assert notes and "encoded word" in notes[0]


ADDRESS_CASES = [
    ("plain", "a@b.cn", [Address("", "a@b.cn")]),
    ("lower_cased", "Zhang San <ZS@QQ.Com>", [Address("Zhang San", "zs@qq.com")]),
    (
        "quoted_comma",
        '"Smith, John" <j@x.com>, b@c.d',
        [Address("Smith, John", "j@x.com"), Address("", "b@c.d")],
    ),
    (
        "encoded_comma_is_no_separator",
        "=?utf-8?Q?Smith=2C_John?= <j@x.com>",
        [Address("Smith, John", "j@x.com")],
    ),
    (
        "encoded_gb2312_in_quotes",
        f'"{_b("张三", "gb2312")}" <zs@qq.com>',
        [Address("张三", "zs@qq.com")],
    ),
    ("raw_8bit_name", _raw("李四 <lisi@example.cn>", "gbk"), [Address("李四", "lisi@example.cn")]),
    ("comment_name", "john@x.com (John Smith)", [Address("John Smith", "john@x.com")]),
    ("group_syntax", "undisclosed-recipients:;", []),
    ("duplicates_once", "a@b.cn, A@B.CN", [Address("", "a@b.cn")]),
    ("garbage", "garbage <<>> ,,, <a@b", []),
]

# Issue 11, item 2: From as real clients, web forms and gateways write it.
CLIENT_ADDRESS_CASES = [
    (
        "webform_name_no_brackets",
        "张三 zhangsan@example.cn",
        [Address("张三", "zhangsan@example.cn")],
    ),
    (
        "webform_raw_gbk_name_no_brackets",
        _raw("张三 zhangsan@example.cn", "gbk"),
        [Address("张三", "zhangsan@example.cn")],
    ),
    (
        "gb2312_name_bare_address",
        f"{_b('张三', 'gb2312')} user@example.com.tw",
        [Address("张三", "user@example.com.tw")],
    ),
    (
        "big5_name_bare_address",
        f"{_b('陳大文', 'big5')} user@example.com.tw",
        [Address("陳大文", "user@example.com.tw")],
    ),
    ("quoted_address_no_brackets", '"zhangsan@example.cn"', [Address("", "zhangsan@example.cn")]),
    (
        "quoted_name_bare_address",
        '"张三" zhangsan@example.cn',
        [Address("张三", "zhangsan@example.cn")],
    ),
    ("quoted_comma_name_bare", '"Smith, John" j@x.com', [Address("Smith, John", "j@x.com")]),
    ("raw_comma_in_q_word", "=?utf-8?Q?Zhang,_San?= <zs@x.cn>", [Address("Zhang, San", "zs@x.cn")]),
    (
        "raw_colon_in_q_word",
        "=?utf-8?Q?Support:_Desk?= <d@x.cn>",
        [Address("Support: Desk", "d@x.cn")],
    ),
    (
        "q_encoded_colon_bare",
        "=?utf-8?Q?Support=3A?= desk@x.com",
        [Address("Support:", "desk@x.com")],
    ),
    (
        "b_encoded_comma",
        f"{_b('张三, 李四', 'utf-8')} <zs@x.cn>",
        [Address("张三, 李四", "zs@x.cn")],
    ),
    ("stray_angle_in_name", "Zhang \u2039San> <zs@x.cn>", [Address("Zhang \u2039San>", "zs@x.cn")]),
    ("bracketed_word_in_name", "张三 <客服> <zs@x.cn>", [Address("张三 <客服>", "zs@x.cn")]),
    ("unclosed_angle", "John Smith <john@x.com", [Address("John Smith", "john@x.com")]),
    ("outlook_last_first_unquoted", "Zhang, San <zs@x.cn>", [Address("Zhang, San", "zs@x.cn")]),
    (
        "group_with_members",
        "客服组: a@x.cn, b@x.cn;",
        [Address("", "a@x.cn"), Address("", "b@x.cn")],
    ),
    (
        "whole_field_encoded",
        _b("张三 <zs@x.cn>", "utf-8"),
        [Address("张三", "zs@x.cn")],
    ),
    (
        "mixed_list",
        '张三 zs@x.cn, "李四" <ls@x.cn>, =?utf-8?Q?Wang,_Wu?= ww@x.cn',
        [Address("张三", "zs@x.cn"), Address("李四", "ls@x.cn"), Address("Wang, Wu", "ww@x.cn")],
    ),
]


@pytest.mark.parametrize(
    ("case", "value", "expected"), CLIENT_ADDRESS_CASES, ids=[c[0] for c in CLIENT_ADDRESS_CASES]
)
def test_addresses_as_clients_write_them(case: str, value: str, expected: list[Address]) -> None:
    """Shapes RFC 5322 rejects but clients send: the address is found, the name kept."""
    assert list(parse_addresses([value], None, [])) == expected, case


def test_lenient_reading_is_noted() -> None:
    """A mailbox read outside RFC 5322 leaves a note for the audit trail."""
    notes: list[str] = []
    parse_addresses(["张三 zhangsan@example.cn"], None, notes)
    assert any("read leniently" in note for note in notes)


def test_encoded_word_cannot_forge_an_address() -> None:
    """A decoded "<x@y>" inside a name does not replace the real address."""
    forged = _b("Boss <boss@desk.example.com>", "utf-8")
    assert parse_addresses([f"{forged} <mallory@evil.example>"], None, []) == (
        Address("Boss <boss@desk.example.com>", "mallory@evil.example"),
    )


@pytest.mark.parametrize(
    ("case", "value", "expected"), ADDRESS_CASES, ids=[c[0] for c in ADDRESS_CASES]
)
def test_parse_addresses(case: str, value: str, expected: list[Address]) -> None:
    """Address lists: decoded names, lower-cased unique addresses."""
    assert list(parse_addresses([value], None, [])) == expected, case


MSG_ID_CASES = [
    ("bracketed", ["<a@b>"], ("a@b",)),
    ("several_in_order", ["<a@b> <c@d>\r\n <e@f>"], ("a@b", "c@d", "e@f")),
    ("folded_inside", ["<abc\r\n @host>"], ("abc@host",)),
    ("no_brackets", ["abc@host"], ("abc@host",)),
    ("comment_after", ["<a@b> (John's message of Monday)"], ("a@b",)),
    ("duplicates_once", ["<a@b>", "<a@b>"], ("a@b",)),
    ("empty", ["<>", ""], ()),
]


@pytest.mark.parametrize(
    ("case", "values", "expected"), MSG_ID_CASES, ids=[c[0] for c in MSG_ID_CASES]
)
def test_parse_msg_ids(case: str, values: list[str], expected: tuple[str, ...]) -> None:
    """Message ids without brackets, in order, unique."""
    assert parse_msg_ids(values) == expected, case


CST = timezone(timedelta(hours=8))
DATE_CASES = [
    ("with_offset", "Tue, 2 Jan 2024 10:00:00 +0800", datetime(2024, 1, 2, 10, 0, tzinfo=CST)),
    (
        "comment_zone",
        "Tue, 2 Jan 2024 02:00:00 +0000 (UTC)",
        datetime(2024, 1, 2, 2, 0, tzinfo=UTC),
    ),
    ("no_zone_is_utc", "2 Jan 2024 10:00:00", datetime(2024, 1, 2, 10, 0, tzinfo=UTC)),
    ("garbage", "next Tuesday", None),
    ("absent", None, None),
]


@pytest.mark.parametrize(("case", "value", "expected"), DATE_CASES, ids=[c[0] for c in DATE_CASES])
def test_parse_date(case: str, value: str | None, expected: datetime | None) -> None:
    """Dates are aware datetimes, or None."""
    parsed = parse_date(value, [])
    assert parsed == expected, case
    assert parsed is None or parsed.tzinfo is not None
    if case == "with_offset" and parsed is not None:
        assert parsed.utcoffset() == timedelta(hours=8)
