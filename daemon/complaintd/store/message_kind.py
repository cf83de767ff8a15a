"""What a stored message is: which way it went (``message.direction``) and, for mail
that came in, what kind of mail it was (``message.kind``).

Mail the desk sends is stored with its :class:`~complaintd.store.mail_kind.MailKind`.
"""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    """Whether a message came in to the desk or went out from it."""

    IN = "in"
    OUT = "out"


class MessageKind(StrEnum):
    """What an incoming message is to its ticket; the value is what the ledger holds."""

    COMPLAINT = "complaint"  # the mail that opened the ticket
    CUSTOMER_REPLY = "customer_reply"
    AGENT_REPLY = "agent_reply"  # a desk agent acting with the ticket's agent token
    STAFF_NOTE = "staff_note"  # staff mail without the token that would let it act
    DEPARTMENT_REPLY = "department_reply"  # an answer to a contact sheet
    REJECTED_REPLY = "rejected_reply"  # staff or sheet mail from someone who may not act
    AUTO_REPLY = "auto_reply"  # out-of-office and other automatic answers
    BOUNCE = "bounce"  # a delivery status notification
    SURVEY_REPLY = "survey_reply"  # the customer's answer to the satisfaction survey


# What the customer wrote (the customer's own side of the thread).
FROM_CUSTOMER: tuple[MessageKind, ...] = (MessageKind.COMPLAINT, MessageKind.CUSTOMER_REPLY)
