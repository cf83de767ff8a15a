"""Loopback port helpers shared by the throwaway test servers.

Everything here binds or connects to 127.0.0.1 only: the test servers must never
be reachable from, or reach out to, anything but the local machine.
"""

from __future__ import annotations

import socket
import time

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port on *host* that was free a moment ago.

    The kernel picks the port (bind to port 0), so two callers rarely collide;
    callers still retry on "address in use" because another process may grab
    the port between this probe and the real bind.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def can_bind(port: int, host: str = LOOPBACK) -> bool:
    """Tell whether *host*:*port* could be bound right now.

    SO_REUSEADDR matches what servers (asyncio, Dovecot) set, so a port whose
    old connections linger in TIME_WAIT still counts as free.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def port_accepts(host: str, port: int, timeout: float = 0.5) -> bool:
    """Tell whether a TCP connection to *host*:*port* succeeds right now."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    """Poll until *host*:*port* accepts connections; return False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_accepts(host, port):
            return True
        time.sleep(0.05)
    return False
