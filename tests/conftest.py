"""Shared pytest fixtures for complaintd.

Tests run against real servers on 127.0.0.1, never mocks of them:

* ``dovecot`` (session): a throwaway Dovecot IMAP server with the accounts in
  ``IMAP_USERS``; ``imap_folder`` / ``make_imap_folder`` give each test fresh
  folders in it, and ``imap_connect`` opens logged-in connections.
* ``smtp_sink`` (per test): an aiosmtpd server that collects what is sent.

Add new fixtures in their own section at the end of this file and keep them
generic; test-specific fixtures belong in the test module.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# -- import path ----------------------------------------------------------------
# The package lives in daemon/ (src layout).  `make install` installs it into
# the virtualenv; until then, make it importable straight from the tree.
if importlib.util.find_spec("complaintd") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "daemon"))

from imapclient import IMAPClient

from tests.support.dovecot import (
    DovecotNotInstalledError,
    DovecotServer,
    find_dovecot,
)
from tests.support.smtpsink import SmtpSink

# -- real IMAP server -------------------------------------------------------------

# Accounts of the shared test server: the complaint desk's mailbox and the fax
# gateway's.  Tests isolate themselves by folder, not by account.
IMAP_USERS: dict[str, str] = {"complaints": "pw", "fax": "pw"}
DESK_USER = "complaints"

# Session-wide counter so folder names stay unique even for repeated test names.
_folder_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A Dovecot IMAP server on 127.0.0.1 shared by the whole session."""
    try:
        find_dovecot()
    except DovecotNotInstalledError as error:
        # Deliberately a failure, not a skip: a green run without IMAP proves nothing.
        pytest.fail(f"{error} The IMAP tests need a real Dovecot.", pytrace=False)
    with DovecotServer(users=IMAP_USERS) as server:
        yield server


def _folder_name(test_name: str) -> str:
    """A unique, IMAP-safe folder name derived from the test's name."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", test_name).strip("_")[:40]
    return f"t_{slug}_{next(_folder_numbers)}"


@pytest.fixture
def make_imap_folder(
    dovecot: DovecotServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., str]]:
    """Factory: ``make_imap_folder(user="complaints")`` creates a fresh folder, returns its name.

    Every folder made is deleted again after the test.
    """
    made: list[tuple[str, str]] = []

    def make(user: str = DESK_USER) -> str:
        """Create a new uniquely named folder in *user*'s account."""
        name = _folder_name(request.node.name)
        dovecot.create_folder(user, name)
        made.append((user, name))
        return name

    yield make
    for user, name in made:
        if dovecot.running:
            dovecot.delete_folder(user, name)


@pytest.fixture
def imap_folder(make_imap_folder: Callable[..., str]) -> str:
    """A fresh, empty folder in the ``complaints`` account, e.g. ``t_test_move_7``."""
    return make_imap_folder()


@pytest.fixture
def imap_connect(dovecot: DovecotServer) -> Iterator[Callable[..., IMAPClient]]:
    """Factory: ``imap_connect(user="complaints")`` returns a logged-in IMAPClient.

    Connections still open at the end of the test are logged out.
    """
    clients: list[IMAPClient] = []

    def connect(user: str = DESK_USER) -> IMAPClient:
        """Open and log in a new connection for *user*."""
        client = dovecot.connect(user)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        # Already logged out or stuck in IDLE: dropping the socket is enough.
        try:
            client.logout()
        except Exception:
            with contextlib.suppress(Exception):
                client.shutdown()


# -- real SMTP server ---------------------------------------------------------------


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A fresh collecting SMTP server on 127.0.0.1 in mode "ok"."""
    with SmtpSink() as sink:
        yield sink
