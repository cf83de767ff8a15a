"""Fixtures: a desk wired to the session's Dovecot and a fresh SMTP sink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from complaintd.testing.dovecot import DovecotServer
from tests.integration.desk import TOKEN_SECRET, Desk, write_config


@pytest.fixture
def desk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The secrets the test configuration names."""
    monkeypatch.setenv("COMPLAINTD_TOKEN_SECRET", TOKEN_SECRET)
    monkeypatch.setenv("COMPLAINTD_IMAP_PASSWORD", "pw")
    monkeypatch.delenv("COMPLAINTD_NOW", raising=False)


@pytest.fixture
def desk(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> Iterator[Desk]:
    """A desk on SQLite, reading a fresh folder of the test Dovecot."""
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=smtp_sink.port,
        folder=imap_folder,
        database_url=f"sqlite:///{tmp_path}/complaintd.db",
    )
    yield Desk(config, dovecot, imap_folder, smtp_sink)


@pytest.fixture
def staffed_desk(
    tmp_path: Path, dovecot: DovecotServer, smtp_sink: Any, imap_folder: str, desk_env: None
) -> Iterator[Desk]:
    """A desk with agents, a response lead and routing damage -> qc."""
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=smtp_sink.port,
        folder=imap_folder,
        database_url=f"sqlite:///{tmp_path}/complaintd.db",
        staffed=True,
    )
    yield Desk(config, dovecot, imap_folder, smtp_sink)
