"""parse_message on hand-made messages (tests/parse/eml) and edge cases.

The .eml files were written for these tests; each one's content is spelled out
in the expectations below.
"""

from __future__ import annotations

import email.utils
from datetime import datetime, timedelta, timezone

import pytest

from complaintd.errors import PermanentError
from complaintd.parse import Address, AutomatedKind, parse_message
from complaintd.parse.tolerant import without_comments
from tests.parse.corpus import all_text, parse_handmade

GBK_COMPLAINT = (
    "您好：\n我的包裹单号 SF1234567890 在深圳转运中心滞留三天了，收件人是王喆（喆字），"
    "地址是堃镕路8号。\n请尽快处理，谢谢！"
)


@pytest.mark.parametrize("name", ["gbk_as_gb2312_base64.eml", "gbk_as_gb2312_8bit.eml"])
def test_gbk_text_labelled_gb2312(name: str) -> None:
    """GBK-only characters under a gb2312 label decode via gb18030 (base64 and 8bit)."""
    message = parse_handmade(name)
    assert message.subject == "关于包裹滞留的投诉（王喆）"
    assert message.from_addr == Address("王喆", "wangzhe@example.cn")
    assert message.to == (Address("客服中心", "kefu@desk.example.com"),)
    assert message.body.text == GBK_COMPLAINT
    assert (message.body.charset, message.body.declared_charset) == ("gb18030", "gb2312")
    assert message.body.undecoded is None and message.body.decode_note is None


def test_big5_with_hkscs_character() -> None:
    """A Big5 label with an HKSCS character decodes via big5hkscs."""
    message = parse_handmade("big5.eml")
    assert message.subject == "查詢包裹狀態"
    assert message.from_addr == Address("陳大文", "chan@example.hk")
    assert "香港九龍彌敦道100號。唔該晒㗎！" in message.body.text
    assert message.body.charset == "big5hkscs"


def test_undeclared_8bit_gbk_headers() -> None:
    """Raw GBK bytes in Subject and From are decoded; threading ids are read."""
    message = parse_handmade("undeclared_8bit_gbk_subject.eml")
    assert message.subject == "回复: 快递丢失怎么办"  # the reply prefix is kept as sent
    assert message.from_addr == Address("李四", "lisi@example.cn")
    assert message.in_reply_to == ("ticket-42@desk.example.com",)
    assert message.references == ("ticket-41@desk.example.com", "ticket-42@desk.example.com")


def test_rfc2231_and_other_chinese_filenames() -> None:
    """Every way clients send a Chinese file name ends up readable and safe."""
    message = parse_handmade("rfc2231_chinese_filename.eml")
    assert message.body.text == "附件是运单和照片。"
    assert [a.filename for a in message.attachments] == [
        "运单号 SF123.pdf",  # RFC 2231 UTF-8
        "包裹照片.jpg",  # RFC 2231 gb2312 with continuations
        "发票.xls",  # RFC 2047 word inside quotes (Outlook, Foxmail)
        "损坏照片.png",  # raw 8-bit GBK with Windows directories stripped
        "attachment-5.zip",  # no name at all
    ]
    assert message.attachments[0].data == b"%PDF-1.4\n% fake\n"
    assert message.attachments[0].content_type == "application/pdf"
    assert not any(a.inline for a in message.attachments)


def test_html_only_chinese_mail() -> None:
    """HTML-only mail becomes readable text; the HTML is kept."""
    message = parse_handmade("html_only_chinese.eml")
    body = message.body
    assert body.from_html and body.charset == "gb18030"
    assert body.html is not None and "<table>" in body.html
    assert body.text == (
        "尊敬的客服：\n\n我的快递三天没有更新，请[点此查询](https://track.example.com/SF123)。"
        "\n\n单号 SF123\n\n联系邮箱：zhao@example.cn\n\n> 以前的邮件内容"
    )
    assert "alert" not in body.text and "color" not in body.text and "广告" not in body.text
    assert message.reply_text.endswith("联系邮箱：zhao@example.cn")


