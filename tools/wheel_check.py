"""``make wheel-check``: the built wheel, installed in a fresh venv outside the checkout, runs.

Builds the wheel, installs it into a new virtual environment in a temporary directory
(never the checkout's), then runs that venv's ``complaintd check`` and one ``complaintd
once`` against a throwaway Dovecot and SMTP sink on loopback: the complaint becomes a
ticket and its acknowledgement is accepted by the SMTP server, rendered from the
templates the wheel ships.  Exits non-zero with the reason on any failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

from tests.support.dovecot import DovecotServer
from tests.support.smtpsink import SmtpSink

ROOT = Path(__file__).resolve().parents[1]
CONFIG = """\
[database]
url = "sqlite:///{workdir}/complaintd.db"

[desk]
name = "Lida Logistics Customer Service"
address = "complaints@lida.example"
token_secret_env = "COMPLAINTD_TOKEN_SECRET"

[[mailbox]]
name = "complaints"
kind = "complaint"
host = "127.0.0.1"
port = {imap_port}
tls = "none"
username = "complaints"
password_env = "COMPLAINTD_IMAP_PASSWORD"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
from_address = "complaints@lida.example"
"""
COMPLAINT = (
    "From: =?utf-8?b?5byg5Lyf?= <zhang.wei@customer.example>\r\n"
    "To: complaints@lida.example\r\n"
    "Subject: =?utf-8?b?6LSn54mp56C05o2f?=\r\n"
    "Message-ID: <wheel-check@customer.example>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n"
    "运单号 SF1234567890123 的货物破损了。\r\n"
).encode()


def run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    """Run a command; stop with its output when it fails."""
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        sys.exit(f"wheel-check: {' '.join(map(str, args))} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def build_and_install(workdir: Path) -> Path:
    """Build the wheel and install it in a fresh venv; return the venv's complaintd."""
    dist = workdir / "dist"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, ROOT)
    [wheel] = dist.glob("complaintd-*.whl")
    target = workdir / "venv"
    venv.create(target, with_pip=True)
    run(target / "bin" / "python", "-m", "pip", "install", "-q", wheel)
    return target / "bin" / "complaintd"


def main() -> None:
    """Build, install outside the checkout, check and run one pass."""
    with tempfile.TemporaryDirectory(prefix="complaintd-wheel-") as temp:
        workdir = Path(temp)
        complaintd = build_and_install(workdir)
        env = {
            **os.environ,
            "COMPLAINTD_TOKEN_SECRET": "wheel-check-token-secret",
            "COMPLAINTD_IMAP_PASSWORD": "pw",
        }
        with DovecotServer(users={"complaints": "pw"}) as imap, SmtpSink() as smtp:
            config = workdir / "complaintd.toml"
            config.write_text(
                CONFIG.format(workdir=workdir, imap_port=imap.port, smtp_port=smtp.port)
            )
            imap.append_many("complaints", "INBOX", [COMPLAINT])
            os.chdir(workdir)  # nothing may be read from the checkout
            run(complaintd, "--config", config, "check", env=env)
            run(complaintd, "--config", config, "once", env=env)
            listing = run(complaintd, "--config", config, "tickets", "list", env=env)
            smtp.wait_for(1)
            acks = [m for m in smtp.messages if "zhang.wei@customer.example" in m.rcpt_tos]
        if "TS-" not in listing or not acks:
            sys.exit(f"wheel-check: no ticket or no acknowledgement:\n{listing}")
        print(f"wheel-check: {complaintd} ran a pass; acknowledgement accepted by SMTP")


if __name__ == "__main__":
    main()
