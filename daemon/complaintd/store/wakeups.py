"""PostgreSQL: new mail wakes every instance's processor at once (LISTEN/NOTIFY).

The instance that fetches a mailbox commits each batch of new inbound rows with a
``NOTIFY`` (delivered at commit, dropped on rollback).  Every instance's processor
waits for that notification between its rounds instead of only sleeping a second, so
a burst is shared from its first batch on rather than up to a second later.

The notification is only a hint: a processor still looks every
:data:`ROUND_SECONDS` without one, so a lost notification (a reconnect, a pooler in
transaction mode, where LISTEN does not work) delays mail by at most that, as before.
SQLite has one instance: nothing is sent or listened for there.
"""

from __future__ import annotations

import logging
import select
import threading
import time
from typing import Any

import peewee

from complaintd.store.db import is_postgres

log = logging.getLogger(__name__)

CHANNEL = "complaintd_inbound"
ROUND_SECONDS = 1.0  # a processor looks at least this often, notified or not
CONNECT_SECONDS = 5  # connect_timeout of the listening connection


def announce_inbound(database: peewee.Database) -> None:
    """Tell every listening instance that inbound rows are pending; call inside the
    transaction that stores them (PostgreSQL sends it at commit; no-op on SQLite)."""
    if is_postgres(database):
        database.execute_sql(f"NOTIFY {CHANNEL}")


class InboundListener:
    """A connection of its own that LISTENs for :data:`CHANNEL` (PostgreSQL only).

    :meth:`wait` returns when a notification came or ``timeout`` passed; any trouble
    with the connection makes it a plain sleep until the next attempt to listen.
    """

    def __init__(self, database: peewee.Database) -> None:
        self.database = database
        self.connection: Any = None

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        """Wait up to ``timeout`` seconds for new mail (True) or ``stop`` being set."""
        deadline = time.monotonic() + timeout
        connection = self._listening()
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            step = min(left, 0.25)  # ``stop`` is looked at four times a second
            if connection is None:
                stop.wait(step)
                continue
            try:
                if select.select([connection], [], [], step)[0]:
                    connection.poll()
                    if connection.notifies:
                        connection.notifies.clear()
                        return True
            except Exception as exc:  # the server went away: sleep, listen again later
                log.debug("inbound listener: %s", exc)
                self.close()
                connection = None
        return False

    def _listening(self) -> Any:
        """The listening connection, opened (again) when needed; None on SQLite or when
        the server cannot be reached now."""
        if self.connection is not None or not is_postgres(self.database):
            return self.connection
        try:
            import psycopg2  # the postgres extra; only PostgreSQL ledgers get here

            target: Any = self.database
            if isinstance(target, peewee.DatabaseProxy):
                target = target.obj
            # A server that does not answer must not hold the processor (or a stop) long.
            params = {"connect_timeout": CONNECT_SECONDS, **target.connect_params}
            connection = psycopg2.connect(database=target.database, **params)
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")
            self.connection = connection
        except Exception as exc:
            log.debug("inbound listener: cannot listen: %s", exc)
        return self.connection

    def close(self) -> None:
        """Close the listening connection (quietly)."""
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception as exc:
                log.debug("inbound listener: closing: %s", exc)
