"""An incomplete contact-sheet answer: merging the follow-up, wording what is missing in
the department's language, pre-filling what was already written (pure)."""

from __future__ import annotations

import re

import pytest

from complaintd.staff_replies import (
    FormIssue,
    describe_issue,
    form_prefill,
    form_values,
    merged_answer,
    parse_department_answer,
)

LATIN = re.compile(r"[A-Za-z]")
EVERY_ISSUE = [
    FormIssue("finding", "missing"),
    FormIssue("finding", "unknown", "待定，还在核实"),
    FormIssue("finding", "ambiguous", "成立 不成立"),
    FormIssue("cause", "missing"),
    FormIssue("cause", "unknown", "天气原因"),
    FormIssue("cause", "ambiguous", "操作失误和代理失误", ("staff_error", "agent_error")),
    FormIssue("solution", "missing"),
]


def test_a_follow_up_with_only_the_missing_field_completes_the_answer() -> None:
    first = parse_department_answer("我们正在调查。\n原因：业务人员操作失误\n责任：装卸班组")
    assert not first.complete
    follow_up = parse_department_answer("调查结果：成立\n处理方案：赔偿500元")
    merged = merged_answer(first.values, follow_up)
    assert merged.complete and merged.issues == ()
    assert (merged.finding, merged.cause) == ("valid", "staff_error")
    assert (merged.responsible, merged.solution) == ("装卸班组", "赔偿500元")


def test_a_follow_up_replaces_what_it_states_again() -> None:
    first = parse_department_answer("调查结果：成立\n原因：天气\n备注：待核实")
    follow_up = parse_department_answer("原因：不可抗力\n处理方案：免收运费")
    merged = merged_answer(first.values, follow_up)
    assert merged.cause == "force_majeure" and merged.note == "待核实"
    assert merged.complete


def test_a_follow_up_still_missing_something_keeps_asking_for_it() -> None:
    first = parse_department_answer("调查结果：成立")
    merged = merged_answer(first.values, parse_department_answer("原因：代理操作失误"))
    assert [(i.field, i.kind) for i in merged.issues] == [("solution", "missing")]
    assert merged.values == {"finding": "成立", "cause": "代理操作失误"}


def test_a_valid_finding_without_a_solution_is_incomplete() -> None:
    answer = parse_department_answer("调查结果：成立\n原因：业务人员操作失误")
    assert not answer.complete
    assert answer.problems == (
        "处理方案/Solution: missing; a valid finding needs the solution for the customer",
    )
    assert parse_department_answer("调查结果：不成立").complete  # nothing to propose


@pytest.mark.parametrize("issue", EVERY_ISSUE, ids=lambda i: f"{i.field}-{i.kind}")
def test_chinese_issue_text_has_no_english(issue: FormIssue) -> None:
    text = describe_issue(issue, "zh-CN")
    assert not LATIN.search(text), text
    assert text.startswith("“")


@pytest.mark.parametrize("issue", EVERY_ISSUE, ids=lambda i: f"{i.field}-{i.kind}")
def test_issue_lines_are_never_read_as_an_answer(issue: FormIssue) -> None:
    """A reply quoting the mail without a recognisable header must not answer with it."""
    for language in ("zh-CN", "en"):
        assert form_values(f"  - {describe_issue(issue, language)}\n") == {}


def test_issue_text_quotes_what_was_written_and_names_the_causes() -> None:
    unknown, ambiguous = EVERY_ISSUE[4], EVERY_ISSUE[5]
    assert "“天气原因”" in describe_issue(unknown, "zh-CN")
    assert "“业务人员操作失误”、“代理操作失误”" in describe_issue(ambiguous, "zh-CN")
    assert "(Staff error, Agent error)" in describe_issue(ambiguous, "en")
    assert "“Solution” is not filled in" in describe_issue(EVERY_ISSUE[6], "en")


@pytest.mark.parametrize(
    "reply",
    [
        "原因：代理操作失误\n责任：宁波代理 张三\n备注：已电话确认",
        "调查结果：成立\n原因：客户自身失误\n处理方案：1. 明日重新派送；\n2. 免收运费。",
        "调查结果：不成立\n备注：签收时外包装完好",
        "调查结果：待定\n原因：staff_error",
    ],
)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_prefilled_form_reads_back_as_what_was_written(reply: str, language: str) -> None:
    answer = parse_department_answer(reply)
    filled = form_prefill(answer, language)
    labels = (
        ("调查结果", "原因", "责任", "处理方案", "备注")
        if language == "zh-CN"
        else ("Finding", "Cause", "Responsible", "Solution", "Note")
    )
    form = "\n".join(
        f"{label}：{filled[name]}" if language == "zh-CN" else f"{label}: {filled[name]}"
        for label, name in zip(
            labels, ("finding", "cause", "responsible", "solution", "note"), strict=True
        )
    )
    again = parse_department_answer(form)
    if answer.finding is None:  # left open: the printed choice, still to be made
        assert again.finding is None and filled["finding"] in ("成立 / 不成立", "valid / invalid")
    assert (again.finding, again.cause) == (answer.finding, answer.cause)
    assert (again.responsible, again.solution, again.note) == (
        answer.responsible,
        answer.solution,
        answer.note,
    )


def test_chinese_prefill_names_the_cause_in_chinese() -> None:
    answer = parse_department_answer("调查结果：成立\n原因：agent error")
    assert form_prefill(answer, "zh-CN")["cause"] == "代理操作失误"
    assert form_prefill(answer, "en")["cause"] == "agent_error"
    assert form_prefill(answer, "zh-CN")["finding"] == "成立"
