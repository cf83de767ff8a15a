"""The one error hierarchy of complaintd.

Four kinds, after Zulip's email gateway and Mailman's runners:

* :class:`ConfigError` - the operator's configuration is wrong; names the key.
* :class:`TransientError` - try again later (server down, lock timeout).
* :class:`PermanentError` - this input can never be processed; quarantine it.
* :class:`SenderError` - the sender's fault; they may be told.
"""

from __future__ import annotations

import socket
import ssl


class ComplaintdError(Exception):
    """Base of every error complaintd raises on purpose."""


class ConfigError(ComplaintdError):
    """A configuration value is missing or invalid.

    ``key`` is the dotted path of the offending key (``mailbox[0].port``).
    """

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


class TransientError(ComplaintdError):
    """A failure that may go away by itself: retry with backoff."""


class PermanentError(ComplaintdError):
    """A failure that retrying cannot fix: quarantine the input with this error."""


class SenderError(PermanentError):
    """The input is unusable because of what the sender did."""


class UsageError(ComplaintdError):
    """The command line asks for something that cannot be done (exit status 2)."""


class NotFoundError(ComplaintdError):
    """A ticket, message or row named on the command line does not exist."""


def connection_problem(host: str, port: int, error: BaseException) -> str:
    """Why ``host``:``port`` could not be reached, worded for an operator (pure).

    Looks through wrappers (aiosmtplib's SMTPConnectError) at the socket error
    underneath: a refused connection means nothing listens there, a timeout a host that
    does not answer (or a firewall), a failed lookup a misspelt host name.
    """
    chain: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__cause__ or link.__context__
    cause = next((e for e in reversed(chain) if isinstance(e, OSError)), None)
    where = f"{host}:{port}"
    if isinstance(cause, ConnectionRefusedError):
        return (
            f"nothing answers at {where} (connection refused): is the server running,"
            " and are host and port right?"
        )
    if isinstance(cause, TimeoutError):
        return (
            f"{where} did not answer in time: is the host up, and does a firewall let us through?"
        )
    if isinstance(cause, socket.gaierror):
        return f"cannot find host {host!r} ({cause.strerror}): is the host name right?"
    if isinstance(cause, ssl.SSLError):
        return (
            f"TLS with {where} failed ({cause.reason or cause}):"
            " does tls match what this port speaks?"
        )
    return f"{where}: {error}"
