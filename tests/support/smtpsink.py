"""A real SMTP server on 127.0.0.1 that keeps every message it accepts.

``SmtpSink`` wraps aiosmtpd's threaded ``Controller`` for tests of the outbox,
``make demo`` and ``make bench``.  Besides accepting mail it can misbehave on
purpose so delivery retries can be tested against a real server:

* ``mode="ok"``: answer 250 to every DATA;
* ``mode="tempfail"``: answer 451 to every DATA;
* ``mode="tempfail_first:N"``: answer 451 to the first N DATA commands, then 250;
* ``mode="permfail"``: answer 550 to every DATA;
* ``stop()`` then ``start()``: the server is down (connection refused) and comes
  back on the same port.

``SmtpSink(smtputf8=False)`` is a server without the SMTPUTF8 extension (RFC 6531),
as many still are: it does not offer it after EHLO and refuses non-ASCII commands.

Typical use::

    with SmtpSink() as sink:
        smtplib.SMTP(sink.host, sink.port).sendmail(...)
        [message] = sink.wait_for(1, timeout=5)
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import errno
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.ports import LOOPBACK, can_bind, free_port
from tests.support.served import Served

__all__ = ["SinkMessage", "SmtpSink", "parse_mode"]

OK_REPLY = "250 2.0.0 OK: queued by complaintd test sink"
TEMPFAIL_REPLY = "451 4.3.0 Temporary failure, please retry (test sink)"
PERMFAIL_REPLY = "550 5.7.1 Message rejected (test sink)"

_BIND_ATTEMPTS = 5


@dataclass(frozen=True)
class SinkMessage:
    """One message as the sink saw it at DATA time."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    received_at: dt.datetime
    peer: str
    # The reply the sink gave: "250 ...", "451 ..." or "550 ...".
    reply: str
    # The parameters of MAIL FROM, e.g. ("SMTPUTF8", "BODY=8BITMIME").
    mail_options: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        """True when the sink answered 250 to this DATA."""
        return self.reply.startswith("250")

    def parsed(self) -> EmailMessage:
        """Parse the raw bytes with the modern email policy."""
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)  # guaranteed by policy.default
        return parsed


def parse_mode(mode: str) -> tuple[str, int]:
    """Split a mode string into (kind, N); raise ValueError for unknown modes.

    ``"tempfail_first:3"`` gives ``("tempfail_first", 3)``; other modes give N = 0.
    """
    kind, _, count = mode.partition(":")
    if kind in ("ok", "tempfail", "permfail") and not count:
        return kind, 0
    if kind == "tempfail_first" and count.isdigit():
        return kind, int(count)
    raise ValueError(
        f"unknown SMTP sink mode {mode!r}; use ok, tempfail, tempfail_first:N or permfail"
    )


class _SinkHandler:
    """aiosmtpd handler: decides the DATA reply and records the attempt."""

    def __init__(self, sink: SmtpSink) -> None:
        """Bind the handler to the sink that owns the message lists."""
        self._sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Answer DATA according to the sink's mode and record the message."""
        reply = self._sink._next_reply()
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")
        peer = session.peer
        self._sink._record(
            SinkMessage(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                raw=raw,
                received_at=dt.datetime.now(dt.UTC),
                peer=f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer),
                reply=reply,
                mail_options=tuple(envelope.mail_options),
            )
        )
        return reply


