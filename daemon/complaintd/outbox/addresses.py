"""Mail addresses as SMTP and the headers carry them (pure).

* An ASCII address goes as it is.
* An ASCII local part at a non-ASCII domain goes with the domain as its IDNA A-label
  (``a@公司.example`` -> ``a@xn--55qx5d.example``, RFC 5890), which every server takes.
* A non-ASCII local part (``张三@公司.example``) goes in UTF-8, intact: only a server that
  offers SMTPUTF8 (RFC 6531) can take it, and a header that carries it is RFC 6532 UTF-8.

An address that no server could take (no ``@``, spaces or control characters, a domain
that is not a valid IDN, longer than SMTP allows) raises :class:`AddressError` with the
reason in words; its mail fails alone, with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import idna

MAX_ADDRESS_OCTETS = 254  # RFC 5321 4.5.3.1.3: a path is 256 octets with its brackets
_UNSENDABLE = re.compile(r"[\x00-\x20\x7f<>\u0080-\u009f\u2028\u2029]")


class AddressError(ValueError):
    """An address that cannot be written into an SMTP command or a header."""


def wire_address(address: str) -> str:
    """``address`` as it goes to the server and into To:/From:; raise :class:`AddressError`."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise AddressError(f"{address!r} is not a mail address (local-part@domain)")
    if _UNSENDABLE.search(address):
        raise AddressError(f"{address!r} contains spaces, angle brackets or control characters")
    wire = f"{local}@{_wire_domain(domain, keep_unicode=not local.isascii())}"
    size = len(wire.encode("utf-8"))
    if size > MAX_ADDRESS_OCTETS:
        raise AddressError(
            f"the address is {size} octets long; SMTP allows {MAX_ADDRESS_OCTETS} (RFC 5321)"
        )
    return wire


def _wire_domain(domain: str, *, keep_unicode: bool) -> str:
    """An ASCII domain as it is; an IDN checked, and as its A-label unless ``keep_unicode``."""
    if domain.isascii():
        return domain
    try:
        a_label = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise AddressError(f"the domain {domain!r} is not a valid IDN: {exc}") from exc
    return domain if keep_unicode else a_label


def needs_smtputf8(addresses: Iterable[str]) -> bool:
    """True when any of ``addresses`` (in wire form) can only travel with SMTPUTF8."""
    return not all(address.isascii() for address in addresses)


def address_problem(address: str) -> str | None:
    """Why ``address`` can never be sent, or None when it can."""
    try:
        wire_address(address)
    except AddressError as exc:
        return str(exc)
    return None
