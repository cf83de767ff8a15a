"""``make plans``: the plan and cost of every statement complaintd runs, on a big ledger.

Issue 17, item 3: the per-message cost must not grow with the ledger.  This tool

1. builds a ledger of ``--tickets`` (default 1,000,000) tickets of synthetic history
   through the real schema (``complaintd db upgrade``, then bulk ``INSERT ... SELECT``,
   see :func:`tests.support.sql_plans.build_ledger`), once per size in ``--workdir``;
2. runs the real desk (``tools.bench_desk``'s configuration: departments, agents, SLA)
   over a mailbox of ``--messages`` generated complaints (a fifth with photos) in a test
   Dovecot, mail going to the bench's aiosmtpd sink: ``complaintd once`` at the run's
   clock (fetch, process, jobs, flush) and again two days later (chasers, progress
   updates, the digest, their flush) - on a copy of the big ledger and on an empty one;
3. captures every statement the daemon ran (a tracing sqlite3 connection, so statements
   added or rewritten later are covered without a list to keep), asks SQLite for each
   shape's plan with the parameters of a real call, and prints one table: shape, calls,
   ms per call on the big and on the empty ledger, the plan, and what grows with the
   ledger (``SCAN`` of a ledger table, automatic index; temp B-tree sorts are listed).

The report also goes to ``bench-results/query_plans.json``.  Exit status 1 when a
statement scans a ledger table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.dovecot import DovecotServer
from tests.support.postgres import PostgresServer, create_database
from tests.support.samples import generate_mailbox
from tests.support.sql_plans import (
    Statement,
    build_ledger,
    explain,
    load_statements,
    merge,
    plan_problems,
    plan_sorts,
    run_clock,
)
from tests.support.sql_plans_pg import copy_ledger, explain_pg, pg_plan_problems, table_rows

from tools.bench_desk import PHOTO_SHARE, desk_config, sink_process
from tools.bench_ingest import FOLDER, PASSWORD, forget_processing

# The synthetic history ends here; the run's clock is an hour later (a Tuesday, 10:00 in
# Shanghai), the jobs' pass two days after that (the digest is due at 08:00).
LEDGER_END = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
JOBS_LATER = timedelta(days=2)

Runs = dict[str, list[Statement]]  # "empty" / "big" -> the statements of the desk's passes


def complaintd(config: Path, *args: str) -> None:
    """Run a complaintd command; stop with its output when it fails."""
    command = [sys.executable, "-m", "complaintd", "--config", str(config), *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")


def base_ledger(workdir: Path, tickets: int, config: Path) -> Path:
    """The migrated ledger of ``tickets`` tickets, built once and kept in ``workdir``."""
    path = workdir / f"ledger-{tickets}.db"
    if path.exists():
        return path
    building = workdir / "building.db"
    for stale in workdir.glob("building.db*"):
        stale.unlink()
    text = config.read_text().replace(str(config.parent / "complaintd.db"), str(building))
    upgrade_config = workdir / "build.toml"
    upgrade_config.write_text(text)
    complaintd(upgrade_config, "db", "upgrade")
    started = time.monotonic()
    counts = build_ledger(building, tickets, LEDGER_END)
    print(f"built {building} in {time.monotonic() - started:.0f} s: {counts}", file=sys.stderr)
    building.rename(path)
    return path


def capture_run(config: Path, out: Path, now: datetime) -> list[Statement]:
    """One traced ``complaintd once`` at ``now``; the statements it ran."""
    command = [sys.executable, "-m", "tests.support.sql_plans", "capture", str(out), "--"]
    command += ["--config", str(config), "--now", now.isoformat(), "once"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"once at {now} failed:\n{done.stderr[-4000:]}")
    return load_statements(out)


def desk_runs(dovecot: DovecotServer, directory: Path) -> list[Statement]:
    """The mailbox taken in at the run's clock, then the jobs' pass two days later."""
    forget_processing(dovecot.port, FOLDER)
    config = directory / "complaintd.toml"
    now = run_clock(LEDGER_END)
    first = capture_run(config, directory / "once.json", now)
    later = capture_run(config, directory / "jobs.json", now + JOBS_LATER)
    return merge(first, later)


Judged = tuple[list[str], list[str], list[str]]  # plan, problems, sorts


def sqlite_plans(statements: list[Statement], database: Path) -> dict[str, Judged]:
    """Each statement's plan on the SQLite ledger at ``database``, and what grows."""
    judged = {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        for statement in statements:
            plan = explain(connection, statement)
            problems = plan_problems(statement.sql, plan)
            judged[statement.shape] = (plan, problems, plan_sorts(statement.sql, plan))
    return judged


def postgres_plans(statements: list[Statement], url: str) -> dict[str, Judged]:
    """Each statement's plan on the PostgreSQL ledger at ``url``, and what grows."""
    import psycopg2

    judged = {}
    connection = psycopg2.connect(url)
    try:
        sizes = table_rows(connection)
        for statement in statements:
            plan = explain_pg(connection, statement)
            sorts = [line.strip() for line in plan if "Sort  (" in line]
            judged[statement.shape] = (plan, pg_plan_problems(plan, sizes), sorts)
    finally:
        connection.close()
    return judged


def report(
    big: list[Statement], empty: list[Statement], plans: dict[str, Judged]
) -> list[dict[str, object]]:
    """One row per statement shape, ordered by total time on the big ledger."""
    on_empty = {s.shape: s for s in empty}
    rows = []
    for statement in sorted(big, key=lambda s: -s.seconds):
        plan, problems, sorts = plans[statement.shape]
        small = on_empty.get(statement.shape)
        rows.append(
            {
                "shape": statement.shape,
                "calls": statement.count,
                "ms_per_call_big": 1000 * statement.seconds / statement.count,
                "ms_per_call_empty": (
                    1000 * small.seconds / small.count if small is not None else None
                ),
                "plan": plan,
                "problems": problems,
                "sorts": sorts,
            }
        )
    return rows


def print_table(rows: list[dict[str, object]], width: int) -> None:
    """The report as text: one block per statement, problems first."""
    ordered = sorted(rows, key=lambda r: (not r["problems"], not r["sorts"]))
    for row in ordered:
        empty = row["ms_per_call_empty"]
        empty_text = f"{empty:.3f}" if isinstance(empty, float) else "-"
        flags = ", ".join([*row["problems"], *row["sorts"]]) or "ok"  # type: ignore[misc]
        shape = str(row["shape"])
        print(
            f"{row['calls']:>6} calls  {row['ms_per_call_big']:8.3f} ms big"
            f"  {empty_text:>8} ms empty  [{flags}]"
        )
        print(f"    {shape[:width]}{'…' if len(shape) > width else ''}")
        for line in row["plan"]:  # type: ignore[attr-defined]
            print(f"      {line}")


def sqlite_runs(args: argparse.Namespace, dovecot: DovecotServer, sink_port: int) -> Runs:
    """The desk on an empty and on the big SQLite ledger: statements of each."""
    runs: dict[str, list[Statement]] = {}
    for kind in ("empty", "big"):
        directory = fresh(args.workdir / kind)
        config = desk_config(directory, dovecot.port, sink_port, FOLDER)
        if kind == "big":
            base = base_ledger(args.workdir, args.tickets, config)
            shutil.copyfile(base, directory / "complaintd.db")
        complaintd(config, "db", "upgrade")
        runs[kind] = desk_runs(dovecot, directory)
    return runs


def postgres_runs(
    args: argparse.Namespace, dovecot: DovecotServer, sink_port: int, server: PostgresServer
) -> Runs:
    """The same on PostgreSQL: the big ledger is the SQLite one, copied and analysed."""
    runs: dict[str, list[Statement]] = {}
    for kind in ("empty", "big"):
        directory = fresh(args.workdir / f"pg-{kind}")
        create_database(server.url(), f"plans_{kind}")
        config = desk_config(directory, dovecot.port, sink_port, FOLDER)
        sqlite_url = f"sqlite:///{directory}/complaintd.db"
        config.write_text(config.read_text().replace(sqlite_url, server.url(f"plans_{kind}")))
        complaintd(config, "db", "upgrade")
        if kind == "big":
            started = time.monotonic()
            base = base_ledger(args.workdir, args.tickets, config)
            seconds = copy_ledger(base, server.url("plans_big"))
            print(
                f"copied to PostgreSQL in {time.monotonic() - started:.0f} s: {seconds}",
                file=sys.stderr,
            )
        runs[kind] = desk_runs(dovecot, directory)
    return runs


def fresh(directory: Path) -> Path:
    """``directory``, emptied."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def show(name: str, rows: list[dict[str, object]], args: argparse.Namespace) -> bool:
    """Print one database's table and summary; True when a statement scans."""
    print(f"\n=== {name} ===")
    print_table(rows, args.width)
    scans = [row for row in rows if row["problems"]]
    sorts = [row for row in rows if row["sorts"]]
    print(
        f"\n{name}: {len(rows)} statement shapes on {args.tickets:,} tickets"
        f" + {args.messages} messages; {len(scans)} read a ledger table whole,"
        f" {len(sorts)} sort"
    )
    return bool(scans)


def main() -> int:
    """Build (or reuse) the big ledger, run the desk on it and on an empty one, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/complaintd-plans"))
    parser.add_argument("--width", type=int, default=160, help="shape characters printed")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL as well")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    os.environ.setdefault("COMPLAINTD_TOKEN_SECRET", "bench-token-secret-0123456789")
    os.environ["COMPLAINTD_IMAP_PASSWORD"] = PASSWORD
    args.workdir.mkdir(parents=True, exist_ok=True)
    mailbox = generate_mailbox(args.messages, seed=1, photo_share=PHOTO_SHARE)
    result: dict[str, object] = {"tickets": args.tickets, "messages": args.messages}
    failed = False
    with (
        DovecotServer(users={"complaints": PASSWORD}) as dovecot,
        sink_process() as sink,
    ):
        dovecot.append_many("complaints", FOLDER, mailbox)
        if not args.no_sqlite:
            runs = sqlite_runs(args, dovecot, sink.port)
            database = args.workdir / "big" / "complaintd.db"
            rows = report(runs["big"], runs["empty"], sqlite_plans(runs["big"], database))
            failed |= show("SQLite", rows, args)
            result["sqlite"] = rows
        if args.postgres:
            with PostgresServer() as server:
                runs = postgres_runs(args, dovecot, sink.port, server)
                plans = postgres_plans(runs["big"], server.url("plans_big"))
            rows = report(runs["big"], runs["empty"], plans)
            failed |= show("PostgreSQL", rows, args)
            result["postgresql"] = rows
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/query_plans.json").write_text(json.dumps(result, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
