"""A throwaway PostgreSQL cluster for tests, in the manner of ``tests.support.dovecot``.

``PostgresServer`` runs ``initdb`` into a temporary directory and then
``postgres -D DATA`` in the foreground as a child process it owns.  The server
listens on 127.0.0.1 on a free port (its Unix socket lives in the same
directory), trusts every local connection, and skips fsync: it is fast, private
and gone when stopped.  It is stopped by its own pid only.

PostgreSQL refuses to run as root, so as root both programs run as the
unprivileged ``postgres`` system account (``nobody`` if there is none); as any
other user they run as that user.

Typical use::

    with PostgresServer() as server:
        create_database(server.url(), "scratch")
        url = server.url("scratch")   # postgresql://postgres@127.0.0.1:PORT/scratch

pytest-postgresql was considered and not used: it runs ``pg_ctl`` as the
current user with no way to switch accounts, so it cannot start a cluster when
the tests run as root (dbfixtures/pytest-postgresql#341, #455), and it needs
psycopg 3 where complaintd uses psycopg2.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The child-process helpers are Dovecot's, so both servers die and report alike.
from tests.support.dovecot import _die_with_parent_hook, _tail
from tests.support.ports import LOOPBACK, can_bind, free_port
from tests.support.served import ChildServer

__all__ = [
    "PostgresError",
    "PostgresNotInstalledError",
    "PostgresServer",
    "create_database",
    "drop_database",
    "find_postgres_bindir",
]

INSTALL_HINT = "PostgreSQL is not installed: run `make install` (apt-get install postgresql)."

# Debian's layout: one directory per major version, several may be installed.
DEBIAN_ROOT = Path("/usr/lib/postgresql")

# The database superuser of the throwaway cluster, whatever account runs it.
SUPERUSER = "postgres"

# Accounts that may own the cluster when we are root, in order of preference.
_UNPRIVILEGED_ACCOUNTS = ("postgres", "nobody")

# Durability is pointless for a cluster that is deleted at the end of the run.
FAST_SETTINGS: Mapping[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}

_PORT_ATTEMPTS = 5
_ADDRESS_IN_USE = "Address already in use"
_VERSION_DIR_RE = re.compile(r"^\d+(\.\d+)*$")


class PostgresError(RuntimeError):
    """The cluster could not be created or started."""


class PostgresNotInstalledError(PostgresError):
    """No PostgreSQL server binaries on this machine."""


@dataclass(frozen=True)
class _Account:
    """The Unix account ``initdb`` and ``postgres`` run as; ``uid`` None means ourselves."""

    name: str
    uid: int | None
    gid: int | None


# -- finding the binaries ----------------------------------------------------------


def _version_key(directory: Path) -> tuple[int, ...]:
    """Sort key of a version directory such as ``/usr/lib/postgresql/15`` or ``.../9.6``."""
    return tuple(int(part) for part in directory.name.split("."))


def newest_bindir(version_dirs: Iterable[Path]) -> Path | None:
    """The ``bin`` directory of the highest version among *version_dirs* that has a server."""
    versions = [d for d in version_dirs if _VERSION_DIR_RE.match(d.name)]
    for directory in sorted(versions, key=_version_key, reverse=True):
        bindir = directory / "bin"
        if os.access(bindir / "postgres", os.X_OK) and os.access(bindir / "initdb", os.X_OK):
            return bindir
    return None


def find_postgres_bindir() -> Path:
    """The newest installed server's ``bin`` directory (Debian layout, then PATH)."""
    if DEBIAN_ROOT.is_dir():
        found = newest_bindir(DEBIAN_ROOT.iterdir())
        if found is not None:
            return found
    initdb = shutil.which("initdb")
    if initdb is not None and shutil.which("postgres") is not None:
        return Path(initdb).parent
    raise PostgresNotInstalledError(INSTALL_HINT)


# -- who runs it ---------------------------------------------------------------------


