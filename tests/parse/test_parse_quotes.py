"""Quote and signature stripping, against upstream fixtures and Chinese clients.

Expected values come from the upstream projects' own tests:

* crisp-oss/email-reply-parser ``test/test.js``: for the fixtures in
  ``CRISP_COMMON`` the first fragment is ``COMMON_FIRST_FRAGMENT``; the other
  crisp and zapier expectations are the literal strings or the "contains /
  does not contain" checks of those tests.
* mailgun/talon ``tests/text_quotations_test.py::test_standard_replies``: the
  reply of every ``standard_replies/*.eml`` is ``Hello``.  Talon keeps
  signatures (its iphone and sparrow expectations include "Sent from my
  iPhone" and a ``-- `` block); we strip them, so ours is ``Hello`` throughout.
"""

from __future__ import annotations

import pytest

from complaintd.parse import strip_reply
from tests.parse.corpus import CORPORA, corpus_text, parse_corpus

CRISP = "crisp-email-reply-parser/fixtures/"
ZAPIER = "zapier-email-reply-parser/emails/"

COMMON_FIRST_FRAGMENT = (
    "Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales "
    "ante sem sit amet metus.\n"
    "Nulla malesuada, orci non vulputate lobortis, massa felis pharetra ex, convallis "
    "consectetur ex libero eget ante.\n"
    "Nam vel turpis posuere, rhoncus ligula in, venenatis orci. Duis interdum venenatis ex a "
    "rutrum.\n"
    "Duis ut libero eu lectus consequat consequat ut vel lorem. Vestibulum convallis lectus "
    "urna,\n"
    "et mollis ligula rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh."
)

CRISP_COMMON = [
    "email_7",
    "email_8",
    "email_9",
    "email_10",
    "email_11",
    "email_12",
    "email_13",
    "email_14",
    "email_15",
    "email_16",
    "email_17",
    "email_18",
    "email_22",
    "email_23",
    "email_24",
    "email_25",
    "email_26",
    "email_portuguese",
    "email_german",
    "email_german_2",
    "email_german_3",
    "email_german_outlook",
    "email_norwegian_gmail",
    "email_finnish",
    "email_italian",
    "email_russian",
    "email_outlook_split_line_from",
    "email_gmail_split_line_from",
    "email_ios_outlook_fr",
    "email_ios_outlook",
    "email_msn",
    "email_fr_multiline",
    "email_french_2",
    "email_en_multiline_2",
    "email_original_message",
    "email_original_message_2",
    "email_danish_dash_separator",
    "email_french_dash_separator",
    "email_tricky_5_mixed_languages",
    "email_tricky_10_special_chars_in_name",
    "email_tricky_12_no_space_after_header",
    "email_tricky_14_long_quote_header",
    "email_tricky_15_original_message_variations",
]


@pytest.mark.parametrize("name", CRISP_COMMON)
def test_crisp_first_fragment(name: str) -> None:
    """crisp's COMMON_FIRST_FRAGMENT fixtures strip to exactly that text."""
    assert strip_reply(corpus_text(f"{CRISP}{name}.txt")) == COMMON_FIRST_FRAGMENT


EXACT_CASES = [
    (
        CRISP + "email_1",
        "Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, "
        "values after\nrunning a test?\nI am currently using the Java HTTP API.\n\n-Abhishek Kona",
    ),
    (CRISP + "email_3", "Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona"),
    (
        CRISP + "email_zoho",
        "What is the best way to clear a Riak bucket of all key, values after\nrunning a test?",
    ),
    (CRISP + "email_with_regards", "Hi,\n\nI still have the same problem....\n\nCan you help?"),
    (
        CRISP + "email_sent_from",
        "Hi it can happen to any texts you type, as long as you type in "
        "between words or paragraphs.",
    ),
    (CRISP + "email_emoji", "🎉\n\n—\nJohn Doe\nCEO at Pandaland\n\n@pandaland"),
    (CRISP + "correct_sig", "this is an email with a correct -- signature."),
    (CRISP + "sig_no_empty_line", "this is an email with a signature with no empty line above."),
    (ZAPIER + "email_1_3", "Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona"),
    (ZAPIER + "email_1_4", "Awesome! I haven't had another problem with it."),
    (ZAPIER + "correct_sig", "this is an email with a correct -- signature."),
    (ZAPIER + "email_iPhone", "Here is another email"),
    (ZAPIER + "email_BlackBerry", "Here is another email"),
    (ZAPIER + "email_multi_word_sent_from_my_mobile_device", "Here is another email"),
    (ZAPIER + "email_2_1", "Outlook with a reply"),
    (ZAPIER + "email_headers_no_delimiter", "And another reply!"),
]


