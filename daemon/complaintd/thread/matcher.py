"""The threading decision, as a pure function.

DESIGN.md fixes the order: a signed reply token, then In-Reply-To / References, then
the subject tag ``[TS-YYYYMM-NNNN]``.  A sender who is neither a participant of the
ticket found nor the holder of a valid token never writes into it: the mail becomes a
new ticket, linked to the one it referred to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class MatchMethod(StrEnum):
    """How a message was tied to an existing ticket."""

    TOKEN = "token"
    REFERENCES = "references"
    SUBJECT = "subject"


class ThreadAction(StrEnum):
    """What to do with a message."""

    NEW = "new"  # a new ticket
    APPEND = "append"  # add to the matched ticket
    NEW_LINKED = "new_linked"  # a new ticket linked to the one it referred to


@dataclass(frozen=True)
class Candidate:
    """A ticket found for a message by one method (gathered by the I/O side)."""

    method: MatchMethod
    ticket_id: int
    number: str
    participants: frozenset[str]  # lower-cased addresses
    token_valid: bool = False
    token_scope: str | None = None


@dataclass(frozen=True)
class ThreadDecision:
    """The outcome: the action, the ticket concerned and why."""

    action: ThreadAction
    ticket_id: int | None
    number: str | None
    method: MatchMethod | None
    reason: str


_ORDER = (MatchMethod.TOKEN, MatchMethod.REFERENCES, MatchMethod.SUBJECT)


def subject_tag_numbers(subject: str, prefix: str) -> list[str]:
    """Return the ticket numbers tagged ``[PREFIX-YYYYMM-NNNN]`` in ``subject``."""
    pattern = rf"\[\s*({re.escape(prefix)}-\d{{6}}-\d{{4,}})\s*\]"
    return [m.upper() for m in re.findall(pattern, subject, flags=re.IGNORECASE)]


def decide_thread(sender: str | None, candidates: list[Candidate]) -> ThreadDecision:
    """Decide where a message from ``sender`` goes, given the tickets found for it."""
    ranked = sorted(candidates, key=lambda c: _ORDER.index(c.method))
    for candidate in ranked:
        if candidate.method is MatchMethod.TOKEN and not candidate.token_valid:
            continue  # a forged or damaged token proves nothing; try the next method
        return _decide_for(sender, candidate)
    if any(c.method is MatchMethod.TOKEN for c in candidates):
        return ThreadDecision(ThreadAction.NEW, None, None, None, "only invalid reply tokens")
    return ThreadDecision(ThreadAction.NEW, None, None, None, "no ticket referred to")


def _decide_for(sender: str | None, candidate: Candidate) -> ThreadDecision:
    method = candidate.method
    if method is MatchMethod.TOKEN:
        reason = f"valid reply token ({candidate.token_scope})"
        return ThreadDecision(
            ThreadAction.APPEND, candidate.ticket_id, candidate.number, method, reason
        )
    if sender is not None and sender in candidate.participants:
        reason = f"{method.value}: sender is a participant"
        return ThreadDecision(
            ThreadAction.APPEND, candidate.ticket_id, candidate.number, method, reason
        )
    reason = f"{method.value} points to {candidate.number} but the sender is not a participant"
    return ThreadDecision(
        ThreadAction.NEW_LINKED, candidate.ticket_id, candidate.number, method, reason
    )
