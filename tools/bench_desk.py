"""``make bench``, part two: speed with a real desk, from a full mailbox to mail accepted.

``tools/bench_ingest.py`` measures a minimal desk (no departments, one acknowledgement
per complaint).  This bench configures the desk like a real company's - departments for
every category in ``[routing]``, two agents, a response lead, the SLA tables - on a
mailbox where about a fifth of the complaints carry photos, so each complaint makes an
acknowledgement, a contact sheet (photos attached), an agent notice and, when serious,
an emergency alert.  Mail goes to an aiosmtpd server in its own process that accepts
everything.  All figures are ratios against the fetch+parse floor measured in the same
run, paired run by run (median over the runs):

* **ingest**: ``complaintd once`` with the SMTP port closed (the mail stays queued after
  one refused connection): mailbox full to every ticket, event and outbox row committed;
* **end to end**: ``complaintd once`` with the SMTP server up: mailbox full to every
  resulting mail accepted (``once`` exits after its flush);
* **APPEND → acknowledgement**: ``complaintd run`` in IDLE; one complaint at a time is
  APPENDed and timed until the SMTP server has accepted its acknowledgement (matched by
  In-Reply-To), p50/p95, and complaintd's own share: from the EXISTS a bare IMAP client
  in IDLE on the same folder was sent (Dovecot announces new mail 0.5 s late, by design)
  to the acknowledgement accepted;
* peak RSS of each ``once`` and of ``run``.

Targets (issue 17): ingest <= 2x, end to end <= 3x, p95 < 100 ms, RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from imapclient import IMAPClient
from tests.support.dovecot import DovecotServer
from tests.support.ports import free_port
from tests.support.samples import generate_mailbox, generate_mailbox_with_meta

from tools.bench_ingest import (
    FOLDER,
    PASSWORD,
    forget_processing,
    launch_report,
    launched,
    servers,
    timed,
)

PHOTO_SHARE = 0.2  # of the complaints
SETTLE_SECONDS = 0.7  # between one acknowledgement and the next APPEND
IDLE_CHECK = "1 secs"  # Dovecot's IDLE poll when inotify is silent (2.3 takes whole seconds)
DEPARTMENTS = {  # key -> categories it answers for (every category is routed)
    "qc": ("damage", "loss"),
    "ops": ("delay", "loss"),
    "service": ("attitude", "information", "other"),
    "finance": ("billing",),
}


def desk_config(workdir: Path, imap_port: int, smtp_port: int, folder: str) -> Path:
    """A real company's desk on a fresh SQLite ledger in ``workdir``."""
    routing: dict[str, list[str]] = {}
    for key, categories in DEPARTMENTS.items():
        for category in categories:
            routing.setdefault(category, []).append(key)
    departments = "".join(
        f"""
[[department]]
key = "{key}"
name = "{key.title()} Department"
emails = ["{key}@lida.example", "{key}-2@lida.example"]
manager = "{key}-head@lida.example"
"""
        for key in DEPARTMENTS
    )
    routes = "\n".join(f"{c} = {json.dumps(keys)}" for c, keys in sorted(routing.items()))
    config = workdir / "complaintd.toml"
    config.write_text(
        f"""
[database]
url = "sqlite:///{workdir}/complaintd.db"
[desk]
name = "利达物流客户服务中心"
name_en = "Lida Logistics Customer Service"
address = "complaints@lida.example"
timezone = "Asia/Shanghai"
agents = ["agent1@lida.example", "agent2@lida.example"]
admins = ["boss@lida.example"]
response_lead = "lead@lida.example"
token_secret_env = "COMPLAINTD_TOKEN_SECRET"
flood_max_tickets = 0  # the bench mailbox arrives at once: every message is a complaint
{servers(imap_port, smtp_port, folder)}{departments}
[routing]
{routes}
[sla.serious]
first_response_hours = 2
department_reply_hours = 4
resolve_hours = 24
[sla.important]
first_response_hours = 8
department_reply_hours = 24
resolve_hours = 72
[sla.general]
first_response_hours = 24
department_reply_hours = 48
resolve_hours = 168
""",
        encoding="utf-8",
    )
    return config


# --- the SMTP server, in its own process ---------------------------------------------


