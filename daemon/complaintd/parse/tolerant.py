"""The stdlib parser, hardened against the inputs that make it raise.

``email.message.Message.get_param`` raises ``TypeError`` on malformed RFC 2231
continuations (``boundary*=x; boundary*0=y``), and the parser itself calls it
to find multipart boundaries - so one bad parameter would make the whole
message unparseable.  :class:`TolerantMessage` answers "no such parameter"
instead; the MIME walk then recovers the boundary from the body.
"""

from __future__ import annotations

from email import policy
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from typing import Any, cast

# What the stdlib's RFC 2231 decoding raises on malformed continuations.
_PARAM_ERRORS = (TypeError, ValueError, IndexError)


class TolerantMessage(Message):
    """A compat32 message whose parameter lookups never raise."""

    def get_param(self, *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`Message.get_param`, but ``failobj`` on malformed parameters."""
        try:
            return super().get_param(*args, **kwargs)
        except _PARAM_ERRORS:
            return _failobj(args, kwargs, 1)

    def get_params(self, *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`Message.get_params`, but ``failobj`` on malformed parameters."""
        try:
            return super().get_params(*args, **kwargs)
        except _PARAM_ERRORS:
            return _failobj(args, kwargs, 0)


def _failobj(args: tuple[Any, ...], kwargs: dict[str, Any], position: int) -> Any:
    """The caller's ``failobj`` argument, positional or keyword (default None)."""
    if "failobj" in kwargs:
        return kwargs["failobj"]
    return args[position] if len(args) > position else None


def parse_bytes(data: bytes) -> TolerantMessage:
    """Parse a whole message (compat32 policy) into :class:`TolerantMessage` parts."""
    parser = BytesParser(_class=TolerantMessage, policy=policy.compat32)
    return cast(TolerantMessage, parser.parsebytes(data))


def parse_headers(data: bytes) -> TolerantMessage:
    """Parse only the header block; the body stays one unparsed payload."""
    parser = BytesHeaderParser(_class=TolerantMessage, policy=policy.compat32)
    return cast(TolerantMessage, parser.parsebytes(data))
