"""Did the desk's own MTA authenticate the sender?  (RFC 8601 Authentication-Results.)

A ``From:`` address alone can be forged, so agent and department actions may also need
the verdict of the desk's MTA (``desk.trusted_authserv_id``).  Only the *topmost*
``Authentication-Results`` header counts, and only when it carries that authserv-id:
the MTA prepends its own header and must strip any header with its authserv-id that
arrived from outside (RFC 8601 section 5), so headers further down were written by
whoever sent the mail.  With Postfix, OpenDMARC runs after OpenDKIM, so its
``dmarc=`` verdict is the topmost header.  The sender passes with ``dmarc=pass``,
or with ``dkim=pass`` whose signing domain (``header.d``) is aligned with the From
domain (RFC 7489 3.1.1, relaxed: the same domain or one a subdomain of the other).

Parsing is done by ``authres`` (the dkimpy authors' RFC 8601 parser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import authres


class AuthStatus(StrEnum):
    """The outcome of checking a mail's Authentication-Results."""

    NOT_REQUIRED = "not_required"  # no trusted_authserv_id configured
    PASS = "pass"
    FAIL = "fail"


@dataclass(frozen=True)
class AuthVerdict:
    """The status and the words that justify it (kept in the audit trail)."""

    status: AuthStatus
    basis: str

    @property
    def refused(self) -> bool:
        """True when a required authentication is missing or failed."""
        return self.status is AuthStatus.FAIL


NOT_REQUIRED = AuthVerdict(AuthStatus.NOT_REQUIRED, "no authserv-id configured")


def check_authentication(
    header: str | None, trusted_authserv_id: str | None, from_domain: str | None
) -> AuthVerdict:
    """The verdict of the topmost ``Authentication-Results`` value ``header``.

    ``trusted_authserv_id`` None means no authentication is required.
    """
    if trusted_authserv_id is None:
        return NOT_REQUIRED
    if not header:
        return AuthVerdict(AuthStatus.FAIL, "no Authentication-Results header")
    unfolded = re.sub(r"\r?\n[ \t]+", " ", header)
    try:
        parsed = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {unfolded}")
    except Exception as exc:  # authres raises its own and ValueError/IndexError alike
        return AuthVerdict(AuthStatus.FAIL, f"unreadable Authentication-Results ({exc})")
    authserv = str(parsed.authserv_id or "").lower()
    if authserv != trusted_authserv_id.lower():
        return AuthVerdict(AuthStatus.FAIL, f"topmost Authentication-Results is from {authserv!r}")
    return _verdict(parsed.results, authserv, (from_domain or "").lower())


def _verdict(results: list[object], authserv: str, from_domain: str) -> AuthVerdict:
    """``dmarc=pass``, else an aligned ``dkim=pass``, else a failure naming what was seen."""
    seen = [f"{_attr(r, 'method')}={_attr(r, 'result')}" for r in results]
    for result in results:
        if _attr(result, "method") == "dmarc" and _attr(result, "result") == "pass":
            return AuthVerdict(AuthStatus.PASS, f"{authserv}: dmarc=pass")
    for result in results:
        if _attr(result, "method") == "dkim" and _attr(result, "result") == "pass":
            domain = _property(result, "header", "d")
            if domain and from_domain and _aligned(domain, from_domain):
                return AuthVerdict(AuthStatus.PASS, f"{authserv}: dkim=pass header.d={domain}")
    return AuthVerdict(AuthStatus.FAIL, f"{authserv}: {', '.join(seen) or 'no results'}")


def _attr(result: object, name: str) -> str:
    return str(getattr(result, name, "") or "").lower()


def _property(result: object, kind: str, name: str) -> str | None:
    """A result property such as ``header.d``, lower-cased."""
    for prop in getattr(result, "properties", None) or ():
        if prop.type == kind and prop.name == name:
            return str(prop.value).lower().strip()
    return None


def _aligned(signing_domain: str, from_domain: str) -> bool:
    """Relaxed alignment: equal, or one a subdomain of the other."""
    a, b = signing_domain.rstrip("."), from_domain.rstrip(".")
    return a == b or a.endswith("." + b) or b.endswith("." + a)