def test_nested_rfc822_forward() -> None:
    """A forwarded message adds a header block, its text and its attachments."""
    message = parse_handmade("nested_rfc822.eml")
    assert message.body.text == (
        "我根本没有收到包裹！请看下面转发的邮件。\n\n"
        "---------- Forwarded message ----------\n"
        "From: 仓库主管 <warehouse@partner.example.com>\n"
        "Date: Mon, 01 Jan 2024 09:00:00 +0800\n"
        "Subject: 您的包裹已签收\n"
        "To: qian@example.cn\n"
        "Message-ID: <inner-original@partner.example.com>\n\n"
        "您的包裹已于1月1日签收，签收人：门卫。"
    )
    assert message.reply_text == message.body.text  # a forward is content, not a quote
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("receipt.pdf", "application/pdf")
    ]


def test_inline_image_referenced_by_cid() -> None:
    """An image in multipart/related is inline with its Content-ID."""
    message = parse_handmade("inline_image_cid.eml")
    assert message.body.text == "箱子破了，见图片。\n[image: 破损.png]"
    assert not message.body.from_html
    assert message.body.html is not None and "cid:damage-1@example.cn" in message.body.html
    (image,) = message.attachments
    assert (image.filename, image.content_type, image.inline, image.content_id) == (
        "attachment-1.png",
        "image/png",
        True,
        "damage-1@example.cn",
    )
    assert image.data.startswith(b"\x89PNG")


def test_body_garbage_in_every_charset() -> None:
    """Nothing decodes: raw bytes kept, every attempt noted, no U+FFFD."""
    message = parse_handmade("garbage_body.eml")
    body = message.body
    assert body.undecoded == b"\xff\x80abc\x81\xfe" * 16
    assert body.decode_note is not None
    for tried in ("x-no-such-charset", "utf-8", "gb18030", "big5hkscs", "cp950", "normalizer"):
        assert tried in body.decode_note
    assert "\ufffd" not in body.text and "\\xff\\x80abc" in body.text
    assert body.declared_charset == "x-no-such-charset"


def test_qq_mail_reply_fields() -> None:
    """All envelope and threading fields of a QQ Mail reply."""
    message = parse_handmade("qq_mail_reply.eml")
    assert message.reply_text == "好的，我明天在家等快递员。"
    assert message.subject == "回复: [CPL-1001] 包裹延误"
    assert message.message_id == "tencent_ABC123@qq.com"
    assert message.in_reply_to == ("cpl-1001-2@desk.example.com",)
    assert message.references == ("cpl-1001-1@desk.example.com", "cpl-1001-2@desk.example.com")
    assert message.from_addr == Address("周八", "zhou@qq.com")
    assert message.cc == (
        Address("", "a@example.cn"),
        Address("Smith, John", "john.smith@example.com"),
    )
    assert message.reply_to == (Address("", "zhou.backup@qq.com"),)
    assert message.delivered_to == ("kefu@desk.example.com", "complaints@desk.example.com")
    assert message.return_path == "zhou@qq.com"
    assert message.date == datetime(2024, 1, 8, 12, 34, 56, tzinfo=timezone(timedelta(hours=8)))
    assert message.headers == {"x-mailer": "QQMail 2.x"}
    assert message.automated is None and message.defects == ()


def test_chinese_auto_reply() -> None:
    """A 自动回复 subject marks an auto-reply."""
    message = parse_handmade("auto_reply_chinese.eml")
    assert message.automated == AutomatedKind.AUTO_REPLY
    assert message.automated_reason == "subject '自动回复: 回复: [CPL-1002] 包裹延误'"
    assert message.headers == {"x-auto-response-suppress": "All"}


@pytest.mark.parametrize(
    ("case", "raw"),
    [
        ("empty", b""),
        ("whitespace", b" \r\n\r\n\t"),
        ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("prose", b"Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit.\n"),
        ("smtp_transcript", b"HELO example.com\r\nMAIL FROM:<a@b.c>\r\n"),
    ],
)
def test_not_mail_is_permanent_error(case: str, raw: bytes) -> None:
    """Only input that is not mail at all raises PermanentError."""
    with pytest.raises(PermanentError):
        parse_message(raw)


