"""What a fax gateway's mail says: caller, pages, time received, the document (pure).

Understood without configuration:

* HylaFAX's ``faxrcvd`` mail: the caller is the ``CallID1:`` line of the body (the
  number the telephone network delivered).  Its subject, "Facsimile received from X",
  and its ``Sender:`` line carry the *sending machine's station id* (TSI), which anyone
  can set to anything, so they are never taken as the number.
* Commercial fax-to-email services: "Fax from NUMBER", "Fax received from NUMBER",
  "caller ID: NUMBER", "来自 NUMBER 的传真" in the subject (then the body).

``[fax] caller_pattern``, when set, is tried before the built-in services (never
before HylaFAX's ``CallID1``, which cannot be forged by the sender).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from complaintd.fax.numbers import normalise_fax_number
from complaintd.parse.model import Attachment, ParsedMessage

__all__ = ["FaxArrival", "fax_document", "read_gateway_mail"]

DOCUMENT_TYPES = {"image/tiff": "tiff", "image/tif": "tiff", "application/pdf": "pdf"}
# Digits with dashes, dots or single spaces between them, an area code maybe in
# parentheses; never what follows it ("0198 (2 pages)").
_NUMBER = r"(?P<number>\+?(?:\(?\d{1,4}\)?[\s\-.]?)?\d(?:[\d\-.]|[ \t](?=\d)){3,24}\d)"
# HylaFAX faxrcvd: "CallID1: 02155550198" (CallID2 is the caller's name, if any).
_HYLAFAX_CALLID = re.compile(r"^\s*CallID1:[ \t]*(?P<number>[^\n]*?)\s*$", re.MULTILINE)
_HYLAFAX_MARK = re.compile(r"^\s*(CallID1|CommID|Received On|Time To Rec(eive|v)):", re.MULTILINE)
_HYLAFAX_PAGES = re.compile(r"^\s*Pages:\s*(\d+)", re.MULTILINE)
_HYLAFAX_RECEIVED = re.compile(
    r"^\s*Received:\s*(\d{4})[:/-](\d\d)[:/-](\d\d)[ T](\d\d):(\d\d):(\d\d)", re.MULTILINE
)
_SERVICE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\bfax\s+(?:received\s+)?from\s*:?\s*{_NUMBER}",
        rf"\bcaller[\s-]*id\s*[:：]?\s*{_NUMBER}",
        rf"\bfrom\s+fax\s*(?:number|no\.?)?\s*[:：]?\s*{_NUMBER}",
        rf"来自\s*{_NUMBER}\s*的传真",
        rf"(?:来电号码|主叫号码|传真号码|發送方號碼)\s*[:：]?\s*{_NUMBER}",
    )
)
_PAGES = re.compile(
    r"(?:\bpages?\s*[:：]\s*(\d+)|(\d+)\s*pages?\b|页数\s*[:：]?\s*(\d+)|共\s*(\d+)\s*页)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FaxArrival:
    """What the gateway told us about one received fax."""

    gateway: str  # "hylafax" | "service" | "configured" | "unknown"
    number: str | None  # the caller, normalised; None when the gateway did not say
    pages: int | None  # as the gateway counted them
    received_at: datetime | None
    document: Attachment | None  # the TIFF or PDF


def read_gateway_mail(parsed: ParsedMessage, caller_pattern: str | None) -> FaxArrival:
    """The caller, page count, time and document of a gateway's mail."""
    body = parsed.body.text[:8000]
    document = fax_document(parsed.attachments)
    if _HYLAFAX_MARK.search(body):
        call = _HYLAFAX_CALLID.search(body)
        return FaxArrival(
            "hylafax",
            normalise_fax_number(call.group("number")) if call else None,
            _first_int(_HYLAFAX_PAGES, body),
            _hylafax_received(body) or parsed.date,
            document,
        )
    gateway, number = _service_number(parsed.subject, body, caller_pattern)
    return FaxArrival(gateway, number, _first_int(_PAGES, body), parsed.date, document)


def fax_document(attachments: tuple[Attachment, ...]) -> Attachment | None:
    """The received fax among the attachments: the first TIFF or PDF (by type or name)."""
    for attachment in attachments:
        if document_kind(attachment.content_type, attachment.filename) is not None:
            return attachment
    return None


def document_kind(content_type: str, filename: str) -> str | None:
    """``"tiff"`` or ``"pdf"`` for a fax document, else None."""
    kind = DOCUMENT_TYPES.get(content_type.lower())
    if kind is None:
        suffix = filename.lower().rsplit(".", 1)[-1]
        kind = {"tif": "tiff", "tiff": "tiff", "pdf": "pdf"}.get(suffix)
    return kind


def _service_number(subject: str, body: str, caller_pattern: str | None) -> tuple[str, str | None]:
    """The caller from a configured pattern, then the built-in services' wording."""
    candidates: list[tuple[str, re.Pattern[str]]] = []
    if caller_pattern:
        candidates.append(("configured", re.compile(caller_pattern)))
    candidates.extend(("service", pattern) for pattern in _SERVICE_PATTERNS)
    for gateway, pattern in candidates:
        for text in (subject, body):
            match = pattern.search(text)
            if match:
                number = normalise_fax_number(match.group("number"))
                if number is not None:
                    return gateway, number
    return "unknown", None


def _first_int(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    if not match:
        return None
    value = next(group for group in match.groups() if group)
    return int(value) if 0 < int(value) < 1000 else None


def _hylafax_received(body: str) -> datetime | None:
    """HylaFAX's ``Received: 2026:11:20 09:58:31`` (the fax server's local time)."""
    match = _HYLAFAX_RECEIVED.search(body)
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
