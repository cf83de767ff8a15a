"""Signed reply tokens: who may write into which ticket.

A token binds a reply address (``complaints+<token>@desk``) or a subject to one ticket
and one scope (``c`` the customer, ``a`` the desk agents, ``s<id>`` a contact sheet).
It is an HMAC-SHA256 of ``<number>.<scope>`` under ``desk.token_secret``, cut to 12
base32 characters (60 bits): enough that it cannot be guessed, short enough for a
local part (RFC 5321 allows 64 octets).  Mail systems may change the case of a local
part, so tokens are compared case-insensitively.

Many enterprise mail hosts do not deliver sub-addresses, so internal mail also carries
its token in the subject tag: ``[TS-202611-0001/S2-K7Q2M9XDAB]`` (scope and the first 10
characters of the same signature, 50 bits; a forger gets one try per mail).
"""

from __future__ import annotations

import functools
import hmac
import re
from dataclasses import dataclass

_SIG_CHARS = 12
_SUBJECT_SIG_CHARS = 10
_TOKEN = re.compile(
    r"(?<![a-z0-9])(?P<number>[a-z][a-z0-9]{0,9}-\d{6}-\d{4,})\.(?P<scope>c|a|s\d+)\.(?P<sig>[a-z2-7]{12})(?![a-z0-9])",
    re.IGNORECASE,
)
_SUBJECT_TOKEN = re.compile(
    r"\[\s*(?P<number>[a-z][a-z0-9]{0,9}-\d{6}-\d{4,})/(?P<scope>c|a|s\d+)-(?P<sig>[a-z2-7]{10})\s*\]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReplyToken:
    """A token found in a message; ``valid`` says whether its signature checks."""

    number: str  # upper-case ticket number
    scope: str
    valid: bool


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648's alphabet, lower case
_SIG_BITS = 5 * _SIG_CHARS  # the digest's first bits the token shows


@functools.lru_cache(maxsize=4096)  # each mail signs its Reply-To and its subject tag
def _signature(secret: bytes, number: str, scope: str) -> str:
    """The first _SIG_CHARS characters of the base32 (RFC 4648) of the HMAC-SHA256 of
    ``<NUMBER>.<scope>``, lower case: the one-shot HMAC, and only the bits shown encoded
    (``base64.b32encode`` of the whole digest is Python: 6 us a token against 4.5)."""
    digest = hmac.digest(secret, f"{number.upper()}.{scope}".encode(), "sha256")
    bits = int.from_bytes(digest[:8], "big") >> (64 - _SIG_BITS)
    return "".join(_BASE32[(bits >> shift) & 31] for shift in range(_SIG_BITS - 5, -1, -5))


def make_token(secret: bytes, number: str, scope: str = "c") -> str:
    """Return the token for ``number`` and ``scope`` (lower case, address-safe)."""
    return f"{number.lower()}.{scope}.{_signature(secret, number, scope)}"


def reply_address(desk_address: str, token: str) -> str:
    """Return the plus-address that carries ``token`` (``local+token@domain``)."""
    local, _, domain = desk_address.partition("@")
    return f"{local}+{token}@{domain}"


def subject_tag(secret: bytes, number: str, scope: str) -> str:
    """The subject tag carrying ``scope``'s token: ``TS-202611-0001/S2-K7Q2M9XDAB``."""
    signature = _signature(secret, number, scope)[:_SUBJECT_SIG_CHARS]
    return f"{number.upper()}/{scope.upper()}-{signature.upper()}"


def find_tokens(secret: bytes, texts: list[str], subject: str = "") -> list[ReplyToken]:
    """Find every token in ``texts`` (addresses) and in ``subject``'s tags, each checked."""
    found = [_checked(secret, match) for text in texts for match in _TOKEN.finditer(text)]
    found += [_checked(secret, match) for match in _TOKEN.finditer(subject)]
    found += [_checked(secret, match) for match in _SUBJECT_TOKEN.finditer(subject)]
    return found


def _checked(secret: bytes, match: re.Match[str]) -> ReplyToken:
    """The token ``match`` found, with its signature (full or subject length) checked."""
    number, scope, signature = match["number"].upper(), match["scope"].lower(), match["sig"]
    expected = _signature(secret, number, scope)[: len(signature)]
    valid = hmac.compare_digest(expected, signature.lower())
    return ReplyToken(number=number, scope=scope, valid=valid)


def subject_tag_numbers(subject: str, prefix: str) -> list[str]:
    """The ticket numbers tagged ``[PREFIX-YYYYMM-NNNN]`` (or a scoped tag) in ``subject``."""
    pattern = rf"\[\s*({re.escape(prefix)}-\d{{6}}-\d{{4,}})(?:/[a-z0-9]+-[a-z2-7]+)?\s*\]"
    return [m.upper() for m in re.findall(pattern, subject, flags=re.IGNORECASE)]
