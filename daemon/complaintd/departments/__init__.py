"""Pure reading of the replies the desk's own people send: no I/O, no clock.

* :func:`parse_department_answer` - a department's filled-in contact-sheet form
  (工作联系单) as a :class:`DepartmentAnswer`; :data:`CAUSES` / :data:`CAUSE_LABELS`
  are the six causes of a valid complaint;
* :func:`parse_agent_instruction` - a desk agent's reply: ``#`` commands
  (:data:`COMMANDS`) and the text for the customer, as an :class:`AgentInstruction`;
* :func:`reply_lines` - the part of a reply its sender wrote (quotes and signature cut).
"""

from complaintd.departments.commands import (
    CATEGORY_NAMES,
    COMMANDS,
    SEVERITY_NAMES,
    AgentCommand,
    AgentInstruction,
    known_line_key,
    known_lines_of,
    parse_agent_instruction,
)
from complaintd.departments.form import (
    CAUSE_LABELS,
    CAUSES,
    FINDINGS,
    DepartmentAnswer,
    form_values,
    parse_department_answer,
)
from complaintd.departments.reply import reply_lines

__all__ = [
    "CATEGORY_NAMES",
    "CAUSES",
    "CAUSE_LABELS",
    "COMMANDS",
    "FINDINGS",
    "SEVERITY_NAMES",
    "AgentCommand",
    "AgentInstruction",
    "DepartmentAnswer",
    "form_values",
    "known_line_key",
    "known_lines_of",
    "parse_agent_instruction",
    "parse_department_answer",
    "reply_lines",
]
