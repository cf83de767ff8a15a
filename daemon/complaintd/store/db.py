"""Opening the database named by ``[database] url``.

SQLite (the default) runs in WAL mode with ``synchronous=NORMAL``: a commit is durable
against a process crash, and readers never block the writer.  Write transactions start
``IMMEDIATE`` so two writers queue instead of deadlocking on a lock upgrade.
PostgreSQL is used for several instances on one database.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import peewee

from complaintd.errors import ConfigError, TransientError
from complaintd.store.models import database_proxy

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 30_000,
    "cache_size": -32_000,
    # Savepoint journals in memory.  Each message is processed in a savepoint (it rolls
    # back alone when it fails); SQLite journals the original of every page a savepoint
    # changes and, past 64 KiB, spills that journal to a file in /var/tmp: for the real
    # desk, 228,000 of the 351,000 writes of a 2,000-message ``once`` (450 MB).  Here
    # the journal lives while one message is written (about 0.5 MB).  Temporary sort
    # tables are kept in memory too: no query sorts a whole ledger table (the query plan
    # tests check it on a 1,000,000-ticket ledger).
    "temp_store": "memory",
}


def open_database(url: str) -> peewee.Database:
    """Connect the models to the database at ``url`` and return it."""
    database = make_database(url)
    database_proxy.initialize(database)
    try:
        database.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        raise TransientError(f"cannot open database {redact_url(url)}: {exc}") from exc
    return database


def close_database() -> None:
    """Close the connection of this thread, if any."""
    database = database_proxy.obj
    if database is not None and not database.is_closed():
        database.close()


def is_postgres(database: peewee.Database | peewee.DatabaseProxy) -> bool:
    """True when the ledger is PostgreSQL (row locks with SKIP LOCKED are available).

    A model's database is the proxy; what it points at decides.
    """
    target = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    return isinstance(target, peewee.PostgresqlDatabase)


class ReconnectingPostgresqlDatabase(peewee.PostgresqlDatabase):
    """PostgreSQL that reconnects when the server dropped the connection (a restart, a
    failover, a pooler's idle timeout).

    Only between transactions: a statement inside a transaction whose connection broke
    fails, the transaction is rolled back by its block, and the next one reconnects.
    Without this each thread would keep its dead connection and fail forever.
    """

    def cursor(self, named_cursor: Any = None) -> Any:
        """A cursor on a live connection: a broken one is replaced, outside transactions."""
        state = self._state  # type: ignore[attr-defined]  # peewee has no type hints for it
        broken = not state.closed and state.conn is not None and state.conn.closed
        if broken and not state.transactions:
            state.reset()  # psycopg2 marks a connection the server dropped as closed
        return super().cursor(named_cursor)


def make_database(url: str) -> peewee.Database:
    """A database object for ``url``, not connected and not bound to the models."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return peewee.SqliteDatabase(
            sqlite_path(url), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", timeout=30
        )
    if parsed.scheme in ("postgresql", "postgres"):
        return ReconnectingPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")) or "postgres",
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or None,
            port=parsed.port or None,
        )
    raise ConfigError("database.url", f"unsupported scheme {parsed.scheme!r}")


def sqlite_path(url: str) -> str:
    """Return the file path of a ``sqlite:///path`` URL, whose directory must exist.

    As with SQLAlchemy, ``sqlite:///rel/path`` is relative to the working directory
    (``/`` under systemd) and ``sqlite:////abs/path`` is absolute.  The directory is
    never created: a mistyped path must not start a new, empty ledger (issue 11,
    item 12); the database file itself is created on first use.
    """
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url[len("sqlite://") :]
    if not path:
        raise ConfigError("database.url", "sqlite URL has no path")
    if path == ":memory:":
        return path
    _check_directory(Path(path).parent)
    return os.fspath(path)


def _check_directory(directory: Path) -> None:
    """Raise :class:`ConfigError` unless ``directory`` is an existing directory."""
    try:
        is_directory = stat.S_ISDIR(directory.stat().st_mode)
    except OSError as exc:
        raise ConfigError(
            "database.url",
            f"directory {directory}: {exc.strerror} (a mistyped path?); complaintd does not "
            "create it, so that a typo cannot start a new, empty ledger",
        ) from exc
    if not is_directory:
        raise ConfigError("database.url", f"{directory} is not a directory")


def redact_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***`` (for logs and errors)."""
    parsed = urlparse(url)
    if not parsed.password:
        return url
    return url.replace(f":{parsed.password}@", ":***@", 1)
