"""Run a command and report its wall time and peak RSS truthfully (``tools/bench_*``).

A process a bench starts directly inherits the bench's own memory high-water mark:
Linux keeps the old address space's peak RSS when a process execs (``exec_mmap``), so a
command spawned by a bench that holds a 20,000-message mailbox in memory "used" that
memory too (``/bin/true`` spawned from a 300 MB Python process reports 313 MB).  This
small process forks the command itself, so the command's peak starts from this
process's few megabytes; it forwards SIGTERM and SIGINT to it, waits, and writes
``<seconds> <peak KiB>`` to the descriptor named first (peak: the largest of the command
and the children it waited for, as ``wait4`` reports it).

usage: python tools/rss_launch.py FD COMMAND [ARG...]
"""

from __future__ import annotations

import os
import signal
import sys
import time


def main() -> int:
    """Fork and exec the command, forward stop signals, report, exit with its status."""
    report_fd, command = int(sys.argv[1]), sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(report_fd)
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda received, _frame: os.kill(pid, received))
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    os.write(report_fd, f"{elapsed} {usage.ru_maxrss}\n".encode())
    os.close(report_fd)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    raise SystemExit(main())
