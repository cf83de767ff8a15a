"""Outbox throughput: our flush of 2,000 acknowledgements against a bare aiosmtplib loop.

Both send the same 2,000 pre-rendered messages to the same local aiosmtpd server (its
own process, as a real mail server would be), alternately, so the ratio compares like
with like:

* **bare**: one aiosmtplib connection, ``sendmail`` in a loop, nothing recorded;
* **ours**: ``flush_outbox`` - claim the rows, deliver over pooled connections, record
  every outcome in the ledger.

Target: ours <= 1.5x bare.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib

from complaintd.clock import FixedClock
from complaintd.config import build_config
from complaintd.outbox.sender import flush_outbox
from complaintd.render.contexts import AckMail
from complaintd.runtime import open_runtime
from complaintd.store.models import Outbox, Ticket
from complaintd.store.outbox_status import OutboxStatus
from complaintd.store.ticket_status import TicketStatus
from complaintd.workflow.customer import send_to_customer

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def make_runtime(workdir: Path, smtp_port: int):  # type: ignore[no-untyped-def]
    """A desk on a fresh SQLite ledger, sending to ``smtp_port``."""
    os.environ.setdefault("COMPLAINTD_TOKEN_SECRET", "bench-token-secret-0123456789")
    os.environ["COMPLAINTD_IMAP_PASSWORD"] = "unused"
    config = build_config(
        {
            "database": {"url": f"sqlite:///{workdir}/bench.db"},
            "desk": {
                "name": "Bench Desk",
                "address": "complaints@lida.example",
                "token_secret_env": "COMPLAINTD_TOKEN_SECRET",
            },
            "mailbox": [
                {
                    "name": "m",
                    "host": "127.0.0.1",
                    "username": "u",
                    "password_env": "COMPLAINTD_IMAP_PASSWORD",
                }
            ],
            "smtp": {
                "host": "127.0.0.1",
                "port": smtp_port,
                "tls": "none",
                "from_address": "complaints@lida.example",
            },
        }
    )
    return open_runtime(config, FixedClock(NOW))


def queue_acknowledgements(runtime, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` tickets, each acknowledged through the real templates and outbox."""
    with runtime.database.atomic():
        for index in range(count):
            ticket = Ticket.create(
                number=f"TS-202611-{index + 1:04d}",
                status=TicketStatus.RECEIVED,
                severity="general",
                category="damage",
                source="email",
                language="zh-CN" if index % 2 else "en",
                subject=f"货物破损 {index}",
                customer_name=f"客户{index}",
                customer_email=f"c{index}@customer.example",
                waybills=[f"SF{index:013d}"],
                created_at=NOW,
                updated_at=NOW,
                due_at=NOW,
            )
            send_to_customer(runtime, ticket, AckMail(), now=NOW, auto_submitted="auto-replied")


def reset_to_pending() -> None:
    """Make every row due again for the next measured run."""
    Outbox.update(
        status=OutboxStatus.PENDING, attempts=0, sent_at=None, next_attempt_at=NOW
    ).execute()


async def bare_loop(port: int, messages: list[tuple[str, list[str], bytes]]) -> None:
    """The floor: one connection, sendmail in a loop."""
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    for sender, recipients, raw in messages:
        await client.sendmail(sender, recipients, raw)
    await client.quit()


@contextlib.contextmanager
def sink_process() -> Iterator[int]:
    """An aiosmtpd sink in a child process; yields its port."""
    code = (
        "import sys\n"
        "from tests.support.smtpsink import SmtpSink\n"
        "with SmtpSink() as sink:\n"
        "    print(sink.port, flush=True)\n"
        "    sys.stdin.read()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        yield int(child.stdout.readline())
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


def main() -> int:
    """Measure and print one JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="complaintd-outbox-") as workdir,
        sink_process() as port,
    ):
        runtime = make_runtime(Path(workdir), port)
        queue_acknowledgements(runtime, args.messages)
        rows = [(r.mail_from, list(r.rcpt_to), bytes(r.raw_message)) for r in Outbox.select()]
        bare, ours = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            asyncio.run(bare_loop(port, rows))
            bare.append(time.perf_counter() - start)
            reset_to_pending()
            start = time.perf_counter()
            counts = flush_outbox(runtime)
            ours.append(time.perf_counter() - start)
            assert counts[OutboxStatus.SENT] == args.messages, counts
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    report = {
        "messages": args.messages,
        "bare_seconds_median": statistics.median(bare),
        "ours_seconds_median": statistics.median(ours),
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/outbox.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
