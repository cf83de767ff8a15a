"""Is this message machine-generated?  Which rule says so?

Rules run in order, first match wins: bounces, then auto-replies, then lists,
then other robots.  Bounces come first because DSNs often also carry
``Auto-Submitted`` (RFC 3834 section 5) and we want to attach them to tickets.

Choices worth knowing:

* ``X-Auto-Response-Suppress`` alone is *not* a signal: Exchange and Outlook
  put it on ordinary person-written mail (meeting requests, messages passing
  some transport rules) and CRMs add it everywhere.  Only ``All``, ``OOF`` or
  ``AutoReply`` together with an auto-reply-like subject ("Away", "休假") counts.
* Some subjects are machine-only ("Delivery Status Notification", "自动回复")
  and count alone.  Others are words our customers use - we are a logistics
  desk and people write "Undeliverable parcel" or "Delivery failure" - so such
  subjects count only with a null Return-Path, ``Auto-Submitted`` or a report part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from complaintd.parse.model import AutomatedKind

Verdict = tuple[AutomatedKind, str]


@dataclass(frozen=True)
class Signals:
    """The facts about a message that automated-mail detection looks at."""

    headers: Mapping[str, str]  # lower-cased name -> first decoded value
    subject: str
    sender: str  # lower-cased From address, or the From text when it has none
    return_path: str | None  # None when absent, '' for the null sender <>
    content_type: str  # top-level MIME type, lower-cased
    report_type: str  # lower-cased report-type parameter, '' if none
    report_parts: tuple[str, ...]  # machine-readable report parts found


_BOUNCE_SENDER = re.compile(r"^(mailer[-_]?daemon|mail[-_]daemon|post[-_]?master)(@|$|\W)", re.I)
_NOREPLY_LOCAL_PART = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"^\W*(delivery status notification|undelivered mail returned to sender|mail delivery failed"
    r"|returned mail|failure notice|delivery notification: delivery has failed|mail system error"
    r"|undeliverable (mail|message)|message not delivered|nondeliverable mail"
    r"|warning: message .* delayed)|系统退信|退信通知|邮件退信|退信[:：]",
    re.IGNORECASE,
)
# Words people also write; counted only with corroboration (see module docstring).
_WEAK_BOUNCE_SUBJECT = re.compile(
    r"^\W*(undeliverable|delivery failure|unzustellbar|non remis|non recapitabile)\b", re.I
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\W*(automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|out of (the )?office|ooo\b"
    r"|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática"
    r"|risposta automatica|automatisch antwoord)|自动回复|自動回覆|自動回复|自动答复",
    re.IGNORECASE,
)
_WEAK_AUTO_REPLY_SUBJECT = re.compile(
    r"\b(away|vacation|on leave|holiday|not in the office|absent)\b|休假|不在办公室|外出|请假",
    re.IGNORECASE,
)
_SUPPRESS_VALUES = re.compile(r"\b(all|oof|autoreply)\b", re.IGNORECASE)
# RFC 8098 read receipts and RFC 5965 abuse reports: machine mail, not bounces.
_ROBOT_REPORTS = ("disposition-notification", "feedback-report")
_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-autoreply-from", "x-mail-autoreply")
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "x-mailing-list", "mailing-list")


def classify(signals: Signals) -> tuple[AutomatedKind | None, str | None]:
    """Return (kind, reason) for a machine-generated message, else (None, None)."""
    for rule in _RULES:
        verdict = rule(signals)
        if verdict is not None:
            return verdict
    return None, None


def _report(s: Signals) -> Verdict | None:
    """RFC 6522 multipart/report: a DSN is a bounce; MDN and ARF are robots."""
    if s.content_type == "multipart/report" and s.report_type == "delivery-status":
        return AutomatedKind.BOUNCE, "content-type multipart/report; report-type=delivery-status"
    if "message/delivery-status" in s.report_parts:
        return AutomatedKind.BOUNCE, "message/delivery-status part (RFC 3464)"
    if s.content_type == "multipart/report" and s.report_type in _ROBOT_REPORTS:
        return (
            AutomatedKind.AUTO_GENERATED,
            f"content-type multipart/report; report-type={s.report_type}",
        )
    return None


def _other_report(s: Signals) -> Verdict | None:
    """A report of another or no type that no bounce rule recognised."""
    if s.content_type == "multipart/report":
        kind = s.report_type or "(none)"
        return AutomatedKind.AUTO_GENERATED, f"content-type multipart/report; report-type={kind}"
    return None


def _bounce_sender(s: Signals) -> Verdict | None:
    """Mail from mailer-daemon@ or postmaster@ is a delivery report."""
    if _BOUNCE_SENDER.match(s.sender):
        return AutomatedKind.BOUNCE, f"sender {s.sender}"
    return None


def _bounce_header(s: Signals) -> Verdict | None:
    """Exim's X-Failed-Recipients names the addresses that bounced."""
    if "x-failed-recipients" in s.headers:
        return AutomatedKind.BOUNCE, "header X-Failed-Recipients"
    return None


