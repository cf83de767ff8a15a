"""``make bench``: ingest speed, memory, decoding and IDLE latency, as ratios.

All figures come from one run on one machine, so they compare like with like:

* **floor**: a process that only FETCHes the mailbox with imapclient and parses each
  message with ``email.message_from_bytes(raw, policy=email.policy.default)``;
* **ours**: ``complaintd once`` draining the same mailbox into a fresh SQLite ledger.
  Its ``[smtp]`` names a free loopback port with no server behind it, so the
  acknowledgements stay queued after one refused connection: sending is measured on
  its own by ``tools/bench_outbox.py``.

Reported: median wall time of each over several alternating runs and the ratio
ours/floor (target <= 2), peak RSS of ``complaintd once`` (target < 150 MB), how many
stored bodies contain U+FFFD (target 0), and with ``complaintd run`` in IDLE the time
from APPEND to committed ticket (target p95 < 1 s).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient
from tests.support.dovecot import DovecotServer
from tests.support.ports import free_port
from tests.support.samples import generate_mailbox

from complaintd.fetch.ledger import PROCESSED_KEYWORD
from complaintd.store.inbound_status import InboundStatus

PASSWORD = "bench"
FOLDER = "bench"


def floor(port: int, folder: str, batch: int) -> None:
    """The floor: FETCH every message and parse it with the stdlib, nothing else."""
    with IMAPClient("127.0.0.1", port=port, ssl=False) as client:
        client.login("complaints", PASSWORD)
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        parsed = 0
        for start in range(0, len(uids), batch):
            for data in client.fetch(uids[start : start + batch], ["BODY.PEEK[]"]).values():
                message = email.message_from_bytes(data[b"BODY[]"], policy=email.policy.default)
                message.get_body(preferencelist=("plain", "html"))
                parsed += 1
    print(parsed)


def forget_processing(port: int, folder: str) -> None:
    """Take the keyword complaintd sets on processed mail off every message of ``folder``:
    each run then sees the mailbox as new (mail carrying it is not acknowledged again)."""
    with IMAPClient("127.0.0.1", port=port, ssl=False) as client:
        client.login("complaints", PASSWORD)
        client.select_folder(folder)
        uids = client.search(["ALL"])
        for start in range(0, len(uids), 1000):  # Dovecot refuses a 20,000-UID command
            client.remove_flags(uids[start : start + 1000], [PROCESSED_KEYWORD])


def servers(imap_port: int, smtp_port: int, folder: str) -> str:
    """The ``[[mailbox]]`` and ``[smtp]`` tables of a bench desk, on loopback."""
    return f"""
