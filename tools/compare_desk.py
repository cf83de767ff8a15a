"""Same behaviour before and after a change: tickets, events and mails, byte for byte.

Runs ``complaintd once`` of this checkout and of another one (``--against``, e.g. a
worktree of main) with the clock fixed, on the real desk of ``tools/bench_desk.py`` and
the same generated mailbox, each into a fresh ledger with every mail delivered to an SMTP
server that keeps them.  Then compares, after replacing what is random by design (the
32-hex-digit parts of Message-IDs, MIME boundaries and holders) and the wall-clock
columns (leases, claim and send times):

* every ticket, message, event, contact sheet and outbox row, column by column;
* every mail the SMTP server accepted: envelope and raw bytes.

Prints ``identical`` or the first differences, and exits 1 when they differ::

    python -m tools.compare_desk --against /work/wt/main --messages 2000
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.dovecot import DovecotServer
from tests.support.samples import generate_mailbox

from tools.bench_desk import PHOTO_SHARE, desk_config, sink_process
from tools.bench_ingest import FOLDER, PASSWORD, forget_processing

NOW = "2026-12-01T09:30:00+08:00"
TABLES = ("ticket", "message", "event", "contact_sheet", "outbox")
WALL_CLOCK = {"claimed_by", "lease_until", "claimed_at", "sent_at", "processed_at"}
# Ids that depend on the order in which concurrent sends finish; the raw mail of outbox
# rows is compared as the SMTP server got it.
UNORDERED = {("id", "event"), ("id", "message"), ("ticket_message_id", "outbox")}
UNORDERED |= {("raw_message", "outbox")}
# How the mail was kept until it was sent (a recipe since migration 14): the mail itself
# is compared as the server got it.
UNORDERED |= {("recipe", "outbox")}
_RANDOM = re.compile(rb"[0-9a-f]{32}")


def snapshot(checkout: Path | None, imap_port: int, workdir: Path) -> list[str]:
    """Run ``once`` of ``checkout`` (None: this one) and describe what it did, line by line."""
    mails = workdir / "mails"
    mails.mkdir()
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = f"{checkout / 'daemon'}:{checkout}"
    forget_processing(imap_port, FOLDER)
    with sink_process(keep=mails) as sink:
        config = desk_config(workdir, imap_port, sink.port, FOLDER)
        command = [sys.executable, "-m", "complaintd", "--config", str(config), "--now", NOW]
        subprocess.run([*command, "once"], env=env, check=True, capture_output=True)
    lines = _ledger(workdir / "complaintd.db")
    for path in sorted(mails.iterdir(), key=lambda p: _normal(p.read_bytes())):
        lines.append("mail " + _normal(path.read_bytes()).decode("utf-8", "replace"))
    return lines


def _ledger(database: Path) -> list[str]:
    """Every row of the compared tables, wall-clock columns left out, as sorted JSON lines.

    Mail goes out over several connections at once, so the rows written when it is sent
    (events, the stored copies of outgoing mail) come in no fixed order: rows are
    compared as a sorted set, without the ids of those two tables.
    """
    lines: list[str] = []
    with sqlite3.connect(database) as connection:
        for table in TABLES:
            cursor = connection.execute(f"SELECT * FROM {table} ORDER BY id")
            names = [column[0] for column in cursor.description]
            rows: list[str] = []
            for row in cursor:
                values = {
                    name: value.hex() if isinstance(value, bytes) else value
                    for name, value in zip(names, row, strict=True)
                    if name not in WALL_CLOCK and (name, table) not in UNORDERED
                }
                text = json.dumps(values, ensure_ascii=False, sort_keys=True)
                rows.append(f"{table} {_normal(text.encode()).decode()}")
            lines.extend(sorted(rows))
    return lines


def _normal(raw: bytes) -> bytes:
    """``raw`` with its random parts replaced by one placeholder."""
    return _RANDOM.sub(b"<random>", raw)


def main() -> int:
    """Compare this checkout with ``--against``; print the verdict."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", type=Path, required=True)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="write both descriptions here")
    args = parser.parse_args()
    os.environ.setdefault("COMPLAINTD_TOKEN_SECRET", "bench-token-secret-0123456789")
    os.environ["COMPLAINTD_IMAP_PASSWORD"] = PASSWORD
    mailbox = generate_mailbox(args.messages, seed=1, photo_share=PHOTO_SHARE)
    with (
        DovecotServer(users={"complaints": PASSWORD}) as dovecot,
        tempfile.TemporaryDirectory(prefix="complaintd-compare-") as root,
    ):
        dovecot.append_many("complaints", FOLDER, mailbox)
        (Path(root) / "ours").mkdir()
        (Path(root) / "theirs").mkdir()
        ours = snapshot(None, dovecot.port, Path(root) / "ours")
        theirs = snapshot(args.against, dovecot.port, Path(root) / "theirs")
    mails = sum(line.startswith("mail ") for line in ours)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "ours.txt").write_text("\n".join(ours) + "\n", encoding="utf-8")
        (args.keep / "theirs.txt").write_text("\n".join(theirs) + "\n", encoding="utf-8")
    if ours == theirs:
        print(f"identical: {len(ours) - mails} ledger rows and {mails} mails")
        return 0
    diff = difflib.unified_diff(theirs, ours, str(args.against), "this checkout", lineterm="")
    for number, line in enumerate(diff):
        if number >= 60:
            print("...")
            break
        print(line[:400])
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
