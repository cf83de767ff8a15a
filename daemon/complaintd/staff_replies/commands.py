"""Desk agents act on a ticket by replying to the desk's mail about it.

Lines starting with ``#`` are commands; the other lines the agent wrote are the desk's
reply to the customer::

    您好，我们已安排重新派送，预计明天上午送达。

    #severity 重要
    #dispatch ops
    #note 客户很着急，已电话安抚
    #propose 免收本单运费，
    并补偿 200 元。

``#propose``, ``#close``, ``#invalid`` and ``#note`` take a paragraph: their text goes on
over the following non-blank lines that are not commands.  ``#severity`` and
``#category`` take a level or category, in English or Chinese, and are stored by key.
``#dispatch`` takes department keys (``#dispatch qc, ops`` gives one command per key;
whether a key exists is for the caller to check).

``#take`` makes the agent the ticket's owner; ``#reply`` sends its paragraph to the
customer even when it would otherwise be withheld.

A ``#`` line that is not a known command is reported as a problem and never becomes text
for the customer: a mistyped ``#sevrity urgent`` must not reach them.  ``#`` followed by
something other than a letter (``#1``, ``# 标题``) is ordinary text.  Quoted material and
the signature are ignored (see :mod:`complaintd.staff_replies.reply`), and so is every line
the desk itself sent in the mail being answered (``known_lines``): a notice pasted
without quote markers holds the customer's words and the help block's ``#`` lines, which
must never run as the agent's (issue 10, item 3).  Text that is only a note to
colleagues or a greeting is withheld from the customer (see
:mod:`complaintd.staff_replies.agent_text`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from complaintd.staff_replies.agent_text import is_note_to_colleagues, strip_signature
from complaintd.staff_replies.reply import normalise_text, reply_lines

COMMANDS: tuple[str, ...] = (
    "propose",
    "close",
    "invalid",
    "severity",
    "category",
    "dispatch",
    "note",
    "take",
    "reply",
)
SEVERITY_NAMES: dict[str, str] = {
    "serious": "serious", "important": "important", "general": "general",
    "严重": "serious", "重要": "important", "一般": "general",
}  # fmt: skip
CATEGORY_NAMES: dict[str, str] = {
    "delay": "delay", "damage": "damage", "loss": "loss", "information": "information",
    "attitude": "attitude", "billing": "billing", "other": "other",
    "延误": "delay", "破损": "damage", "丢失": "loss", "信息": "information",
    "态度": "attitude", "费用": "billing", "其他": "other",
    # The names the desk's own mail uses (render.labels), so agents can copy them back.
    "物流信息错误": "information", "服务态度": "attitude", "其它": "other",
}  # fmt: skip
# What a paragraph command is missing when it has no text.
_TEXT_COMMANDS: dict[str, str] = {
    "propose": "a text",
    "close": "a resolution",
    "invalid": "a reason",
    "note": "a text",
    "reply": "a text for the customer",
}
_SEVERITY_CHOICES = "serious|important|general"
_CATEGORY_CHOICES = "delay|damage|loss|information|attitude|billing|other"

# An ASCII name, or letters of another script (full-width "ｓｅｖｅｒｉｔｙ", or a stray
# "#话题") which then has to be an unknown command rather than text for the customer.
_COMMAND_LINE = re.compile(r"^[ \t\u3000]*[#＃](?P<name>[A-Za-z]+|[^\W\d_]+)(?P<rest>.*)$")
_NAME_COLON = re.compile(r"^[ \t\u3000]*[:：∶﹕]")
_KEY_SEPARATORS = re.compile(r"[\s,，、;；]+")
_END_PUNCTUATION = " \t\u3000。.!！;；,，"
_BLANK_RUN = re.compile(r"\n{3,}")  # left where command lines are taken out of the text


@dataclass(frozen=True)
class AgentCommand:
    """One ``#`` command: its name (one of COMMANDS) and its argument."""

    name: str
    argument: str


@dataclass(frozen=True)
class AgentInstruction:
    """What an agent's mail asks for: commands, text for the customer, and problems."""

    commands: tuple[AgentCommand, ...]
    reply_text: str  # for the customer; '' when none
    problems: tuple[str, ...]
    withheld_text: str = ""  # text not sent: a note to colleagues or a bare greeting


