"""How the desk words things for its own people (pure)."""

from __future__ import annotations

import pytest

from complaintd.staff_replies import parse_agent_instruction
from complaintd.workflow.staff_words import (
    actor_label,
    describe_problem,
    serious_because,
    writer_language,
)


@pytest.mark.parametrize(
    ("reply", "desk", "expected"),
    [
        ("王先生您好，已安排重新派送。\n#severity serious", "en", "zh-CN"),
        ("Dear Mary, we are checking with the depot.\n#sevrity 严重", "zh-CN", "en"),
        ("#severity urgent\n#dispatch legal\n#take", "zh-CN", "zh-CN"),  # codes are no clue
        ("#severity 紧急\n#dispatch 法务部", "en", "zh-CN"),  # Chinese words are
        ("#severity 严重\n#category 破损", "en", "zh-CN"),
        ("#note customer called twice, very upset", "zh-CN", "en"),
    ],
)
def test_the_answer_is_in_the_language_the_agent_wrote(
    reply: str, desk: str, expected: str
) -> None:
    assert writer_language(parse_agent_instruction(reply), desk) == expected


@pytest.mark.parametrize(
    ("actor", "name", "zh", "en"),
    [
        ("system", None, "系统", "the desk system"),
        ("cli:root", None, "管理员 root（命令行操作）", "administrator root (command line)"),
        (
            "agent1@lida.example",
            "李娜",
            "李娜（agent1@lida.example）",
            "李娜 (agent1@lida.example)",
        ),
        ("agent1@lida.example", None, "agent1@lida.example", "agent1@lida.example"),
    ],
)
def test_people_are_named_not_logged(actor: str, name: str | None, zh: str, en: str) -> None:
    assert actor_label(actor, "zh-CN", name) == zh
    assert actor_label(actor, "en", name) == en


def test_an_unknown_command_without_a_likely_one_points_to_the_list() -> None:
    [problem] = parse_agent_instruction("#xyzzy").problems
    assert (
        describe_problem(problem, "zh-CN", {}) == "#xyzzy：没有这个指令。可用的指令列在本邮件末尾。"
    )


def test_dispatch_without_a_code_lists_the_departments() -> None:
    [problem] = parse_agent_instruction("#dispatch").problems
    departments = {"qc": "质检部", "ops": "运营部"}
    said = describe_problem(problem, "zh-CN", departments)
    assert said == "#dispatch 后面要写部门代码：qc（质检部）或 ops（运营部）。"


def test_why_serious_reads_the_stored_rule() -> None:
    rule = (
        "repeat complaint (TS-202611-0001 within 30 days); severity:important.delay keyword '三次'"
    )
    assert serious_because(rule, "zh-CN").splitlines() == [
        "30 天内再次投诉（上一宗为 TS-202611-0001），严重程度提高一级。",
        "来信中有“三次”字样（规则 severity:important.delay）。",
    ]
    assert serious_because("set by hand", "en") == "set by hand"
