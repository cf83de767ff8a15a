"""Pure reading of the replies the desk's own people send: no I/O, no clock.

* :func:`parse_department_answer` - a department's filled-in contact-sheet form
  (工作联系单) as a :class:`DepartmentAnswer`; :data:`CAUSES` / :data:`CAUSE_LABELS`
  are the six causes of a valid complaint; :func:`merged_answer` merges a follow-up
  into an earlier incomplete answer, :func:`describe_issue` and :func:`form_prefill`
  word what is missing and pre-fill the form for the mail back to the department;
* :func:`parse_agent_instruction` - a desk agent's reply: ``#`` commands
  (:data:`COMMANDS`) and the text for the customer, as an :class:`AgentInstruction`;
* :func:`reply_lines` - the part of a reply its sender wrote (quotes and signature cut).
"""

from complaintd.staff_replies.commands import (
    CATEGORY_CHOICES,
    CATEGORY_NAMES,
    COMMANDS,
    SEVERITY_CHOICES,
    SEVERITY_NAMES,
    TEXT_COMMANDS,
    AgentCommand,
    AgentInstruction,
    CommandProblem,
    ProblemKind,
    known_line_key,
    known_lines_of,
    parse_agent_instruction,
)
from complaintd.staff_replies.form import (
    CAUSE_LABELS,
    CAUSES,
    FINDINGS,
    DepartmentAnswer,
    FormIssue,
    answer_from_values,
    describe_issue,
    form_prefill,
    form_values,
    merged_answer,
    parse_department_answer,
)
from complaintd.staff_replies.reply import reply_lines

__all__ = [
    "CATEGORY_CHOICES",
    "CATEGORY_NAMES",
    "CAUSES",
    "CAUSE_LABELS",
    "COMMANDS",
    "FINDINGS",
    "SEVERITY_CHOICES",
    "SEVERITY_NAMES",
    "TEXT_COMMANDS",
    "AgentCommand",
    "AgentInstruction",
    "CommandProblem",
    "DepartmentAnswer",
    "FormIssue",
    "ProblemKind",
    "answer_from_values",
    "describe_issue",
    "form_prefill",
    "form_values",
    "known_line_key",
    "known_lines_of",
    "merged_answer",
    "parse_agent_instruction",
    "parse_department_answer",
    "reply_lines",
]
