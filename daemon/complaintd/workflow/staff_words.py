"""What the desk tells its own people, in their words: refusals, rejections, emergencies.

An agent's ``#`` line that was not carried out is a :class:`CommandProblem` (data);
:func:`describe_problem` words it in zh-CN or en, naming statuses, severities,
categories and departments as the desk's mail does.  :func:`actor_label` names who
did something as a person reads it (a name, "管理员 root（命令行操作）"), never as the
event log spells it (``cli:root``).  :func:`writer_language` picks the language of
the answer: the one the agent wrote in, else the desk's.  :func:`serious_because` says
why the keyword rules found a complaint serious.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from complaintd.classify.language import detect_language
from complaintd.errors import UsageError
from complaintd.render.labels import category_label, resolve_language, severity_label, status_label
from complaintd.staff_replies import TEXT_COMMANDS, AgentInstruction, CommandProblem, ProblemKind
from complaintd.thread.routing import Rejection, RouteDecision
from complaintd.workflow.departments import UnknownDepartment
from complaintd.workflow.status import IllegalTransition, NotOpen

_ZH = "zh-CN"

# The text a paragraph command needs, per command.
_NEEDS_TEXT = {
    "zh-CN": {
        "propose": "#propose 后面要写上给客户的解决方案。",
        "close": "#close 后面要写上处理结果，这段话会发给客户。",
        "invalid": "#invalid 后面要写上认定无效的原因，这段话会发给客户。",
        "note": "#note 后面要写上备注内容。",
        "reply": "#reply 后面要写上发给客户的内容。",
    },
    "en": {
        "propose": "#propose needs the solution for the customer after it.",
        "close": "#close needs the outcome after it; the customer is sent that text.",
        "invalid": "#invalid needs the reason after it; the customer is sent that text.",
        "note": "#note needs the text of the note after it.",
        "reply": "#reply needs the text for the customer after it.",
    },
}
# What a status change would have done, for "cannot ... now".
_ACTIONS = {
    "zh-CN": {"propose": "提出解决方案", "close": "结案", "invalid": "认定为无效投诉"},
    "en": {
        "propose": "a solution cannot be proposed",
        "close": "it cannot be closed",
        "invalid": "it cannot be marked invalid",
    },
}
_OTHER_ACTION = {"zh-CN": "执行 #{command}", "en": "#{command} cannot be carried out"}
_THINGS = {  # what a keyword command takes
    "zh-CN": {"severity": "严重程度", "category": "投诉类别", "dispatch": "部门代码"},
    "en": {
        "severity": "a severity level",
        "category": "a complaint category",
        "dispatch": "a department code",
    },
}
_TEXT = {
    "zh-CN": {
        "unknown_hint": "#{command}：没有这个指令，您是不是要写 #{hint}？",
        "unknown": "#{command}：没有这个指令。可用的指令列在本邮件末尾。",
        "needs_choice": "#{command} 后面要写{thing}：{choices}。",
        "needs_choice_bare": "#{command} 后面要写{thing}。",
        "not_a_choice": "#{command}：“{value}”不是可用的{thing}，请写 {choices}。",
        "no_department": "#dispatch：没有代码为“{value}”的部门。现有部门：{choices}。",
        "no_departments": "#dispatch：没有代码为“{value}”的部门，本客服中心还没有配置部门。",
        "not_now": "#{command}：这宗投诉目前的状态是“{status}”，现在还不能{action}，"
        "只能转为{choices}。",
        "not_open": "#{command}：这宗投诉目前的状态是“{status}”，已经不在处理中，所以没有执行。"
        "如需继续处理，请先用 #reopen（或 #重开）重新受理。",
        "still_open": "#{command}：这宗投诉目前的状态是“{status}”，还没有结案，不需要重开。",
        "failed": "#{command}：没有执行（{value}）。",
        "system": "系统",
        "cli": "管理员 {user}（命令行操作）",
        "person": "{name}（{address}）",
        "raised": "由{who}调为严重投诉。",
        "keyword": "来信中有“{keyword}”字样（规则 {rule}）。",
        "repeat": "{days} 天内再次投诉（上一宗为 {number}），严重程度提高一级。",
        Rejection.NOT_THE_DEPARTMENT: "发件地址不是“{department}”登记的邮箱。",
        Rejection.NOT_AUTHENTICATED: "邮件没有通过发件人身份验证（{basis}），发件地址可能被冒用。",
        Rejection.BAD_TOKEN: "回复地址中的凭证已被改动或已过期，无法确认是哪宗投诉的回复。",
    },
    "en": {
        "unknown_hint": "#{command}: there is no such command. Did you mean #{hint}?",
        "unknown": "#{command}: there is no such command. The commands are listed at the end"
        " of this mail.",
        "needs_choice": "#{command} needs {thing} after it: {choices}.",
        "needs_choice_bare": "#{command} needs {thing} after it.",
        "not_a_choice": "#{command}: “{value}” is not {thing}; please write {choices}.",
        "no_department": "#dispatch: there is no department with the code “{value}”."
        " The departments are: {choices}.",
        "no_departments": "#dispatch: there is no department with the code “{value}”;"
        " this desk has no departments configured.",
        "not_now": "#{command}: the complaint's status is “{status}”, so {action} now;"
        " from there it can only go to {choices}.",
        "not_open": "#{command}: the complaint's status is “{status}”, so it is no longer being"
        " handled and nothing was done. To handle it again, reopen it first with #reopen.",
        "still_open": "#{command}: the complaint's status is “{status}”; it has not been"
        " closed, so there is nothing to reopen.",
        "failed": "#{command}: not carried out ({value}).",
        "system": "the desk system",
        "cli": "administrator {user} (command line)",
        "person": "{name} ({address})",
        "raised": "Raised to serious by {who}.",
        "keyword": "The mail says “{keyword}” (rule {rule}).",
        "repeat": "A repeat complaint within {days} days (after {number}): one level higher.",
        Rejection.NOT_THE_DEPARTMENT: "The sender's address is not one registered for"
        " {department}.",
        Rejection.NOT_AUTHENTICATED: "The mail failed sender authentication ({basis});"
        " the sender's address may be forged.",
        Rejection.BAD_TOKEN: "The token in the reply address was altered or has expired,"
        " so the mail cannot be tied to a complaint for certain.",
    },
}


def problem_of(command: str, error: UsageError) -> CommandProblem:
    """The problem a command ran into while it was carried out."""
    if isinstance(error, IllegalTransition):
        return CommandProblem(
            ProblemKind.NOT_NOW, command, error.target, error.allowed, hint=error.current
        )
    if isinstance(error, NotOpen):
        kind = ProblemKind.NOT_OPEN if error.needs_open else ProblemKind.STILL_OPEN
        return CommandProblem(kind, command, hint=error.current)
    if isinstance(error, UnknownDepartment):
        return CommandProblem(ProblemKind.NO_DEPARTMENT, command, error.key, error.known)
    return CommandProblem(ProblemKind.FAILED, command, str(error))


def describe_problem(problem: CommandProblem, language: str, departments: Mapping[str, str]) -> str:
    """``problem`` as one sentence to the agent, wholly in ``language``.

    ``departments`` maps the configured department keys to their names.
    """
    language = resolve_language(language)
    text = _TEXT[language]
    kind, command = problem.kind, problem.command
    if kind == ProblemKind.UNKNOWN:
        return text["unknown_hint" if problem.hint else "unknown"].format(
            command=command, hint=problem.hint
        )
    if kind == ProblemKind.NEEDS_TEXT:
        return _NEEDS_TEXT[language][command]
    choices = _choices(command, problem.choices or tuple(departments), language, departments)
    thing = _THINGS[language].get(command, "")
    if kind == ProblemKind.NEEDS_CHOICE:
        key = "needs_choice" if choices else "needs_choice_bare"
        return text[key].format(command=command, thing=thing, choices=choices)
    if kind == ProblemKind.NOT_A_CHOICE:
        return text["not_a_choice"].format(
            command=command, value=problem.value, thing=thing, choices=choices
        )
    if kind == ProblemKind.NO_DEPARTMENT:
        key = "no_department" if problem.choices else "no_departments"
        known = _choices(command, problem.choices, language, departments, alternatives=False)
        return text[key].format(value=problem.value, choices=known)
    if kind == ProblemKind.NOT_NOW:
        other = _OTHER_ACTION[language].format(command=command)
        action = _ACTIONS[language].get(command, other)
        allowed = _listed((f"“{status_label(s, language)}”" for s in problem.choices), language)
        return text["not_now"].format(
            command=command,
            status=status_label(problem.hint, language),
            action=action,
            choices=allowed,
        )
    if kind in (ProblemKind.NOT_OPEN, ProblemKind.STILL_OPEN):
        return text[kind.value].format(command=command, status=status_label(problem.hint, language))
    return text["failed"].format(command=command, value=problem.value)


def _choices(
    command: str,
    keys: tuple[str, ...],
    language: str,
    departments: Mapping[str, str],
    *,
    alternatives: bool = True,
) -> str:
    """``keys`` with their names in ``language``: ``serious（严重）、important（重要）或
    general（一般）``; in English the keys are the names, departments get theirs."""
    if command == "severity":
        names = [severity_label(key, language) for key in keys]
    elif command == "category":
        names = [category_label(key, language) for key in keys]
    else:
        names = [departments.get(key, "") for key in keys]
    if language == _ZH:
        shown = [f"{key}（{name}）" if name else key for key, name in zip(keys, names, strict=True)]
    elif command == "dispatch":
        shown = [f"{key} ({name})" if name else key for key, name in zip(keys, names, strict=True)]
    else:
        shown = list(keys)  # English names and keys are the same words
    return _listed(shown, language, alternatives=alternatives)


def _listed(items: Iterable[str], language: str, *, alternatives: bool = True) -> str:
    """``a、b或c`` / ``a, b or c``; ``a、b、c`` / ``a, b, c`` when not ``alternatives``."""
    words = list(items)
    separator = "、" if language == _ZH else ", "
    if len(words) < 2 or not alternatives:
        return separator.join(words)
    if language == _ZH:
        last = "或 " if words[-1][:1].isascii() else "或"  # a space before Latin text
        return "、".join(words[:-1]) + last + words[-1]
    return ", ".join(words[:-1]) + " or " + words[-1]


def actor_label(actor: str, language: str, name: str | None = None) -> str:
    """Who ``actor`` (as events record it) is, for a person to read.

    ``system`` is the desk system, ``cli:<user>`` an administrator at the command line,
    an address the person: ``name`` (their display name, if known) with the address.
    """
    text = _TEXT[resolve_language(language)]
    if actor == "system":
        return text["system"]
    if actor.startswith("cli:"):
        return text["cli"].format(user=actor.removeprefix("cli:"))
    return text["person"].format(name=name, address=actor) if name else actor


def raised_to_serious(who: str, language: str) -> str:
    """Why a complaint became serious when someone raised it: ``由李娜（…）调为严重投诉。``"""
    return _TEXT[resolve_language(language)]["raised"].format(who=who)


def describe_rejection(decision: RouteDecision, language: str, department: str = "") -> str:
    """Why staff mail was not acted on, for the admins and agents, in ``language``.

    ``department`` names the department whose sheet was answered, if any.  A decision
    without a :class:`Rejection` keeps the router's own words.
    """
    if decision.rejection is None:
        return decision.reason
    basis = decision.basis.get("auth_detail", "")
    text = _TEXT[resolve_language(language)][decision.rejection]
    return text.format(department=department, basis=basis)


# The audit strings classify.rules and intake store on the ticket (``severity_rule``).
_KEYWORD_RULE = re.compile(r"(?P<rule>\S+) keyword '(?P<keyword>.*)'$")
_REPEAT = re.compile(r"^repeat complaint \((?P<number>\S+) within (?P<days>\d+) days\); ")


def serious_because(severity_rule: str, language: str) -> str:
    """Why the rules found a complaint serious, from its stored ``severity_rule``.

    ``severity:serious.unusable keyword '无法销售'`` becomes ``来信中有“无法销售”字样（规则
    severity:serious.unusable）。``; a repeat complaint says so first.  A string of another
    shape is returned as it is.
    """
    text = _TEXT[resolve_language(language)]
    said: list[str] = []
    repeat = _REPEAT.match(severity_rule)
    if repeat:
        said.append(text["repeat"].format(days=repeat["days"], number=repeat["number"]))
        severity_rule = severity_rule[repeat.end() :]
    keyword = _KEYWORD_RULE.fullmatch(severity_rule)
    said.append(text["keyword"].format(**keyword.groupdict()) if keyword else severity_rule)
    return "\n".join(said)


def writer_language(instruction: AgentInstruction, desk_language: str) -> str:
    """The language the agent wrote the mail in; the desk's when the text shows none.

    Only what the agent wrote counts: text for the customer or a colleague and the
    text of paragraph commands, not command names.  Levels and department codes count
    only when not ASCII (``#severity 紧急`` is Chinese; ``#dispatch qc`` is no clue).
    """
    texts = [instruction.reply_text, instruction.withheld_text]
    texts += [c.argument for c in instruction.commands if c.name in TEXT_COMMANDS]
    words = [c.written for c in instruction.commands if c.name not in TEXT_COMMANDS]
    words += [problem.value for problem in instruction.problems]
    texts += [word for word in words if not word.isascii()]
    return resolve_language(detect_language("\n".join(texts), default=desk_language))
