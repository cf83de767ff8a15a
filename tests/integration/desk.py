"""A complaint desk wired to the real test servers: config file and CLI runner."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaintd.cli.main import main
from tests.support.dovecot import DovecotServer

TOKEN_SECRET = "integration-test-token-secret"


@dataclass
class CliResult:
    """Exit status and output of one complaintd command."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.out)


def write_config(
    path: Path,
    *,
    imap_port: int,
    smtp_port: int,
    folder: str,
    database_url: str,
    extra: str = "",
    fax_folder: str | None = None,
    staffed: bool = False,
    desk_extra: str = "",
) -> Path:
    """Write a desk configuration for loopback servers and return its path.

    ``staffed`` adds desk agents, a response lead and routing to the departments, so
    every new complaint also mails them; without it only customers get mail.
    ``desk_extra`` holds more ``[desk]`` keys.
    """
    staff = STAFF if staffed else ""
    routing = 'damage = ["qc"]' if staffed else ""
    fax = ""
    if fax_folder:
        fax = f"""
[[mailbox]]
name = "fax"
kind = "fax"
host = "127.0.0.1"
port = {imap_port}
tls = "none"
username = "fax"
password_env = "COMPLAINTD_IMAP_PASSWORD"
folder = "{fax_folder}"
"""
    path.write_text(
        f"""
[database]
url = "{database_url}"

[desk]
name = "Lida Logistics Customer Service"
address = "complaints@lida.example"
timezone = "Asia/Shanghai"
admins = ["boss@lida.example"]
token_secret_env = "COMPLAINTD_TOKEN_SECRET"
{staff}
{desk_extra}

[[mailbox]]
name = "complaints"
kind = "complaint"
host = "127.0.0.1"
port = {imap_port}
tls = "none"
username = "complaints"
password_env = "COMPLAINTD_IMAP_PASSWORD"
folder = "{folder}"
processed_folder = "{folder}_done"
quarantine_folder = "{folder}_failed"
poll_seconds = 1
{fax}
[smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
from_address = "complaints@lida.example"

[[department]]
key = "qc"
name = "Quality Control"
emails = ["qc@lida.example"]
manager = "qc-head@lida.example"

[[department]]
key = "ops"
name = "Operations"
emails = ["ops@lida.example"]
manager = "ops-head@lida.example"

[routing]
{routing}
{extra}
""",
        encoding="utf-8",
    )
    return path


STAFF = """agents = ["agent1@lida.example"]
response_lead = "lead@lida.example"
"""


class Desk:
    """A configured desk: run CLI commands in-process or as a subprocess."""

    def __init__(
        self, config_path: Path, dovecot: DovecotServer, folder: str, smtp: Any = None
    ) -> None:
        self.config_path = config_path
        self.dovecot = dovecot
        self.folder = folder
        self.smtp = smtp

    def append(self, *raws: bytes, folder: str | None = None, user: str = "complaints") -> None:
        """Drop messages into the mailbox (as a mail server would)."""
        self.dovecot.append_many(user, folder or self.folder, list(raws))

    def cli(self, *args: str, now: str | None = None) -> CliResult:
        """Run ``complaintd --config ... ARGS`` in this process."""
        argv = ["--config", str(self.config_path)]
        if now:
            argv += ["--now", now]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, *args])
        return CliResult(code, out.getvalue(), err.getvalue())

    @property
    def log_path(self) -> Path:
        """Where spawned processes write their diagnostics (a file: a pipe nobody reads
        would fill up and block the daemon)."""
        return self.config_path.parent / "complaintd.log"

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        """Start ``complaintd ARGS`` as a separate process (for kill tests and ``run``)."""
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "complaintd", "--config", str(self.config_path), *args],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=os.environ.copy(),
            )

    def log(self) -> str:
        """Everything spawned processes have written to stderr so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def once(self, now: str | None = None) -> CliResult:
        """``complaintd once``; fails the test on a non-zero exit."""
        result = self.cli("once", now=now)
        assert result.code == 0, result.err
        return result

    def tickets(self, status: str | None = None) -> list[dict[str, Any]]:
        """``tickets list --format json``, oldest first (the command sorts by due time)."""
        args = ["tickets", "list", "--format", "json"] + (["--status", status] if status else [])
        result = self.cli(*args)
        assert result.code == 0, result.err
        return sorted(result.json(), key=lambda ticket: (ticket["created_at"], ticket["number"]))

    def show(self, number: str) -> dict[str, Any]:
        """``tickets show NUMBER --format json``."""
        result = self.cli("tickets", "show", number, "--format", "json")
        assert result.code == 0, result.err
        return dict(result.json())
