"""Fax numbers in one form, so a caller is recognised however the gateway wrote it.

``+86 21 5555-0198``, ``0086 21 55550198``, ``021-5555 0198`` and ``(021) 55550198``
are one number: ``+862155550198``.  Numbers are Chinese unless they say otherwise
(``+`` or ``00`` and a country code); a national number drops its trunk ``0``.
A short local number without area code is kept as its digits.
"""

from __future__ import annotations

import re

__all__ = ["dial_digits", "normalise_fax_number"]

HOME_COUNTRY = "86"
_ALLOWED = re.compile(r"[+\d\s().\-/]+")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_fax_number(raw: str) -> str | None:
    """``raw`` as ``+<country><number>`` (or bare local digits); None if it is no number."""
    text = raw.strip()
    if not text or not _ALLOWED.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if not 5 <= len(digits) <= 17:
        return None
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return f"+{HOME_COUNTRY}{digits[1:]}"
    if _MOBILE.fullmatch(digits):
        return f"+{HOME_COUNTRY}{digits}"
    if digits.startswith(HOME_COUNTRY) and len(digits) >= 12:
        return "+" + digits  # 86 and a national number, without the +
    return digits


def dial_digits(number: str) -> str:
    """The number as fax gateways take it in an address: international digits, no ``+``."""
    return number.lstrip("+")
