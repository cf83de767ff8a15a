"""sd_notify(3) without a dependency: READY, WATCHDOG, STOPPING, STATUS."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable


def notify(state: str) -> bool:
    """Send ``state`` (e.g. ``READY=1``) to systemd; False when not run by systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(state.encode(), address)
        except OSError:
            return False
    return True


def watchdog_interval() -> float | None:
    """Half of ``WATCHDOG_USEC`` in seconds (ping twice per period), or None."""
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec or not usec.isdigit():
        return None
    return int(usec) / 2_000_000


class Heartbeat:
    """When a loop last came round, for a watchdog to ask whether it still does."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def beat(self) -> None:
        """The loop came round."""
        self.last = time.monotonic()

    def within(self, seconds: float) -> bool:
        """True when the last beat is at most ``seconds`` old."""
        return time.monotonic() - self.last <= seconds


class WatchdogPinger(threading.Thread):
    """Pings the systemd watchdog from a thread of its own while ``responsive()`` holds.

    Nothing the daemon works on can starve it: messages are analysed in worker processes
    under their own time limit, so a slow message is quarantined by the analyzer rather
    than "cured" by a watchdog restart that would meet the same message again.  When the
    loop behind ``responsive`` wedges, the pings stop and systemd restarts the service.
    """

    def __init__(self, interval: float, responsive: Callable[[], bool]) -> None:
        super().__init__(name="watchdog", daemon=True)
        self.interval = interval
        self.responsive = responsive
        self.stop_event = threading.Event()

    def run(self) -> None:
        """Ping every ``interval`` seconds until stopped."""
        while not self.stop_event.wait(self.interval):
            self.ping()

    def ping(self) -> bool:
        """Ping once if ``responsive()``; True when a ping was sent."""
        return self.responsive() and notify("WATCHDOG=1")
