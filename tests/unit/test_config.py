"""Configuration: every key of DESIGN.md accepted; every error names its key and why."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from complaintd.config import build_config, load_config
from complaintd.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "complaintd.example.toml"


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPLAINTD_TOKEN_SECRET", "s" * 32)
    monkeypatch.setenv("COMPLAINTD_IMAP_PASSWORD", "imap-pw")
    monkeypatch.setenv("COMPLAINTD_SMTP_PASSWORD", "smtp-pw")


def minimal() -> dict:
    return {
        "desk": {
            "name": "Desk",
            "address": "complaints@lida.example",
            "token_secret_env": "COMPLAINTD_TOKEN_SECRET",
        },
        "mailbox": [
            {
                "name": "complaints",
                "host": "127.0.0.1",
                "username": "u",
                "password_env": "COMPLAINTD_IMAP_PASSWORD",
            }
        ],
        "smtp": {"host": "127.0.0.1", "from_address": "complaints@lida.example"},
    }


def test_example_config_accepts_every_documented_key(secrets: None, tmp_path: Path) -> None:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["mailbox"][1]["password_file"] = str(tmp_path / "fax-pw")
    (tmp_path / "fax-pw").write_text("fax-secret\n")
    raw["fax"]["customer_directory"] = str(tmp_path / "fax-customers.csv")
    (tmp_path / "fax-customers.csv").write_text("0086 21 5555 0198,恒达,wang@hengda.example\n")
    config = build_config(raw)
    assert config.fax.ocr_page_seconds == 30
    assert config.fax.directory[0].fax == "+862155550198"
    assert [m.name for m in config.mailboxes] == ["complaints", "fax"]
    assert config.mailboxes[1].password == "fax-secret"
    assert config.routing["loss"] == ("qc", "ops")
    assert config.sla["serious"].first_response_hours == 2
    assert config.desk.timezone.key == "Asia/Shanghai"
    assert config.schedule.digest_time.hour == 8
    assert (config.desk.flood_max_tickets, config.desk.flood_window_minutes) == (5, 10)
    assert config.metrics is not None
    assert (config.metrics.host, config.metrics.port) == ("127.0.0.1", 9464)


def test_metrics_listen_takes_an_ipv6_address_and_is_off_when_absent(secrets: None) -> None:
    assert build_config(minimal()).metrics is None
    metrics = build_config(_set(minimal(), "metrics.listen", "[::1]:9100")).metrics
    assert metrics is not None and (metrics.host, metrics.port) == ("::1", 9100)


def test_minimal_config_gets_defaults(secrets: None) -> None:
    config = build_config(minimal())
    mailbox = config.mailboxes[0]
    assert (mailbox.tls, mailbox.port, mailbox.folder, mailbox.idle) == ("ssl", 993, "INBOX", True)
    assert config.smtp.username is None and config.smtp.port == 587
    assert config.desk.ticket_prefix == "TS"
    assert (config.desk.flood_max_tickets, config.desk.flood_window_minutes) == (5, 10)


def _set(doc: dict, dotted: str, value: object) -> dict:
    target = doc
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    target[parts[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("dotted", "value", "key", "reason"),
    [
        ("mailbox.0.port", 70000, "mailbox[0].port", "integer from 1 to 65535"),
        ("mailbox.0.port", "993", "mailbox[0].port", "must be an integer"),
        ("mailbox.0.tls", "tls1.3", "mailbox[0].tls", "one of ssl, starttls, none"),
        ("mailbox.0.kind", "phone", "mailbox[0].kind", "one of complaint, fax"),
        ("mailbox.0.idle", "yes", "mailbox[0].idle", "true or false"),
        ("mailbox.0.pasword_env", "X", "mailbox[0].pasword_env", "unknown key"),
        ("mailbox.0.password", "hunter2", "mailbox[0].password", "never sit in the file"),
        ("desk.timezone", "Mars/Olympus", "desk.timezone", "unknown time zone"),
        ("desk.address", "not-an-address", "desk.address", "email address"),
        ("desk.default_language", "fr", "desk.default_language", "one of zh-CN, en"),
        ("desk.ticket_prefix", "ts", "desk.ticket_prefix", "capital letters"),
        ("desk.token_secret_env", "NO_SUCH_VARIABLE_X", "desk.token_secret_env", "is not set"),
        ("smtp.username", "me", "smtp.password_env", "is required"),
        ("schedule.digest_time", "8am", "schedule.digest_time", "HH:MM"),
        ("routing.damage", ["nobody"], "routing.damage[0]", "no [[department]] has key 'nobody'"),
        ("routing.teleport", [], "routing.teleport", "unknown category"),
        ("sla.urgent", {"first_response_hours": 1}, "sla.urgent", "unknown severity"),
        (
            "sla.serious",
            {"first_response_hours": -1},
            "sla.serious.first_response_hours",
            "at least",
        ),
        ("fax.caller_pattern", "Fax from (", "fax.caller_pattern", "regular expression"),
        ("fax.caller_pattern", "Fax from (\\d+)", "fax.caller_pattern", "(?P<number>"),
        ("database.url", "mysql://x", "database.url", "sqlite:// or postgresql://"),
        ("desk.flood_max_tickets", -1, "desk.flood_max_tickets", "integer from 0 to 10000"),
        ("desk.flood_window_minutes", 0, "desk.flood_window_minutes", "integer from 1 to 1440"),
        ("surprise", 1, "surprise", "unknown key"),
        ("metrics.listen", "9464", "metrics.listen", "HOST:PORT"),
        ("metrics.listen", "localhost:99999", "metrics.listen", "HOST:PORT"),
        ("metrics.port", 9464, "metrics.port", "unknown key"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_value_names_key_and_reason(
    secrets: None, dotted: str, value: object, key: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        build_config(_set(minimal(), dotted, value))
    assert caught.value.key == key
    assert reason in caught.value.reason


def test_a_misspelt_key_is_named_with_the_likely_one(secrets: None) -> None:
    """``nmae = ...`` in [desk]: the error names the required key and the typo."""
    doc = minimal()
    doc["desk"]["nmae"] = doc["desk"].pop("name")
    with pytest.raises(ConfigError) as caught:
        build_config(doc)
    assert caught.value.key == "desk.name"
    assert caught.value.reason == "is required (is it misspelt as desk.nmae?)"
    doc = _set(minimal(), "desk.tiemzone", "Asia/Shanghai")
    with pytest.raises(ConfigError) as caught:
        build_config(doc)
    assert (caught.value.key, caught.value.reason) == (
        "desk.tiemzone",
        "unknown key (did you mean timezone?)",
    )


def test_missing_mailbox_is_named(secrets: None) -> None:
    doc = minimal()
    del doc["mailbox"]
    with pytest.raises(ConfigError, match="at least one"):
        build_config(doc)


def test_duplicate_mailbox_names_rejected(secrets: None) -> None:
    doc = minimal()
    doc["mailbox"].append(dict(doc["mailbox"][0]))
    with pytest.raises(ConfigError) as caught:
        build_config(doc)
    assert caught.value.key == "mailbox[1].name"


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[desk\nname = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_secret_from_file(secrets: None, tmp_path: Path) -> None:
    secret = tmp_path / "imap"
    secret.write_text("from-file\n")
    doc = minimal()
    del doc["mailbox"][0]["password_env"]
    doc["mailbox"][0]["password_file"] = str(secret)
    assert build_config(doc).mailboxes[0].password == "from-file"


def test_classify_overrides_reach_the_rules(secrets: None) -> None:
    doc = _set(minimal(), "classify.category.damage", ["外箱凹陷"])
    config = build_config(doc)
    damage = [r for r in config.classify.category_rules if r.target == "damage"]
    assert any("外箱凹陷" in rule.keywords for rule in damage)
    with pytest.raises(ConfigError) as caught:
        build_config(_set(minimal(), "classify.category.teleport", ["x"]))
    assert caught.value.key.startswith("classify")


def test_english_desk_name_is_optional(secrets: None) -> None:
    assert build_config(minimal()).desk.name_en is None
    doc = _set(minimal(), "desk.name_en", "Lida Logistics Customer Service")
    assert build_config(doc).desk.name_en == "Lida Logistics Customer Service"


def _write_with_url(directory: Path, url: str) -> Path:
    """A minimal configuration file in ``directory`` whose database is at ``url``."""
    path = directory / "complaintd.toml"
    path.write_text(
        f"""
