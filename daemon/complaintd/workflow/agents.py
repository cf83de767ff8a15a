"""Desk agents: told of every new ticket and answer, acting by replying with #commands.

Also the emergency response: a serious complaint mails the response lead at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from complaintd.errors import UsageError
from complaintd.render.contexts import (
    AgentForwardMail,
    AgentNewTicketMail,
    AgentRefusedMail,
    EmergencyMail,
    ForwardedMail,
    ReplyOutcome,
)
from complaintd.runtime import Runtime
from complaintd.staff_replies import AgentCommand, CommandProblem, parse_agent_instruction
from complaintd.store.event_action import EventAction
from complaintd.store.models import Attachment, Message, Participant, Ticket
from complaintd.store.records import record_event
from complaintd.workflow import customer, desk
from complaintd.workflow.departments import department_by_key, dispatch_sheets
from complaintd.workflow.internal import agent_recipients, send_internal
from complaintd.workflow.mail import desk_lines
from complaintd.workflow.staff_words import (
    actor_label,
    describe_problem,
    problem_of,
    raised_to_serious,
    serious_because,
    writer_language,
)


def start_emergency(
    runtime: Runtime, ticket: Ticket, reason: str, actor: str, now: datetime
) -> None:
    """Serious complaint: tag it and mail the response lead the full case, once."""
    if "emergency" in ticket.tags:
        return
    ticket.tags = [*ticket.tags, "emergency"]
    ticket.save()
    record_event(now, actor, EventAction.EMERGENCY_STARTED, ticket=ticket, reason=reason)
    lead = runtime.config.desk.response_lead
    mail = EmergencyMail(reason=reason)
    send_internal(runtime, ticket, mail, [lead] if lead else [], now=now, actor=actor)


def on_new_ticket(runtime: Runtime, ticket: Ticket, now: datetime) -> None:
    """After registration: emergency if serious, contact sheets by routing, agents told."""
    if ticket.severity == "serious":
        language = runtime.config.desk.default_language
        reason = serious_because(ticket.severity_rule or "", language)
        start_emergency(runtime, ticket, reason, "system", now)
    keys = runtime.config.routing.get(ticket.category, ())
    sheets = dispatch_sheets(runtime, ticket, keys, "system", now)
    names = [department_by_key(runtime, sheet.department).name for sheet in sheets]
    mail = AgentNewTicketMail(dispatched=names)
    send_internal(runtime, ticket, mail, agent_recipients(runtime, ticket), now=now)


def forward_to_agents(
    runtime: Runtime, ticket: Ticket, message: Message, outcome: ReplyOutcome, now: datetime
) -> None:
    """Tell the agents what someone wrote and what it did to the ticket (issue 9, defect 3)."""
    forwarded: ForwardedMail = {
        "from": message.from_addr or "",
        "name": message.from_name or "",
        "text": message.body or message.full_text,
        "attachments": [
            a.filename for a in Attachment.select().where(Attachment.message == message)
        ],
    }
    mail = AgentForwardMail(mail=forwarded, outcome=outcome)
    send_internal(runtime, ticket, mail, agent_recipients(runtime, ticket), now=now)


def apply_agent_mail(
    runtime: Runtime,
    ticket: Ticket,
    message: Message,
    agent: str,
    now: datetime,
    basis: dict[str, str],
) -> list[str]:
    """Carry out an agent's reply: text to the customer, ``#`` lines as commands.

    Only the agent's own lines count: quotes, the signature and any line the desk sent
    are ignored.  A command that cannot be carried out (an illegal status change, an
    unknown department) is refused, recorded and explained to the agent, in the
    language they wrote in (else the desk's); the others still run.  Returns the
    problems as the event log words them.
    """
    instruction = parse_agent_instruction(message.body, desk_lines(ticket, message))
    problems = list(instruction.problems)
    record_event(
        now,
        agent,
        EventAction.AGENT_MAIL,
        ticket=ticket,
        message_id=message.message_id,
        basis=basis,
    )
    if instruction.reply_text.strip():
        _run(
            lambda: customer.desk_reply(runtime, ticket, instruction.reply_text, agent, now),
            problems,
            "reply",
        )
    if instruction.withheld_text:
        record_event(
            now,
            agent,
            EventAction.NOTE,
            ticket=ticket,
            text=instruction.withheld_text,
            withheld=True,
        )
    for command in instruction.commands:
        _run(partial(_apply, runtime, ticket, command, agent, now), problems, command.name)
    logged = [str(problem) for problem in problems]
    if problems:
        record_event(
            now,
            agent,
            EventAction.AGENT_MAIL_PROBLEMS,
            ticket=ticket,
            problems=logged,
            basis=basis,
        )
    if problems or instruction.withheld_text:
        language = writer_language(instruction, runtime.config.desk.default_language)
        names = {d.key: d.name for d in runtime.config.departments}
        described = [describe_problem(problem, language, names) for problem in problems]
        refused = AgentRefusedMail(problems=described, withheld=instruction.withheld_text)
        send_internal(runtime, ticket, refused, [agent], now=now, language=language)
    return logged


def _run(action: Callable[[], None], problems: list[CommandProblem], name: str) -> None:
    try:
        action()
    except UsageError as exc:
        problems.append(problem_of(name, exc))


def _apply(
    runtime: Runtime, ticket: Ticket, command: AgentCommand, agent: str, now: datetime
) -> None:
    name, argument = command.name, command.argument
    if name == "propose":
        customer.propose_solution(runtime, ticket, argument, agent, now)
    elif name == "close":
        customer.close_ticket(runtime, ticket, argument, agent, now)
    elif name == "invalid":
        customer.invalidate(runtime, ticket, argument, agent, now)
    elif name == "severity":
        set_severity(runtime, ticket, argument, agent, now)
    elif name == "category":
        desk.set_category(ticket, argument, agent, now)
    elif name == "dispatch":
        dispatch_sheets(runtime, ticket, (argument,), agent, now)
    elif name == "note":
        record_event(now, agent, EventAction.NOTE, ticket=ticket, text=argument)
    elif name == "take":
        take_ticket(ticket, agent, now)
    elif name == "reply":
        customer.desk_reply(runtime, ticket, argument, agent, now)
    elif name == "reopen":
        customer.desk_reopen(runtime, ticket, agent, now, argument)


def take_ticket(ticket: Ticket, agent: str, now: datetime) -> None:
    """``agent`` owns ``ticket``: mail about it goes to them first."""
    previous = ticket.owner
    ticket.owner = agent
    ticket.updated_at = now
    ticket.save()
    record_event(now, agent, EventAction.OWNERSHIP_TAKEN, ticket=ticket, previous_owner=previous)


def set_severity(
    runtime: Runtime, ticket: Ticket, severity: str, actor: str, now: datetime
) -> None:
    """Change the severity; becoming serious starts the emergency response."""
    desk.set_severity(runtime, ticket, severity, actor, now)
    if severity == "serious":
        language = runtime.config.desk.default_language
        who = actor_label(actor, language, person_name(ticket, actor))
        start_emergency(runtime, ticket, raised_to_serious(who, language), actor, now)


def person_name(ticket: Ticket, address: str) -> str | None:
    """The display name ``address`` goes by on ``ticket`` (its participant row, else the
    latest mail it sent there), or None."""
    participant = (
        Participant.select(Participant.name)
        .where((Participant.ticket == ticket) & (Participant.email == address))
        .where(Participant.name.is_null(False) & (Participant.name != ""))
        .first()
    )
    if participant is not None:
        return str(participant.name)
    sent = (
        Message.select(Message.from_name)
        .where((Message.ticket == ticket) & (Message.from_addr == address))
        .where(Message.from_name.is_null(False))
        .where(Message.from_name != "")
        .order_by(Message.id.desc())
        .first()
    )
    return str(sent.from_name) if sent is not None else None
