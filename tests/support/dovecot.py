"""A throwaway Dovecot IMAP server for tests, ``make demo`` and ``make bench``.

``DovecotServer`` writes a private configuration into a temporary directory and
runs ``dovecot -F -c FILE`` as a child process it owns.  Everything the server
touches (sockets, state, log, maildirs) lives inside that directory, the IMAP
listener is bound to 127.0.0.1 on a free port, and TLS is off, so tests can log
in with plain passwords.  The server is stopped by its own pid only.

Typical use::

    with DovecotServer(users={"complaints": "pw"}) as imap:
        imap.append("complaints", "INBOX", raw_bytes)
        with imap.connect("complaints") as client:
            client.select_folder("INBOX")
"""

from __future__ import annotations

import atexit
import ctypes
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from tests.support.ports import LOOPBACK, can_bind, free_port, port_accepts
from tests.support.served import ChildServer

__all__ = [
    "DovecotError",
    "DovecotNotInstalledError",
    "DovecotServer",
    "dovecot_version",
    "find_dovecot",
]

INSTALL_HINT = "Dovecot is not installed: run `make install` (apt-get install dovecot-imapd)."

# MULTIAPPEND batch size: large enough to make bulk loading fast, small enough
# that one command does not hold hundreds of megabytes in memory.
_APPEND_BATCH = 200

# Port collisions are the one start failure worth retrying; anything else is a
# real configuration problem and is reported at once.
_PORT_ATTEMPTS = 5
_ADDRESS_IN_USE = "Address already in use"

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>

_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_APPENDUID_RE = re.compile(rb"\[APPENDUID \d+ ([0-9:,]+)\]")


class DovecotError(RuntimeError):
    """Dovecot could not be started, or a helper call against it failed."""


class DovecotNotInstalledError(DovecotError):
    """The ``dovecot`` binary is missing from this machine."""


@dataclass(frozen=True)
class _Identity:
    """Unix accounts the server's processes run as."""

    mail_uid: int
    mail_gid: int
    login_user: str
    internal_user: str
    internal_group: str
    as_root: bool


def find_dovecot() -> str:
    """Return the path of the ``dovecot`` binary or raise DovecotNotInstalledError."""
    found = shutil.which("dovecot")
    if found:
        return found
    # /usr/sbin is often missing from a non-root PATH even when Dovecot is there.
    for candidate in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise DovecotNotInstalledError(INSTALL_HINT)


