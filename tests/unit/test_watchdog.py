"""The systemd watchdog pinger: pings from its own thread while the main loop is alive."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaintd.service.systemd import Heartbeat, WatchdogPinger


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A datagram socket where systemd's would be."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(0.05)
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    yield sock
    sock.close()


def pings_during(sock: socket.socket, seconds: float) -> list[str]:
    received, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):
            received.append(sock.recv(100).decode())
    return received


def drain(sock: socket.socket) -> list[str]:
    """Every datagram already waiting on ``sock``."""
    received, timeout = [], sock.gettimeout()
    sock.setblocking(False)
    try:
        while True:
            received.append(sock.recv(100).decode())
    except BlockingIOError:
        return received
    finally:
        sock.settimeout(timeout)


def test_pings_only_while_the_main_loop_came_round_lately(
    notify_socket: socket.socket,
) -> None:
    heartbeat = Heartbeat()
    pinger = WatchdogPinger(60, lambda: heartbeat.within(0.2))
    assert pinger.ping() and notify_socket.recv(100) == b"WATCHDOG=1"
    heartbeat.last -= 0.3  # the main loop has not come round for 0.3 s
    assert not pinger.ping() and pings_during(notify_socket, 0.1) == []
    heartbeat.beat()
    assert pinger.ping()


def test_the_thread_pings_every_interval_until_stopped(notify_socket: socket.socket) -> None:
    pinger = WatchdogPinger(0.05, lambda: True)
    pinger.start()
    try:
        received = pings_during(notify_socket, 1.0)
    finally:
        pinger.stop_event.set()
        pinger.join()
    received += drain(notify_socket)  # sent before the stop, still in the socket
    assert 2 <= received.count("WATCHDOG=1") <= 21
    assert pings_during(notify_socket, 0.2) == []
