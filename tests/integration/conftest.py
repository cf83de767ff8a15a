"""Fixtures: a desk wired to the session's Dovecot and a fresh SMTP sink; a PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from complaintd.store.db import close_database
from complaintd.testing.dovecot import DovecotServer
from tests.integration.desk import TOKEN_SECRET, Desk, write_config


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


ADMIN_URL = os.environ.get("COMPLAINTD_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty database on the local PostgreSQL, dropped afterwards."""
    import psycopg2

    name = f"complaintd_test_{uuid.uuid4().hex[:10]}"
    admin = urlparse(ADMIN_URL)
    try:
        connection = psycopg2.connect(ADMIN_URL)
    except psycopg2.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for these tests ({ADMIN_URL}): {exc}")
    connection.autocommit = True
    connection.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin._replace(path=f"/{name}").geturl()
    finally:
        close_database()
        connection.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()
