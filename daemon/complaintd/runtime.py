"""The runtime: configuration, clock and database, handed to every stage."""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from complaintd.clock import Clock
from complaintd.config import Config
from complaintd.store import migrations
from complaintd.store.db import open_database


@dataclass
class Runtime:
    """What a command works with; built once per process (again on SIGHUP)."""

    config: Config
    clock: Clock
    database: peewee.Database


def open_runtime(config: Config, clock: Clock, *, upgrade: bool = True) -> Runtime:
    """Open the database of ``config`` and apply pending migrations when ``upgrade``."""
    database = open_database(config.database.url)
    if upgrade:
        migrations.upgrade(database, clock)
    return Runtime(config=config, clock=clock, database=database)