ODD_MAIL = [
    ("headers_only", b"Subject: only headers"),
    ("no_body_separator", b"From: a@b.c\nSubject: x\nthis line is body text\n"),
    ("mbox_from_line", b"From a@b.c Mon Jan  1 00:00:00 2024\nFrom: a@b.c\nSubject: x\n\nbody\n"),
    ("bom_and_blank_lines", b"\xef\xbb\xbf\r\n\r\nFrom: a@b.c\r\nSubject: x\r\n\r\nbody\r\n"),
    ("obsolete_space_before_colon", b"From  : a@b.c\nSubject   : hello\n\nbody\n"),
    ("bad_field_name_dropped", b"From: a@b.c\nX-Bad name: v\nSubject: x\n\nbody\n"),
    ("nul_in_body", b"From: a@b.c\nSubject: x\n\nbo\x00dy\n"),
    ("multipart_without_boundary", b"From: a@b.c\nContent-Type: multipart/mixed\n\nplain\n"),
    (
        "wrong_boundary_recovered",
        b'From: a@b.c\nContent-Type: multipart/mixed; boundary="nope"\n\n--real\n'
        b"Content-Type: text/plain\n\nhello\n--real\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename=x.pdf\n\n%PDF\n--real--\n",
    ),
    (
        "base64_with_trailing_space_in_cte",
        b"From: a@b.c\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64 \n\n5L2g5aW9\n",
    ),
    ("bogus_date", b"From: a@b.c\nDate: yesterday-ish\nSubject: x\n\nbody\n"),
    (
        "malformed_rfc2231_boundary",
        b"From: a@b.c\nContent-Type: multipart/mixed; boundary*=x; boundary*0=y\n\n--x\n"
        b"Content-Type: text/plain\n\nhi\n--x\nContent-Type: application/pdf; name*=a; name*0=b\n\n"
        b"%PDF\n--x--\n",
    ),
    ("nul_in_charset_label", b'From: a@b.c\nContent-Type: text/plain; charset="utf\x00-8"\n\nhi\n'),
    (
        "empty_cte_and_charset",
        b'From: a@b.c\nContent-Transfer-Encoding: ;x\nContent-Type: text/plain; charset=""\n\nhi\n',
    ),
    ("non_ascii_inside_encoded_word", "Subject: =?utf-8?Q?中文?=\n\nhi\n".encode("gbk")),
    (
        "deep_nesting",
        b"From: a@b.c\n"
        + b"".join(
            f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'.encode()
            for i in range(60)
        )
        + b"Content-Type: text/plain\n\ndeep\n",
    ),
]
ODD_BODIES = {
    "headers_only": "",
    "no_body_separator": "this line is body text",
    "mbox_from_line": "body",
    "bom_and_blank_lines": "body",
    "obsolete_space_before_colon": "body",
    "bad_field_name_dropped": "body",
    "nul_in_body": "body",
    "multipart_without_boundary": "plain",
    "wrong_boundary_recovered": "hello",
    "base64_with_trailing_space_in_cte": "你好",
    "bogus_date": "body",
    "malformed_rfc2231_boundary": "hi",
    "nul_in_charset_label": "hi",
    "empty_cte_and_charset": "hi",
    "non_ascii_inside_encoded_word": "hi",
    "deep_nesting": "",
}


@pytest.mark.parametrize(("case", "raw"), ODD_MAIL, ids=[c[0] for c in ODD_MAIL])
def test_odd_mail_parses(case: str, raw: bytes) -> None:
    """Odd but real-world mail parses to the expected body, never U+FFFD."""
    message = parse_message(raw)
    assert message.body.text == ODD_BODIES[case]
    for text in all_text(message):
        assert "\ufffd" not in text
        text.encode("utf-8")  # no lone surrogates anywhere


def test_odd_mail_details() -> None:
    """Repairs of odd mail keep headers, attachments and defects."""
    obsolete = parse_message(ODD_MAIL[4][1])
    assert (obsolete.subject, obsolete.from_addr) == ("hello", Address("", "a@b.c"))
    recovered = parse_message(ODD_MAIL[8][1])
    assert [a.filename for a in recovered.attachments] == ["x.pdf"]
    assert any("boundary" in defect for defect in recovered.defects)
    bogus = parse_message(ODD_MAIL[10][1])
    assert bogus.date is None and any(d.startswith("date:") for d in bogus.defects)