def dovecot_version(binary: str | None = None) -> tuple[int, int, int]:
    """Return Dovecot's version as a tuple, e.g. ``(2, 3, 19)`` for "2.3.19.1 (9b53102964)"."""
    exe = binary or find_dovecot()
    out = subprocess.run(
        [exe, "--version"], capture_output=True, text=True, check=True, timeout=10
    ).stdout
    match = re.match(r"\s*(\d+)\.(\d+)\.(\d+)", out)
    if match is None:
        raise DovecotError(f"cannot parse `dovecot --version` output: {out!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return (major, minor, patch)


def _identity() -> _Identity:
    """Choose the accounts: unprivileged system users as root, ourselves otherwise."""
    if os.geteuid() == 0:
        # Login processes must never run as root; mail is owned by the
        # unprivileged ``dovecot`` account rather than root.
        mail = pwd.getpwnam("dovecot")
        return _Identity(mail.pw_uid, mail.pw_gid, "dovenull", "dovecot", "dovecot", True)
    # Without root Dovecot cannot switch users, so every process runs as us.
    me = pwd.getpwuid(os.geteuid())
    group = _group_name(os.getegid())
    return _Identity(os.geteuid(), os.getegid(), me.pw_name, me.pw_name, group, False)


def _group_name(gid: int) -> str:
    """Return the name of group *gid* (Dovecot settings want names, not numbers)."""
    return grp.getgrgid(gid).gr_name


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGTERM Dovecot if our process dies (e.g. SIGKILL).

    PR_SET_PDEATHSIG fires when the *thread* that forked exits, so it is only
    used from the main thread; elsewhere the atexit hook has to do.
    """
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def hook() -> None:
        """Runs in the child between fork and exec."""
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return hook


def _expand_uid_set(text: bytes) -> list[int]:
    """Expand an IMAP uid set such as ``b"4:6,9"`` to ``[4, 5, 6, 9]``."""
    uids: list[int] = []
    for part in text.split(b","):
        low, _, high = part.partition(b":")
        start = int(low)
        uids.extend(range(start, int(high or low) + 1))
    return uids


def _appended_uids(response: bytes | str) -> list[int]:
    """Extract the UIDs from an APPEND response carrying UIDPLUS' APPENDUID code."""
    raw = response.encode() if isinstance(response, str) else response
    match = _APPENDUID_RE.search(raw)
    if match is None:
        raise DovecotError(f"APPEND response without APPENDUID: {raw!r}")
    return _expand_uid_set(match.group(1))


def _tail(path: Path, lines: int = 40) -> str:
    """Return the last *lines* lines of *path*, or a note if it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"({path.name}: not written)"
    return "\n".join(text.splitlines()[-lines:])


def _render_config_23(root: Path, port: int, ident: _Identity, idle_check: str) -> str:
    """Render a dovecot.conf for Dovecot 2.3."""
    chroot = "" if ident.as_root else "\n  chroot ="
    return f"""\
# Throwaway test server written by tests.support.dovecot; do not edit.
protocols = imap
listen = {LOOPBACK}
base_dir = {root}/run
state_dir = {root}/state
instance_name = complaintd-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {ident.login_user}
default_internal_user = {ident.internal_user}
default_internal_group = {ident.internal_group}
first_valid_uid = {ident.mail_uid}
last_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:~/Maildir
# Durability is pointless for a throwaway server and fsync makes bulk loads slow.
mail_fsync = never
# Fallback poll for IDLE in case inotify is unavailable (containers).
mailbox_idle_check_interval = {idle_check}
# Wrong-password tests must not slow the session down (see also anvil below).
auth_failure_delay = 0

namespace inbox {{
  inbox = yes
  separator = /
}}

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={ident.mail_uid} gid={ident.mail_gid} home={root}/mail/%u
}}

protocol imap {{
  # Tests and benchmarks open many connections from 127.0.0.1 (default 10).
  mail_max_userip_connections = 1000
}}

service imap-login {{
  inet_listener imap {{
    address = {LOOPBACK}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}{chroot}
}}
service imap {{
  process_limit = 512
}}
{_extra_services(ident)}"""


def _extra_services(ident: _Identity) -> str:
    """The anvil service, plus overrides needed when Dovecot cannot chroot or switch users.

    Every test logs in from 127.0.0.1, so one wrong-password test would make
    anvil's per-IP auth penalty delay all later logins by seconds: it is off.
    """
    anvil_chroot = "" if ident.as_root else "\n  chroot ="
    anvil = f"""\
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}{anvil_chroot}
}}
"""
    if ident.as_root:
        return anvil
    return (
        anvil
        + f"""\
service auth-worker {{
  user = {ident.internal_user}
}}
"""
    )


def _render_config_24(root: Path, port: int, ident: _Identity, idle_check: str) -> str:
    """Render a dovecot.conf for Dovecot 2.4 (renamed settings, new filter syntax)."""
    chroot = "" if ident.as_root else "\n  chroot ="
    return f"""\
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
# Throwaway test server written by tests.support.dovecot; do not edit.
protocols = imap
listen = {LOOPBACK}
base_dir = {root}/run
state_dir = {root}/state
instance_name = complaintd-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
default_login_user = {ident.login_user}
default_internal_user = {ident.internal_user}
default_internal_group = {ident.internal_group}
first_valid_uid = {ident.mail_uid}
last_valid_uid = 0
first_valid_gid = 0
mail_uid = {ident.mail_uid}
mail_gid = {ident.mail_gid}
mail_home = {root}/mail/%{{user}}
mail_driver = maildir
mail_path = ~/Maildir
mail_fsync = never
mailbox_idle_check_interval = {idle_check}
auth_failure_delay = 0

