"""``make bench``: throughput of 1, 2 and 3 ``complaintd run`` instances on one PostgreSQL,
and the takeover time after SIGKILL of the mailbox's holder.

Each instance is pinned to one CPU with ``taskset`` (instance i on CPU i mod the CPUs
this process may use), so the figure measures how the instances share the work, not how
many cores one of them can use.  The servers - PostgreSQL, Dovecot, the SMTP sink - run
unpinned on the same machine.

For each instance count: a fresh database, the instances started and settled (one holds
the mailbox), then the whole backlog MOVEd into the watched folder in one IMAP command;
the clock runs from that MOVE until every message is a ticket event and every mail has
been accepted by the SMTP sink.  Takeover: two instances, the holder SIGKILLed, the time
until the other holds the mailbox's lease (median of a few kills).

    python -m tools.bench_instances [--messages N] [--takeovers K]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path

from imapclient import IMAPClient
from tests.integration.desk import write_config
from tests.integration.fleet import Fleet, check_ledger, wait_for, with_password
from tests.support.dovecot import DovecotServer
from tests.support.postgres import PostgresServer, create_database
from tests.support.samples import generate_mailbox
from tests.support.smtpsink import SmtpSink

PASSWORD = "pw"
# A real server syncs its commits: the per-ticket transactions must pay for that here too.
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def fleet_for(
    workdir: Path, server: PostgresServer, dovecot: DovecotServer, sink: SmtpSink, size: int
) -> tuple[Fleet, str]:
    """A fleet of ``size`` pinned instances on a fresh database and a fresh folder."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    create_database(server.url(), name)
    folder = f"in_{name}"
    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False) as client:
        client.login("complaints", PASSWORD)
        for box in (folder, f"{folder}_done", f"{folder}_failed", f"stage_{name}"):
            client.create_folder(box)
    directory = workdir / name
    directory.mkdir()
    config = write_config(
        directory / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=sink.port,
        folder=folder,
        database_url=with_password(server.url(name)),
    )
    cpus = sorted(os.sched_getaffinity(0))
    return Fleet(config, server.url(name), size, cpus=cpus), folder


def deliver_at_once(dovecot: DovecotServer, folder: str, raws: list[bytes]) -> None:
    """APPEND the backlog to a staging folder, then MOVE it into ``folder`` in one go."""
    stage = f"stage_{folder.removeprefix('in_')}"
    dovecot.append_many("complaints", stage, raws)
    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False) as client:
        client.login("complaints", PASSWORD)
        client.select_folder(stage)
        client.move(client.search(["ALL"]), folder)


def throughput(
    workdir: Path,
    server: PostgresServer,
    dovecot: DovecotServer,
    size: int,
    raws: list[bytes],
) -> dict[str, float]:
    """Messages per second from MOVE to everything settled, with ``size`` instances."""
    with SmtpSink() as sink:
        fleet, folder = fleet_for(workdir, server, dovecot, sink, size)
        try:
            fleet.start_all()
            wait_for(lambda: fleet.alive() == size, 60, "instances up", fleet)
            wait_for(lambda: fleet.holder_pid() is not None, 60, "a holder", fleet)
            started = time.monotonic()
            deliver_at_once(dovecot, folder, raws)
            wait_for(lambda: fleet.settled(len(raws)), 900, "settled", fleet)
            seconds = time.monotonic() - started
        finally:
            fleet.stop_all()
        check_ledger(fleet, len(raws), sink)
    return {"instances": size, "seconds": round(seconds, 2), "per_second": len(raws) / seconds}


def takeovers(
    workdir: Path, server: PostgresServer, dovecot: DovecotServer, count: int
) -> list[float]:
    """Seconds from SIGKILL of the holder to another instance holding, ``count`` times."""
    times = []
    with SmtpSink() as sink:
        fleet, _folder = fleet_for(workdir, server, dovecot, sink, 2)
        try:
            fleet.start_all()
            for _ in range(count):
                wait_for(lambda: fleet.alive() == 2, 60, "instances up", fleet)
                wait_for(lambda: fleet.holder_pid() is not None, 60, "a holder", fleet)
                pid = fleet.holder_pid()
                number = fleet.number_of_pid(pid or 0)
                assert number is not None
                fleet.kill(number)
                started = time.monotonic()
                wait_for(partial(taken_from, fleet, pid), 60, "takeover", fleet)
                times.append(time.monotonic() - started)
                fleet.start(number)
        finally:
            fleet.stop_all()
    return times


def taken_from(fleet: Fleet, pid: int | None) -> bool:
    """Another instance than ``pid`` holds the mailbox now."""
    return fleet.holder_pid() not in (None, pid)


def table(runs: list[dict[str, float]], taken: list[float]) -> str:
    """The results as a Markdown table (pure)."""
    one = runs[0]["per_second"]
    lines = [
        "| instances (1 CPU each) | seconds | messages/s | vs one |",
        "|---|---|---|---|",
        *(
            f"| {int(r['instances'])} | {r['seconds']:.1f} | {r['per_second']:.1f} "
            f"| {r['per_second'] / one:.2f}x |"
            for r in runs
        ),
        "",
        f"takeover after SIGKILL of the holder: median {statistics.median(taken):.1f} s, "
        f"max {max(taken):.1f} s over {len(taken)} kills (limit 30 s)",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--takeovers", type=int, default=3)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--keep", type=Path, help="keep configs and instance logs here")
    parser.add_argument("--fast-pg", action="store_true", help="PostgreSQL without fsync")
    args = parser.parse_args()
    os.environ.setdefault("COMPLAINTD_IMAP_PASSWORD", PASSWORD)
    raws = generate_mailbox(args.messages, seed=2026)
    with (
        tempfile.TemporaryDirectory(prefix="bench-instances-") as tmp,
        PostgresServer(settings={} if args.fast_pg else DURABLE) as server,
        DovecotServer(users={"complaints": PASSWORD}) as dovecot,
    ):
        workdir = args.keep or Path(tmp)
        load_before = os.getloadavg()[0]
        runs = [throughput(workdir, server, dovecot, n, raws) for n in args.instances]
        taken = takeovers(workdir, server, dovecot, args.takeovers)
        load_after = os.getloadavg()[0]
    report = {
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "messages": args.messages,
        "cpus": sorted(os.sched_getaffinity(0)),
        "runs": runs,
        "takeover_seconds": [round(t, 1) for t in taken],
    }
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/instances.json").write_text(json.dumps(report, indent=2))
    print(table(runs, taken))
    print(
        f"{args.messages} messages; load average {load_before:.1f} before, {load_after:.1f} after"
        f" on {os.cpu_count()} CPUs: other work on the machine takes the instances' cores"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