@pytest.mark.parametrize(("fixture", "expected"), EXACT_CASES, ids=[c[0] for c in EXACT_CASES])
def test_upstream_exact(fixture: str, expected: str) -> None:
    """Fixtures with an exact expected reply upstream."""
    assert strip_reply(corpus_text(f"{fixture}.txt")) == expected


# (fixture, must contain, must not contain) - the upstream "contains" checks.
CONTAINS_CASES = [
    (CRISP + "email_one_is_not_on", "One outstanding question", "On Oct 1, 2012"),
    (CRISP + "email_reply_header", "On the other hand", "On Wed, Dec 9"),
    (CRISP + "email_tricky_2_url_with_wrote", "https://example.com/blog/on-date", None),
    (CRISP + "email_tricky_3_code_block", "function sendEmail", None),
    (CRISP + "email_tricky_6_regards_in_sentence", "with regards to the payment", None),
    (CRISP + "email_tricky_7_multiple_dashes", "Key Points", None),
    (CRISP + "email_tricky_8_sent_from_in_content", "sent from my iPhone app", None),
    (CRISP + "email_tricky_9_nested_quotes", "I agree with the points", None),
    (CRISP + "email_tricky_11_double_signature", "Thanks for your help", None),
    (CRISP + "email_tricky_16_unicode_signatures", "Thanks for the update", None),
    (CRISP + "email_tricky_17_forward_header", "See the forwarded message", None),
    (CRISP + "email_tricky_19_quote_without_header", "I wanted to respond", None),
    (CRISP + "email_tricky_20_html_entities", "&gt; 100 and &lt; 200", None),
    (ZAPIER + "email_1_2", "You can list the keys for the bucket", "> Hi folks"),
    (
        ZAPIER + "email_one_is_not_on",
        "One outstanding question",
        "On Oct 1, 2012, at 11:55 PM, Dave Tapley wrote:",
    ),
    (ZAPIER + "email_gmail", "This is a test for inbox replying", "notifications@github.com"),
    (ZAPIER + "email_1_6", "I get proper rendering", "On "),
    (ZAPIER + "email_1_7", ":+1:", "Steps 0-2"),
    (ZAPIER + "email_1_8", "and under this.", "okay?"),
    (ZAPIER + "pathological", "I think you're onto something", "reference_alignment"),
]


@pytest.mark.parametrize(
    ("fixture", "present", "absent"), CONTAINS_CASES, ids=[c[0] for c in CONTAINS_CASES]
)
def test_upstream_contains(fixture: str, present: str, absent: str | None) -> None:
    """The upstream tests' contains / does-not-contain checks."""
    reply = strip_reply(corpus_text(f"{fixture}.txt"))
    assert present in reply
    assert absent is None or absent not in reply


# Fixtures that must come back unchanged (no quote, no signature): upstream
# asserts a single, non-signature fragment.
UNCHANGED = [
    CRISP + "email_tricky_1_on_false_positive",
    CRISP + "email_tricky_4_from_in_body",
    CRISP + "email_tricky_13_timestamp_variations",
    CRISP + "email_not_a_signature",
    CRISP + "email_not_a_signature_2",
    CRISP + "email_5",
    ZAPIER + "email_sent_from_my_not_signature",
    ZAPIER + "email_sig_delimiter_in_middle_of_line",
    ZAPIER + "email_1_5",
]


@pytest.mark.parametrize("fixture", UNCHANGED)
def test_upstream_unchanged(fixture: str) -> None:
    """Fixtures without quote or signature come back unchanged."""
    text = corpus_text(f"{fixture}.txt")
    expected = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    assert strip_reply(text) == expected


TALON_REPLIES = [
    "android",
    "aol",
    "apple_mail",
    "apple_mail_2",
    "comcast",
    "gmail",
    "hotmail",
    "iphone",
    "outlook",
    "sparrow",
    "thunderbird",
    "yahoo",
]