[[mailbox]]
name = "complaints"
host = "127.0.0.1"
port = {imap_port}
tls = "none"
username = "complaints"
password_env = "COMPLAINTD_IMAP_PASSWORD"
folder = "{folder}"
idle = true
poll_seconds = 30
[smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
from_address = "complaints@lida.example"
"""


def write_config(workdir: Path, port: int, folder: str, *, flood_key: bool = True) -> Path:
    """A flag-only desk configuration on a fresh SQLite file in ``workdir``.

    ``flood_key=False`` leaves out ``flood_max_tickets`` for a checkout older than it.
    """
    config = workdir / "complaintd.toml"
    text = f"""
[database]
url = "sqlite:///{workdir}/complaintd.db"
[desk]
name = "Bench Desk"
address = "complaints@lida.example"
token_secret_env = "COMPLAINTD_TOKEN_SECRET"
flood_max_tickets = 0  # the bench mailbox arrives at once: every message is a complaint
{servers(port, free_port(), folder)}"""
    if not flood_key:
        text = "\n".join(line for line in text.splitlines() if "flood_max_tickets" not in line)
    config.write_text(text, encoding="utf-8")
    return config


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured process: ``env`` (default ours) with bytecode caching
    on, as a deployed daemon has it (pip compiles a wheel's modules when it installs it):
    under ``PYTHONDONTWRITEBYTECODE`` every run would compile every module again."""
    chosen = dict(os.environ if env is None else env)
    chosen.pop("PYTHONDONTWRITEBYTECODE", None)
    return chosen


LAUNCHER = Path(__file__).with_name("rss_launch.py")


def launched(
    command: list[str], env: dict[str, str] | None = None, **popen: object
) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``command`` through :data:`LAUNCHER`; (the launcher's process, the descriptor
    its report arrives on).  ``popen``: more :class:`subprocess.Popen` arguments."""
    report, writer = os.pipe()
    process = subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, str(LAUNCHER), str(writer), *command],
        env=child_env(env),
        pass_fds=(writer,),
        **popen,
    )
    os.close(writer)
    return process, report


def launch_report(report: int) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of a command :func:`launched` ran, once it ended."""
    with os.fdopen(report, "rb") as stream:
        seconds, peak = stream.read().split()
    return float(seconds), int(peak)


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run ``command``; return (wall seconds, peak RSS in KiB of it and its children).

    Measured by :mod:`tools.rss_launch`: a command spawned straight from this process
    would report this process's own peak RSS (the generated mailbox) as its own.
    """
    process, report = launched(command, env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{command} failed: {stderr.decode(errors='replace')}")
    return launch_report(report)


def _sources(checkout: Path) -> str:
    """The configuration loader of another checkout (to see which keys it knows)."""
    return (checkout / "daemon" / "complaintd" / "config" / "loader.py").read_text()


def replacement_count(database: Path) -> tuple[int, int, int]:
    """(messages, bodies with U+FFFD, bodies kept undecoded) in a ledger."""
    with sqlite3.connect(database) as connection:
        total = connection.execute("SELECT count(*) FROM message").fetchone()[0]
        bad = connection.execute(
            "SELECT count(*) FROM message WHERE instr(body, ?) > 0 OR instr(full_text, ?) > 0",
            ("\ufffd", "\ufffd"),
        ).fetchone()[0]
        undecoded = connection.execute(
            "SELECT count(*) FROM message WHERE undecoded IS NOT NULL"
        ).fetchone()[0]
    return total, bad, undecoded


def measure_ingest(
    dovecot: DovecotServer, runs: int, batch: int, baselines: list[Path] | None = None
) -> dict[str, object]:
    """Alternate floor and ours ``runs`` times over the same mailbox.

    Each of ``baselines`` (other checkouts of complaintd) runs its ``once`` in each round
    too, right after ours, so all ratios are measured back to back.
    """
    floor_times, our_times, rss = [], [], []
    base_times: dict[Path, list[float]] = {path: [] for path in baselines or []}
    stats: tuple[int, int, int] = (0, 0, 0)
    for _ in range(runs):
        floor_times.append(
            timed(
                [
                    sys.executable,
                    "-m",
                    "tools.bench_ingest",
                    "--floor",
                    str(dovecot.port),
                    str(batch),
                ]
            )[0]
        )
        seconds, peak, stats = _once(dovecot.port, None)
        our_times.append(seconds)
        rss.append(peak)
        for path, times in base_times.items():
            times.append(_once(dovecot.port, path)[0])
    ratios = [o / f for o, f in zip(our_times, floor_times, strict=True)]
    report: dict[str, object] = {
        "floor_seconds_median": statistics.median(floor_times),
        "ours_seconds_median": statistics.median(our_times),
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "peak_rss_mb": max(rss) / 1024,
        "messages_stored": stats[0],
        "bodies_with_replacement_char": stats[1],
        "bodies_kept_undecoded": stats[2],
    }
    if base_times:
        report["ratios"] = [round(r, 3) for r in ratios]
    for path, times in base_times.items():
        base_ratios = [b / f for b, f in zip(times, floor_times, strict=True)]
        report[f"baseline {path}"] = {
            "ratio_median": statistics.median(base_ratios),
            "ratios": [round(r, 3) for r in base_ratios],
        }
    return report


def _once(port: int, checkout: Path | None) -> tuple[float, int, tuple[int, int, int]]:
    """One ``complaintd once`` on a fresh ledger: (seconds, peak RSS KiB, ledger counts).

    ``checkout``: run that checkout's code (its ``daemon`` first on the path) instead.
    """
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = f"{checkout / 'daemon'}:{checkout}"
    forget_processing(port, FOLDER)
    with tempfile.TemporaryDirectory(prefix="complaintd-bench-") as workdir:
        flood_key = checkout is None or "flood_max_tickets" in _sources(checkout)
        config = write_config(Path(workdir), port, FOLDER, flood_key=flood_key)
        seconds, peak = timed(
            [sys.executable, "-m", "complaintd", "--config", str(config), "once"], env=env
        )
        return seconds, peak, replacement_count(Path(workdir) / "complaintd.db")


def measure_idle_latency(dovecot: DovecotServer, count: int) -> dict[str, object]:
    """APPEND one message at a time to a watched folder; time until its ticket commits."""
    folder = "idle"
    dovecot.append_many("complaints", folder, [])
    samples = generate_mailbox(count, seed=99)
    latencies = []
    with tempfile.TemporaryDirectory(prefix="complaintd-idle-") as workdir:
        config = write_config(Path(workdir), dovecot.port, folder)
        daemon = subprocess.Popen(
            [sys.executable, "-m", "complaintd", "--config", str(config), "run"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=child_env(),
        )
        try:
            database = Path(workdir) / "complaintd.db"
            _wait_for(lambda: _inbound_count(database) >= 0, 20)
            time.sleep(1.0)
            for index, raw in enumerate(samples, start=1):
                start = time.perf_counter()
                dovecot.append("complaints", folder, raw)
                _wait_for(lambda n=index: _processed_count(database) >= n, 10)
                latencies.append(time.perf_counter() - start)
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
    latencies.sort()
    return {
        "idle_messages": len(latencies),
        "idle_p50_seconds": statistics.median(latencies),
        "idle_p95_seconds": latencies[int(len(latencies) * 0.95) - 1],
        "idle_max_seconds": latencies[-1],
    }


def _inbound_count(database: Path) -> int:
    return _count(database, "SELECT count(*) FROM inbound_message")


def _processed_count(database: Path) -> int:
    return _count(
        database, f"SELECT count(*) FROM inbound_message WHERE status != '{InboundStatus.PENDING}'"
    )


def _count(database: Path, sql: str) -> int:
    if not database.exists():
        return -1
    try:
        with sqlite3.connect(database, timeout=1) as connection:
            return int(connection.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return -1


def _wait_for(condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for complaintd")
        time.sleep(0.005)


def main() -> int:
    """Run every measurement and print one JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--idle-messages", type=int, default=40)
    parser.add_argument(
        "--baseline",
        type=Path,
        action="append",
        help="another checkout whose once runs paired with ours (may be repeated)",
    )
    parser.add_argument("--floor", nargs=2, metavar=("PORT", "BATCH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(int(args.floor[0]), FOLDER, int(args.floor[1]))
        return 0
    os.environ.setdefault("COMPLAINTD_TOKEN_SECRET", "bench-token-secret-0123456789")
    os.environ["COMPLAINTD_IMAP_PASSWORD"] = PASSWORD
    with DovecotServer(users={"complaints": PASSWORD}) as dovecot:
        dovecot.append_many("complaints", FOLDER, generate_mailbox(args.messages, seed=1))
        measured = measure_ingest(dovecot, args.runs, args.batch, args.baseline)
        report = {"messages": args.messages, **measured}
        if args.idle_messages:
            report.update(measure_idle_latency(dovecot, args.idle_messages))
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/ingest.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