def known_line_key(line: str) -> str:
    """How a line is compared with the lines the desk sent (spacing and width ignored)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))


def known_lines_of(texts: list[str]) -> frozenset[str]:
    """The comparison keys of every non-blank line of ``texts`` (the desk's own mail)."""
    return frozenset(
        key
        for text in texts
        for line in normalise_text(text).split("\n")
        if len(key := known_line_key(line)) >= 2
    )


def parse_agent_instruction(
    reply_text: str, known_lines: frozenset[str] = frozenset()
) -> AgentInstruction:
    """Split an agent's reply into commands and the text for the customer.

    Lines whose key is in ``known_lines`` (see :func:`known_lines_of`) were written by
    the desk, not the agent, and are skipped.  Commands that cannot be understood are
    left out and described in ``problems``; the valid ones are returned in the order
    they were written.  Never raises.
    """
    lines = [line for line in reply_lines(reply_text) if known_line_key(line) not in known_lines]
    commands: list[AgentCommand] = []
    problems: list[str] = []
    text: list[str] = []
    index = 0
    while index < len(lines):
        match = _COMMAND_LINE.match(lines[index])
        if match is None:
            text.append(lines[index].rstrip())
            index += 1
            continue
        typed = match["name"]
        name = unicodedata.normalize("NFKC", typed).lower()
        argument = _NAME_COLON.sub("", match["rest"]).strip()
        index += 1
        # An unknown command swallows its paragraph too: it may be a mistyped #propose.
        if name in _TEXT_COMMANDS or name not in COMMANDS:
            more, index = _paragraph(lines, index)
            argument = "\n".join(part for part in (argument, *more) if part)
        found, problem = _command(name, typed, argument)
        commands.extend(found)
        if problem:
            problems.append(problem)
    return _with_customer_text(commands, text, problems)


def _with_customer_text(
    commands: list[AgentCommand], text: list[str], problems: list[str]
) -> AgentInstruction:
    """The instruction, its signature dropped and chatter withheld from the customer."""
    body, _signature = strip_signature(text)
    reply = _BLANK_RUN.sub("\n\n", "\n".join(body)).strip()
    if reply and is_note_to_colleagues(reply):
        return AgentInstruction(tuple(commands), "", tuple(problems), withheld_text=reply)
    return AgentInstruction(tuple(commands), reply, tuple(problems))


def _paragraph(lines: list[str], index: int) -> tuple[list[str], int]:
    """The non-blank, non-command lines from ``index`` on, and the index after them."""
    parts: list[str] = []
    while index < len(lines) and lines[index].strip() and not _COMMAND_LINE.match(lines[index]):
        parts.append(lines[index].rstrip())
        index += 1
    return parts, index


def _command(name: str, typed: str, argument: str) -> tuple[list[AgentCommand], str | None]:
    """The command(s) ``#name argument`` stands for, or a problem describing why none."""
    if name not in COMMANDS:
        return [], _unknown(typed, name)
    if name == "take":
        return [AgentCommand("take", "")], None
    if name in _TEXT_COMMANDS:
        if not argument:
            return [], f"#{name} needs {_TEXT_COMMANDS[name]}"
        return [AgentCommand(name, argument)], None
    if name == "dispatch":
        return _dispatch(argument)
    names, choices = (
        (SEVERITY_NAMES, _SEVERITY_CHOICES)
        if name == "severity"
        else (CATEGORY_NAMES, _CATEGORY_CHOICES)
    )
    return _keyword(name, argument, names, choices)


def _unknown(typed: str, name: str) -> str:
    """The problem for an unknown command, with the likely intended one."""
    guess = difflib.get_close_matches(name, COMMANDS, n=1)
    hint = f" (did you mean #{guess[0]}?)" if guess else ""
    return f"#{typed}: unknown command{hint}"


def _keyword(
    name: str, argument: str, names: dict[str, str], choices: str
) -> tuple[list[AgentCommand], str | None]:
    """``#severity``/``#category``: the argument mapped to its key."""
    if not argument:
        return [], f"#{name} needs one of {choices}"
    wanted = unicodedata.normalize("NFKC", argument).strip(_END_PUNCTUATION).lower()
    key = names.get(wanted)
    if key is None:
        return [], f"#{name}: '{argument}' is not {choices}"
    return [AgentCommand(name, key)], None


def _dispatch(argument: str) -> tuple[list[AgentCommand], str | None]:
    """``#dispatch qc, ops``: one command per department key, lower-cased."""
    normalised = unicodedata.normalize("NFKC", argument).strip(_END_PUNCTUATION).lower()
    keys = [key for key in _KEY_SEPARATORS.split(normalised) if key]
    if not keys:
        return [], "#dispatch needs a department key"
    return [AgentCommand("dispatch", key) for key in dict.fromkeys(keys)], None
