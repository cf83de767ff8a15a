"""What the tests' own servers share.

Each is used as a context manager (started on entering a ``with`` block, stopped on
leaving it).  Dovecot and PostgreSQL are, besides, our own child processes with a
temporary tree of their own: they are stopped by their own pid - never by name, so a
server of the machine or of another test is never touched - and their tree removed.
"""

from __future__ import annotations

import atexit
import shutil
import signal
import subprocess
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self


class Served:
    """A server started on entering a ``with`` block and stopped on leaving it."""

    def start(self) -> None:
        """Start the server; return once it serves."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server (nothing to do when it is not running)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        """Start the server for the duration of a ``with`` block."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()


class ChildServer(Served):
    """A server that is our child process, with files in a temporary tree of its own.

    Subclasses set ``_proc`` when they spawn it and ``_root`` when they make the tree;
    ``stop_signal`` is the signal that asks the server for a clean, quick stop.
    """

    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM
    error: ClassVar[type[RuntimeError]] = RuntimeError
    _proc: subprocess.Popen[bytes] | None
    _root: Path | None
    _keep_files: bool

    @property
    def running(self) -> bool:
        """True while the server's process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int:
        """Process id of the server (our child); only valid while running."""
        if self._proc is None:
            raise self.error(f"{type(self).__name__} is not running")
        return self._proc.pid

    @property
    def root(self) -> Path | None:
        """The temporary directory of the server's files (None when removed)."""
        return self._root

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server by pid (``stop_signal``, SIGKILL after *timeout*); delete its
        files unless they are to be kept."""
        atexit.unregister(self.stop)
        self._terminate(timeout)
        if not self._keep_files:
            self._remove_root()

    def _terminate(self, timeout: float = 10.0) -> None:
        """Stop our own process by pid; the server stops its own children."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(self.stop_signal)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)

    def _remove_root(self) -> None:
        """Delete the temporary tree (data, sockets, logs)."""
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