def _account(euid: int) -> _Account:
    """Choose the account: an unprivileged system user as root, ourselves otherwise."""
    if euid != 0:
        return _Account(pwd.getpwuid(euid).pw_name, None, None)
    for name in _UNPRIVILEGED_ACCOUNTS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return _Account(name, entry.pw_uid, entry.pw_gid)
    raise PostgresError("running as root and no unprivileged account to own the cluster")


def _child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """Our environment without ``PG*`` variables, which would redirect initdb or the server."""
    return {key: value for key, value in environ.items() if not key.startswith("PG")}


# -- command lines -------------------------------------------------------------------


def initdb_command(bindir: Path, data: Path) -> list[str]:
    """``initdb`` for a UTF-8 cluster owned by SUPERUSER that trusts local connections."""
    return [
        str(bindir / "initdb"),
        f"--pgdata={data}",
        f"--username={SUPERUSER}",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    ]


def server_command(
    bindir: Path, data: Path, socket_dir: Path, port: int, settings: Mapping[str, str]
) -> list[str]:
    """``postgres`` in the foreground on LOOPBACK:*port*, its socket in *socket_dir*."""
    command = [
        str(bindir / "postgres"),
        "-D",
        str(data),
        "-h",
        LOOPBACK,
        "-p",
        str(port),
        "-k",
        str(socket_dir),
    ]
    for name, value in settings.items():
        command += ["-c", f"{name}={value}"]
    return command


# -- databases on any server ---------------------------------------------------------


