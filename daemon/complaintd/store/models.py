"""The ledger: peewee models for everything complaintd knows.

The database is the single source of truth (DESIGN.md, "the database is the ledger"):
inbound raw bytes, tickets and their messages, the audit trail and the outbox.
Tables are created and altered only by :mod:`complaintd.store.migrations`.
"""

from __future__ import annotations

from typing import Any

import peewee

from complaintd.store.fields import JsonField, MailKeyField, MailTextField, UtcDateTimeField
from complaintd.store.inbound_status import InboundStatus, ServerState
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.prepared import update_row
from complaintd.store.sheet_status import SheetStatus

database_proxy = peewee.DatabaseProxy()


class BaseModel(peewee.Model):
    """Every model lives in the one database the proxy points at."""

    class Meta:
        database = database_proxy
        legacy_table_names = False
        only_save_dirty = True  # save() writes the changed columns, not the whole row

    def save(self, force_insert: bool = False, only: Any = None) -> Any:
        """Write the changed columns of a stored row (SQL prepared once per shape).

        New rows, ``only=`` and composite keys are saved the ORM's usual way.
        """
        row: Any = self  # peewee's change tracking (_pk, _dirty) has no type hints
        if force_insert or only is not None or self._meta.composite_key or row._pk is None:
            return super().save(force_insert=force_insert, only=only)
        key: Any = self._meta.primary_key
        # Sorted: the same set of columns is always the same statement shape.
        changed = {name: self.__data__.get(name) for name in sorted(row._dirty) if name != key.name}
        rows = update_row(type(self), row._pk, changed) if changed else False
        row._dirty.clear()  # only once written: a failed save keeps its changes pending
        return rows


class SchemaMigration(BaseModel):
    """One applied migration."""

    version = peewee.IntegerField(primary_key=True)
    name = peewee.CharField()
    applied_at = UtcDateTimeField()


class MailboxState(BaseModel):
    """Per configured mailbox: UIDVALIDITY + UID high-water mark (after getmail6)."""

    mailbox = peewee.CharField(primary_key=True)
    folder = peewee.CharField()
    uidvalidity = peewee.BigIntegerField(null=True)
    last_uid = peewee.BigIntegerField(default=0)
    last_fetch_at = UtcDateTimeField(null=True)
    last_error = peewee.TextField(null=True)


class TicketCounter(BaseModel):
    """The last serial issued per prefix and month; bumped inside the ticket's transaction."""

    prefix = peewee.CharField()
    period = peewee.CharField()  # YYYYMM
    last_serial = peewee.IntegerField(default=0)

    class Meta:
        primary_key = peewee.CompositeKey("prefix", "period")


class Ticket(BaseModel):
    """One complaint case."""

    id = peewee.AutoField()

    number = peewee.CharField(unique=True)
    # Not indexed alone: (status, due_at), (status, sla_breached_at, resolve_due_at) and
    # (status, created_at) (migrations 8 and 12) serve every query by status (migration 15).
    status = peewee.CharField()
    severity = peewee.CharField()
    category = peewee.CharField()
    source = peewee.CharField()  # email | fax
    language = peewee.CharField()
    # Text from mail is MailTextField / MailKeyField: no NUL, no length limit that
    # PostgreSQL would enforce and SQLite not (migration 7; issue 11, item 9).
    subject = MailTextField()
    customer_name = MailTextField(null=True)
    customer_email = MailKeyField(null=True)  # by (customer_email, created_at), migration 3
    customer_fax = MailTextField(null=True)
    waybills = JsonField(default=list)
    order_numbers = JsonField(default=list)
    phones = JsonField(default=list)
    shipping_date = peewee.DateField(null=True)
    goods = MailTextField(null=True)
    quantity = MailTextField(null=True)
    attachment_count = peewee.IntegerField(default=0)
    category_rule = MailTextField(null=True)
    severity_rule = MailTextField(null=True)
    tags = JsonField(default=list)
    # Not indexed: no query reads tickets by the one they are linked to (migration 15).
    linked_to = peewee.ForeignKeyField("self", null=True, backref="linked_tickets", index=False)
    linked_to_id: int | None
    created_at = UtcDateTimeField(index=True)
    updated_at = UtcDateTimeField()
    due_at = UtcDateTimeField(null=True)  # committed first answer time (severity SLA)
    # The desk agent who took the ticket (``#take``); added by migration 5.
    owner = peewee.CharField(null=True)
    # The desk's own answer target when a raised severity made it tighter than the time
    # promised to the customer (``due_at``, never rewritten); added by migration 6.
    internal_due_at = UtcDateTimeField(null=True)
    # When the ticket was still unresolved at created_at + resolve_hours (business hours
    # with [calendar]), and that deadline itself; added by migration 8.
    sla_breached_at = UtcDateTimeField(null=True)
    resolve_due_at = UtcDateTimeField(null=True)
    # Faxes (migration 9): reading the pages - "pending" until the OCR stage has read
    # them, then "done" (None for mail); what it found (engine, confidence, pages); and
    # whether a person must read the fax because a page failed or timed out.
    ocr_state = peewee.CharField(null=True, index=True)
    ocr = JsonField(null=True)
    needs_manual_reading = peewee.BooleanField(default=False)
    # The shipment's route as the complaint names it (classify.places), for the monthly
    # report's hot spots by region; full names, null when not said; added by migration 12.
    origin_province = peewee.CharField(null=True)
    origin_city = peewee.CharField(null=True)
    destination_province = peewee.CharField(null=True)
    destination_city = peewee.CharField(null=True)


