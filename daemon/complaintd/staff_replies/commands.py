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
customer even when it would otherwise be withheld.  ``#reopen`` (also ``#重开``) takes a
closed ticket back to ``investigating``; its paragraph, the reason, may be left out.

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
from dataclasses import dataclass, field
from enum import StrEnum

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
    "reopen",
)
# Other names agents write for a command (compared after NFKC and lower-casing).
ALIASES: dict[str, str] = {"重开": "reopen", "重新打开": "reopen"}
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
# The commands that take a paragraph of text.
TEXT_COMMANDS = frozenset({"propose", "close", "invalid", "note", "reply", "reopen"})
# The paragraph commands whose text may be left out.
OPTIONAL_TEXT_COMMANDS = frozenset({"reopen"})
SEVERITY_CHOICES = ("serious", "important", "general")
CATEGORY_CHOICES = ("delay", "damage", "loss", "information", "attitude", "billing", "other")

# An ASCII name, or letters of another script (full-width "ｓｅｖｅｒｉｔｙ", or a stray
# "#话题") which then has to be an unknown command rather than text for the customer.
_COMMAND_LINE = re.compile(r"^[ \t\u3000]*[#＃](?P<name>[A-Za-z]+|[^\W\d_]+)(?P<rest>.*)$")
_NAME_COLON = re.compile(r"^[ \t\u3000]*[:：∶﹕]")
_KEY_SEPARATORS = re.compile(r"[\s,，、;；]+")
_END_PUNCTUATION = " \t\u3000。.!！;；,，"
_BLANK_RUN = re.compile(r"\n{3,}")  # left where command lines are taken out of the text


class ProblemKind(StrEnum):
    """Why a command line was not carried out (worded for the agent by
    :mod:`complaintd.workflow.staff_words`, in the agent's language)."""

    UNKNOWN = "unknown"  # no such command; ``hint`` is the likely one, if any
    NEEDS_TEXT = "needs_text"  # a paragraph command without its text
    NEEDS_CHOICE = "needs_choice"  # #severity / #category / #dispatch without an argument
    NOT_A_CHOICE = "not_a_choice"  # ``value`` is not one of ``choices``
    NO_DEPARTMENT = "no_department"  # #dispatch ``value``: no such department (``choices``)
    NOT_NOW = "not_now"  # not allowed in the ticket's status ``hint``; ``choices`` allowed
    NOT_OPEN = "not_open"  # needs an open ticket; it is closed (status ``hint``)
    STILL_OPEN = "still_open"  # needs a closed ticket; it is open (status ``hint``)
    FAILED = "failed"  # anything else; ``value`` is the error as the program said it


@dataclass(frozen=True)
class CommandProblem:
    """One ``#`` line that was not carried out, and why (data, not wording)."""

    kind: ProblemKind
    command: str  # the command's name without "#" (as typed when unknown)
    value: str = ""
    choices: tuple[str, ...] = ()
    hint: str = ""

    def __str__(self) -> str:
        """A one-line English account, for the event log."""
        detail = f" {self.value!r}" if self.value else ""
        more = f" ({self.hint})" if self.hint else ""
        listed = f" [{', '.join(self.choices)}]" if self.choices else ""
        return f"#{self.command}: {self.kind.value}{detail}{more}{listed}"


@dataclass(frozen=True)
class AgentCommand:
    """One ``#`` command: its name (one of COMMANDS) and its argument."""

    name: str
    argument: str
    # The argument as the agent wrote it ("严重" for the key "serious"), a clue to their
    # language; not part of what the command is.
    written: str = field(default="", compare=False)


@dataclass(frozen=True)
class AgentInstruction:
    """What an agent's mail asks for: commands, text for the customer, and problems."""

    commands: tuple[AgentCommand, ...]
    reply_text: str  # for the customer; '' when none
    problems: tuple[CommandProblem, ...]
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
    problems: list[CommandProblem] = []
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
        name = ALIASES.get(name, name)
        argument = _NAME_COLON.sub("", match["rest"]).strip()
        index += 1
        # An unknown command swallows its paragraph too: it may be a mistyped #propose.
        if name in TEXT_COMMANDS or name not in COMMANDS:
            more, index = _paragraph(lines, index)
            argument = "\n".join(part for part in (argument, *more) if part)
        found, problem = _command(name, typed, argument)
        commands.extend(found)
        if problem:
            problems.append(problem)
    return _with_customer_text(commands, text, problems)


def _with_customer_text(
    commands: list[AgentCommand], text: list[str], problems: list[CommandProblem]
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


def _command(
    name: str, typed: str, argument: str
) -> tuple[list[AgentCommand], CommandProblem | None]:
    """The command(s) ``#name argument`` stands for, or a problem describing why none."""
    if name not in COMMANDS:
        return [], _unknown(typed, name)
    if name == "take":
        return [AgentCommand("take", "")], None
    if name in TEXT_COMMANDS:
        if not argument and name not in OPTIONAL_TEXT_COMMANDS:
            return [], CommandProblem(ProblemKind.NEEDS_TEXT, name)
        return [AgentCommand(name, argument)], None
    if name == "dispatch":
        return _dispatch(argument)
    names, choices = (
        (SEVERITY_NAMES, SEVERITY_CHOICES)
        if name == "severity"
        else (CATEGORY_NAMES, CATEGORY_CHOICES)
    )
    return _keyword(name, argument, names, choices)


def _unknown(typed: str, name: str) -> CommandProblem:
    """The problem for an unknown command, with the likely intended one."""
    guess = difflib.get_close_matches(name, COMMANDS, n=1)
    return CommandProblem(ProblemKind.UNKNOWN, typed, hint=guess[0] if guess else "")


def _keyword(
    name: str, argument: str, names: dict[str, str], choices: tuple[str, ...]
) -> tuple[list[AgentCommand], CommandProblem | None]:
    """``#severity``/``#category``: the argument mapped to its key."""
    if not argument:
        return [], CommandProblem(ProblemKind.NEEDS_CHOICE, name, choices=choices)
    wanted = unicodedata.normalize("NFKC", argument).strip(_END_PUNCTUATION).lower()
    key = names.get(wanted)
    if key is None:
        return [], CommandProblem(ProblemKind.NOT_A_CHOICE, name, argument, choices)
    return [AgentCommand(name, key, argument)], None


def _dispatch(argument: str) -> tuple[list[AgentCommand], CommandProblem | None]:
    """``#dispatch qc, ops``: one command per department key, lower-cased."""
    normalised = unicodedata.normalize("NFKC", argument).strip(_END_PUNCTUATION).lower()
    keys = [key for key in _KEY_SEPARATORS.split(normalised) if key]
    if not keys:
        return [], CommandProblem(ProblemKind.NEEDS_CHOICE, "dispatch")
    return [AgentCommand("dispatch", key, argument) for key in dict.fromkeys(keys)], None
