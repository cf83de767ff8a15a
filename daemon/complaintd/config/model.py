"""The validated configuration, as frozen dataclasses.

Only :mod:`complaintd.config.loader` builds these; everything else reads them.
Secrets are already resolved here (from ``*_env`` / ``*_file``), never from the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo

from complaintd.classify import ClassifyRules, ExtractPatterns

SEVERITY_LEVELS = ("serious", "important", "general")
TLS_MODES = ("ssl", "starttls", "none")
MAILBOX_KINDS = ("complaint", "fax")
LANGUAGES = ("zh-CN", "en")


@dataclass(frozen=True)
class DatabaseConfig:
    """Where the ledger lives: ``sqlite:////absolute/path`` or ``postgresql://user@host/db``.

    A relative SQLite path in the file has already been made absolute against the
    configuration file's directory.
    """

    url: str


@dataclass(frozen=True)
class DeskConfig:
    """The complaint desk itself."""

    name: str
    name_en: str | None  # the desk's name in English mail (``name`` when absent)
    address: str
    timezone: ZoneInfo
    ticket_prefix: str
    default_language: str
    agents: tuple[str, ...]
    admins: tuple[str, ...]
    response_lead: str | None
    token_secret: bytes
    ack_window_hours: float
    repeat_window_days: int
    max_attachment_bytes: int
    # Reply tokens ride in ``local+TOKEN@domain`` only when the mail host delivers
    # sub-addresses; the subject tag carries them either way (issue 9, item 7).
    plus_addressing: bool = True
    # The MTA whose Authentication-Results header agent and department actions need
    # (RFC 8601); None: no such requirement.
    trusted_authserv_id: str | None = None
    # A flood: one sender's new complaints beyond this many arriving within the window
    # go into their latest ticket (tagged ``flood``) with one alert to staff; 0 turns it
    # off.  A complaint within the window of the sender's last one is not a repeat.
    flood_max_tickets: int = 5
    flood_window_minutes: int = 10


@dataclass(frozen=True)
class MailboxConfig:
    """One IMAP mailbox to fetch (the complaint mailbox or the fax inbox)."""

    name: str
    kind: str
    host: str
    port: int
    tls: str
    username: str
    password: str = field(repr=False)
    folder: str
    processed_folder: str | None
    quarantine_folder: str | None
    idle: bool
    poll_seconds: float
    batch_size: int


@dataclass(frozen=True)
class SmtpConfig:
    """The SMTP server the outbox delivers through."""

    host: str
    port: int
    tls: str
    username: str | None
    password: str | None = field(repr=False)
    from_address: str
    timeout_seconds: float
    concurrency: int  # parallel SMTP connections of the sender
    retry_deadline_hours: float  # temporary failures are retried until then


@dataclass(frozen=True)
class DepartmentConfig:
    """A department that answers contact sheets by email."""

    key: str
    name: str
    emails: tuple[str, ...]
    manager: str | None


@dataclass(frozen=True)
class SlaConfig:
    """Service levels for one severity, in hours."""

    first_response_hours: float
    department_reply_hours: float
    resolve_hours: float


@dataclass(frozen=True)
class ScheduleConfig:
    """When the time-driven jobs run."""

    digest_time: time
    chase_every_hours: float
    escalate_after_reminders: int
    survey_after_days: float
    survey_reminder_days: float
    # A customer with this many complaints within at_risk_days who leaves a survey
    # unanswered is at risk of being lost.
    at_risk_complaints: int = 2
    at_risk_days: float = 90


@dataclass(frozen=True)
class CalendarConfig:
    """Business time (``[calendar]``): due times count working hours only."""

    country: str  # "CN": official holidays and make-up workdays; "": none
    opens: time | None  # business hours in the desk's zone; None: the whole day
    closes: time | None  # None: midnight at the day's end
    extra_holidays: frozenset[date]
    extra_workdays: frozenset[date]


@dataclass(frozen=True)
class FaxCustomer:
    """One line of ``[fax] customer_directory``: a customer known by fax number."""

    fax: str  # normalised (complaintd.fax.numbers.normalise)
    name: str
    email: str | None


@dataclass(frozen=True)
class FaxConfig:
    """The fax-to-email gateway and the reading of faxes."""

    caller_pattern: str | None  # None: only the built-in gateway formats
    reply_address_template: str
    ocr_languages: str = "chi_sim+eng"  # Tesseract's languages (the fallback engine)
    ocr_page_seconds: float = 30.0  # per page; past it the page is left to a person
    directory: tuple[FaxCustomer, ...] = ()  # from customer_directory


@dataclass(frozen=True)
class MetricsConfig:
    """The Prometheus endpoint (``[metrics] listen``)."""

    host: str
    port: int


@dataclass(frozen=True)
class Config:
    """The whole configuration."""

    source: str  # the file it came from, for messages
    database: DatabaseConfig
    desk: DeskConfig
    mailboxes: tuple[MailboxConfig, ...]
    smtp: SmtpConfig
    departments: tuple[DepartmentConfig, ...]
    routing: dict[str, tuple[str, ...]]
    sla: dict[str, SlaConfig]
    schedule: ScheduleConfig
    fax: FaxConfig
    classify: ClassifyRules
    extract: ExtractPatterns
    templates_dir: str | None = None
    calendar: CalendarConfig | None = None  # None: time runs around the clock
    metrics: MetricsConfig | None = None  # None: no Prometheus endpoint
