"""Desk agents' replies: ``#`` commands and the text that goes to the customer.

Each case is an agent's reply as a mail client leaves it and the commands, customer
text and problems that must be read from it.  The rule every case guards: nothing that
looks like a command, and nothing from the quoted original, reaches the customer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from complaintd.staff_replies import COMMANDS, AgentCommand, parse_agent_instruction
from complaintd.workflow.staff_words import describe_problem

QUOTED_DESK_MAIL = """\
-----原始邮件-----
发件人: 力达物流客服中心 <complaints@lida.example>
发送时间: 2024年3月5日 10:12
收件人: agent1@lida.example
主题: [TS-202403-0007] 新投诉 / New complaint

回复本邮件即可处理：
#close 结案说明
#severity serious
"""


@dataclass(frozen=True)
class Expected:
    """Commands as (name, argument) pairs, the customer text, problems (substrings)."""

    commands: tuple[tuple[str, str], ...] = ()
    reply_text: str = ""
    problems: tuple[str, ...] = ()
    withheld_text: str = ""


CASES: list[tuple[str, str, Expected]] = [
    (
        "plain-reply-only",
        "您好，您的货物已于今天上午重新派送，请注意查收。\n\n力达物流客服\n\n" + QUOTED_DESK_MAIL,
        # The agent's signature is dropped: the desk's mail signs for the desk.
        Expected(reply_text="您好，您的货物已于今天上午重新派送，请注意查收。"),
    ),
    (
        "commands-only",
        "#severity serious\n#category damage\n#dispatch qc\n",
        Expected(commands=(("severity", "serious"), ("category", "damage"), ("dispatch", "qc"))),
    ),
    (
        "reply-with-commands-and-paragraphs",
        "您好，我们已安排重新派送，预计明天上午送达。\n\n"
        "#severity 重要\n"
        "#note 客户很着急，已电话安抚\n"
        "#propose 免收本单运费，\n"
        "并补偿 200 元。\n\n"
        "如有疑问请随时联系我们。\n\n" + QUOTED_DESK_MAIL,
        Expected(
            commands=(
                ("severity", "important"),
                ("note", "客户很着急，已电话安抚"),
                ("propose", "免收本单运费，\n并补偿 200 元。"),
            ),
            reply_text="您好，我们已安排重新派送，预计明天上午送达。\n\n如有疑问请随时联系我们。",
        ),
    ),
    (
        "propose-text-below-the-command",
        "#propose\n1. 免收运费；\n2. 赠送优惠券一张。\n#category 延误\n",
        Expected(
            commands=(
                ("propose", "1. 免收运费；\n2. 赠送优惠券一张。"),
                ("category", "delay"),
            )
        ),
    ),
    (
        "close-and-text-after-blank-line",
        "#close 已重新派送，客户确认收货完好。\nThanks for your patience.\n\nDear customer, "
        "your parcel was delivered today.",
        Expected(
            commands=(("close", "已重新派送，客户确认收货完好。\nThanks for your patience."),),
            reply_text="Dear customer, your parcel was delivered today.",
        ),
    ),
    (
        "invalid-with-colon",
        "#invalid: 非本公司运单，已告知客户联系承运商。",
        Expected(commands=(("invalid", "非本公司运单，已告知客户联系承运商。"),)),
    ),
    (
        "full-width-hash-colon-and-letters",
        "＃severity：严重\n＃ｃａｔｅｇｏｒｙ　ｌｏｓｓ\n",
        Expected(commands=(("severity", "serious"), ("category", "loss"))),
    ),
    (
        "case-insensitive-names-and-values",
        "#SEVERITY General\n#Category Billing\n#Dispatch OPS\n",
        Expected(commands=(("severity", "general"), ("category", "billing"), ("dispatch", "ops"))),
    ),
    (
        "chinese-categories",
        "#category 破损\n#category 丢失\n#category 信息\n#category 态度\n#category 费用\n"
        "#category 其他\n",
        Expected(
            commands=(
                ("category", "damage"),
                ("category", "loss"),
                ("category", "information"),
                ("category", "attitude"),
                ("category", "billing"),
                ("category", "other"),
            )
        ),
    ),
    (
        "dispatch-several-keys",
        "#dispatch qc, ops、legal\n",
        Expected(commands=(("dispatch", "qc"), ("dispatch", "ops"), ("dispatch", "legal"))),
    ),
    (
        "typo-is-a-problem-never-customer-text",
        "您好，已为您加急处理。\n#sevrity urgent\n",
        Expected(
            reply_text="您好，已为您加急处理。",
            problems=("#sevrity: there is no such command. Did you mean #severity?",),
        ),
    ),
    (
        "unknown-command-swallows-its-paragraph",
        "#propse 免收运费\n并补偿 200 元\n\n您好，方案见下一封邮件。",
        Expected(
            reply_text="您好，方案见下一封邮件。",
            problems=("#propse: there is no such command",),
        ),
    ),
    (
        "bad-severity-value",
        "#severity urgent\n",
        Expected(
            problems=(
                "#severity: “urgent” is not a severity level;"
                " please write serious, important or general.",
            )
        ),
    ),
    (
        "bad-category-value",
        "#category 投诉\n",
        Expected(
            problems=(
                "#category: “投诉” is not a complaint category; please write delay, damage, loss,"
                " information, attitude, billing or other.",
            )
        ),
    ),
    (
        "empty-arguments",
        "#propose\n\n#close\n#invalid\n#note\n#severity\n#category\n#dispatch\n",
        Expected(
            problems=(
                "#propose needs the solution for the customer",
                "#close needs the outcome",
                "#invalid needs the reason",
                "#note needs the text",
                "#severity needs a severity level after it: serious, important or general.",
                "#category needs a complaint category after it: delay,",
                "#dispatch needs a department code after it.",
            )
        ),
    ),
    (
        "hash-before-non-letter-is-text",
        "#1 优先处理\n# 处理进度\n##\n#\n",
        Expected(reply_text="#1 优先处理\n# 处理进度\n##\n#"),
    ),
    (
        "indented-command",
        "  #note 内部备注\n\n您好",
        Expected(commands=(("note", "内部备注"),), withheld_text="您好"),
    ),
    (
        "text-directly-below-note-stays-internal",
        "#note 客户情绪激动\n要求赔偿全款",
        Expected(commands=(("note", "客户情绪激动\n要求赔偿全款"),)),
    ),
    (
        "quoted-commands-ignored-gt",
        "OK\n\nOn Tue, Mar 5, 2024 at 10:12 AM Lida Desk <complaints@lida.example> wrote:\n"
        "> #close resolved\n> #severity serious\n",
        Expected(withheld_text="OK"),
    ),
    (
        "quoted-commands-ignored-outlook-block",
        "#note 已核实\n\n" + QUOTED_DESK_MAIL,
        Expected(commands=(("note", "已核实"),)),
    ),
    (
        "quoted-commands-ignored-chinese-attribution",
        '#severity 一般\n\n在 2024-03-05 10:12:00，"客服中心" <complaints@lida.example> 写道：\n'
        "#close 结案\n",
        Expected(commands=(("severity", "general"),)),
    ),
    (
        "signature-ignored",
        "您好，已处理。\n#note done\n-- \n客服 小李\n#close 不应执行\n",
        Expected(commands=(("note", "done"),), reply_text="您好，已处理。"),
    ),
    (
        "blank-lines-left-by-commands-collapse",
        "第一段。\n\n#severity 严重\n\n#dispatch legal\n\n第二段。\n",
        Expected(
            commands=(("severity", "serious"), ("dispatch", "legal")),
            reply_text="第一段。\n\n第二段。",
        ),
    ),
    (
        "windows-line-ends",
        "Hello,\r\n#note called the customer\r\nwill call again\r\n\r\nRegards\r\n",
        Expected(
            commands=(("note", "called the customer\nwill call again"),),
            withheld_text="Hello,",
        ),
    ),
    (
        "stray-hashtag-in-chinese-is-not-leaked",
        "#话题# 投诉处理\n",
        Expected(problems=("#话题: there is no such command",)),
    ),
    ("empty-mail", "", Expected()),
]


@pytest.mark.parametrize(
    ("reply", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_parse_agent_instruction(reply: str, expected: Expected) -> None:
    instruction = parse_agent_instruction(reply)
    assert instruction.commands == tuple(
        AgentCommand(name, argument) for name, argument in expected.commands
    )
    assert instruction.reply_text == expected.reply_text
    assert instruction.withheld_text == expected.withheld_text
    assert len(instruction.problems) == len(expected.problems), instruction.problems
    for problem, wanted in zip(instruction.problems, expected.problems, strict=True):
        assert wanted in describe_problem(problem, "en", {})


@pytest.mark.parametrize("name", COMMANDS)
def test_no_hash_line_reaches_the_customer(name: str) -> None:
    reply = f"#{name} x\n#{name}x y\n#{name[:-1]} z\n\n您好，货物已重新派送。"
    instruction = parse_agent_instruction(reply)
    assert "#" not in instruction.reply_text
    assert instruction.reply_text == "您好，货物已重新派送。"