def test_return_path_forms() -> None:
    """Return-Path: None when absent, empty for <>, lower-cased otherwise."""

    def return_path(header: str) -> str | None:
        """Return-Path of a one-line message with the given header."""
        return parse_message(f"{header}From: a@b.c\n\nx\n".encode()).return_path

    assert return_path("") is None
    assert return_path("Return-Path: <>\n") == ""
    assert return_path("Return-Path: <Bounce+X@Mail.Example>\n") == "bounce+x@mail.example"


def test_single_header_duplicates_are_defects() -> None:
    """A repeated Subject keeps the first and records a defect."""
    message = parse_message(b"From: a@b.c\nSubject: one\nSubject: two\n\nx\n")
    assert message.subject == "one"
    assert "2 subject header fields" in message.defects


def test_message_id_absent_or_empty() -> None:
    """A missing or empty Message-ID is None."""
    assert parse_message(b"From: a@b.c\n\nx\n").message_id is None
    assert parse_message(b"From: a@b.c\nMessage-ID: <>\n\nx\n").message_id is None


def test_date_keeps_sender_offset() -> None:
    """The parsed date keeps the sender's UTC offset."""
    sent = datetime(2024, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5)))
    raw = f"From: a@b.c\nDate: {email.utils.format_datetime(sent)}\n\nx\n"
    parsed = parse_message(raw.encode()).date
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=-5)


# --- Issue 11, items 1-3 and 5: reading real mail right -------------------------------


def test_gmail_inline_reply_keeps_the_waybill_line() -> None:
    """Item 1: the customer's "…详情见下：" line above a quote is theirs; signature goes."""
    message = parse_handmade("gmail_inline_reply_waybill.eml")
    assert message.reply_text == (
        "您好，\n\n运单号 SF123456789012 的包裹破损了，详情见下：\n\n"
        "外箱压坏了，里面的两个玻璃杯碎了。照片在附件里。"
    )
    assert "-- \n张三\n138 0013 8000" in message.body.text  # the full text keeps everything


def test_webform_from_without_angle_brackets() -> None:
    """Item 2: PHP mail() with "From: 张三 zhangsan@example.cn" (raw UTF-8)."""
    message = parse_handmade("webform_from_without_brackets.eml")
    assert message.from_addr == Address("张三", "zhangsan@example.cn")
    assert message.sender_source == "from"
    assert any("read leniently" in defect for defect in message.defects)


def test_form_gateway_without_address_in_from_falls_back_to_reply_to() -> None:
    """Item 2: a From with only the form's name; the customer is in Reply-To."""
    message = parse_handmade("form_from_without_address.eml")
    assert message.from_addr == Address("李四", "lisi@example.cn")
    assert message.sender_source == "reply-to"
    assert "sender: From has no address; reply-to used" in message.defects


FALLBACK_CASES = [
    (
        "reply_to",
        "From: 张三\nReply-To: zs@example.cn\n",
        Address("张三", "zs@example.cn"),
        "reply-to",
    ),
    (
        "sender",
        "From: =?utf-8?B?5byg5LiJ?=\nSender: Form Robot <form@shop.example.cn>\n",
        Address("Form Robot", "form@shop.example.cn"),
        "sender",
    ),
    (
        "return_path",
        'Return-Path: <zs@example.cn>\nFrom: "张三"\n',
        Address("张三", "zs@example.cn"),
        "return-path",
    ),
    (
        "reply_to_before_sender",
        "From: x\nSender: s@example.cn\nReply-To: r@example.cn\n",
        Address("x", "r@example.cn"),
        "reply-to",
    ),
    (
        "from_wins",
        "From: a@example.cn\nReply-To: r@example.cn\n",
        Address("", "a@example.cn"),
        "from",
    ),
    ("null_return_path_is_nobody", "Return-Path: <>\nFrom: 张三\n", None, None),
    ("nothing_at_all", "Subject: x\n", None, None),
]


