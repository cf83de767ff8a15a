"""Schema migrations, applied in order by ``complaintd db upgrade`` (and by run/once).

Each migration is a numbered function.  Migration 1 creates the tables; later ones
use :mod:`playhouse.migrate` and must be written so that they also succeed on a
database created by a newer migration 1 (check the column before adding it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import peewee

from complaintd.clock import Clock
from complaintd.store.models import ALL_MODELS, SchemaMigration


@dataclass(frozen=True)
class Migration:
    """One schema change."""

    version: int
    name: str
    apply: Callable[[peewee.Database], None]


def _create_tables(database: peewee.Database) -> None:
    database.create_tables(ALL_MODELS, safe=True)


MIGRATIONS: tuple[Migration, ...] = (Migration(1, "create tables", _create_tables),)


def pending_migrations(database: peewee.Database) -> list[Migration]:
    """Return the migrations not yet applied, oldest first."""
    if not database.table_exists(SchemaMigration._meta.table_name):
        return list(MIGRATIONS)
    applied = {row.version for row in SchemaMigration.select(SchemaMigration.version)}
    return [m for m in MIGRATIONS if m.version not in applied]


def upgrade(database: peewee.Database, clock: Clock) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return them."""
    applied = []
    for migration in pending_migrations(database):
        with database.atomic():
            migration.apply(database)
            SchemaMigration.insert(
                version=migration.version, name=migration.name, applied_at=clock.now()
            ).on_conflict_ignore().execute()
        applied.append(migration)
    return applied