[database]
url = "{url}"
[desk]
name = "Desk"
address = "complaints@lida.example"
token_secret_env = "COMPLAINTD_TOKEN_SECRET"
[[mailbox]]
name = "complaints"
host = "127.0.0.1"
username = "u"
password_env = "COMPLAINTD_IMAP_PASSWORD"
[smtp]
host = "127.0.0.1"
from_address = "complaints@lida.example"
""",
        encoding="utf-8",
    )
    return path


def test_relative_sqlite_path_is_next_to_the_config_file_not_the_working_directory(
    secrets: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9: the daemon (cwd /) and an operator's shell must open the same ledger."""
    etc = tmp_path / "etc"
    etc.mkdir()
    config_path = _write_with_url(etc, "sqlite:///data/complaintd.db")
    for cwd in (tmp_path, etc, Path("/")):
        monkeypatch.chdir(cwd)
        url = load_config(config_path).database.url
        assert url == f"sqlite:///{etc}/data/complaintd.db"
    monkeypatch.chdir(etc)
    assert load_config("complaintd.toml").database.url == f"sqlite:///{etc}/data/complaintd.db"


@pytest.mark.parametrize(
    "url", ["sqlite:////var/lib/complaintd/complaintd.db", "sqlite:///:memory:"]
)
def test_absolute_and_memory_sqlite_urls_are_kept(secrets: None, tmp_path: Path, url: str) -> None:
    assert load_config(_write_with_url(tmp_path, url)).database.url == url