@pytest.mark.parametrize(
    ("case", "headers", "sender", "source"), FALLBACK_CASES, ids=[c[0] for c in FALLBACK_CASES]
)
def test_sender_fallback(
    case: str, headers: str, sender: Address | None, source: str | None
) -> None:
    """Item 2: From, else Reply-To, Sender, Return-Path - and which one it was."""
    message = parse_message(f"{headers}Subject: 投诉\n\n包裹丢了\n".encode())
    assert (message.from_addr, message.sender_source) == (sender, source), case


def test_junk_line_above_the_headers() -> None:
    """Item 3: a gateway's "---- Original email message ----" line is skipped."""
    message = parse_handmade("gateway_junk_before_headers.eml")
    assert message.from_addr == Address("王五", "wangwu@example.cn")
    assert message.subject == "包裹延误三天"
    assert message.message_id == "a81f2c9e-5b7d-4e1a-9c3f-0d6b2e8a4f11@example.cn"
    assert message.body.text == "运单号 YT2024011000123，三天没有更新物流了。"
    assert any("skipped 1 line(s)" in defect for defect in message.defects)


def test_unindented_header_continuations() -> None:
    """Item 3: Received and Subject continued without indentation stay headers."""
    message = parse_handmade("unindented_header_continuation.eml")
    assert message.subject == (
        "Complaint about parcel SF1234567890 delivered to the wrong address "
        "and signed for by someone I do not know"
    )
    assert message.from_addr == Address("Li Lei", "lilei@example.com")
    assert message.message_id == "20240111084509.GA31337@example.com"
    assert message.body.text == (
        "The tracking page says it was signed for yesterday, but nobody here got it."
    )


HEADER_BLOCKS = [
    (
        "junk_then_blank_line",
        b"---- Original email message ----\n\nFrom: a@b.cn\nSubject: x\n\nbody\n",
    ),
    (
        "several_junk_lines",
        b"Forwarded by gw01\n=====\n\nFrom: a@b.cn\nTo: c@d.cn\nSubject: x\n\nbody\n",
    ),
    ("unindented_from_continuation", b"From: Zhang San\n<a@b.cn>\nSubject: x\n\nbody\n"),
    ("unindented_subject_then_from", b"Subject: a\nx\nFrom: a@b.cn\n\nbody\n"),
    (
        "dkim_unindented",
        b"DKIM-Signature: v=1;\nd=b.cn; s=k;\n:cc:subject;\nFrom: a@b.cn\nSubject: x\n\nbody\n",
    ),
]


@pytest.mark.parametrize(("case", "raw"), HEADER_BLOCKS, ids=[c[0] for c in HEADER_BLOCKS])
def test_malformed_header_blocks(case: str, raw: bytes) -> None:
    """Item 3: From, Subject and body come out where they belong."""
    message = parse_message(raw)
    assert message.from_addr is not None and message.from_addr.email == "a@b.cn", case
    assert message.subject in ("x", "a x"), case
    assert message.body.text == "body", case


def test_one_known_field_after_prose_is_still_not_mail() -> None:
    """Junk is skipped only above a real header block (two well-known fields)."""
    with pytest.raises(PermanentError):
        parse_message(b"Dear team,\nplease find below:\nSubject: x\nthanks\n")


def test_exchange_comment_and_tab_folded_word() -> None:
    """Item 5: a commented Content-Type keeps its body; a TAB-folded word decodes."""
    message = parse_handmade("exchange_comment_and_tab_folded_word.eml")
    assert message.subject == "回复: [CPL-1004] 包裹损坏，要求赔偿"
    assert message.headers["thread-topic"] == "包裹损坏，要求赔偿"
    assert message.body.text == "箱子被压坏了，里面的茶具全碎了，要求按保价金额赔偿。"
    assert message.body.charset == "utf-8"


COMMENTED_TYPES = [
    'text/plain; charset="utf-8" (comment)',
    "text/plain (Plain text); charset=utf-8",
    "(comment) text/plain; charset=utf-8",
    'text/plain; charset="utf-8" (sent by Foxmail; v7.2); format=flowed (x)',
    "text/plain;\n charset=utf-8 (comment (nested));\n format=flowed",
]


