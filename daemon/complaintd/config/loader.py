"""Load and validate the TOML configuration.

Every error is a :class:`~complaintd.errors.ConfigError` naming the dotted key and the
reason (``mailbox[1].port: must be an integer from 1 to 65535``), so ``complaintd check``
tells the operator exactly which line to fix.  Unknown keys are errors too: a typo must
not silently fall back to a default.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaintd.classify import patterns_from_config, rules_from_config
from complaintd.config.model import (
    LANGUAGES,
    MAILBOX_KINDS,
    SEVERITY_LEVELS,
    TLS_MODES,
    CalendarConfig,
    Config,
    DatabaseConfig,
    DepartmentConfig,
    DeskConfig,
    FaxConfig,
    FaxCustomer,
    MailboxConfig,
    MetricsConfig,
    ScheduleConfig,
    SlaConfig,
    SmtpConfig,
)
from complaintd.errors import ConfigError
from complaintd.fax.numbers import normalise_fax_number

T = TypeVar("T")
Table = Mapping[str, Any]
_MISSING: Any = object()
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

DEFAULT_SLA = {
    "serious": SlaConfig(2, 4, 24),
    "important": SlaConfig(8, 24, 72),
    "general": SlaConfig(24, 48, 168),
}
DEFAULT_CONFIG_PATH = "/etc/complaintd/complaintd.toml"
DEFAULT_DATABASE_URL = "sqlite:////var/lib/complaintd/complaintd.db"  # systemd's StateDirectory


class _Section:
    """A TOML table being read, remembering its dotted path and which keys were used."""

    def __init__(self, path: str, table: object) -> None:
        if not isinstance(table, Mapping):
            raise ConfigError(path, "must be a table")
        self.path = path
        self.table: Table = table
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        """Return the dotted path of ``name`` in this section."""
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, kind: type[T] | tuple[type, ...], default: Any = _MISSING) -> Any:
        """Return ``name`` checked to be of ``kind``; ``default`` when absent."""
        self.used.add(name)
        if name not in self.table:
            if default is _MISSING:
                raise ConfigError(self.key(name), "is required" + self._misspelt(name))
            return default
        value = self.table[name]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise ConfigError(self.key(name), f"must be a number, not {value!r}")
        if not isinstance(value, kind):
            raise ConfigError(self.key(name), f"must be {_kind_name(kind)}, not {value!r}")
        return value

    def text(self, name: str, default: Any = _MISSING) -> Any:
        """Return a non-empty string value."""
        value = self.get(name, str, default)
        if isinstance(value, str) and not value.strip():
            raise ConfigError(self.key(name), "must not be empty")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: Any = _MISSING) -> Any:
        """Return a string that must be one of ``choices``."""
        value = self.text(name, default)
        if value is not None and value not in choices:
            raise ConfigError(self.key(name), f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def number(self, name: str, default: Any = _MISSING, *, minimum: float = 0) -> float:
        """Return a number not below ``minimum``."""
        value = float(self.get(name, (int, float), default))
        if value < minimum:
            raise ConfigError(self.key(name), f"must be at least {minimum:g}, not {value:g}")
        return value

    def integer(self, name: str, default: Any = _MISSING, *, lo: int = 0, hi: int = 2**31) -> int:
        """Return an integer within ``lo``..``hi``."""
        value = self.get(name, int, default)
        if not lo <= value <= hi:
            raise ConfigError(self.key(name), f"must be an integer from {lo} to {hi}, not {value}")
        return int(value)

    def address(self, name: str, default: Any = _MISSING) -> Any:
        """Return a lower-cased email address."""
        value = self.text(name, default)
        return None if value is None else _check_address(self.key(name), value)

    def addresses(self, name: str, default: Any = _MISSING) -> tuple[str, ...]:
        """Return a list of lower-cased email addresses."""
        values = self.get(name, list, default)
        return tuple(_check_address(f"{self.key(name)}[{i}]", v) for i, v in enumerate(values))

    def strings(self, name: str, default: Any = _MISSING) -> tuple[str, ...]:
        """Return a list of strings."""
        values = self.get(name, list, default)
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise ConfigError(f"{self.key(name)}[{i}]", f"must be a string, not {v!r}")
        return tuple(values)

    def section(self, name: str, required: bool = False) -> _Section:
        """Return the sub-table ``name`` (empty when absent and not required)."""
        table = self.get(name, dict, _MISSING if required else {})
        return _Section(self.key(name), table)

    def secret(self, name: str, *, required: bool = True) -> str | None:
        """Resolve ``<name>_env`` or ``<name>_file``; the value itself is never in the file."""
        if name in self.table:
            self.used.add(name)
            raise ConfigError(
                self.key(name), f"secrets never sit in the file: use {name}_env or {name}_file"
            )
        env_name = self.text(f"{name}_env", None)
        file_name = self.text(f"{name}_file", None)
        if env_name and file_name:
            raise ConfigError(self.key(f"{name}_env"), f"give {name}_env or {name}_file, not both")
        if env_name:
            return _secret_from_env(self.key(f"{name}_env"), env_name)
        if file_name:
            return _secret_from_file(self.key(f"{name}_file"), file_name)
        if required:
            raise ConfigError(self.key(f"{name}_env"), f"is required (or {name}_file)")
        return None

    def done(self) -> None:
        """Reject keys that were never read: they are typos or unsupported."""
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            likely = difflib.get_close_matches(unknown[0], sorted(self.used), n=1)
            hint = f" (did you mean {likely[0]}?)" if likely else ""
            raise ConfigError(self.key(unknown[0]), "unknown key" + hint)

    def _misspelt(self, name: str) -> str:
        """`` (is it misspelt as X?)`` when a key of the table looks like ``name``."""
        present = [key for key in self.table if isinstance(key, str)]
        likely = difflib.get_close_matches(name, present, n=1)
        return f" (is it misspelt as {self.key(likely[0])}?)" if likely else ""


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _check_address(key: str, value: object) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise ConfigError(key, f"must be an email address, not {value!r}")
    return value.strip().lower()


def _secret_from_env(key: str, env_name: str) -> str:
    value = os.environ.get(env_name)
    if value is None or value == "":
        raise ConfigError(key, f"environment variable {env_name} is not set")
    return value


def _secret_from_file(key: str, file_name: str) -> str:
    try:
        return Path(file_name).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(key, f"cannot read {file_name}: {exc.strerror}") from exc


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate the configuration file at ``path``."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError("--config", f"no such file: {source}") from exc
    except OSError as exc:
        raise ConfigError("--config", f"cannot read {source}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("--config", f"{source} is not valid TOML: {exc}") from exc
    return build_config(raw, source, base_dir=Path(source).absolute().parent)


def build_config(raw: Table, source: str = "<memory>", base_dir: Path | None = None) -> Config:
    """Validate an already-parsed TOML document and build the :class:`Config`.

    ``base_dir`` is the configuration file's directory: relative paths in the file are
    relative to it.  Without one (a document not read from a file) they are refused.
    """
    root = _Section("", raw)
    departments = _read_list(root, "department", _read_department)
    config = Config(
        source=source,
        database=_read_database(root.section("database"), base_dir),
        desk=_read_desk(root.section("desk", required=True)),
        mailboxes=_read_mailboxes(root),
        smtp=_read_smtp(root.section("smtp", required=True)),
        departments=departments,
        routing=_read_routing(root.section("routing"), departments),
        sla=_read_sla(root.section("sla")),
        schedule=_read_schedule(root.section("schedule")),
        fax=_read_fax(root.section("fax")),
        classify=_read_classify(root.section("classify")),
        extract=_read_extract(root.section("extract")),
        templates_dir=root.text("templates_dir", None),
        calendar=_read_calendar(root.section("calendar")) if "calendar" in raw else None,
        metrics=_read_metrics(root.section("metrics")),
    )
    root.done()
    _check_unique(config)
    return config


def _read_list(root: _Section, name: str, read: Callable[[_Section], T]) -> tuple[T, ...]:
    items = root.get(name, list, [])
    return tuple(read(_Section(f"{name}[{i}]", item)) for i, item in enumerate(items))


def _read_database(s: _Section, base_dir: Path | None) -> DatabaseConfig:
    url = s.text("url", DEFAULT_DATABASE_URL)
    if not url.startswith(("sqlite://", "postgresql://", "postgres://")):
        raise ConfigError(s.key("url"), "must start with sqlite:// or postgresql://")
    s.done()
    if url.startswith("sqlite://"):
        url = absolute_sqlite_url(s.key("url"), url, base_dir)
    return DatabaseConfig(url=url)


def absolute_sqlite_url(key: str, url: str, base_dir: Path | None) -> str:
    """``url`` with a relative SQLite path made absolute against ``base_dir`` (pure).

    ``sqlite:////abs/path`` is absolute; ``sqlite:///rel/path`` is relative to the
    configuration file's directory - never to the working directory, which differs
    between the daemon (``/`` under systemd) and an operator's shell.
    """
    path = url.removeprefix("sqlite://").removeprefix("/")
    if not path:
        raise ConfigError(key, "the sqlite URL names no file (sqlite:////path/to/complaintd.db)")
    if path == ":memory:" or path.startswith("/"):
        return url
    if base_dir is None:
        raise ConfigError(
            key,
            f"{path!r} is a relative path and there is no configuration file it could be "
            f"relative to; write an absolute one: sqlite:////path/to/complaintd.db",
        )
    return f"sqlite:///{(base_dir / path).as_posix()}"


def _read_desk(s: _Section) -> DeskConfig:
    prefix = s.text("ticket_prefix", "TS")
    if not re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", prefix):
        raise ConfigError(s.key("ticket_prefix"), "must be 1-10 capital letters or digits")
    desk = DeskConfig(
        name=s.text("name"),
        name_en=s.text("name_en", None),
        address=s.address("address"),
        timezone=_read_zone(s),
        ticket_prefix=prefix,
        default_language=s.choice("default_language", LANGUAGES, "zh-CN"),
        agents=s.addresses("agents", []),
        admins=s.addresses("admins", []),
        response_lead=s.address("response_lead", None),
        token_secret=(s.secret("token_secret") or "").encode("utf-8"),
        ack_window_hours=s.number("ack_window_hours", 24),
        repeat_window_days=s.integer("repeat_window_days", 30, lo=0, hi=3650),
        max_attachment_bytes=s.integer("max_attachment_bytes", 25 * 1024 * 1024, lo=0),
        plus_addressing=s.get("plus_addressing", bool, True),
        trusted_authserv_id=_read_authserv_id(s),
        flood_max_tickets=s.integer("flood_max_tickets", 5, lo=0, hi=10_000),
        flood_window_minutes=s.integer("flood_window_minutes", 10, lo=1, hi=1440),
    )
    if len(desk.token_secret) < 16:
        raise ConfigError(s.key("token_secret_env"), "the secret must be at least 16 characters")
    s.done()
    return desk


def _read_authserv_id(s: _Section) -> str | None:
    """The MTA's authserv-id (RFC 8601 section 2.5): a domain name, compared caselessly."""
    value = s.text("trusted_authserv_id", None)
    if value is not None and not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?", value):
        raise ConfigError(
            s.key("trusted_authserv_id"), "must be the MTA's host name, e.g. mx.lida.example"
        )
    return value.lower() if value else None