def test_relative_sqlite_path_without_a_file_is_refused(secrets: None) -> None:
    with pytest.raises(ConfigError) as caught:
        build_config(_set(minimal(), "database.url", "sqlite:///complaintd.db"))
    assert caught.value.key == "database.url"
    assert "relative" in caught.value.reason and "sqlite:////" in caught.value.reason


def test_default_database_is_in_the_state_directory(secrets: None) -> None:
    assert build_config(minimal()).database.url == "sqlite:////var/lib/complaintd/complaintd.db"


def test_calendar_and_schedule_keys(secrets: None) -> None:
    from datetime import date, time

    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["mailbox"].pop()
    raw["fax"].pop("customer_directory")  # a file on the desk's server
    config = build_config(raw)
    assert config.schedule.at_risk_complaints == 2 and config.schedule.at_risk_days == 90
    assert config.calendar is not None
    assert (config.calendar.country, config.calendar.opens, config.calendar.closes) == (
        "CN",
        time(9),
        time(18),
    )
    assert config.calendar.extra_holidays == {date(2026, 12, 31)}
    assert build_config(minimal()).calendar is None  # no [calendar]: around the clock
    toml_dates = _set(minimal(), "calendar.extra_workdays", [date(2026, 10, 11)])
    assert build_config(toml_dates).calendar.extra_workdays == {date(2026, 10, 11)}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("dotted", "value", "key", "reason"),
    [
        ("calendar.country", "US", "calendar.country", 'must be "CN" or ""'),
        ("calendar.business_hours", "9-18", "calendar.business_hours", "HH:MM-HH:MM"),
        ("calendar.business_hours", "18:00-09:00", "calendar.business_hours", "close after"),
        ("calendar.extra_holidays", ["2026-13-01"], "calendar.extra_holidays[0]", "YYYY-MM-DD"),
        ("calendar.extra_workdays", ["Oct 11"], "calendar.extra_workdays[0]", "YYYY-MM-DD"),
        ("calendar.holidays", [], "calendar.holidays", "unknown key"),
        ("schedule.at_risk_complaints", 0, "schedule.at_risk_complaints", "integer from 1"),
        ("schedule.at_risk_days", "90", "schedule.at_risk_days", "a number, not"),
        ("schedule.chase_every_hours", 0, "schedule.chase_every_hours", "at least"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_calendar_and_schedule_values(
    secrets: None, dotted: str, value: object, key: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        build_config(_set(minimal(), dotted, value))
    assert caught.value.key == key
    assert reason in caught.value.reason


def test_a_day_both_off_and_on_is_refused(secrets: None) -> None:
    doc = _set(minimal(), "calendar.extra_holidays", ["2026-10-10"])
    _set(doc, "calendar.extra_workdays", ["2026-10-10"])
    with pytest.raises(ConfigError) as caught:
        build_config(doc)
    assert caught.value.key == "calendar.extra_workdays"
