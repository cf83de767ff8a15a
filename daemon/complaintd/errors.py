"""The one error hierarchy of complaintd.

Four kinds, after Zulip's email gateway and Mailman's runners:

* :class:`ConfigError` - the operator's configuration is wrong; names the key.
* :class:`TransientError` - try again later (server down, lock timeout).
* :class:`PermanentError` - this input can never be processed; quarantine it.
* :class:`SenderError` - the sender's fault; they may be told.
"""

from __future__ import annotations


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
