"""Mail to the desk's own people: departments, agents, the response lead, admins.

Internal mail is written in the desk's default language.  Each carries a signed reply
address: ``s<sheet id>`` binds a department's answer to its contact sheet, ``a`` lets
the agents act on the ticket by replying.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from complaintd.config.model import DepartmentConfig
from complaintd.outbox.queue import QueuedMail
from complaintd.outbox.recipe import FileRef
from complaintd.render.contexts import (
    CaseFacts,
    DepartmentFacts,
    InternalContext,
    InternalMail,
    SheetFacts,
)
from complaintd.runtime import Runtime
from complaintd.store.models import ContactSheet, Ticket
from complaintd.store.queries import first_complaint_text
from complaintd.workflow.mail import (
    format_local,
    queue_mail,
    scoped_reply_address,
    staff_thread,
    template_context,
)


def internal_context(runtime: Runtime, ticket: Ticket) -> InternalContext:
    """The customer context plus what staff need: contacts, goods, the complaint in full."""
    context = template_context(runtime, ticket)
    case: CaseFacts = {
        **context["ticket"],
        "customer_email": ticket.customer_email,
        "customer_fax": ticket.customer_fax,
        "shipping_date": ticket.shipping_date.isoformat() if ticket.shipping_date else None,
        "goods": ticket.goods,
        "quantity": ticket.quantity,
        "complaint_text": complaint_text(ticket),
        "source": ticket.source,
        "internal_due_at": format_local(ticket.internal_due_at, runtime)
        if ticket.internal_due_at
        else None,
    }
    language = runtime.config.desk.default_language
    return {"language": language, "desk": context["desk"], "ticket": case}


def complaint_text(ticket: Ticket) -> str:
    """The customer's first message in full (quotes included: staff need the context)."""
    return first_complaint_text(ticket)


def sheet_context(runtime: Runtime, sheet: ContactSheet) -> SheetFacts:
    """What the contact-sheet templates need about one sheet."""
    return {
        "due_at": format_local(sheet.due_at, runtime),
        "reminders": sheet.reminders,
    }


def department_context(department: DepartmentConfig) -> DepartmentFacts:
    """A department as templates see it."""
    return {"key": department.key, "name": department.name}


def agent_recipients(runtime: Runtime, ticket: Ticket) -> list[str]:
    """The agents to tell about ``ticket``: its owner first, then the others."""
    agents = list(runtime.config.desk.agents)
    owner = ticket.owner
    return [owner, *(a for a in agents if a != owner)] if owner else agents


def send_internal(
    runtime: Runtime,
    ticket: Ticket,
    content: InternalMail,
    to: Sequence[str],
    *,
    now: datetime,
    scope: str = "a",
    actor: str = "system",
    attachments: Sequence[FileRef] = (),
    contact_sheet_id: int | None = None,
    language: str | None = None,
) -> QueuedMail | None:
    """Queue an internal mail about ``ticket``; nothing when nobody is to receive it.

    Its Reply-To and subject tag carry the token of ``scope``.  Mail to the agents is
    threaded under the ticket's earlier agent mail (issue 9, defect 3).  It is written
    in the desk's language unless ``language`` says otherwise (an answer to someone
    who wrote in another).
    """
    recipients = [address for address in dict.fromkeys(to) if address]
    if not recipients:
        return None
    agents = runtime.config.desk.agents
    thread = staff_thread(ticket, agents) if set(recipients) & set(agents) else (None, [])
    language = language or runtime.config.desk.default_language
    return queue_mail(
        runtime,
        ticket,
        content,
        to=recipients,
        language=language,
        context={**internal_context(runtime, ticket), "language": language},
        reply_to=scoped_reply_address(runtime, ticket, scope),
        thread=thread,
        now=now,
        actor=actor,
        attachments=attachments,
        contact_sheet_id=contact_sheet_id,
        subject_scope=scope,
    )
