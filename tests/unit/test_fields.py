"""Column types (store.fields): what reaches the database and what comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import peewee

from complaintd.store.fields import UtcDateTimeField

SHANGHAI = timezone(timedelta(hours=8))


class Stamp(peewee.Model):
    id = peewee.AutoField()
    at = UtcDateTimeField()


def test_sqlite_stores_naive_utc_text_as_its_driver_wrote_it() -> None:
    """The field writes the text ``sqlite3``'s default adapter wrote (ledgers written
    before keep sorting and comparing with new rows) and reads back aware UTC."""
    database = peewee.SqliteDatabase(":memory:")
    with database.bind_ctx([Stamp]):
        database.create_tables([Stamp])
        for local, text in [
            (datetime(2026, 11, 20, 10, 0, 0, 500000, SHANGHAI), "2026-11-20 02:00:00.500000"),
            (datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), "2026-11-20 02:00:00"),
        ]:
            row = Stamp.create(at=local)
            stored = database.execute_sql(
                "SELECT typeof(at), at FROM stamp WHERE id = ?", (row.id,)
            )
            assert stored.fetchone() == ("text", text)
            assert text == local.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            assert Stamp.get_by_id(row.id).at == local and Stamp.get_by_id(row.id).at.tzinfo
            assert Stamp.select().where(Stamp.at == local).count() == 1


def test_a_field_bound_to_no_sqlite_database_hands_the_driver_a_datetime() -> None:
    """PostgreSQL's driver (and an unbound field's caller) gets naive UTC datetimes."""
    local = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
    unbound = UtcDateTimeField()
    assert unbound.db_value(local) == datetime(2026, 11, 20, 2, 0)
    database = peewee.PostgresqlDatabase("nowhere")  # never connected
    with database.bind_ctx([Stamp]):
        assert Stamp.at.db_value(local) == datetime(2026, 11, 20, 2, 0)