class SmtpSink(Served):
    """A collecting SMTP server on 127.0.0.1 with switchable failure modes."""

    def __init__(self, mode: str = "ok", port: int | None = None, *, smtputf8: bool = True) -> None:
        """Prepare a sink in *mode*; *port* None picks a free port at first start().

        *smtputf8* False makes a server that does not offer SMTPUTF8.
        """
        self._kind, self._fail_budget = parse_mode(mode)
        self._mode = mode
        self._port = port
        self._smtputf8 = smtputf8
        self._lock = threading.Condition()
        self._messages: list[SinkMessage] = []
        self._rejected: list[SinkMessage] = []
        self._data_commands = 0
        self._controller: Controller | None = None

    # -- lifecycle ---------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the SMTP listener is up."""
        return self._controller is not None

    def start(self) -> None:
        """Start listening; after a stop() this reuses the same port."""
        if self._controller is not None:
            raise RuntimeError("SmtpSink already running")
        if self._port is not None:
            # Restart after stop(): the port is fixed, clients expect it back.
            self._controller = self._start_controller(self._port)
            return
        last_error: OSError | None = None
        for _attempt in range(_BIND_ATTEMPTS):
            port = free_port()
            try:
                self._controller = self._start_controller(port)
            except OSError as error:
                # Someone took the port between probe and bind: pick another.
                if error.errno != errno.EADDRINUSE:
                    raise
                last_error = error
                continue
            self._port = port
            return
        raise RuntimeError(f"SmtpSink could not bind a free port: {last_error}")

    def _start_controller(self, port: int) -> Controller:
        """Create and start a fresh Controller (a stopped one cannot be restarted)."""
        # Controller.start() only notices a failed bind after its ready timeout;
        # probing first turns a taken port into an immediate EADDRINUSE.
        if not can_bind(port):
            raise OSError(errno.EADDRINUSE, f"port {port} on {LOOPBACK} is in use")
        controller = Controller(
            _SinkHandler(self),
            hostname=LOOPBACK,
            port=port,
            server_hostname="sink.complaintd.test",
            enable_SMTPUTF8=self._smtputf8,
            ready_timeout=10.0,
        )
        controller.start()
        return controller

    def stop(self) -> None:
        """Stop listening (connections are dropped); collected messages are kept."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    # -- properties --------------------------------------------------------

    @property
    def host(self) -> str:
        """The address the sink listens on (always loopback)."""
        return LOOPBACK

    @property
    def port(self) -> int:
        """The sink's port; stable across stop()/start()."""
        if self._port is None:
            raise RuntimeError("SmtpSink has not been started")
        return self._port

    @property
    def mode(self) -> str:
        """The current failure mode string."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        """Switch mode; a tempfail_first:N budget counts from this moment."""
        kind, budget = parse_mode(mode)
        with self._lock:
            self._mode, self._kind, self._fail_budget = mode, kind, budget

    @property
    def messages(self) -> list[SinkMessage]:
        """A snapshot of the accepted (250) messages, in arrival order."""
        with self._lock:
            return list(self._messages)

    @property
    def rejected(self) -> list[SinkMessage]:
        """A snapshot of DATA attempts answered 451 or 550, in arrival order."""
        with self._lock:
            return list(self._rejected)

    @property
    def data_commands(self) -> int:
        """How many DATA commands the sink has answered, accepted or not."""
        with self._lock:
            return self._data_commands

    def clear(self) -> None:
        """Forget collected and rejected messages (the mode is unchanged)."""
        with self._lock:
            self._messages.clear()
            self._rejected.clear()

    def wait_for(self, n: int, timeout: float = 10.0) -> list[SinkMessage]:
        """Block until at least *n* messages were accepted; return them all.

        Raises TimeoutError (with the count so far) if that takes longer than *timeout*.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._messages) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"SmtpSink got {len(self._messages)} of {n} messages in {timeout}s "
                        f"({len(self._rejected)} rejected)"
                    )
                self._lock.wait(remaining)
            return list(self._messages)

    # -- called from the aiosmtpd thread -----------------------------------

    def _next_reply(self) -> str:
        """Decide the reply to the DATA command being answered now."""
        with self._lock:
            self._data_commands += 1
            if self._kind == "permfail":
                return PERMFAIL_REPLY
            if self._kind == "tempfail":
                return TEMPFAIL_REPLY
            if self._kind == "tempfail_first" and self._fail_budget > 0:
                self._fail_budget -= 1
                return TEMPFAIL_REPLY
            return OK_REPLY

    def _record(self, message: SinkMessage) -> None:
        """Store *message* in the accepted or rejected list and wake waiters."""
        with self._lock:
            target = self._messages if message.accepted else self._rejected
            target.append(message)
            self._lock.notify_all()

    def __repr__(self) -> str:
        """Show port, mode and counts for test failure output."""
        state: dict[str, Any] = {
            "port": self._port,
            "mode": self._mode,
            "smtputf8": self._smtputf8,
            "running": self.running,
            "accepted": len(self._messages),
            "rejected": len(self._rejected),
        }
        return f"SmtpSink({', '.join(f'{k}={v!r}' for k, v in state.items())})"