def _read_zone(s: _Section) -> ZoneInfo:
    name = s.text("timezone", "Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(s.key("timezone"), f"unknown time zone {name!r}") from exc


def _read_mailboxes(root: _Section) -> tuple[MailboxConfig, ...]:
    mailboxes = _read_list(root, "mailbox", _read_mailbox)
    if not mailboxes:
        raise ConfigError("mailbox", "at least one [[mailbox]] is required")
    return mailboxes


def _read_mailbox(s: _Section) -> MailboxConfig:
    tls = s.choice("tls", TLS_MODES, "ssl")
    mailbox = MailboxConfig(
        name=_read_key(s, "name"),
        kind=s.choice("kind", MAILBOX_KINDS, "complaint"),
        host=s.text("host"),
        port=s.integer("port", 993 if tls == "ssl" else 143, lo=1, hi=65535),
        tls=tls,
        username=s.text("username"),
        password=s.secret("password") or "",
        folder=s.text("folder", "INBOX"),
        processed_folder=s.text("processed_folder", None),
        quarantine_folder=s.text("quarantine_folder", None),
        idle=s.get("idle", bool, True),
        poll_seconds=s.number("poll_seconds", 60, minimum=1),
        batch_size=s.integer("batch_size", 100, lo=1, hi=5000),
    )
    s.done()
    return mailbox


def _read_key(s: _Section, name: str) -> str:
    value: str = s.text(name)
    if not _KEY.match(value):
        raise ConfigError(s.key(name), "must be lower-case letters, digits, '-' or '_'")
    return value


def _read_smtp(s: _Section) -> SmtpConfig:
    tls = s.choice("tls", TLS_MODES, "starttls")
    username = s.text("username", None)
    smtp = SmtpConfig(
        host=s.text("host"),
        port=s.integer("port", {"ssl": 465, "starttls": 587, "none": 25}[tls], lo=1, hi=65535),
        tls=tls,
        username=username,
        password=s.secret("password", required=username is not None),
        from_address=s.address("from_address"),
        timeout_seconds=s.number("timeout_seconds", 30, minimum=1),
        concurrency=s.integer("concurrency", 4, lo=1, hi=64),
        retry_deadline_hours=s.number("retry_deadline_hours", 48, minimum=0.01),
    )
    s.done()
    return smtp


def _read_department(s: _Section) -> DepartmentConfig:
    department = DepartmentConfig(
        key=_read_key(s, "key"),
        name=s.text("name"),
        emails=s.addresses("emails"),
        manager=s.address("manager", None),
    )
    if not department.emails:
        raise ConfigError(s.key("emails"), "must name at least one address")
    s.done()
    return department


def _read_routing(
    s: _Section, departments: tuple[DepartmentConfig, ...]
) -> dict[str, tuple[str, ...]]:
    from complaintd.classify import CATEGORIES

    known = {d.key for d in departments}
    routing: dict[str, tuple[str, ...]] = {}
    for category in s.table:
        if category not in CATEGORIES:
            raise ConfigError(s.key(category), f"unknown category (known: {', '.join(CATEGORIES)})")
        keys = s.strings(category)
        for i, key in enumerate(keys):
            if key not in known:
                raise ConfigError(f"{s.key(category)}[{i}]", f"no [[department]] has key {key!r}")
        routing[category] = keys
    return routing


def _read_sla(s: _Section) -> dict[str, SlaConfig]:
    sla = dict(DEFAULT_SLA)
    for level in list(s.table):
        if level not in SEVERITY_LEVELS:
            raise ConfigError(
                s.key(level), f"unknown severity (known: {', '.join(SEVERITY_LEVELS)})"
            )
        sub = s.section(level)
        base = DEFAULT_SLA[level]
        sla[level] = SlaConfig(
            first_response_hours=sub.number(
                "first_response_hours", base.first_response_hours, minimum=0.01
            ),
            department_reply_hours=sub.number(
                "department_reply_hours", base.department_reply_hours, minimum=0.01
            ),
            resolve_hours=sub.number("resolve_hours", base.resolve_hours, minimum=0.01),
        )
        sub.done()
    return sla


def _read_schedule(s: _Section) -> ScheduleConfig:
    schedule = ScheduleConfig(
        digest_time=_read_clock_time(s, "digest_time", "08:00"),
        chase_every_hours=s.number("chase_every_hours", 24, minimum=0.01),
        escalate_after_reminders=s.integer("escalate_after_reminders", 2, lo=0, hi=100),
        survey_after_days=s.number("survey_after_days", 3),
        survey_reminder_days=s.number("survey_reminder_days", 4),
        at_risk_complaints=s.integer("at_risk_complaints", 2, lo=1, hi=1000),
        at_risk_days=s.number("at_risk_days", 90, minimum=1),
    )
    s.done()
    return schedule


def _read_calendar(s: _Section) -> CalendarConfig:
    from complaintd.jobs.calendar import COUNTRIES, parse_business_hours

    country = s.get("country", str, "CN")
    if country not in COUNTRIES:
        raise ConfigError(s.key("country"), f'must be "CN" or "" (none), not {country!r}')
    try:
        hours = parse_business_hours(s.get("business_hours", str, "09:00-18:00"))
    except ValueError as exc:
        raise ConfigError(s.key("business_hours"), str(exc)) from exc
    calendar = CalendarConfig(
        country=country,
        opens=hours[0] if hours else None,
        closes=hours[1] if hours else None,
        extra_holidays=_read_dates(s, "extra_holidays"),
        extra_workdays=_read_dates(s, "extra_workdays"),
    )
    both = sorted(calendar.extra_holidays & calendar.extra_workdays)
    if both:
        raise ConfigError(s.key("extra_workdays"), f"{both[0]} is in extra_holidays too")
    s.done()
    return calendar


def _read_dates(s: _Section, name: str) -> frozenset[date]:
    """A list of days, as TOML dates or ``"YYYY-MM-DD"`` strings."""
    return frozenset(
        _day(f"{s.key(name)}[{i}]", value) for i, value in enumerate(s.get(name, list, []))
    )


def _day(key: str, value: object) -> date:
    """One day of a list: a TOML date or an ISO string; the key named when it is neither."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value.strip())
    raise ConfigError(key, f"must be a day as YYYY-MM-DD, not {value!r}")


def _read_clock_time(s: _Section, name: str, default: str) -> time:
    value = s.text(name, default)
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise ConfigError(s.key(name), f"must be HH:MM (24-hour), not {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def _read_fax(s: _Section) -> FaxConfig:
    pattern = s.text("caller_pattern", None)
    if pattern is not None:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                s.key("caller_pattern"), f"not a valid regular expression: {exc}"
            ) from exc
        if "number" not in compiled.groupindex:
            raise ConfigError(s.key("caller_pattern"), "must have a named group (?P<number>...)")
    template = s.text("reply_address_template", "{number}@fax-out.example")
    if "{number}" not in template:
        raise ConfigError(s.key("reply_address_template"), "must contain {number}")
    directory_path = s.text("customer_directory", None)
    directory = () if directory_path is None else _read_fax_directory(s, directory_path)
    fax = FaxConfig(
        pattern,
        template,
        s.text("ocr_languages", "chi_sim+eng"),
        s.number("ocr_page_seconds", 30.0, minimum=0.01),
        directory,
    )
    s.done()
    return fax


def _read_metrics(s: _Section) -> MetricsConfig | None:
    """``listen = "HOST:PORT"`` (``[::1]:9464`` for IPv6); absent: no endpoint."""
    listen = s.text("listen", None)
    s.done()
    if listen is None:
        return None
    host, colon, port = listen.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(s.key("listen"), f"must be HOST:PORT (127.0.0.1:9464), not {listen!r}")
    return MetricsConfig(host, int(port))


def _read_fax_directory(s: _Section, path: str) -> tuple[FaxCustomer, ...]:
    """``customer_directory``: CSV lines ``fax number, name, email`` (email optional; a
    first line naming the columns and ``#`` comment lines are skipped)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(s.key("customer_directory"), f"cannot read {path}: {exc}") from exc
    customers = []
    for line, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        number = normalise_fax_number(cells[0])
        if number is None:
            if line == 1:
                continue  # the column names
            raise ConfigError(
                s.key("customer_directory"), f"{path} line {line}: {cells[0]!r} is no fax number"
            )
        name = cells[1] if len(cells) > 1 else ""
        email = cells[2].lower() if len(cells) > 2 and "@" in cells[2] else None
        customers.append(FaxCustomer(number, name, email))
    return tuple(customers)


def _read_classify(s: _Section) -> Any:
    replace = s.get("replace_defaults", bool, False)
    categories = _read_keyword_table(s.section("category"))
    severities = _read_keyword_table(s.section("severity"))
    s.done()
    try:
        return rules_from_config(categories, severities, replace=replace)
    except ValueError as exc:
        raise ConfigError(s.path, str(exc)) from exc


def _read_keyword_table(s: _Section) -> dict[str, tuple[str, ...]]:
    return {name: s.strings(name) for name in list(s.table)}


def _read_extract(s: _Section) -> Any:
    waybill = s.strings("waybill_patterns", None) if "waybill_patterns" in s.table else None
    order = s.strings("order_patterns", None) if "order_patterns" in s.table else None
    s.done()
    try:
        return patterns_from_config(waybill, order)
    except ValueError as exc:
        raise ConfigError(s.path, str(exc)) from exc


def _check_unique(config: Config) -> None:
    names = [m.name for m in config.mailboxes]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise ConfigError(f"mailbox[{i}].name", f"{name!r} is used by another mailbox")
    keys = [d.key for d in config.departments]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise ConfigError(f"department[{i}].key", f"{key!r} is used by another department")
