"""The typed vocabularies: DESIGN.md's values, and every member handled where it must be."""

from __future__ import annotations

from complaintd.parse.model import AutomatedKind
from complaintd.store.event_action import EventAction
from complaintd.workflow.intake import AUTOMATED_RECEIVED, UNMATCHED_AUTOMATED


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
