"""The instance benchmark's CPU accounting (``tools.proc_cpu``) and its table's figures."""

from __future__ import annotations

import hashlib
import os
import time

from tools import proc_cpu
from tools.bench_instances import paired_ratios, table

TICKS = proc_cpu.TICKS


def stat_line(pid: int, name: str, ppid: int, own: int, reaped: int) -> str:
    """A ``/proc/<pid>/stat`` line with ``own`` ticks of user time and ``reaped`` ticks
    of children's user time (the other fields as the kernel writes them)."""
    fields = ["S", str(ppid), *["0"] * 9, str(own), "0", str(reaped), "0", *["0"] * 30]
    return f"{pid} ({name}) " + " ".join(fields)


def test_a_stat_line_with_spaces_and_parentheses_in_the_name() -> None:
    times = proc_cpu.parse_stat(stat_line(7, "postgres: a (b) c", 1, 3 * TICKS, 2 * TICKS))
    assert times == proc_cpu.ProcTimes(ppid=1, own=3.0, reaped=2.0, name="postgres: a (b) c")


def test_a_tree_counts_its_descendants_and_what_they_reaped() -> None:
    table_ = {
        1: proc_cpu.ProcTimes(ppid=0, own=1.0, reaped=10.0),  # reaped exited backends
        2: proc_cpu.ProcTimes(ppid=1, own=2.0, reaped=0.0),
        3: proc_cpu.ProcTimes(ppid=2, own=4.0, reaped=0.0),
        9: proc_cpu.ProcTimes(ppid=0, own=100.0, reaped=0.0),  # not ours
    }
    assert proc_cpu.tree_of(table_, 1) == {1, 2, 3}
    assert proc_cpu.tree_seconds(table_, [1]) == 17.0
    assert proc_cpu.tree_seconds(table_, [2, 9]) == 106.0


def test_this_process_burning_cpu_shows_in_its_own_and_the_machines_time() -> None:
    before = proc_cpu.sample({"me": [os.getpid()]}, bench_pid=os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        hashlib.sha256(b"x" * 10_000).digest()
    after = proc_cpu.sample({"me": [os.getpid()]}, bench_pid=os.getpid())
    used = proc_cpu.used(before, after)
    assert used["me"] >= 0.25 and used["bench"] >= 0.25
    assert used["machine"] >= used["bench"] - 0.05  # the machine was busy at least as long
    assert used["capacity"] >= used["machine"]


def run(size: int, per_second: float, seconds: float, cpu: float, other: float = 0.0) -> dict:
    """A benchmark run whose instances used ``cpu`` and servers nothing."""
    zero = {"postgres": 0.0, "dovecot": 0.0, "bench": 0.0}
    return {
        "instances": size,
        "per_second": per_second,
        "seconds": seconds,
        "load_average": 0.5,
        "cpu_seconds": {"instances": cpu, **zero, "other": other},
    }


def test_the_table_says_what_the_target_would_need_of_the_cores() -> None:
    one = run(1, 100.0, 6.0, cpu=7.5)  # 1.25 cores busy for 6 s
    runs = [one, run(2, 150.0, 4.0, cpu=7.5), run(1, 90.0, 6.0, cpu=7.5), run(2, 144.0, 4.0, 7.5)]
    assert paired_ratios(runs, 2) == [1.5, 1.6]
    text = table(runs, [20.0, 20.1], cores=2)
    assert "| 2 | 147 (144-150) | 1.55 (1.50-1.60)x |" in text
    assert "would need 2.12 of the 2 cores (106%)" in text  # 1.7 x 1.25
    assert "takeover after SIGKILL of the holder: median 20.1 s" in text
    assert "NOT A QUIET MACHINE" not in text
    busy = [run(1, 100.0, 6.0, cpu=7.5, other=3.0), run(2, 150.0, 4.0, cpu=7.5, other=2.0)]
    assert "NOT A QUIET MACHINE: other work kept 0.50 of the 2 cores" in table(busy, [], 2)