namespace inbox {{
  inbox = yes
  separator = /
}}

passdb passwd-file {{
  passwd_file_path = {root}/passwd
}}
userdb static {{
}}

protocol imap {{
  mail_max_userip_connections = 1000
}}

service imap-login {{
  inet_listener imap {{
    listen = {LOOPBACK}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}{chroot}
}}
service imap {{
  process_limit = 512
}}
{_extra_services(ident)}"""


def _render_config(
    version: tuple[int, int, int], root: Path, port: int, ident: _Identity, idle_check: str
) -> str:
    """Render the configuration in the syntax of the installed Dovecot version."""
    if version >= (2, 4, 0):
        return _render_config_24(root, port, ident, idle_check)
    return _render_config_23(root, port, ident, idle_check)


def _passwd_file(users: Mapping[str, str]) -> str:
    """Render a passwd-file with {PLAIN} passwords (fields are ':'-separated)."""
    return "".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in users.items())


def _check_users(users: Mapping[str, str]) -> None:
    """Reject names or passwords that would corrupt the passwd-file or the home path."""
    if not users:
        raise ValueError("DovecotServer needs at least one user")
    for name, password in users.items():
        if not _USERNAME_RE.match(name):
            raise ValueError(f"unsupported IMAP user name {name!r}")
        if any(ch in password for ch in ":\n\r\t") or not password:
            raise ValueError(f"unsupported password for {name!r} (empty or contains ':'/newline)")


class DovecotServer(ChildServer):
    """A private Dovecot IMAP server on 127.0.0.1, torn down with its files on stop()."""

    error = DovecotError  # SIGTERM stops the master, and its children with it

    def __init__(
        self,
        users: Mapping[str, str] | None = None,
        *,
        start_timeout: float = 20.0,
        keep_files: bool = False,
        idle_check: str = "1 secs",
    ) -> None:
        """Prepare (but do not start) a server with *users* (name → plain password).

        *keep_files* leaves the temporary directory behind on stop() for
        post-mortem debugging; its path is then in ``root``.  *idle_check* is
        ``mailbox_idle_check_interval``: how often IDLE looks for new mail when
        inotify does not tell it (benchmarks lower it).
        """
        chosen = dict(users) if users is not None else {"complaints": "secret"}
        _check_users(chosen)
        self._users = chosen
        self._start_timeout = start_timeout
        self._keep_files = keep_files
        self._idle_check = idle_check
        self._binary: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._root: Path | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        """Start Dovecot and return once a LOGIN succeeds; raise DovecotError otherwise."""
        if self._proc is not None:
            raise DovecotError("DovecotServer already started")
        self._binary = find_dovecot()
        version = dovecot_version(self._binary)
        last_error = ""
        for _attempt in range(_PORT_ATTEMPTS):
            port = free_port()
            if not can_bind(port):
                # Dovecot itself retries a busy port for ~5 s before giving up.
                last_error = f"port {port}: {_ADDRESS_IN_USE}"
                continue
            self._prepare_root()
            self._launch(version, port)
            failure = self._wait_ready()
            if failure is None:
                return
            last_error = failure
            self._terminate()
            self._remove_root()
            if _ADDRESS_IN_USE not in failure:
                break
        raise DovecotError(f"Dovecot failed to start:\n{last_error}")

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop the server process and start it again on the same port with the same mail
        (clients are disconnected, as by a real restart); *down_seconds* in between."""
        if self._proc is None or self._port is None or self._binary is None:
            raise DovecotError("DovecotServer is not running")
        port = self._port
        self._terminate()
        time.sleep(down_seconds)
        self._launch(dovecot_version(self._binary), port)
        failure = self._wait_ready()
        if failure is not None:
            raise DovecotError(f"Dovecot failed to restart:\n{failure}")

    def _prepare_root(self) -> None:
        """Create the temp tree: run/state dirs, passwd-file and the mail root."""
        root = Path(tempfile.mkdtemp(prefix="complaintd-dovecot-"))
        self._root = root
        ident = _identity()
        # mkdtemp makes 0700; Dovecot's unprivileged processes must traverse it.
        root.chmod(0o755)
        (root / "state").mkdir(mode=0o755)
        mail = root / "mail"
        mail.mkdir(mode=0o700)
        os.chown(mail, ident.mail_uid, ident.mail_gid)
        passwd = root / "passwd"
        passwd.write_text(_passwd_file(self._users))
        # The auth process reads it as the internal user (0640 root:dovecot).
        passwd.chmod(0o640)
        os.chown(passwd, os.geteuid(), ident.mail_gid)

    def _launch(self, version: tuple[int, int, int], port: int) -> None:
        """Write the config for *port* and spawn ``dovecot -F -c FILE``."""
        assert self._root is not None and self._binary is not None
        conf = self._root / "dovecot.conf"
        conf.write_text(_render_config(version, self._root, port, _identity(), self._idle_check))
        self._port = port
        # Errors before Dovecot opens its log file go to stderr: keep them.
        with (self._root / "startup.log").open("wb") as startup:
            self._proc = subprocess.Popen(
                [self._binary, "-F", "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=startup,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent_hook(),
            )
        # A test run that forgets stop() (or is interrupted) must not leave Dovecot behind.
        atexit.register(self.stop)

    def _wait_ready(self) -> str | None:
        """Wait until a LOGIN works; return None on success or a failure report."""
        assert self._proc is not None and self._port is not None
        deadline = time.monotonic() + self._start_timeout
        user, password = next(iter(self._users.items()))
        last = "no connection yet"
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return self._failure_report(f"dovecot exited with status {self._proc.returncode}")
            if port_accepts(LOOPBACK, self._port):
                try:
                    with self._login(user, password, timeout=5.0):
                        return None
                except (OSError, IMAPClientError) as error:
                    last = f"LOGIN failed: {error!r}"
            time.sleep(0.05)
        return self._failure_report(f"not ready after {self._start_timeout}s ({last})")

    def _failure_report(self, reason: str) -> str:
        """Combine *reason* with the tails of the startup output and the Dovecot log."""
        assert self._root is not None
        return (
            f"{reason}\n--- startup output ---\n{_tail(self._root / 'startup.log')}"
            f"\n--- dovecot.log ---\n{_tail(self._root / 'dovecot.log')}"
        )

    # -- properties --------------------------------------------------------

    @property
    def host(self) -> str:
        """The address the server listens on (always loopback)."""
        return LOOPBACK

    @property
    def port(self) -> int:
        """The IMAP port; only valid after start()."""
        if self._port is None or self._proc is None:
            raise DovecotError("DovecotServer is not running")
        return self._port

    @property
    def users(self) -> dict[str, str]:
        """A copy of the accounts, user name → plain password."""
        return dict(self._users)

    def log_tail(self, lines: int = 40) -> str:
        """Return the last lines of the Dovecot log, for failure messages."""
        if self._root is None:
            return "(no log: server files removed)"
        return _tail(self._root / "dovecot.log", lines)

    # -- IMAP helpers ------------------------------------------------------

    def _login(self, user: str, password: str, timeout: float = 30.0) -> IMAPClient:
        """Open a plain-text IMAP connection and log in."""
        assert self._port is not None
        client = IMAPClient(LOOPBACK, port=self._port, ssl=False, timeout=timeout)
        try:
            client.login(user, password)
        except BaseException:
            client.shutdown()
            raise
        return client

    def connect(self, user: str, timeout: float = 30.0) -> IMAPClient:
        """Return a logged-in IMAPClient for *user*; use it as a context manager to log out."""
        if user not in self._users:
            raise KeyError(f"unknown IMAP user {user!r}; known: {sorted(self._users)}")
        _ = self.port  # raise early with a clear message if not running
        return self._login(user, self._users[user], timeout)

    def create_folder(self, user: str, folder: str) -> None:
        """Create *folder* in *user*'s account unless it already exists."""
        with self.connect(user) as client:
            _ensure_folder(client, folder)

    def delete_folder(self, user: str, folder: str) -> None:
        """Delete *folder* (and its messages) from *user*'s account if it exists."""
        with self.connect(user) as client:
            if client.folder_exists(folder):
                client.delete_folder(folder)

    def append(self, user: str, folder: str, raw: bytes, flags: Sequence[str | bytes] = ()) -> int:
        """Append one message to *folder* (created if missing) and return its UID."""
        with self.connect(user) as client:
            _ensure_folder(client, folder)
            response = client.append(folder, raw, flags=tuple(flags))
            return _appended_uids(response)[0]

    def append_many(
        self,
        user: str,
        folder: str,
        raws: Iterable[bytes],
        flags: Sequence[str | bytes] = (),
    ) -> list[int]:
        """Append many messages over one connection with MULTIAPPEND; return their UIDs."""
        uids: list[int] = []
        with self.connect(user) as client:
            _ensure_folder(client, folder)
            batch: list[bytes] = []
            for raw in raws:
                batch.append(raw)
                if len(batch) >= _APPEND_BATCH:
                    uids.extend(_multiappend(client, folder, batch, flags))
                    batch = []
            if batch:
                uids.extend(_multiappend(client, folder, batch, flags))
        return uids

    def list_messages(self, user: str, folder: str) -> list[tuple[int, tuple[str, ...], bytes]]:
        """Return ``(uid, flags, raw)`` for every message in *folder*, by ascending UID.

        Flags are strings such as ``"\\Seen"``; the session flag ``\\Recent`` is left out.
        """
        with self.connect(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            if not uids:
                return []
            # BODY.PEEK[] so listing does not set \\Seen as a side effect.
            fetched = client.fetch(uids, ["FLAGS", "BODY.PEEK[]"])
        return [
            (uid, _flag_strings(data[b"FLAGS"]), bytes(data[b"BODY[]"]))
            for uid, data in sorted(fetched.items())
        ]

    def count(self, user: str, folder: str) -> int:
        """Return the number of messages in *folder* (STATUS MESSAGES)."""
        with self.connect(user) as client:
            status = client.folder_status(folder, ["MESSAGES"])
        return int(status[b"MESSAGES"])


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    """Create *folder* on *client*'s account if it does not exist yet."""
    if folder.upper() != "INBOX" and not client.folder_exists(folder):
        client.create_folder(folder)


def _multiappend(
    client: IMAPClient, folder: str, batch: list[bytes], flags: Sequence[str | bytes]
) -> list[int]:
    """Send one MULTIAPPEND command and return the UIDs it assigned."""
    items = [{"msg": raw, "flags": tuple(flags)} for raw in batch]
    typ, data = client.multiappend(folder, items)
    if typ != "OK":
        raise DovecotError(f"MULTIAPPEND failed: {typ} {data!r}")
    return _appended_uids(b" ".join(part for part in data if isinstance(part, bytes)))


def _flag_strings(flags: Iterable[bytes | str]) -> tuple[str, ...]:
    r"""Decode IMAP flags to str (imapclient returns bytes), without \Recent.

    \Recent is a per-session flag that depends on who looked first; dropping it
    keeps listings comparable between runs.
    """
    decoded = (f.decode() if isinstance(f, bytes) else f for f in flags)
    return tuple(f for f in decoded if f != "\\Recent")