@pytest.mark.parametrize("name", TALON_REPLIES)
def test_talon_standard_reply(name: str) -> None:
    """Talon's standard replies from 12 clients strip to Hello."""
    message = parse_corpus(f"talon/fixtures/standard_replies/{name}.eml")
    assert message.reply_text == "Hello"


QQ_ORIGINAL = (
    "------------------ 原始邮件 ------------------\n"
    '发件人: "客服中心"<kefu@desk.example.com>;\n'
    "发送时间: 2024年1月8日(星期一) 上午10:00\n"
    '收件人: "周八"<zhou@qq.com>;\n'
    "主题: 回复: [CPL-1001] 包裹延误\n\n您好，快递员明天上门派送。\n"
)
OUTLOOK_ZH = (
    "发件人: 客服中心 <kefu@desk.example.com>\n发送时间: 2024年1月2日 10:00\n"
    "收件人: 张三\n主题: 回复: 投诉\n\n旧内容\n"
)
OUTLOOK_ZH_FULLWIDTH = OUTLOOK_ZH.replace(": ", "：")
OUTLOOK_EN = (
    "________________________________\nFrom: Desk <desk@x.com>\n"
    "Sent: Monday, January 1, 2024 10:00 AM\nTo: Me\nSubject: RE: parcel\n\nold text\n"
)

FORWARDED = (
    "请看：\n\n---------- Forwarded message ----------\nFrom: a <a@b.c>\n"
    "Date: Mon, 1 Jan 2024\nSubject: x\nTo: me\n\n签收记录是假的"
)

CHINESE_CASES = [
    (
        "qq_mail_original",
        "好的，我明天在家等快递员。\n\n" + QQ_ORIGINAL,
        "好的，我明天在家等快递员。",
    ),
    ("foxmail_with_iphone_tag", "好的。\n\n发自我的iPhone\n\n" + QQ_ORIGINAL, "好的。"),
    ("outlook_zh_block", "请尽快退款。\n\n" + OUTLOOK_ZH, "请尽快退款。"),
    ("outlook_zh_fullwidth_colons", "请尽快退款。\n\n" + OUTLOOK_ZH_FULLWIDTH, "请尽快退款。"),
    (
        "dashes_original_mail",
        "处理一下\n\n-----原始邮件-----\n发件人:a\n发送时间:b\n旧",
        "处理一下",
    ),
    ("netease_163_original", "处理一下\n\n----- 原始邮件 -----\n发件人：a\n旧", "处理一下"),
    ("traditional_original", "收到\n\n-----原始郵件-----\n寄件者: a\n舊", "收到"),
    (
        "gmail_zh_attribution",
        "谢谢\n\n在 2024年1月2日 周二 上午10:00，客服 <kf@x.com> 写道：\n\n> 您好\n> 已处理",
        "谢谢",
    ),
    (
        "netease_163_attribution",
        '收到\n\n在2024-01-02 10:00:00，"张三" <a@b.c> 写道：\n旧的内容\n旧的内容2',
        "收到",
    ),
    (
        "gmail_zh_name_first",
        "好的\n\n张三 <zs@gmail.com> 于2024年1月2日周二 上午10:00写道：\n\n> 旧",
        "好的",
    ),
    (
        "attribution_wrapped",
        "好的\n\n在 2024年1月2日 10:00，客服中心 <\nkefu@desk.example.com> 写道：\n> 旧",
        "好的",
    ),
    (
        "traditional_attribution",
        "收到，謝謝。\n\n於 2024年1月2日 上午10:00，客服 <kf@x.hk> 寫道：\n> 舊",
        "收到，謝謝。",
    ),
    ("netease_master_tag", "收到\n\n来自网易邮箱大师\n", "收到"),
    ("netease_master_sent_tag", "收到\n\n发自网易邮箱大师\n", "收到"),
    ("huawei_tag", "好\n\n发自我的华为手机", "好"),
    ("iphone_zh_sent", "好\n\n从我的 iPhone 发送", "好"),
    ("signature_delimiter", "请回电。\n\n-- \n张三\n电话 13800000000", "请回电。"),
    ("closing_cizhi", "请处理。\n\n此致\n敬礼\n张三", "请处理。"),
    ("outlook_en_block", "Please refund.\n\n" + OUTLOOK_EN, "Please refund."),
    (
        "original_message_en",
        "Refund please.\n\n-----Original Message-----\nFrom: x\nold",
        "Refund please.",
    ),
    (
        "gmail_en_wrapped",
        "Thanks\n\nOn Mon, Jan 1, 2024 at 10:00 AM Desk <\ndesk@x.com> wrote:\n\n> old",
        "Thanks",
    ),
    ("sent_from_iphone", "OK\n\nSent from my iPhone", "OK"),
    (
        "interleaved_answers",
        "回答如下：\n\n> 问题1？\n\n答案1\n\n> 问题2？\n\n答案2",
        "回答如下：\n\n答案1\n\n答案2",
    ),
    (
        "parcel_fields_are_not_a_quote",
        "我的包裹\n发件人：张三\n收件人：李四\n日期：2024-01-02\n还没到",
        "我的包裹\n发件人：张三\n收件人：李四\n日期：2024-01-02\n还没到",
    ),
    ("only_quote_returns_original", "> 旧内容\n> 更多\n", "> 旧内容\n> 更多"),
    ("only_signature_returns_original", "-- \n张三", "-- \n张三"),
    ("forwarded_message_kept", FORWARDED, FORWARDED),
    ("crlf_line_ends", "好的\r\n\r\n发自我的iPhone\r\n", "好的"),
    ("empty", "", ""),
]