@pytest.mark.parametrize("content_type", COMMENTED_TYPES)
def test_content_type_with_comments_keeps_its_body(content_type: str) -> None:
    """Item 5: RFC 822 comments in Content-Type and the transfer encoding are ignored."""
    raw = (
        f"From: a@b.cn\nContent-Type: {content_type}\n"
        "Content-Transfer-Encoding: base64 (encoded by the gateway)\n\n5L2g5aW9\n"
    ).encode()
    message = parse_message(raw)
    assert (message.body.text, message.body.charset, message.attachments) == ("你好", "utf-8", ())


def test_multipart_boundary_with_comment() -> None:
    """A comment after the boundary parameter does not hide the parts."""
    message = parse_message(
        b'From: a@b.cn\nContent-Type: multipart/alternative; boundary="bb" (comment)\n\n'
        b"--bb\nContent-Type: text/plain; charset=utf-8\n\nhello\n--bb\n"
        b"Content-Type: text/html; charset=utf-8\n\n<p>hi</p>\n--bb--\n"
    )
    assert message.body.text == "hello" and message.body.html == "<p>hi</p>"
    assert not any("boundary" in defect for defect in message.defects)


def test_parenthesis_inside_unquoted_filename_is_kept() -> None:
    """Only comments in comment positions go: "photo (1).jpg" stays whole."""
    message = parse_message(
        b'From: a@b.cn\nContent-Type: multipart/mixed; boundary="bb"\n\n--bb\n'
        b"Content-Type: text/plain\n\nsee photo\n--bb\nContent-Type: image/jpeg\n"
        b"Content-Disposition: attachment; filename=photo (1).jpg\n\n\xff\xd8\n--bb--\n"
    )
    assert [a.filename for a in message.attachments] == ["photo (1).jpg"]


WITHOUT_COMMENTS = [
    ('text/plain; charset="utf-8" (comment)', 'text/plain; charset="utf-8"'),
    ("text/plain (c); charset=utf-8", "text/plain; charset=utf-8"),
    ("(c) text/plain", "text/plain"),
    ("base64 (encoded by the gateway)", "base64"),
    ("attachment; filename=photo (1).jpg", "attachment; filename=photo (1).jpg"),
    ('attachment; filename="a (1).jpg" (x)', 'attachment; filename="a (1).jpg"'),
    ('x; a="q\\"(" (c)', 'x; a="q\\"("'),
    (
        "text/plain; charset=utf-8 (a (nested) one); format=flowed",
        "text/plain; charset=utf-8; format=flowed",
    ),
    ("text/plain (unclosed", "text/plain (unclosed"),
]


@pytest.mark.parametrize(("value", "expected"), WITHOUT_COMMENTS)
def test_without_comments(value: str, expected: str) -> None:
    """Comments go where a comment can stand; quoted strings and file names stay."""
    assert without_comments(value) == expected


WHITE_SPACE_LINES = [
    # A line of one space between the headers and the body (spamassassin spam/015).
    ("separator", b"From: a@b.cn\nSubject: x\n \nbody\n", "x", "body"),
    # RFC 5322 obsolete folding: a white-space line inside a folded Subject
    # (ruby-mail rfc2822/example14.eml), in a block that needs repair anyway.
    (
        "folding",
        b"---- Original email message ----\nFrom: a@b.cn\nSubject: Re: TEST\n \n"
        b"\t=?utf-8?B?5rWL6K+V?=\nTo: c@d.cn\n\nbody\n",
        "Re: TEST 测试",
        "body",
    ),
]


@pytest.mark.parametrize(
    ("case", "raw", "subject", "body"), WHITE_SPACE_LINES, ids=[w[0] for w in WHITE_SPACE_LINES]
)
def test_white_space_line_in_the_header_block(
    case: str, raw: bytes, subject: str, body: str
) -> None:
    """A white-space line ends the headers unless folding goes on after it."""
    message = parse_message(raw)
    assert (message.subject, message.body.text) == (subject, body), case
    assert message.from_addr == Address("", "a@b.cn")
