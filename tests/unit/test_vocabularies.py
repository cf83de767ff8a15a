"""The typed vocabularies: DESIGN.md's values, and every member handled where it must be."""

from __future__ import annotations

from complaintd.parse.model import AutomatedKind
from complaintd.store.event_action import EventAction
from complaintd.store.mail_kind import MailKind
from complaintd.store.message_kind import Direction, MessageKind
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.sheet_status import SheetStatus
from complaintd.store.ticket_status import OPEN_STATUSES, TicketStatus
from complaintd.workflow.intake import AUTOMATED_RECEIVED, UNMATCHED_AUTOMATED
from complaintd.workflow.status import ALLOWED


def test_the_stored_values_are_design_mds() -> None:
    """The ledger and the JSON keep DESIGN.md's words (spelled here on purpose)."""
    assert [status.value for status in TicketStatus] == [
        "received",
        "investigating",
        "solution_proposed",
        "implementing",
        "follow_up",
        "closed",
        "invalid",
    ]
    assert {"open", "answered", "overdue", "escalated"} <= {s.value for s in SheetStatus}
    assert {d.value for d in Direction} == {"in", "out"}
    assert {"pending", "failed"} <= {s.value for s in OutboxStatus}
    kinds_so_far = {"complaint", "customer_reply", "department_reply", "agent_reply"}
    kinds_so_far |= {"ack", "contact_sheet", "chaser", "escalation", "solution", "resolution"}
    kinds_so_far |= {"auto_reply", "bounce"}
    stored = {kind.value for kind in MessageKind} | {kind.value for kind in MailKind}
    assert kinds_so_far <= stored
    assert not {kind.value for kind in MessageKind} & {kind.value for kind in MailKind}


def test_every_status_has_its_steps() -> None:
    assert set(ALLOWED) == set(TicketStatus)
    assert set(OPEN_STATUSES) < set(TicketStatus)


def test_automated_mail_of_every_kind_has_its_audit_events() -> None:
    """A new kind of automated mail cannot reach intake without an event to record it."""
    assert set(UNMATCHED_AUTOMATED) == set(AutomatedKind)
    assert len(set(UNMATCHED_AUTOMATED.values())) == len(AutomatedKind)
    assert {str(action) for action in UNMATCHED_AUTOMATED.values()} == {
        f"{kind}_unmatched" for kind in AutomatedKind
    }
    assert {str(action) for action in AUTOMATED_RECEIVED.values()} == {
        f"{kind}_received" for kind in AUTOMATED_RECEIVED
    }


def test_event_actions_are_distinct_snake_case_names() -> None:
    values = [action.value for action in EventAction]
    assert len(values) == len(set(values))
    assert all(value.isascii() and value == value.lower() for value in values)