@pytest.mark.parametrize(
    ("case", "text", "expected"), CHINESE_CASES, ids=[c[0] for c in CHINESE_CASES]
)
def test_chinese_and_handwritten(case: str, text: str, expected: str) -> None:
    """Chinese client quote headers, mobile tags and look-alikes."""
    assert strip_reply(text) == expected, case


@pytest.mark.parametrize("name", ["iphone", "sparrow"])
def test_talon_expectation_minus_signature(name: str) -> None:
    """Talon's expected reply keeps the signature; without it, it is ours."""
    expected = corpus_text(f"talon/fixtures/standard_replies/{name}_reply_text")
    assert expected.startswith("Hello") and expected.strip() != "Hello"
    assert strip_reply(expected) == "Hello"


def _text_fixtures() -> list[str]:
    """Every crisp and zapier reply fixture."""
    return sorted(
        path.relative_to(CORPORA).as_posix()
        for directory in (CRISP, ZAPIER)
        for path in (CORPORA / directory).glob("*.txt")
    )


@pytest.mark.parametrize("fixture", _text_fixtures())
def test_reply_is_made_of_original_lines(fixture: str) -> None:
    """Stripping only removes lines: it never invents text or returns nothing."""
    text = corpus_text(fixture)
    reply = strip_reply(text)
    assert reply
    original_lines = {line.rstrip() for line in text.replace("\r", "\n").split("\n")}
    assert all(line in original_lines for line in reply.split("\n"))


# Issue 11, item 1: a customer's own line that ends in a colon and carries a
# waybill, an order number, a phone number or an address, right above quoted
# text, is the customer's, not an attribution.
CUSTOMER_COLON_LINES = [
    "运单号 SF123456789012 的包裹破损了，详情见下：",
    "订单 20240108-0031 的运费多扣了 35 元，截图如下：",
    "My parcel 1Z999AA10123456784 arrived damaged, details below:",
    "请打我电话 138 0013 8000 或者发到 zhangsan@example.cn，问题如下：",
    "On 3 Jan my parcel 1Z999AA10123456784 arrived broken, I wrote:",
    "我在 1月5日 的邮件里写道：",
    "Order 12345 was sent:",
]
QUOTE_INTRODUCTIONS = {
    "bare_quote": "> 请问您的包裹有什么问题？\n> 客服中心",
    "gmail_zh": "客服中心 <kefu@desk.example.com> 于2024年1月8日周一 10:00写道：\n\n> 请问？",
    "netease_163": '在 2024-01-08 10:00:00，"客服中心" <kefu@desk.example.com> 写道：\n> 旧',
    "thunderbird_zh": "在 2024/1/8 10:00, 客服中心 写道:\n> 请问有什么问题？",
    "outlook_zh": OUTLOOK_ZH,
    "qq_original": QQ_ORIGINAL,
}


