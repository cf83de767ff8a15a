"""CPU time of process trees and of the whole machine, read from ``/proc`` (Linux).

For the benchmarks: how many CPU-seconds the instances, PostgreSQL, Dovecot and the
benchmark itself used while a backlog was worked off, and how busy the machine's cores
were meanwhile.  A process tree's time includes its descendants, living ones by their
own times and exited ones through their parent's ``cutime``/``cstime`` (PostgreSQL's
backends, Dovecot's ``imap`` processes, the analysis workers of an instance are all
reaped by a process of their tree).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


@dataclass(frozen=True)
class ProcTimes:
    """One process's parent and CPU-seconds: its own, and its reaped children's."""

    ppid: int
    own: float
    reaped: float
    name: str = ""


def parse_stat(line: str) -> ProcTimes:
    """``/proc/<pid>/stat`` as :class:`ProcTimes` (pure; the name may hold spaces and
    parentheses, so fields are counted from the last ``)``)."""
    fields = line[line.rindex(")") + 2 :].split()
    # After the name: state ppid ... utime(12th) stime cutime cstime (proc(5), 3 = state).
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return ProcTimes(
        ppid=int(fields[1]),
        own=(utime + stime) / TICKS,
        reaped=(cutime + cstime) / TICKS,
        name=line[line.index("(") + 1 : line.rindex(")")],
    )


def process_table() -> dict[int, ProcTimes]:
    """Every process visible now, by pid (processes that vanish while read are left out)."""
    table = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                table[int(entry.name)] = parse_stat((entry / "stat").read_text())
            except (OSError, ValueError):
                continue
    return table


def tree_of(table: Mapping[int, ProcTimes], root: int) -> set[int]:
    """``root`` and its descendants in ``table`` (pure)."""
    children: dict[int, list[int]] = {}
    for pid, times in table.items():
        children.setdefault(times.ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in table and pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    return found


def tree_seconds(table: Mapping[int, ProcTimes], roots: Iterable[int]) -> float:
    """CPU-seconds of the trees under ``roots``: the living processes' own time and
    every reaped child's (pure)."""
    pids = set().union(*(tree_of(table, root) for root in roots))
    return sum(table[pid].own + table[pid].reaped for pid in pids)


def own_seconds(pid: int) -> float:
    """The CPU-seconds of ``pid`` itself, every thread, not its children."""
    return parse_stat((PROC / str(pid) / "stat").read_text()).own


def machine_seconds() -> tuple[float, float]:
    """(busy, all) CPU-seconds of every core since boot, from ``/proc/stat``'s ``cpu``
    line; busy leaves out idle and iowait."""
    first = (PROC / "stat").read_text().splitlines()[0].split()
    values = [int(value) for value in first[1:9]]  # user nice system idle iowait irq softirq steal
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass(frozen=True)
class Sample:
    """CPU-seconds by group (a name for a set of root pids), and the machine's, at one moment."""

    groups: dict[str, float]
    busy: float
    total: float
    table: dict[int, ProcTimes]
    roots: dict[str, list[int]]


def sample(groups: Mapping[str, Iterable[int]], bench_pid: int | None = None) -> Sample:
    """The CPU-seconds of each group's process trees now; ``bench_pid``'s own time (not
    its children's: the servers and instances are its children) as group ``bench``."""
    table = process_table()
    seconds = {name: tree_seconds(table, roots) for name, roots in groups.items()}
    if bench_pid is not None:
        seconds["bench"] = own_seconds(bench_pid)
    busy, total = machine_seconds()
    return Sample(seconds, busy, total, table, {k: list(v) for k, v in groups.items()})


def busiest_others(before: Sample, after: Sample, count: int = 8) -> list[tuple[str, float]]:
    """The processes outside every group that used the most CPU between the samples, by
    name (pure): who else was using the machine."""
    inside = set().union(
        *(tree_of(after.table, root) for roots in after.roots.values() for root in roots)
    )
    by_name: dict[str, float] = {}
    for pid, times in after.table.items():
        if pid in inside:
            continue
        earlier = before.table.get(pid)
        delta = times.own - (earlier.own if earlier and earlier.name == times.name else 0.0)
        by_name[times.name] = by_name.get(times.name, 0.0) + delta
    ranked = sorted(by_name.items(), key=lambda item: -item[1])
    return [(name, round(seconds, 2)) for name, seconds in ranked[:count] if seconds > 0]


def used(before: Sample, after: Sample) -> dict[str, float]:
    """CPU-seconds each group used between two samples, ``machine`` (every core's busy
    time), ``other`` (the machine's busy time none of the groups accounts for: other
    work on the machine) and ``capacity`` (cores x wall seconds) (pure)."""
    spent = {name: after.groups[name] - before.groups.get(name, 0.0) for name in after.groups}
    machine = after.busy - before.busy
    return {
        **spent,
        "machine": machine,
        "other": max(0.0, machine - sum(spent.values())),
        "capacity": after.total - before.total,
    }