class InboundMessage(BaseModel):
    """Every fetched message, committed before the server is touched.

    Its raw bytes are in :class:`InboundRaw`: status changes and listings never read
    or rewrite them (SQLite keeps a row's columns together, blob included).
    """

    id = peewee.AutoField()

    mailbox = peewee.CharField()
    mailbox_kind = peewee.CharField()
    uidvalidity = peewee.BigIntegerField()
    uid = peewee.BigIntegerField()
    message_id = MailKeyField(null=True, index=True)
    sha256 = peewee.CharField(max_length=64)
    size = peewee.IntegerField()
    fetched_at = UtcDateTimeField()
    status = peewee.CharField(index=True, default=InboundStatus.PENDING)  # an InboundStatus
    error = MailTextField(null=True)  # an exception's text may quote the mail
    attempts = peewee.IntegerField(default=0)
    processed_at = UtcDateTimeField(null=True)
    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="inbound")
    ticket_id: int | None
    # What was done on the IMAP server after the raw bytes were committed.
    server_state = peewee.CharField(index=True, default=ServerState.PENDING)  # a ServerState
    # The message already carried the processed keyword when it was fetched: a ledger
    # before this one took it in, and the customer was answered then (migration 7).
    carried_processed_flag = peewee.BooleanField(default=False)
    # When the server received it (IMAP INTERNALDATE): floods are measured by arrival,
    # so a backlog drained at once is not one (migration 7).
    received_at = UtcDateTimeField(null=True)
    # The claim queue (store.claims): who is processing the row, until when (migration 10).
    claimed_by = peewee.CharField(null=True)
    lease_until = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("mailbox", "uidvalidity", "uid"), True),)


class InboundRaw(BaseModel):
    """The raw bytes of an inbound message, exactly as fetched (added by migration 4)."""

    inbound = peewee.ForeignKeyField(
        InboundMessage, primary_key=True, backref="raw", on_delete="CASCADE"
    )
    inbound_id: int
    raw_message = peewee.BlobField()


class Participant(BaseModel):
    """Someone who may write into a ticket."""

    id = peewee.AutoField()

    # By the unique (ticket, email, role) below, not by an index of its own (migration 15).
    ticket = peewee.ForeignKeyField(
        Ticket, backref="participants", on_delete="CASCADE", index=False
    )
    email = MailKeyField()
    name = MailTextField(null=True)
    role = peewee.CharField()  # customer | department | agent | cc

    class Meta:
        indexes = ((("ticket", "email", "role"), True),)


class Message(BaseModel):
    """One mail of a ticket's conversation, in or out."""

    id = peewee.AutoField()

    ticket = peewee.ForeignKeyField(Ticket, backref="messages", on_delete="CASCADE")
    ticket_id: int
    inbound = peewee.ForeignKeyField(InboundMessage, null=True, backref="messages")
    inbound_id: int | None
    direction = peewee.CharField()  # in | out
    kind = peewee.CharField()
    from_addr = MailTextField(null=True)
    from_name = MailTextField(null=True)
    to_addrs = JsonField(default=list)
    cc_addrs = JsonField(default=list)
    subject = MailTextField(default="")
    body = MailTextField(default="")  # quotes and signature stripped
    full_text = MailTextField(default="")
    html = MailTextField(null=True)
    charset = MailTextField(null=True)
    decode_note = MailTextField(null=True)
    undecoded = peewee.BlobField(null=True)
    message_id = MailKeyField(null=True, index=True)
    in_reply_to = JsonField(default=list)
    references = JsonField(default=list)
    automated_reason = MailTextField(null=True)
    created_at = UtcDateTimeField(index=True)
    # The contact sheet a department mail belongs to (added by migration 2).
    contact_sheet_id = peewee.IntegerField(null=True, index=True)