@pytest.mark.parametrize("line", CUSTOMER_COLON_LINES)
@pytest.mark.parametrize("intro", QUOTE_INTRODUCTIONS)
def test_customer_line_ending_in_colon_is_kept(line: str, intro: str) -> None:
    """The line above the quote stays; the quote and its introduction go."""
    text = f"您好，\n{line}\n\n{QUOTE_INTRODUCTIONS[intro]}\n"
    assert strip_reply(text) == f"您好，\n{line}"


def test_customer_colon_line_between_inline_answers() -> None:
    """Interleaved answers: each customer line above a quote survives."""
    text = (
        "您好，\n\n运单号 SF123456789012 的包裹破损了，详情见下：\n\n> 请问包裹有什么问题？\n\n"
        "外箱压坏了，两个杯子碎了。\n\n收件地址 深圳市南山区科技园 8 栋 12:\n\n"
        "> 请提供收件地址。\n\n照片在附件里。"
    )
    assert strip_reply(text) == (
        "您好，\n\n运单号 SF123456789012 的包裹破损了，详情见下：\n\n外箱压坏了，两个杯子碎了。\n\n"
        "收件地址 深圳市南山区科技园 8 栋 12:\n\n照片在附件里。"
    )


# Attributions in shapes only the date, name and address tell apart from prose.
ATTRIBUTIONS_STILL_CUT = [
    "On Mon, Jan 8, 2024 at 10:00 AM 客服中心 <kefu@desk.example.com> wrote:",
    "On 8 Jan 2024, at 10:00, Desk wrote:",
    "Desk <kefu@desk.example.com> wrote:",
    "2024-01-08 10:00 GMT+08:00 客服中心 <kefu@desk.example.com>:",
    "Wednesday, 17 November 2021, 3:32 PM +0300 from desk@x.com <desk@x.com>:",
    '2013.02.08. 7:31 keltezéssel, "Gyõrvári Eszter" írta:',
    "Am 08.01.2024 um 10:00 schrieb Desk <kefu@desk.example.com>:",
    "2024年1月8日 上午10:00，客服中心 <kefu@desk.example.com> 写道：",
    "At 14:56 02.06.2003 -0400, you wrote:",  # Eudora
    '"Jakob Carlsson" <esrange@example.com> writes:',  # Gnus
    "Excerpts from Stefan Schmidt's message of Thu Nov 26 09:17:15 +0100 2009:",  # Sup
]


@pytest.mark.parametrize("attribution", ATTRIBUTIONS_STILL_CUT)
def test_attribution_and_quote_are_cut(attribution: str) -> None:
    """Real attributions still go with the quote they introduce."""
    text = f"好的，谢谢。\n\n{attribution}\n> 您好，包裹已发出。\n> 客服中心\n"
    assert strip_reply(text) == "好的，谢谢。"


# Signature blocks and mobile tags, as the clients write them.
SIGNATURES = [
    "-- \n张三\n深圳市某某贸易有限公司\n138 0013 8000",
    "--\n张三",
    "Sent from my iPhone",
    "发自我的iPhone",
    "—\n发自我的iPhone",
    "从我的小米手机发送",
    "发自我的 Galaxy",
    "Get Outlook for Android",
    "Get Outlook for iOS<https://aka.ms/o0ukef>",
    "获取 Outlook for Android",
    "发自网易邮箱大师",
    "从 Windows 版邮件发送",
    "发送自 Windows 10 版邮件应用",
    "Enviado do meu iPhone",
    "Inviato da iPhone",
]


@pytest.mark.parametrize("signature", SIGNATURES)
def test_signature_is_stripped(signature: str) -> None:
    """The reply view ends before the signature block or mobile tag."""
    assert strip_reply(f"包裹今天还没到，请帮忙查一下。\n\n{signature}\n") == (
        "包裹今天还没到，请帮忙查一下。"
    )


@pytest.mark.parametrize(
    "line",
    [
        "来自小米的包裹丢了",
        "从手机上看不到物流信息",
        "从iPhone官网买的手机坏了",
        "发自深圳的快递三天没到",
        "Sent from my office yesterday, see the note:",
    ],
)
def test_sentence_that_starts_like_a_mobile_tag_is_kept(line: str) -> None:
    """Only a whole line naming a device or app is a tag; a sentence is content."""
    text = f"您好，\n{line}\n请帮忙查一下。"
    assert strip_reply(text) == text
