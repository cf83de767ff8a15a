"""Schema migrations, applied in order by ``complaintd db upgrade`` (and by run/once).

Each migration is a numbered function.  Migration 1 creates the tables; later ones
use :mod:`playhouse.migrate` and must be written so that they also succeed on a
database created by a newer migration 1 (check the column before adding it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from complaintd.clock import Clock
from complaintd.store.fields import MailKeyField, MailTextField
from complaintd.store.leases import LEASE_MODELS
from complaintd.store.models import (
    V1_MODELS,
    Attachment,
    ContactSheet,
    Event,
    InboundMessage,
    InboundRaw,
    Message,
    Outbox,
    Participant,
    SchemaMigration,
    Ticket,
)
from complaintd.store.reports import REPORT_MODELS
from complaintd.store.timed import TIMED_MODELS


@dataclass(frozen=True)
class Migration:
    """One schema change."""

    version: int
    name: str
    apply: Callable[[peewee.Database], None]


def _create_tables(database: peewee.Database) -> None:
    """Version 1: the ledger as it was first released (Message without contact_sheet_id,
    raw bytes in inbound_message)."""
    with (
        _without_field(Message, "contact_sheet_id"),
        _without_field(Ticket, "owner"),
        _without_field(Ticket, "internal_due_at"),
        _without_field(Ticket, "sla_breached_at"),
        _without_field(Ticket, "resolve_due_at"),
        _without_field(Ticket, "ocr_state"),
        _without_field(Ticket, "ocr"),
        _without_field(Ticket, "needs_manual_reading"),
        _without_field(Ticket, "origin_province"),
        _without_field(Ticket, "origin_city"),
        _without_field(Ticket, "destination_province"),
        _without_field(Ticket, "destination_city"),
        _without_field(InboundMessage, "claimed_by"),
        _without_field(InboundMessage, "lease_until"),
        _without_field(Outbox, "claimed_by"),
        _without_field(Outbox, "lease_until"),
        _without_field(Outbox, "recipe"),
        _without_field(InboundMessage, "carried_processed_flag"),
        _without_field(InboundMessage, "received_at"),
        _with_field(InboundMessage, "raw_message", peewee.BlobField()),
    ):
        database.create_tables(V1_MODELS, safe=True)


def _contact_sheets(database: peewee.Database) -> None:
    """Version 2: contact sheets, and which sheet a message belongs to."""
    with (
        _without_field(ContactSheet, "partial_answer"),
        _without_field(ContactSheet, "next_chase_at"),
    ):
        database.create_tables([ContactSheet], safe=True)
    columns = {column.name for column in database.get_columns(Message._meta.table_name)}
    if "contact_sheet_id" not in columns:
        migrator = SchemaMigrator.from_database(database)
        field = peewee.IntegerField(null=True)
        migrate(migrator.add_column(Message._meta.table_name, "contact_sheet_id", field))
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "message_contact_sheet_id" ON "message" ("contact_sheet_id")'
    )


@contextmanager
def _without_field(model: type[peewee.Model], name: str) -> Iterator[None]:
    """Hide a field a later migration adds, so migration 1 creates the old table shape."""
    field = model._meta.fields[name]
    model._meta.remove_field(name)
    try:
        yield
    finally:
        model._meta.add_field(name, field)


@contextmanager
def _with_field(model: type[peewee.Model], name: str, field: peewee.Field) -> Iterator[None]:
    """Show a field a later migration removes, so migration 1 creates the old table shape."""
    model._meta.add_field(name, field)
    try:
        yield
    finally:
        model._meta.remove_field(name)


def _customer_time_index(database: peewee.Database) -> None:
    """Version 3: a customer's recent tickets (repeat complaints, the ack window) by index.

    Without it SQLite walks every ticket of the window by ``created_at``: on a busy
    day that is thousands of rows for each new complaint.
    """
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "ticket_customer_email_created_at" '
        'ON "ticket" ("customer_email", "created_at")'
    )


def _raw_bytes_apart(database: peewee.Database) -> None:
    """Version 4: inbound raw bytes move to ``inbound_raw``.

    SQLite stores a row's columns together, so every status change of an inbound row
    rewrote its raw bytes, and every status query read through them.
    """
    database.create_tables([InboundRaw], safe=True)
    table = InboundMessage._meta.table_name
    if "raw_message" in {column.name for column in database.get_columns(table)}:
        database.execute_sql(
            f'INSERT INTO "{InboundRaw._meta.table_name}" ("inbound_id", "raw_message")'
            f' SELECT "id", "raw_message" FROM "{table}"'
        )
        migrate(SchemaMigrator.from_database(database).drop_column(table, "raw_message"))


def _add_column(database: peewee.Database, model: type[peewee.Model], name: str) -> None:
    """Add ``model``'s field ``name`` to its table unless the table has it already."""
    table = model._meta.table_name
    if name not in {column.name for column in database.get_columns(table)}:
        field = model._meta.fields[name]
        migrate(SchemaMigrator.from_database(database).add_column(table, name, field))


