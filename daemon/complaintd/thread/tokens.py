"""Signed reply tokens: who may write into which ticket.

A token binds a reply address (``complaints+<token>@desk``) or a subject to one ticket
and one scope (``c`` the customer, ``a`` the desk agents, ``s<id>`` a contact sheet).
It is an HMAC-SHA256 of ``<number>.<scope>`` under ``desk.token_secret``, cut to 12
base32 characters (60 bits): enough that it cannot be guessed, short enough for a
local part (RFC 5321 allows 64 octets).  Mail systems may change the case of a local
part, so tokens are compared case-insensitively.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

_SIG_CHARS = 12
_TOKEN = re.compile(
    r"(?<![a-z0-9])(?P<number>[a-z][a-z0-9]{0,9}-\d{6}-\d{4,})\.(?P<scope>c|a|s\d+)\.(?P<sig>[a-z2-7]{12})(?![a-z0-9])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReplyToken:
    """A token found in a message; ``valid`` says whether its signature checks."""

    number: str  # upper-case ticket number
    scope: str
    valid: bool


def _signature(secret: bytes, number: str, scope: str) -> str:
    digest = hmac.new(secret, f"{number.upper()}.{scope}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:_SIG_CHARS].lower()


def make_token(secret: bytes, number: str, scope: str = "c") -> str:
    """Return the token for ``number`` and ``scope`` (lower case, address-safe)."""
    return f"{number.lower()}.{scope}.{_signature(secret, number, scope)}"


def reply_address(desk_address: str, token: str) -> str:
    """Return the plus-address that carries ``token`` (``local+token@domain``)."""
    local, _, domain = desk_address.partition("@")
    return f"{local}+{token}@{domain}"


def find_tokens(secret: bytes, texts: list[str]) -> list[ReplyToken]:
    """Find every token in ``texts`` (addresses, subject), each checked against ``secret``."""
    found: list[ReplyToken] = []
    for text in texts:
        for match in _TOKEN.finditer(text):
            number, scope = match["number"].upper(), match["scope"].lower()
            expected = _signature(secret, number, scope)
            valid = hmac.compare_digest(expected, match["sig"].lower())
            found.append(ReplyToken(number=number, scope=scope, valid=valid))
    return found
