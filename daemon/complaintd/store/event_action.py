"""What an audit event records (``event.action``): every action of the audit trail.

``tickets show`` lists them in order; the digest counts by them.  The value is what
the ledger and JSON hold.
"""

from __future__ import annotations

from enum import StrEnum


class EventAction(StrEnum):
    """One kind of audit event."""

    # Intake: mail taken in, or recognised and set aside.
    TICKET_CREATED = "ticket_created"
    FAX_RECEIVED = "fax_received"  # the gateway's mail: caller, pages, document
    FAX_READ = "fax_read"  # the pages were machine-read (engine, confidence)
    NEEDS_MANUAL_READING = "needs_manual_reading"  # a page failed or timed out
    LINKED = "linked"  # a new ticket that refers to an earlier one
    MESSAGE_ADDED = "message_added"  # the customer wrote again
    DUPLICATE_IGNORED = "duplicate_ignored"
    MESSAGE_ID_REUSED = "message_id_reused"  # another mail had this Message-ID first
    FLOOD_STARTED = "flood_started"  # a sender's new complaints came too fast
    FLOOD_COLLAPSED = "flood_collapsed"  # a complaint of a flood kept on its flood ticket
    OWN_MAIL_IGNORED = "own_mail_ignored"
    AUTO_REPLY_RECEIVED = "auto_reply_received"
    BOUNCE_RECEIVED = "bounce_received"
    # Automated mail that belongs to no ticket, one action per AutomatedKind.
    AUTO_REPLY_UNMATCHED = "auto_reply_unmatched"
    BOUNCE_UNMATCHED = "bounce_unmatched"
    LIST_UNMATCHED = "list_unmatched"
    AUTO_GENERATED_UNMATCHED = "auto_generated_unmatched"
    STAFF_MAIL_REJECTED = "staff_mail_rejected"
    DEPARTMENT_ANSWER_REJECTED = "department_answer_rejected"
    INBOUND_QUARANTINED = "inbound_quarantined"
    INBOUND_RETRY = "inbound_retry"
    UIDVALIDITY_CHANGED = "uidvalidity_changed"
    # The ticket.
    STATUS_CHANGED = "status_changed"
    SEVERITY_CHANGED = "severity_changed"
    CATEGORY_CHANGED = "category_changed"
    OWNERSHIP_TAKEN = "ownership_taken"
    EMERGENCY_STARTED = "emergency_started"
    NOTE = "note"
    SOLUTION_PROPOSED = "solution_proposed"
    OBJECTION = "objection"  # the customer disagreed with the proposal
    PROPOSAL_ANSWER_UNCLEAR = "proposal_answer_unclear"
    AGENT_MAIL = "agent_mail"
    AGENT_MAIL_PROBLEMS = "agent_mail_problems"  # commands refused
    # Contact sheets.
    SHEET_DISPATCHED = "sheet_dispatched"
    SHEET_CANCELLED = "sheet_cancelled"
    SHEET_DUE_TIGHTENED = "sheet_due_tightened"
    DEPARTMENT_ANSWERED = "department_answered"
    DEPARTMENT_ANSWERED_AFTER_CANCEL = "department_answered_after_cancel"
    DEPARTMENT_ANSWER_INCOMPLETE = "department_answer_incomplete"
    ALL_DEPARTMENTS_ANSWERED = "all_departments_answered"
    # Mail from the desk.
    ACK_SUPPRESSED = "ack_suppressed"
    MAIL_QUEUED = "mail_queued"
    MAIL_NOT_SENT = "mail_not_sent"  # nobody to send it to
    MAIL_SENT = "mail_sent"
    MAIL_FAILED = "mail_failed"
    MAIL_RETRY = "mail_retry"
    MAIL_CANCELLED = "mail_cancelled"
    # Timed work (complaintd.jobs).
    SHEET_OVERDUE = "sheet_overdue"
    SHEET_REMINDED = "sheet_reminded"
    SHEET_ESCALATED = "sheet_escalated"
    PROMISE_KEPT = "promise_kept"  # a progress update at the committed answer time
    SLA_BREACHED = "sla_breached"
    SURVEY_SENT = "survey_sent"
    SURVEY_REMINDER_SENT = "survey_reminder_sent"
    SURVEY_ANSWERED = "survey_answered"
    CUSTOMER_AT_RISK = "customer_at_risk"
    CUSTOMER_RISK_CLEARED = "customer_risk_cleared"