def _ticket_owner(database: peewee.Database) -> None:
    """Version 5: the desk agent who owns a ticket (``#take``)."""
    _add_column(database, Ticket, "owner")


def _partial_answers(database: peewee.Database) -> None:
    """Version 6: a contact sheet's incomplete answer, merged with the next reply; the
    desk's internal answer target after a severity raise."""
    _add_column(database, ContactSheet, "partial_answer")
    _add_column(database, Ticket, "internal_due_at")


def _timed_work(database: peewee.Database) -> None:
    """Version 8: timed work - steps taken under a unique key, job runs, surveys,
    customers at risk; SLA breaches; the indexed due times the job tick reads."""
    _add_column(database, Ticket, "sla_breached_at")
    _add_column(database, Ticket, "resolve_due_at")
    _add_column(database, ContactSheet, "next_chase_at")
    database.create_tables(TIMED_MODELS, safe=True)
    for table, columns in _DUE_INDEXES:
        name = f"{table}_{'_'.join(columns)}"
        quoted = ", ".join(f'"{column}"' for column in columns)
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})')
    # Tickets already in follow-up get their survey: due from the time they last changed.
    database.execute_sql(
        'INSERT INTO "survey" ("ticket_id", "round", "started_at", "next_at")'
        ' SELECT "id", 1, "updated_at", "updated_at" FROM "ticket"'
        ' WHERE "status" = \'follow_up\' AND "id" NOT IN (SELECT "ticket_id" FROM "survey")'
    )


# What each job tick asks for: due rows of one status, found by index, never by a scan.
_DUE_INDEXES = (
    ("ticket", ("status", "due_at")),
    ("ticket", ("status", "sla_breached_at", "resolve_due_at")),
    ("contact_sheet", ("status", "due_at")),
    ("contact_sheet", ("status", "next_chase_at")),
)


def _fax_reading(database: peewee.Database) -> None:
    """Version 9: faxes read by OCR - its state (indexed: the OCR stage's queue), what
    it found, and the flag for a fax a person must read."""
    _add_column(database, Ticket, "ocr_state")
    _add_column(database, Ticket, "ocr")
    _add_false_flag(database, Ticket, "needs_manual_reading")
    database.execute_sql('CREATE INDEX IF NOT EXISTS "ticket_ocr_state" ON "ticket" ("ocr_state")')


def _claim_columns(database: peewee.Database) -> None:
    """Version 10: holder and lease of the one claim queue (store.claims)."""
    for model in (InboundMessage, Outbox):
        _add_column(database, model, "claimed_by")
        _add_column(database, model, "lease_until")


