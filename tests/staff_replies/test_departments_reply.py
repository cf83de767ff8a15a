"""Where the part a department or agent wrote ends: quote headers and signatures."""

from __future__ import annotations

import pytest

from complaintd.staff_replies import reply_lines

CUT_CASES: list[tuple[str, str, list[str]]] = [
    ("gt-quote", "答复\n> 原文\n", ["答复"]),
    ("full-width-gt-quote", "答复\n＞ 原文\n", ["答复"]),
    ("outlook-separator-zh", "答复\n-----原始邮件-----\n原文\n", ["答复"]),
    ("outlook-separator-en", "Reply\n-----Original Message-----\nold\n", ["Reply"]),
    (
        "qq-separator",
        "答复\n\n------------------ 原始邮件 ------------------\n发件人: x\n",
        ["答复"],
    ),
    (
        "outlook-block-with-rule",
        "答复\n\n________________________________\n发件人: 客服中心\n发送时间: 2024年3月5日\n"
        "收件人: qc\n主题: 工作联系单\n",
        ["答复"],
    ),
    (
        "foxmail-block-bold-nbsp",
        "Reply\n*From:*\u00a0Desk\n*Sent:*\u00a0Tuesday\n*To:*\u00a0qc\n",
        ["Reply"],
    ),
    (
        "gmail-attribution-wrapped",
        "Reply\nOn Tue, Mar 5, 2024 at 10:12 AM Lida Desk <\ncomplaints@lida.example> wrote:\n",
        ["Reply"],
    ),
    (
        "netease-attribution",
        '答复\n在 2024-03-05 10:12:00，"客服中心" <complaints@lida.example> 写道：\n原文\n',
        ["答复"],
    ),
    (
        "gmail-chinese-attribution",
        "答复\n力达客服 <complaints@lida.example> 于2024年3月5日周二 10:12写道：\n",
        ["答复"],
    ),
    ("rfc3676-signature", "答复\n-- \n王五\n", ["答复"]),
    ("mobile-tag", "答复\n发自我的iPhone\n", ["答复"]),
    ("invisible-characters-removed", "\ufeff调查\u200b结果：成立\r\n", ["调查结果：成立"]),
]

KEEP_CASES: list[tuple[str, str]] = [
    ("from-line-in-prose", "From: our warehouse in Ningbo\nthe goods left on Monday."),
    ("on-in-prose", "On Monday we will redeliver.\nThe driver wrote: sorry."),
    ("chinese-from-prose", "来自客户的邮箱地址有误，已更正。"),
    ("heartfelt-thanks", "发自内心感谢您的耐心。"),
    ("dashes-in-text", "运单号 --- 12345678\n费用 -- 已退还"),
    ("date-footer-field", "日期：2024-03-06\n填写人：赵六"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in CUT_CASES], ids=[case[0] for case in CUT_CASES]
)
def test_cut_at_quote_or_signature(text: str, expected: list[str]) -> None:
    assert reply_lines(text) == expected


@pytest.mark.parametrize("text", [case[1] for case in KEEP_CASES], ids=[c[0] for c in KEEP_CASES])
def test_prose_is_kept(text: str) -> None:
    assert reply_lines(text) == text.split("\n")