def serve_sink(keep: Path | None) -> None:
    """An aiosmtpd server that accepts every message (``--sink [DIR]``).

    Prints its port, then for each accepted message one line: the monotonic time (the
    same clock in every process on Linux) and the message's In-Reply-To.  With ``keep``
    each message is also written there, its envelope first.  Stops when its standard
    input closes.
    """
    count = 0
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            accepted = time.monotonic()
            reply_to = b""
            for line in envelope.original_content.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
                if line.lower().startswith(b"in-reply-to:"):
                    reply_to = line.split(b":", 1)[1].strip()
            if keep is not None:
                nonlocal count
                count += 1
                envelope_line = f"{envelope.mail_from} -> {' '.join(envelope.rcpt_tos)}\n"
                path = keep / f"{count:06d}.eml"
                path.write_bytes(envelope_line.encode() + envelope.original_content)
            sys.stdout.write(f"{accepted:.6f} {reply_to.decode('ascii', 'replace')}\n")
            sys.stdout.flush()
            return "250 2.0.0 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    print(controller.port, flush=True)
    sys.stdin.read()
    controller.stop()


class Sink:
    """The SMTP server's process, seen from the bench: its port and what it accepted."""

    def __init__(self, keep: Path | None = None) -> None:
        keeping = [str(keep)] if keep is not None else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tools.bench_desk", "--sink", *keeping],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())
        self.accepted: queue.SimpleQueue[tuple[float, str]] = queue.SimpleQueue()
        self.count = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            at, _, reply_to = line.rstrip("\n").partition(" ")
            self.accepted.put((float(at), reply_to))

    def drain(self) -> int:
        """Forget what was accepted so far; return how many."""
        count = 0
        with contextlib.suppress(queue.Empty):
            while True:
                self.accepted.get_nowait()
                count += 1
        return count

    def close(self) -> None:
        """Stop the server's process."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@contextlib.contextmanager
def sink_process(keep: Path | None = None) -> Iterator[Sink]:
    """An SMTP server in a child process for the duration of the block (``keep``: the
    directory it writes each message to)."""
    sink = Sink(keep)
    try:
        yield sink
    finally:
        sink.close()


# --- measurements --------------------------------------------------------------------


def _floor(port: int, batch: int) -> float:
    command = [sys.executable, "-m", "tools.bench_ingest", "--floor", str(port), str(batch)]
    return timed(command)[0]


def _once(imap_port: int, smtp_port: int) -> tuple[float, int, dict[str, int]]:
    """One ``once`` of the real desk on a fresh ledger: (seconds, peak KiB, counts)."""
    forget_processing(imap_port, FOLDER)
    with tempfile.TemporaryDirectory(prefix="complaintd-desk-") as workdir:
        config = desk_config(Path(workdir), imap_port, smtp_port, FOLDER)
        seconds, peak = timed([sys.executable, "-m", "complaintd", "--config", str(config), "once"])
        return seconds, peak, ledger_counts(Path(workdir) / "complaintd.db")


def ledger_counts(database: Path) -> dict[str, int]:
    """Tickets, events, outbox rows and mails sent in a ledger."""
    with sqlite3.connect(database) as connection:

        def one(sql: str) -> int:
            return int(connection.execute(sql).fetchone()[0])

        return {
            "tickets": one("SELECT count(*) FROM ticket"),
            "events": one("SELECT count(*) FROM event"),
            "outbox": one("SELECT count(*) FROM outbox"),
            "sent": one("SELECT count(*) FROM outbox WHERE status = 'sent'"),
        }


def measure_desk(dovecot: DovecotServer, sink: Sink, runs: int, batch: int) -> dict[str, object]:
    """Alternate floor, ingest and end-to-end ``runs`` times over the same mailbox."""
    floors, ingests, ends, rss = [], [], [], []
    counts: dict[str, int] = {}
    accepted = 0
    closed = free_port()
    for _ in range(runs):
        floors.append(_floor(dovecot.port, batch))
        seconds, peak, counts = _once(dovecot.port, closed)
        ingests.append(seconds)
        rss.append(peak)
        sink.drain()
        seconds, peak, end_counts = _once(dovecot.port, sink.port)
        ends.append(seconds)
        rss.append(peak)
        accepted = sink.drain()
        if end_counts["sent"] != accepted:
            raise SystemExit(f"sent {end_counts['sent']} but the SMTP server took {accepted}")
    return {
        "floor_seconds_median": statistics.median(floors),
        "ingest_seconds_median": statistics.median(ingests),
        "ingest_ratio_median": _paired_median(ingests, floors),
        "end_to_end_seconds_median": statistics.median(ends),
        "end_to_end_ratio_median": _paired_median(ends, floors),
        "once_peak_rss_mb": max(rss) / 1024,
        **{f"ledger_{key}": value for key, value in counts.items()},
        "mails_accepted": accepted,
    }


def _paired_median(ours: list[float], floors: list[float]) -> float:
    """The median of the run-by-run ratios ours/floor."""
    return statistics.median(o / f for o, f in zip(ours, floors, strict=True))


def idle_complaints(count: int) -> list[tuple[bytes, str]]:
    """``count`` complaints from different senders, each due an acknowledgement:
    (raw, Message-ID)."""
    chosen: list[tuple[bytes, str]] = []
    senders: set[str] = set()
    for raw, meta in generate_mailbox_with_meta(count * 12, seed=99):
        if meta.kind == "complaint" and meta.sender not in senders:
            senders.add(meta.sender)
            chosen.append((raw, meta.message_id))
        if len(chosen) == count:
            return chosen
    raise SystemExit(f"only {len(chosen)} distinct complainants in the sample")


def measure_idle(dovecot: DovecotServer, sink: Sink, count: int) -> dict[str, object]:
    """``run`` in IDLE: APPEND one complaint at a time, time until its ack is accepted.

    Dovecot tells IDLE clients of new mail 0.5 s after it sees it (``NOTIFY_DELAY_MSECS``
    in its mailbox-watch.c, not configurable), so a bare IMAP client IDLEs on the same
    folder and its EXISTS times give the floor; complaintd's own share is from that
    EXISTS to the acknowledgement accepted.
    """
    folder = "idle"
    dovecot.append_many("complaints", folder, [])
    totals: list[float] = []
    own: list[float] = []
    missing = 0
    with (
        tempfile.TemporaryDirectory(prefix="complaintd-desk-idle-") as workdir,
        Watcher(dovecot, folder) as watcher,
    ):
        config = desk_config(Path(workdir), dovecot.port, sink.port, folder)
        daemon, report = launched(
            [sys.executable, "-m", "complaintd", "--config", str(config), "run"],
            stdout=subprocess.DEVNULL,
            stderr=open(os.environ.get("BENCH_RUN_LOG", os.devnull), "w"),  # noqa: SIM115
        )
        try:
            _warm_up(dovecot, sink, watcher, folder)
            for raw, message_id in idle_complaints(count):
                start = time.monotonic()
                dovecot.append("complaints", folder, raw)
                at = _accepted_reply_to(sink, message_id, start + 10)
                seen = watcher.next_exists(start + 10)
                if at is None or seen is None:
                    missing += 1
                else:
                    totals.append(at - start)
                    own.append(at - seen)
                # The sheets and notices of this one go out meanwhile, and the changes
                # complaintd made (its keyword, the move) are announced to the watcher
                # before the next APPEND: Dovecot tells a session of changes 0.5 s after
                # the first one it notices, so a watcher still counting down from those
                # would see the next message early, before complaintd can.
                time.sleep(SETTLE_SECONDS)
        finally:
            daemon.terminate()  # the launcher passes it on
            daemon.wait()
            _, peak = launch_report(report)
    return {
        "idle_messages": len(totals),
        "idle_without_ack": missing,
        **{f"append_to_ack_{k}_ms": v for k, v in _percentiles(totals).items()},
        **{f"exists_to_ack_{k}_ms": v for k, v in _percentiles(own).items()},
        "run_peak_rss_mb": peak / 1024,
    }


def _percentiles(seconds: list[float]) -> dict[str, float]:
    """p50, p95 and max of ``seconds``, in milliseconds."""
    ordered = sorted(seconds)
    if not ordered:
        return {}
    return {
        "p50": round(1000 * statistics.median(ordered), 1),
        "p95": round(1000 * ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max": round(1000 * ordered[-1], 1),
    }


class Watcher:
    """A bare IMAP client in IDLE on a folder: when each new message was announced."""

    def __init__(self, dovecot: DovecotServer, folder: str) -> None:
        self.client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
        self.client.login("complaints", PASSWORD)
        self.client.select_folder(folder, readonly=True)
        self.announced: queue.SimpleQueue[float] = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Watcher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        with contextlib.suppress(Exception):
            self.client.logout()

    def _watch(self) -> None:
        self.client.idle()
        while not self.stopping.is_set():
            for response in self.client.idle_check(timeout=0.2):
                if len(response) > 1 and response[1] == b"EXISTS":
                    self.announced.put(time.monotonic())
        self.client.idle_done()

    def next_exists(self, deadline: float) -> float | None:
        """When the next new message was announced (None: not by ``deadline``)."""
        try:
            return self.announced.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None


def _warm_up(dovecot: DovecotServer, sink: Sink, watcher: Watcher, folder: str) -> None:
    """Wait until the daemon answers a first complaint (it is then in IDLE)."""
    [(raw, message_id)] = [
        (r, m.message_id) for r, m in generate_mailbox_with_meta(1, seed=7) if m.kind == "complaint"
    ]
    dovecot.append("complaints", folder, raw)
    if _accepted_reply_to(sink, message_id, time.monotonic() + 60) is None:
        raise SystemExit("complaintd run did not acknowledge the warm-up complaint")
    time.sleep(1.0)
    sink.drain()
    watcher.next_exists(time.monotonic())


def _accepted_reply_to(sink: Sink, message_id: str, deadline: float) -> float | None:
    """When the SMTP server accepted a mail in reply to ``message_id`` (None: not by
    ``deadline``); mails in reply to others are passed over."""
    while True:
        try:
            at, reply_to = sink.accepted.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if reply_to == message_id:
            return at


def measure_scale(sizes: list[int], runs: int, batch: int) -> list[dict[str, object]]:
    """The desk's floor, ingest and end-to-end figures for mailboxes of each size.

    Issue 17, item 3: the per-message cost must stay flat as the mailbox (and with it
    the ledger) grows.  Each size gets a Dovecot of its own, filled with the same
    generator (a fifth of the complaints with photos); the load average is noted before
    and after each size (the machine is shared).
    """
    results: list[dict[str, object]] = []
    for size in sizes:
        mailbox = generate_mailbox(size, seed=1, photo_share=PHOTO_SHARE)
        load_before = os.getloadavg()[0]
        with (
            DovecotServer(users={"complaints": PASSWORD}, idle_check=IDLE_CHECK) as dovecot,
            sink_process() as sink,
        ):
            dovecot.append_many("complaints", FOLDER, mailbox)
            figures = measure_desk(dovecot, sink, runs, batch)
        per_message: dict[str, object] = {
            f"{name}_ms_per_message": round(
                1000 * _number(figures, f"{name}_seconds_median") / size, 3
            )
            for name in ("floor", "ingest", "end_to_end")
        }
        results.append(
            {
                **figures,
                "messages": size,
                **per_message,
                "ingest_ratio_median": round(_number(figures, "ingest_ratio_median"), 3),
                "end_to_end_ratio_median": round(_number(figures, "end_to_end_ratio_median"), 3),
                "load_average_before": round(load_before, 2),
                "load_average_after": round(os.getloadavg()[0], 2),
            }
        )
        print(_scale_line(results[-1]), file=sys.stderr, flush=True)
    return results


def _number(figures: dict[str, object], key: str) -> float:
    """A numeric figure of :func:`measure_desk`'s report."""
    value = figures[key]
    if not isinstance(value, int | float):
        raise TypeError(f"{key} is not a number: {value!r}")
    return float(value)