def _quoted_name(name: str) -> str:
    """*name* as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _run_admin(admin_url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    import psycopg2

    connection = psycopg2.connect(admin_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_database(admin_url: str, name: str) -> None:
    """Create the empty database *name* on the server *admin_url* points at."""
    _run_admin(admin_url, f"CREATE DATABASE {_quoted_name(name)}")


def drop_database(admin_url: str, name: str) -> None:
    """Drop database *name*, disconnecting whoever is still in it."""
    _run_admin(admin_url, f"DROP DATABASE IF EXISTS {_quoted_name(name)} WITH (FORCE)")


# -- the server ----------------------------------------------------------------------


class PostgresServer(ChildServer):
    """A private PostgreSQL cluster on 127.0.0.1, deleted with its files on stop()."""

    stop_signal = signal.SIGINT  # "fast shutdown": disconnect clients, then exit
    error = PostgresError

    def __init__(
        self,
        *,
        settings: Mapping[str, str] | None = None,
        start_timeout: float = 60.0,
        keep_files: bool = False,
    ) -> None:
        """Prepare (but do not start) a cluster; *settings* add or override ``-c`` options.

        *keep_files* leaves the temporary directory behind on stop() for
        post-mortem debugging; its path is then in ``root``.
        """
        self._settings = {**FAST_SETTINGS, **(settings or {})}
        self._start_timeout = start_timeout
        self._keep_files = keep_files
        self._account = _account(os.geteuid())
        self._bindir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._root: Path | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        """Create the cluster and start it; return once it answers a query."""
        if self._proc is not None:
            raise PostgresError("PostgresServer already started")
        self._bindir = find_postgres_bindir()
        # From here on a failure, Ctrl-C or a forgotten stop() must not leave anything behind.
        atexit.register(self.stop)
        try:
            self._prepare_root()
            self._initdb()
            self._start_on_a_free_port()
        except BaseException:
            self.stop()
            raise

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop the postmaster (fast shutdown: clients are cut off) and start it again on
        the same port with the same data; *down_seconds* in between."""
        if self._proc is None or self._port is None:
            raise PostgresError("PostgresServer is not running")
        port = self._port
        self._terminate()
        time.sleep(down_seconds)
        self._launch(port)
        failure = self._wait_ready()
        if failure is not None:
            raise PostgresError(f"PostgreSQL failed to restart:\n{failure}")

    def _prepare_root(self) -> None:
        """Create the temp tree; ``data`` and ``run`` belong to the account running the server."""
        root = Path(tempfile.mkdtemp(prefix="complaintd-postgres-"))
        self._root = root
        # mkdtemp makes 0700; an unprivileged server account must traverse it.
        root.chmod(0o755)
        for name in ("data", "run"):
            (root / name).mkdir(mode=0o700)
            if self._account.uid is not None and self._account.gid is not None:
                os.chown(root / name, self._account.uid, self._account.gid)

    def _spawn(self, command: Sequence[str], log_name: str) -> subprocess.Popen[bytes]:
        """Start *command* as the cluster's account, its output appended to *log_name*."""
        assert self._root is not None
        with (self._root / log_name).open("ab") as log:
            return subprocess.Popen(
                list(command),
                cwd=self._root,
                env=_child_environment(os.environ),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self._account.uid,
                group=self._account.gid,
                extra_groups=[] if self._account.uid is not None else None,
                preexec_fn=_die_with_parent_hook(),
            )

    def _initdb(self) -> None:
        """Run initdb into ``data``; raise PostgresError with its output if it fails."""
        assert self._root is not None and self._bindir is not None
        proc = self._spawn(initdb_command(self._bindir, self._root / "data"), "initdb.log")
        if proc.wait(timeout=self._start_timeout) != 0:
            raise PostgresError(
                f"initdb exited with status {proc.returncode} as {self._account.name}:\n"
                f"{_tail(self._root / 'initdb.log')}"
            )

    def _start_on_a_free_port(self) -> None:
        """Launch the server, retrying on another port if the chosen one was taken."""
        last_error = ""
        for _attempt in range(_PORT_ATTEMPTS):
            port = free_port()
            if not can_bind(port):
                last_error = f"port {port}: {_ADDRESS_IN_USE}"
                continue
            self._launch(port)
            failure = self._wait_ready()
            if failure is None:
                return
            last_error = failure
            self._terminate()
            if _ADDRESS_IN_USE not in failure:
                break
        raise PostgresError(f"PostgreSQL failed to start:\n{last_error}")

    def _launch(self, port: int) -> None:
        """Spawn ``postgres`` on *port*."""
        assert self._root is not None and self._bindir is not None
        self._port = port
        command = server_command(
            self._bindir, self._root / "data", self._root / "run", port, self._settings
        )
        self._proc = self._spawn(command, "postgres.log")

    def _wait_ready(self) -> str | None:
        """Wait until the server answers on its own socket; None on success, else a report.

        The Unix socket in our private directory can only be this server's, whereas
        whoever took the TCP port first would answer there.  PostgreSQL opens all its
        listeners before it accepts anyone, so an answer there means the port is ours.
        """
        import psycopg2

        assert self._proc is not None and self._root is not None
        deadline = time.monotonic() + self._start_timeout
        last = "no connection yet"
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return self._failure_report(f"postgres exited with status {self._proc.returncode}")
            try:
                self._connect("postgres", host=str(self._root / "run")).close()
                return None
            except psycopg2.OperationalError as error:  # no socket yet, or "starting up"
                last = f"connection failed: {error!r}"
            time.sleep(0.05)
        return self._failure_report(f"not ready after {self._start_timeout}s ({last})")

    def _failure_report(self, reason: str) -> str:
        """Combine *reason* with the tail of the server log."""
        assert self._root is not None
        return f"{reason}\n--- postgres.log ---\n{_tail(self._root / 'postgres.log')}"

    # -- properties --------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port; only valid while running."""
        if self._port is None or self._proc is None:
            raise PostgresError("PostgresServer is not running")
        return self._port

    @property
    def account(self) -> str:
        """The Unix account the server runs as."""
        return self._account.name

    def url(self, database: str = "postgres") -> str:
        """A connection URL for *database* as the superuser, e.g. for ``open_database``."""
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self.port}/{database}"

    def _connect(self, database: str, host: str = LOOPBACK) -> Any:
        """A new psycopg2 connection to *database* as the superuser via *host*."""
        import psycopg2

        return psycopg2.connect(
            host=host, port=self._port, user=SUPERUSER, dbname=database, connect_timeout=5
        )

    def query(self, statement: str, database: str = "postgres") -> list[tuple[Any, ...]]:
        """Run one statement in *database* over TCP and return its rows (none: empty list)."""
        connection = self._connect(database)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(statement)
                return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            connection.close()
