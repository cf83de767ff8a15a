"""Reading a department's filled-in contact-sheet form from its reply mail.

Each case is a reply as a mail client leaves it (decoded body, often with the quoted
original still below) and what must be read from it.  The quoted original always holds
the desk's *empty* form, so a parser that reads it would see ``成立 / 不成立`` or blank
values: every such case checks that the answer above it wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from complaintd.staff_replies import (
    CAUSE_LABELS,
    CAUSES,
    DepartmentAnswer,
    form_values,
    parse_department_answer,
)

# The desk's empty form as it appears quoted under a reply.
EMPTY_FORM_ZH = """\
调查结果 / Finding：成立 / 不成立
原因 / Cause：
责任 / Responsible：
处理方案 / Solution：
备注 / Note：
"""

OUTLOOK_HEADER_ZH = """\
________________________________
发件人: 力达物流客服中心 <complaints@lida.example>
发送时间: 2024年3月5日 10:12
收件人: 质控部 <qc@lida.example>
主题: [TS-202403-0007] 工作联系单 / Contact sheet
"""


@dataclass(frozen=True)
class Expected:
    """What the parser must read; ``problems`` are substrings, in order."""

    finding: str | None = None
    cause: str | None = None
    responsible: str | None = None
    solution: str | None = None
    note: str | None = None
    complete: bool | None = None  # None: as the finding, cause and solution make it
    problems: tuple[str, ...] = ()

    def is_complete(self) -> bool:
        """Complete unless said otherwise: invalid, or valid with cause and solution."""
        if self.complete is not None:
            return self.complete
        return self.finding == "invalid" or None not in (self.finding, self.cause, self.solution)

    def all_problems(self) -> tuple[str, ...]:
        """The problems given, and a missing solution for a valid finding without one."""
        missing = ("处理方案/Solution: missing",) if self.finding == "valid" else ()
        return self.problems + (missing if self.solution is None else ())


CASES: list[tuple[str, str, Expected]] = [
    (
        "outlook-zh-fullwidth-chatter-multiline-quoted-form",
        "您好，调查结果如下：\n\n"
        "调查结果：　成立\n"
        "原　　因：代理操作失误\n"
        "责　　任：宁波代理 张三\n"
        "处理方案：\n"
        "1. 明日上午重新派送；\n"
        "2. 免收本单运费。\n\n"
        "备　　注：已与代理电话确认\n\n"
        "质控部 王五\n\n" + OUTLOOK_HEADER_ZH + "\n" + EMPTY_FORM_ZH,
        Expected(
            finding="valid",
            cause="agent_error",
            responsible="宁波代理 张三",
            solution="1. 明日上午重新派送；\n2. 免收本单运费。",
            note="已与代理电话确认",
        ),
    ),
    (
        "outlook-zh-original-message-separator",
        "【调查结果】：不成立\n"
        "【原因】：客户自身失误\n"
        "【备注】：收件地址为客户下单时填写错误。\n\n"
        "-----原始邮件-----\n"
        "发件人: 力达物流客服中心 [mailto:complaints@lida.example]\n"
        "发送时间: 2024年3月5日 10:12\n\n" + EMPTY_FORM_ZH,
        Expected(
            finding="invalid",
            cause="customer_error",
            note="收件地址为客户下单时填写错误。",
        ),
    ),
    (
        "foxmail-header-block",
        "调查结果：成立\r\n"
        "原因：业务人员操作失误\r\n"
        "责任：操作部 李四\r\n"
        "处理方案：补发货物，费用由操作部承担\r\n"
        "\r\n"
        "\u00a0\r\n"
        "From:\u00a0力达物流客服中心\r\n"
        "Date:\u00a02024-03-05\u00a010:12\r\n"
        "To:\u00a0qc@lida.example\r\n"
        "Subject:\u00a0[TS-202403-0007] 工作联系单\r\n"
        "调查结果：成立 / 不成立\r\n原因：\r\n",
        Expected(
            finding="valid",
            cause="staff_error",
            responsible="操作部 李四",
            solution="补发货物，费用由操作部承担",
        ),
    ),
    (
        "qq-mail-marked-choices",
        "各位好，\n"
        "调查结果：■成立 □不成立\n"
        "原因：□业务人员操作失误 □销售人员操作失误 □供方操作失误 ■代理操作失误 "
        "□客户自身失误 □不可抗力\n"
        "责任：上海代理\n\n"
        "发自我的iPhone\n\n"
        "------------------ 原始邮件 ------------------\n"
        '发件人: "客服中心"<complaints@lida.example>;\n' + EMPTY_FORM_ZH,
        Expected(finding="valid", cause="agent_error", responsible="上海代理"),
    ),
    (
        "english-gmail-quoted-with-gt",
        "Hi team,\n\n"
        "Finding: Valid\n"
        "Cause: agent error\n"
        "Responsible: Ningbo agent (Zhang San)\n"
        "Solution: Redeliver tomorrow morning\n"
        "and refund the freight charge.\n"
        "Note: The agent has confirmed.\n\n"
        "Best regards,\nWang Wu\n\n"
        "On Tue, Mar 5, 2024 at 10:12 AM Lida Customer Service <complaints@lida.example>\n"
        "wrote:\n"
        "> Finding: valid / invalid\n"
        "> Cause:\n",
        Expected(
            finding="valid",
            cause="agent_error",
            responsible="Ningbo agent (Zhang San)",
            solution="Redeliver tomorrow morning\nand refund the freight charge.",
            note="The agent has confirmed.",
        ),
    ),
    (
        "english-bullets-uppercase-key",
        "* FINDING: INVALID\n* Cause: CUSTOMER_ERROR\n* Remarks: wrong address given\n",
        Expected(finding="invalid", cause="customer_error", note="wrong address given"),
    ),
    (
        "english-not-valid",
        "Finding: not valid - the parcel was signed for by the customer.\n",
        Expected(finding="invalid"),
    ),
    (
        "bilingual-labels-mixed",
        "调查结果 / Finding: valid\n"
        "Cause / 原因：销售人员操作失误\n"
        "Responsibility：销售部\n"
        "Proposed solution: 退还多收运费 120 元\n",
        Expected(
            finding="valid",
            cause="sales_error",
            responsible="销售部",
            solution="退还多收运费 120 元",
        ),
    ),
    (
        "numbered-with-gloss-and-see-below",
        "1. 调查结果（Finding）：成立（原因见下）\n"
        "2. 原因（Cause）：供应商失误\n"
        "3. 责任人：包装供应商\n"
        "4. 解决方案：更换包装材料\n",
        Expected(
            finding="valid",
            cause="supplier_error",
            responsible="包装供应商",
            solution="更换包装材料",
        ),
    ),
    (
        "checkbox-x",
        "调查结果：[x] 成立  [ ] 不成立\n原因：不可抗力\n",
        Expected(finding="valid", cause="force_majeure"),
    ),
    (
        "tick-before-invalid",
        "调查结果：成立 / √不成立\n",
        Expected(finding="invalid"),
    ),
    (
        "tick-after",
        "调查结果：成立√ 不成立\n原因：staff_error\n",
        Expected(finding="valid", cause="staff_error"),
    ),
    (
        "tick-touching-second-option",
        "调查结果：成立 √不成立\n",
        Expected(finding="invalid"),
    ),
    (
        "boxes-second-marked",
        "调查结果：□成立 ■不成立\n",
        Expected(finding="invalid"),
    ),
    (
        "choice-with-one-option-deleted",
        "调查结果：成立 /\n原因：操作失误\n",
        Expected(finding="valid", cause="staff_error"),
    ),
    (
        "choice-left-answer-appended",
        "调查结果：成立 / 不成立：不成立\n",
        Expected(finding="invalid"),
    ),
    (
        "choice-struck-through",
        "调查结果：~~成立~~ / 不成立\n",
        Expected(finding="invalid"),
    ),
    (
        "choice-left-untouched",
        "调查结果：成立 / 不成立\n原因：代理失误\n",
        Expected(
            cause="agent_error",
            complete=False,
            problems=(
                "调查结果/Finding: '成立 / 不成立' leaves both 成立/valid and 不成立/invalid",
            ),
        ),
    ),
    (
        "english-choice-left-untouched",
        "Finding: valid / invalid\nCause: agent_error\n",
        Expected(cause="agent_error", complete=False, problems=("leaves both",)),
    ),
    (
        "english-choice-one-deleted",
        "Finding: valid /\nCause: agent_error\n",
        Expected(finding="valid", cause="agent_error"),
    ),
    (
        "cause-list-below-label-ticked",
        "调查结果：成立\n"
        "原因：\n"
        "  staff_error      业务人员操作失误\n"
        "√ agent_error      代理操作失误\n"
        "  customer_error   客户自身失误\n",
        Expected(finding="valid", cause="agent_error"),
    ),
    (
        "cause-list-below-label-tick-after",
        "调查结果：成立\n"
        "原因：\n"
        "  staff_error      业务人员操作失误\n"
        "  agent_error      代理操作失误 √\n"
        "  customer_error   客户自身失误\n",
        Expected(finding="valid", cause="agent_error"),
    ),
    (
        "cause-list-below-label-unmarked",
        "调查结果：成立\n"
        "原因：\n"
        "  staff_error      业务人员操作失误\n"
        "  agent_error      代理操作失误\n",
        Expected(finding="valid", complete=False, problems=("names several causes",)),
    ),
    (
        "yes-no-label",
        "投诉是否成立：是\n原因：客户原因\n",
        Expected(finding="valid", cause="customer_error"),
    ),
    (
        "shi-fou-invalid",
        "是否成立：否\n",
        Expected(finding="invalid"),
    ),
    (
        "valid-without-cause",
        "调查结果：成立\n责任：操作部\n",
        Expected(
            finding="valid",
            responsible="操作部",
            complete=False,
            problems=("原因/Cause: missing; a valid finding needs one of the six causes",),
        ),
    ),
    (
        "valid-with-placeholder-cause",
        "调查结果：成立\n原因：无\n",
        Expected(finding="valid", complete=False, problems=("原因/Cause: missing",)),
    ),
    (
        "unknown-cause",
        "调查结果：成立\n原因：天气\n",
        Expected(
            finding="valid",
            complete=False,
            problems=("原因/Cause: '天气' is not one of the six causes",),
        ),
    ),
    (
        "invalid-without-cause-is-complete",
        "调查结果：不成立\n备注：货物签收时完好，客户未当场提出异议。\n",
        Expected(finding="invalid", note="货物签收时完好，客户未当场提出异议。"),
    ),
    (
        "invalid-with-unknown-cause-still-complete",
        "调查结果：不成立\n原因：客户记错了日期\n",
        Expected(
            finding="invalid",
            problems=("原因/Cause: '客户记错了日期' is not one of the six causes",),
        ),
    ),
    (
        "fuzzy-cause-in-sentence",
        "调查结果：属实\n原因：经核查，主要是代理的操作失误导致延误。\n",
        Expected(finding="valid", cause="agent_error"),
    ),
    (
        "several-causes",
        "调查结果：成立\n原因：业务人员操作失误，代理操作失误\n",
        Expected(
            finding="valid",
            complete=False,
            problems=("names several causes (staff_error, agent_error)",),
        ),
    ),
    (
        "unreadable-finding",
        "调查结果：待定\n",
        Expected(
            complete=False,
            problems=("调查结果/Finding: '待定' is neither 成立/valid nor 不成立/invalid",),
        ),
    ),
    (
        "only-chatter-and-quoted-empty-form",
        "已收到，我们今天下午核实后回复。\n\n" + OUTLOOK_HEADER_ZH + "\n" + EMPTY_FORM_ZH,
        Expected(complete=False, problems=("调查结果/Finding: missing",)),
    ),
    (
        "value-on-line-below-label",
        "调查结果：\n成立\n原因：\n代理失误\n",
        Expected(finding="valid", cause="agent_error"),
    ),
    (
        "inline-labels-on-one-line",
        "调查结果：成立，原因：不可抗力（台风），责任：无\n",
        Expected(finding="valid", cause="force_majeure"),
    ),
    (
        "html-table-converted",
        "| 调查结果 | 成立 |\n|---|---|\n| 原因 | 供方操作失误 |\n| 处理方案 | 赔偿货值 |\n",
        Expected(finding="valid", cause="supplier_error", solution="赔偿货值"),
    ),
    (
        "first-occurrence-wins",
        "调查结果：不成立\n原因：客户失误\n\n补充：\n调查结果：成立\n",
        Expected(finding="invalid", cause="customer_error"),
    ),
    (
        "signature-after-double-dash",
        "Finding: invalid\n-- \nFinding: valid\nCause: staff error\n",
        Expected(finding="invalid"),
    ),
    (
        "solution-list-after-blank-and-footer",
        "结论：成立\n"
        "原因：销售失误\n"
        "处理方案：\n"
        "1. 退还差价；\n\n"
        "2. 对销售人员进行培训。\n"
        "填写人：赵六\n"
        "日期：2024-03-06\n",
        Expected(
            finding="valid",
            cause="sales_error",
            solution="1. 退还差价；\n2. 对销售人员进行培训。",
        ),
    ),
    (
        "solution-list-starting-on-label-line",
        "调查结果：成立\n原因：供方失误\n"
        "解决方案：1. 补发同型号货物；\n\n2. 承担返程运费。\n\n谢谢\n",
        Expected(
            finding="valid",
            cause="supplier_error",
            solution="1. 补发同型号货物；\n2. 承担返程运费。",
        ),
    ),
    (
        "note-ends-at-blank-before-sign-off",
        "调查结果：不成立\n备注：客户已撤回投诉\n请知悉。\n\n谢谢！\n王五\n",
        Expected(finding="invalid", note="客户已撤回投诉\n请知悉。"),
    ),
    (
        "ime-ratio-colon",
        "调查结果∶不成立\n备注﹕客户已撤诉\n",
        Expected(finding="invalid", note="客户已撤诉"),
    ),
    (
        "bracket-label-without-colon",
        "【调查结果】成立\n【原因】客户自身失误\n",
        Expected(finding="valid", cause="customer_error"),
    ),
]


@pytest.mark.parametrize(
    ("reply", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_parse_department_answer(reply: str, expected: Expected) -> None:
    answer = parse_department_answer(reply)
    assert (answer.finding, answer.cause) == (expected.finding, expected.cause)
    assert answer.responsible == expected.responsible
    assert answer.solution == expected.solution
    assert answer.note == expected.note
    assert answer.complete is expected.is_complete()
    wanted_problems = expected.all_problems()
    assert len(answer.problems) == len(wanted_problems), answer.problems
    for problem, wanted in zip(answer.problems, wanted_problems, strict=True):
        assert wanted in problem


@pytest.mark.parametrize(
    ("name", "key"),
    [(name, key) for key, names in CAUSES.items() for name in (key, *names)],
)
def test_every_accepted_cause_name(name: str, key: str) -> None:
    answer = parse_department_answer(f"调查结果：成立\n原因：{name}\n处理方案：补发\n")
    assert answer.cause == key
    assert answer.complete
    assert answer.problems == ()


def test_cause_tables_agree() -> None:
    assert (
        set(CAUSES)
        == set(CAUSE_LABELS)
        == {
            "staff_error",
            "sales_error",
            "supplier_error",
            "agent_error",
            "customer_error",
            "force_majeure",
        }
    )
    for key, labels in CAUSE_LABELS.items():
        assert set(labels) == {"zh-CN", "en"}
        assert labels["zh-CN"] == CAUSES[key][0]


@pytest.mark.parametrize(
    ("value", "finding"),
    [
        ("成立", "valid"),
        ("不成立", "invalid"),
        ("属实", "valid"),
        ("不属实", "invalid"),
        ("valid", "valid"),
        ("Invalid", "invalid"),
        ("是", "valid"),
        ("否", "invalid"),
        ("投诉不能成立", "invalid"),
        ("经核实，投诉成立。", "valid"),
        ("☑成立 ☐不成立", "valid"),
        ("( ) 成立 (√) 不成立", "invalid"),
    ],
)
def test_finding_values(value: str, finding: str) -> None:
    assert parse_department_answer(f"调查结果：{value}").finding == finding


def test_complete_property() -> None:
    def answer(finding: str | None, cause: str | None, solution: str | None) -> DepartmentAnswer:
        return DepartmentAnswer(finding, cause, None, solution, None)

    assert answer("invalid", None, None).complete
    assert answer("valid", "staff_error", "补发").complete
    assert not answer("valid", "staff_error", None).complete  # the form asks for 处理方案
    assert not answer("valid", None, "补发").complete
    assert not answer(None, "staff_error", "补发").complete


def test_form_values_skips_footer_and_placeholders() -> None:
    values = form_values("调查结果：成立\n责任：N/A\n填写人：赵六\n备注：-\n")
    assert values == {"finding": "成立"}


def test_empty_reply() -> None:
    answer = parse_department_answer("")
    assert answer.finding is None
    assert not answer.complete
    assert answer.problems == ("调查结果/Finding: missing; write 成立/valid or 不成立/invalid",)


@pytest.mark.parametrize(
    "text",
    [
        " " * 20000 + "x",
        "调查结果：成立" + " " * 20000 + "原",
        "调查结果：" + "，原因：x" * 5000,
        "From: x\n" * 5000,
        "-" * 20000 + " x",
    ],
    ids=["spaces", "spaces-after-label", "many-inline-labels", "from-lines", "dashes"],
)
def test_adversarial_input_is_fast(text: str) -> None:
    # Regexes with overlapping runs of spaces once took minutes here (backtracking).
    started = time.perf_counter()
    parse_department_answer(text)
    assert (
        time.perf_counter() - started < 20
    )  # a guard against catastrophic backtracking, not a benchmark