def _leases(database: peewee.Database) -> None:
    """Version 11: mailbox fetch leases and the registry of running instances; claimed
    rows by holder (each instance renews its own every few seconds)."""
    database.create_tables(LEASE_MODELS, safe=True)
    for model in (InboundMessage, Outbox):
        table = model._meta.table_name
        database.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "{table}_claimed_by" ON "{table}" ("claimed_by")'
        )


def _mail_text_and_processed_flag(database: peewee.Database) -> None:
    """Version 7: text from mail in ``text`` columns; the processed keyword and the
    server's arrival time seen at fetch.

    PostgreSQL enforced ``varchar(255)`` on names, addresses, file names and quantities
    that SQLite (which ignores declared lengths) stored, so legitimate mail was
    quarantined there only (issue 11, item 9).  ``varchar`` to ``text`` is a catalogue
    change on PostgreSQL, without rewriting the table; SQLite needs nothing.
    """
    if isinstance(database, peewee.PostgresqlDatabase):
        migrator = SchemaMigrator.from_database(database)
        migrate(
            *(
                migrator.alter_column_type(model._meta.table_name, field.column_name, field)
                for model in (Ticket, InboundMessage, Participant, Message, Attachment, Event)
                for field in model._meta.sorted_fields
                if isinstance(field, MailTextField | MailKeyField)
            )
        )
    _add_false_flag(database, InboundMessage, "carried_processed_flag")
    _add_column(database, InboundMessage, "received_at")


def _add_false_flag(database: peewee.Database, model: type[peewee.Model], name: str) -> None:
    """Add a ``NOT NULL`` boolean column, false in every existing row, in one statement.

    Not :func:`_add_column`: for a ``NOT NULL`` column playhouse rebuilds an SQLite table,
    and dropping the old table deletes, by ``ON DELETE CASCADE``, the rows that refer to
    it (here every raw message in ``inbound_raw``).
    """
    table = model._meta.table_name
    if name in {column.name for column in database.get_columns(table)}:
        return
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    kind, false = ("BOOLEAN", "false") if postgres else ("INTEGER", "0")
    database.execute_sql(
        f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind} NOT NULL DEFAULT {false}'
    )


def _admin_reports(database: peewee.Database) -> None:
    """Version 12: the admins' reports taken once per period; the shipment's route on
    the ticket; the indexes their GROUP BY queries read."""
    database.create_tables(REPORT_MODELS, safe=True)
    for name in ("origin_province", "origin_city", "destination_province", "destination_city"):
        _add_column(database, Ticket, name)
    for table, columns in _REPORT_INDEXES:
        name = f"{table}_{'_'.join(columns)}"
        quoted = ", ".join(f'"{column}"' for column in columns)
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})')


# What the digest and the monthly report group by, found by index, never by a scan.
_REPORT_INDEXES = (
    ("ticket", ("sla_breached_at",)),
    ("ticket", ("status", "created_at")),  # open tickets by status, oldest first
    ("contact_sheet", ("answered_at",)),
    ("contact_sheet", ("created_at",)),
    ("survey", ("answered_at",)),
    ("survey", ("expired_at",)),
)


def _outbox_due_index(database: peewee.Database) -> None:
    """Version 13: the outbox's due rows by ``(status, next_attempt_at, id)``.

    The sender claims pending rows due by now, oldest first, and rows of a sender that
    died (``sending``); with this index each is an index range read in the claim's
    order up to the batch (``outbox.sender.claim_due``).  With ``status`` alone SQLite
    fetched every pending row, raw mail included, and sorted them, on every claim of a
    flush.  ``id`` is the order's tie-break: SQLite has it in every index (the rowid),
    PostgreSQL needs it named to read the range in order instead of sorting it.
    """
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "outbox_status_next_attempt_at_id" '
        'ON "outbox" ("status", "next_attempt_at", "id")'
    )


def _mail_recipes(database: peewee.Database) -> None:
    """Version 14: desk mail is composed by the sender from a recipe written at commit
    (``outbox.recipe``; ``raw_message`` stays empty until then)."""
    _add_column(database, Outbox, "recipe")