def _bounce_subject(s: Signals) -> Verdict | None:
    """Machine-only bounce subjects, or weak ones with corroboration."""
    if _BOUNCE_SUBJECT.search(s.subject):
        return AutomatedKind.BOUNCE, f"subject {s.subject[:60]!r}"
    corroborated = s.return_path == "" or _auto_submitted(s) is not None or bool(s.report_parts)
    if corroborated and _WEAK_BOUNCE_SUBJECT.search(s.subject):
        return AutomatedKind.BOUNCE, f"subject {s.subject[:60]!r} from an automated sender"
    return None


def _auto_submitted(s: Signals) -> str | None:
    """The RFC 3834 Auto-Submitted keyword when it is anything but ``no``."""
    value = s.headers.get("auto-submitted", "").strip().lower()
    keyword = value.split(";")[0].strip()
    return keyword if keyword and keyword != "no" else None


def _auto_reply_header(s: Signals) -> Verdict | None:
    """RFC 3834 auto-replied, and the X-Autoreply family."""
    if _auto_submitted(s) == "auto-replied":
        return AutomatedKind.AUTO_REPLY, "header Auto-Submitted: auto-replied"
    for name in _AUTO_REPLY_HEADERS:
        if name in s.headers:
            return AutomatedKind.AUTO_REPLY, f"header {name}: {s.headers[name][:40]}"
    if s.headers.get("precedence", "").strip().lower() == "auto_reply":
        return AutomatedKind.AUTO_REPLY, "header Precedence: auto_reply"
    return None


def _auto_reply_subject(s: Signals) -> Verdict | None:
    """Out-of-office subjects; weak ones need X-Auto-Response-Suppress."""
    if _AUTO_REPLY_SUBJECT.search(s.subject):
        return AutomatedKind.AUTO_REPLY, f"subject {s.subject[:60]!r}"
    suppress = s.headers.get("x-auto-response-suppress", "")
    if _SUPPRESS_VALUES.search(suppress) and _WEAK_AUTO_REPLY_SUBJECT.search(s.subject):
        reason = f"header X-Auto-Response-Suppress: {suppress[:30]} with subject {s.subject[:60]!r}"
        return AutomatedKind.AUTO_REPLY, reason
    return None


def _list(s: Signals) -> Verdict | None:
    """RFC 2369/2919 list headers, and Precedence: list or bulk."""
    for name in _LIST_HEADERS:
        if name in s.headers:
            return AutomatedKind.LIST, f"header {name}"
    precedence = s.headers.get("precedence", "").strip().lower()
    if precedence in ("list", "bulk"):
        return AutomatedKind.LIST, f"header Precedence: {precedence}"
    return None


def _auto_generated(s: Signals) -> Verdict | None:
    """Other robots: Auto-Submitted, Precedence: junk, no-reply senders."""
    keyword = _auto_submitted(s)
    if keyword is not None:
        return AutomatedKind.AUTO_GENERATED, f"header Auto-Submitted: {keyword}"
    if s.headers.get("precedence", "").strip().lower() == "junk":
        return AutomatedKind.AUTO_GENERATED, "header Precedence: junk"
    if _NOREPLY_LOCAL_PART.search(s.sender.split("@")[0]):
        return AutomatedKind.AUTO_GENERATED, f"sender {s.sender}"
    return None


_RULES: tuple[Callable[[Signals], Verdict | None], ...] = (
    _report,
    _bounce_sender,
    _bounce_header,
    _bounce_subject,
    _other_report,
    _auto_reply_header,
    _auto_reply_subject,
    _list,
    _auto_generated,
)
