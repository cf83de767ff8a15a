"""What an operator reads when a server cannot be reached (real sockets, no mocks)."""

from __future__ import annotations

import asyncio
import socket

import aiosmtplib
import pytest

from complaintd.errors import connection_problem
from tests.support.ports import LOOPBACK, free_port


def _refused_by_smtp(port: int) -> BaseException:
    async def connect() -> None:
        await aiosmtplib.SMTP(hostname=LOOPBACK, port=port, timeout=5).connect()

    with pytest.raises(aiosmtplib.SMTPConnectError) as caught:
        asyncio.run(connect())
    return caught.value


def test_a_refused_connection_says_nothing_answers_there() -> None:
    port = free_port()
    with pytest.raises(ConnectionRefusedError) as caught:
        socket.create_connection((LOOPBACK, port), timeout=5)
    expected = f"nothing answers at {LOOPBACK}:{port} (connection refused): is the server running"
    assert connection_problem(LOOPBACK, port, caught.value).startswith(expected)
    # aiosmtplib wraps the socket error in its own: the same words come out
    assert connection_problem(LOOPBACK, port, _refused_by_smtp(port)).startswith(expected)


def test_an_unknown_host_name_is_named() -> None:
    with pytest.raises(socket.gaierror) as caught:
        socket.getaddrinfo("imap.nosuch.invalid", 993)
    problem = connection_problem("imap.nosuch.invalid", 993, caught.value)
    assert problem.startswith("cannot find host 'imap.nosuch.invalid' (")
    assert problem.endswith("is the host name right?")


def test_anything_else_keeps_the_servers_words() -> None:
    error = aiosmtplib.SMTPResponseException(554, "5.7.1 relay denied")
    assert connection_problem("mx", 25, error) == "mx:25: (554, '5.7.1 relay denied')"
