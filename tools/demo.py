"""``make demo``: a whole intake pass on throwaway local servers, then the tickets.

Starts a private Dovecot and an SMTP sink on loopback, drops realistic complaints
(Chinese and English, one with a photo, a reply, an auto-reply, a bounce, a fax) into
the mailboxes, runs ``complaintd once`` exactly as an operator would, prints the
tickets, and removes everything it made.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from pathlib import Path

from tests.support.dovecot import DovecotServer
from tests.support.samples import demo_messages
from tests.support.smtpsink import SmtpSink

CONFIG = """\
[database]
url = "sqlite:///{workdir}/complaintd.db"

[desk]
name = "利达物流客户服务中心"
name_en = "Lida Logistics Customer Service"
address = "complaints@lida.example"
timezone = "Asia/Shanghai"
agents = ["agent1@lida.example"]
admins = ["boss@lida.example"]
response_lead = "lead@lida.example"
token_secret_env = "COMPLAINTD_TOKEN_SECRET"

[[mailbox]]
name = "complaints"
kind = "complaint"
host = "127.0.0.1"
port = {imap_port}
tls = "none"
username = "complaints"
password_env = "COMPLAINTD_IMAP_PASSWORD"
folder = "INBOX"
processed_folder = "Processed"
quarantine_folder = "Quarantine"

[[mailbox]]
name = "fax"
kind = "fax"
host = "127.0.0.1"
port = {imap_port}
tls = "none"
username = "fax"
password_env = "COMPLAINTD_IMAP_PASSWORD"

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

[routing]
damage = ["qc"]
"""


def fax_message() -> bytes:
    """A fax-to-email gateway mail: the caller's number in the subject, the page as PDF."""
    message = EmailMessage()
    message["From"] = "Fax Gateway <fax-gateway@lida.example>"
    message["To"] = "fax@lida.example"
    message["Subject"] = "Fax from +86 21 5555 0198 (2 pages)"
    message["Message-ID"] = "<fax-20261120-0198@fax-gateway.lida.example>"
    message.set_content(
        "A fax was received from +86 21 5555 0198. 货物延误，运单号 SF3344556677889。"
    )
    message.add_attachment(
        b"%PDF-1.4\n% demo fax page\n", maintype="application", subtype="pdf", filename="fax.pdf"
    )
    return message.as_bytes()


def complaintd(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``complaintd`` command line, echoing what it prints."""
    command = [sys.executable, "-m", "complaintd", "--config", str(config), *args]
    print(f"\n$ complaintd {' '.join(args)}", flush=True)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"complaintd {' '.join(args)} exited {result.returncode}")
    return result


def show_sent_mail(sink: SmtpSink) -> None:
    """What the customers received: one line per mail, then the first in full."""
    sent = sink.messages
    print(f"\nThe SMTP server accepted {len(sent)} mail(s) from the desk:")
    for message in sent:
        parsed = message.parsed()
        print(f"  to {', '.join(message.rcpt_tos)}: {parsed['Subject']}")
    if sent:
        first = sent[0].parsed()
        body = first.get_body(preferencelist=("plain",))
        print("\n--- the first acknowledgement ---")
        for header in ("From", "To", "Subject", "In-Reply-To", "Reply-To", "Auto-Submitted"):
            print(f"{header}: {first[header]}")
        print()
        print(body.get_content() if body is not None else "")


def main() -> int:
    """Run the demo end to end and clean up."""
    os.environ["COMPLAINTD_TOKEN_SECRET"] = "demo-token-secret-0123456789"
    os.environ["COMPLAINTD_IMAP_PASSWORD"] = "demo"
    with (
        tempfile.TemporaryDirectory(prefix="complaintd-demo-") as workdir,
        DovecotServer(users={"complaints": "demo", "fax": "demo"}) as dovecot,
        SmtpSink() as sink,
    ):
        config = Path(workdir) / "complaintd.toml"
        config.write_text(
            CONFIG.format(workdir=workdir, imap_port=dovecot.port, smtp_port=sink.port)
        )
        samples = demo_messages()
        dovecot.append_many("complaints", "INBOX", samples)
        dovecot.append_many("fax", "INBOX", [fax_message()])
        print(
            f"Dovecot on 127.0.0.1:{dovecot.port}: {len(samples)} mails in complaints/INBOX, 1 fax."
        )
        complaintd(config, "check")
        complaintd(config, "once")
        listing = complaintd(config, "tickets", "list")
        first = (
            listing.stdout.splitlines()[1].split()[0]
            if len(listing.stdout.splitlines()) > 1
            else None
        )
        if first:
            complaintd(config, "tickets", "show", first)
        show_sent_mail(sink)
        kept = dovecot.count("complaints", "INBOX") + dovecot.count("complaints", "Processed")
        print(
            f"\nOn the server: {kept} of {len(samples)} complaint mails kept "
            "(moved to Processed); none deleted."
        )
    print("Demo servers stopped and files removed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