def _fewer_indexes(database: peewee.Database) -> None:
    """Version 15: indexes that only cost writes are dropped.

    Each row of these tables is written on the hot ingest path, and every index is one
    more B-tree to update per insert.  A column's own index goes where a composite index
    led by that column serves each of its queries as well (both databases' plans checked,
    ``make plans``), or where no query reads by the column at all.  ``outbox.status``
    stays: its own index keeps rows of one status in ``id`` order, which the digest's
    and ``outbox list``'s ``ORDER BY id`` read without a sort.  Migrations 1 and 2 no
    longer create them (``index=False`` on the models), so a fresh ledger matches.
    """
    for name in _UNNEEDED_INDEXES:
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


_UNNEEDED_INDEXES = (
    "ticket_status",  # (status, due_at), (status, created_at), (status, sla_breached_at, ...)
    "ticket_customer_email",  # (customer_email, created_at)
    "contact_sheet_status",  # (status, due_at), (status, next_chase_at)
    "participant_ticket_id",  # unique (ticket_id, email, role)
    "outbox_next_attempt_at",  # read only with a status: (status, next_attempt_at, id)
    "contact_sheet_message_id",  # a reply finds its sheet by message.contact_sheet_id
    # Foreign keys no query reads by.  Only deleting a ticket would look for rows that
    # refer to it, and nothing deletes tickets (a purge would need these back first).
    "outbox_ticket_id",
    "ticket_linked_to_id",
)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "create tables", _create_tables),
    Migration(2, "contact sheets", _contact_sheets),
    Migration(3, "ticket index by customer and time", _customer_time_index),
    Migration(4, "inbound raw bytes in their own table", _raw_bytes_apart),
    Migration(5, "ticket owner", _ticket_owner),
    Migration(6, "partial sheet answers and internal due times", _partial_answers),
    Migration(7, "text from mail; keyword and arrival at fetch", _mail_text_and_processed_flag),
    Migration(8, "timed work: steps, job runs, surveys, customers at risk", _timed_work),
    Migration(9, "faxes read by OCR", _fax_reading),
    Migration(10, "claim holder and lease", _claim_columns),
    Migration(11, "mailbox leases and instances", _leases),
    Migration(12, "admins' reports once per period", _admin_reports),
    Migration(13, "outbox due rows by status and time", _outbox_due_index),
    Migration(14, "desk mail composed by the sender", _mail_recipes),
    Migration(15, "indexes a composite one covers, or no query reads", _fewer_indexes),
)


def pending_migrations(database: peewee.Database) -> list[Migration]:
    """Return the migrations not yet applied, oldest first."""
    ordered = sorted(MIGRATIONS, key=lambda m: m.version)
    if not database.table_exists(SchemaMigration._meta.table_name):
        return ordered
    applied = {row.version for row in SchemaMigration.select(SchemaMigration.version)}
    return [m for m in ordered if m.version not in applied]


# PostgreSQL: instances starting together upgrade one after the other (any constant).
UPGRADE_LOCK = 0x636F6D70  # "comp"


def upgrade(database: peewee.Database, clock: Clock) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return them.

    On PostgreSQL the whole upgrade is one transaction holding a transaction-level
    advisory lock, so instances starting at once do not create the same table twice;
    such a lock ends with its transaction, which also holds behind PgBouncer's
    transaction pooling (unlike session locks, see ``store.leases``).
    """
    if not isinstance(database, peewee.PostgresqlDatabase):
        return _apply_pending(database, clock)
    with database.atomic():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK,))
        return _apply_pending(database, clock)


def _apply_pending(database: peewee.Database, clock: Clock) -> list[Migration]:
    applied = []
    for migration in pending_migrations(database):
        with database.atomic():
            migration.apply(database)
            SchemaMigration.insert(
                version=migration.version, name=migration.name, applied_at=clock.now()
            ).on_conflict_ignore().execute()
        applied.append(migration)
    return applied