class Blob(BaseModel):
    """Attachment content, stored once per SHA-256."""

    sha256 = peewee.CharField(primary_key=True, max_length=64)
    size = peewee.IntegerField()
    data = peewee.BlobField()


class Attachment(BaseModel):
    """A file of a message; ``blob`` is null when it was over the size limit."""

    id = peewee.AutoField()

    message = peewee.ForeignKeyField(Message, backref="attachments", on_delete="CASCADE")
    blob = peewee.ForeignKeyField(Blob, null=True, backref="uses")
    filename = MailTextField()
    content_type = MailTextField()
    size = peewee.IntegerField()
    inline = peewee.BooleanField(default=False)
    content_id = MailTextField(null=True)
    skipped_reason = peewee.TextField(null=True)


class Event(BaseModel):
    """The audit trail: who did what, when."""

    id = peewee.AutoField()

    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="events", on_delete="CASCADE")
    ticket_id: int | None
    inbound = peewee.ForeignKeyField(InboundMessage, null=True, backref="events")
    inbound_id: int | None
    at = UtcDateTimeField(index=True)
    actor = MailTextField()  # an email address, 'system' or 'cli:<user>'
    action = peewee.CharField()
    detail = JsonField(default=dict)


class Outbox(BaseModel):
    """An outgoing mail; written in the transaction of the change that caused it."""

    id = peewee.AutoField()

    # Not indexed: the outbox is read by status, message and id, never by ticket (migration 15).
    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="outbox", index=False)
    ticket_id: int | None
    ticket_message = peewee.ForeignKeyField(Message, null=True, backref="outbox")
    ticket_message_id: int | None
    kind = peewee.CharField()
    message_id = peewee.CharField(unique=True, max_length=998)
    mail_from = peewee.CharField()
    rcpt_to = JsonField(default=list)
    # The MIME bytes as they go on the wire; empty for a mail the sender composes from
    # its ``recipe`` (outbox.recipe), until an attempt failed for now (migration 14).
    raw_message = peewee.BlobField()
    recipe = peewee.TextField(null=True)  # JSON (outbox.recipe.MailRecipe)
    status = peewee.CharField(index=True, default=OutboxStatus.PENDING)  # an OutboxStatus
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = UtcDateTimeField()  # by (status, next_attempt_at, id), migration 13
    claimed_at = UtcDateTimeField(null=True)  # when the sender claimed it ('sending')
    # The claim queue (store.claims): who is sending the row, until when (migration 10).
    claimed_by = peewee.CharField(null=True)
    lease_until = UtcDateTimeField(null=True)
    smtp_response = peewee.TextField(null=True)  # the server's answer to DATA
    deadline_at = UtcDateTimeField(null=True)
    last_error = peewee.TextField(null=True)
    created_at = UtcDateTimeField()
    sent_at = UtcDateTimeField(null=True)


class ContactSheet(BaseModel):
    """A work order (工作联系单) to one department about one ticket (schema version 2)."""

    id = peewee.AutoField()
    ticket = peewee.ForeignKeyField(Ticket, backref="contact_sheets", on_delete="CASCADE")
    ticket_id: int
    department = peewee.CharField()  # the department's key
    # A SheetStatus; by (status, due_at) and (status, next_chase_at), migration 8.
    status = peewee.CharField(default=SheetStatus.OPEN)
    due_at = UtcDateTimeField()
    reminders = peewee.IntegerField(default=0)
    last_reminder_at = UtcDateTimeField(null=True)
    answer = JsonField(null=True)  # finding, cause, responsible, solution, note, by, at
    # The form fields of an incomplete answer (field -> text as written), merged with the
    # department's next reply on this sheet; added by migration 6.
    partial_answer = JsonField(null=True)
    # The sheet mail's Message-ID; not indexed: replies find their sheet through
    # ``message.contact_sheet_id`` (migration 15).
    message_id = peewee.CharField(null=True, max_length=998)
    created_at = UtcDateTimeField()
    answered_at = UtcDateTimeField(null=True)
    # When the next chaser or the escalation of an overdue sheet is due; added by migration 8.
    next_chase_at = UtcDateTimeField(null=True)


V1_MODELS: tuple[type[BaseModel], ...] = (
    SchemaMigration,
    MailboxState,
    TicketCounter,
    Ticket,
    InboundMessage,
    Participant,
    Message,
    Blob,
    Attachment,
    Event,
    Outbox,
)
ALL_MODELS: tuple[type[BaseModel], ...] = (*V1_MODELS, ContactSheet, InboundRaw)