def _scale_line(row: dict[str, object]) -> str:
    """One size's figures as a line of text."""
    return (
        f"{row['messages']:>6} messages: floor {row['floor_ms_per_message']} ms/msg,"
        f" ingest {row['ingest_ms_per_message']} ms/msg ({row['ingest_ratio_median']}x),"
        f" end to end {row['end_to_end_ms_per_message']} ms/msg"
        f" ({row['end_to_end_ratio_median']}x); load {row['load_average_before']}"
        f" -> {row['load_average_after']}"
    )


def main() -> int:
    """Run every measurement and print one JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--idle-messages", type=int, default=100)
    parser.add_argument(
        "--scale",
        metavar="SIZES",
        help="comma-separated mailbox sizes (e.g. 200,2000,20000): per-message cost and"
        " ratios for each, instead of the other measurements",
    )
    parser.add_argument("--sink", nargs="?", const="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink is not None:
        serve_sink(Path(args.sink) if args.sink else None)
        return 0
    os.environ.setdefault("COMPLAINTD_TOKEN_SECRET", "bench-token-secret-0123456789")
    os.environ["COMPLAINTD_IMAP_PASSWORD"] = PASSWORD
    if args.scale:
        sizes = [int(size) for size in args.scale.split(",")]
        scale = {"photo_share": PHOTO_SHARE, "runs": args.runs, "sizes": []}
        scale["sizes"] = measure_scale(sizes, args.runs, args.batch)
        Path("bench-results").mkdir(exist_ok=True)
        name = "desk-scale-" + "-".join(str(size) for size in sizes) + ".json"
        Path("bench-results", name).write_text(json.dumps(scale, indent=2))
        print(json.dumps(scale, indent=2))
        return 0
    mailbox = generate_mailbox(args.messages, seed=1, photo_share=PHOTO_SHARE)
    report: dict[str, object] = {"messages": args.messages, "photo_share": PHOTO_SHARE}
    with (
        DovecotServer(users={"complaints": PASSWORD}, idle_check=IDLE_CHECK) as dovecot,
        sink_process() as sink,
    ):
        dovecot.append_many("complaints", FOLDER, mailbox)
        if args.runs:
            report.update(measure_desk(dovecot, sink, args.runs, args.batch))
        if args.idle_messages:
            report.update(measure_idle(dovecot, sink, args.idle_messages))
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/desk.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
