"""Fixtures: a desk wired to the session's Dovecot and a fresh SMTP sink; a PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import peewee
import pytest

from complaintd.clock import SystemClock
from complaintd.store import migrations
from complaintd.store.db import close_database, open_database
from tests.integration.desk import TOKEN_SECRET, Desk, write_config
from tests.support.dovecot import DovecotServer
from tests.support.postgres import (
    PostgresNotInstalledError,
    PostgresServer,
    create_database,
    drop_database,
    find_postgres_bindir,
)


@pytest.fixture
def desk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The secrets the test configuration names."""
    monkeypatch.setenv("COMPLAINTD_TOKEN_SECRET", TOKEN_SECRET)
    monkeypatch.setenv("COMPLAINTD_IMAP_PASSWORD", "pw")
    monkeypatch.delenv("COMPLAINTD_NOW", raising=False)


def _make_desk(
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_sink: Any,
    folder: str,
    *,
    staffed: bool,
    desk_extra: str = "",
) -> Desk:
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=smtp_sink.port,
        folder=folder,
        database_url=f"sqlite:///{tmp_path}/complaintd.db",
        staffed=staffed,
        desk_extra=desk_extra,
    )
    return Desk(config, dovecot, folder, smtp_sink)


@pytest.fixture
def desk(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> Iterator[Desk]:
    """A desk on SQLite, reading a fresh folder of the test Dovecot; only customers get mail."""
    yield _make_desk(tmp_path, dovecot, smtp_sink, imap_folder, staffed=False)


@pytest.fixture
def staffed_desk(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> Iterator[Desk]:
    """A desk with agents, a response lead and routing damage -> qc."""
    yield _make_desk(tmp_path, dovecot, smtp_sink, imap_folder, staffed=True)


@pytest.fixture
def staffed_desk_with(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> Callable[[str], Desk]:
    """A staffed desk with more ``[desk]`` keys (e.g. ``plus_addressing = false``)."""

    def make(desk_extra: str) -> Desk:
        return _make_desk(
            tmp_path, dovecot, smtp_sink, imap_folder, staffed=True, desk_extra=desk_extra
        )

    return make


# -- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """The maintenance database of the session's PostgreSQL, as a URL.

    A throwaway cluster of our own on a free loopback port, started on first use
    and stopped at the end of the session; ``COMPLAINTD_TEST_PG_URL`` points the
    tests at an existing server instead.
    """
    existing = os.environ.get("COMPLAINTD_TEST_PG_URL")
    if existing:
        yield existing
        return
    try:
        find_postgres_bindir()
    except PostgresNotInstalledError as error:
        # Deliberately a failure, not a skip: a green run without PostgreSQL proves nothing.
        pytest.fail(f"{error} The PostgreSQL tests need a real server.", pytrace=False)
    with PostgresServer() as server:
        yield server.url()


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL, dropped afterwards."""
    name = f"complaintd_test_{uuid.uuid4().hex[:10]}"
    create_database(pg_admin_url, name)
    try:
        yield urlparse(pg_admin_url)._replace(path=f"/{name}").geturl()
    finally:
        close_database()
        drop_database(pg_admin_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[peewee.Database]:
    """An empty, migrated ledger of each kind, inside one transaction."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/ledger.db"
    else:
        url = request.getfixturevalue("pg_url")
    database = open_database(url)
    migrations.upgrade(database, SystemClock())
    with database.atomic():
        yield database
    close_database()
