"""Business-time arithmetic: working days, China's holidays and make-up days, DST, gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from complaintd.config import Config, build_config
from complaintd.jobs.calendar import (
    AroundTheClock,
    BusinessCalendar,
    missing_years,
    official_working_day,
    parse_business_hours,
)
from complaintd.jobs.due import calendar_warnings, due_after

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

CN = BusinessCalendar(SHANGHAI, "CN", time(9), time(18))


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0) -> datetime:
    """A local wall time in ``zone`` as the aware instant the ledger would hold (UTC)."""
    return datetime(year, month, day, hour, tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 26), True),  # Sunday, make-up workday before the Spring Festival
        (date(2025, 1, 28), False),  # Spring Festival's eve, holiday
        (date(2025, 2, 8), True),  # Saturday, make-up workday
        (date(2025, 10, 11), True),  # Saturday after National Day, make-up workday
        (date(2026, 1, 2), False),  # Friday, New Year holiday
        (date(2026, 1, 4), True),  # Sunday, make-up workday
        (date(2026, 2, 14), True),  # Saturday before the Spring Festival, make-up
        (date(2026, 2, 23), False),  # Monday, last day of the Spring Festival holiday
        (date(2026, 2, 28), True),  # Saturday, make-up workday
        (date(2026, 10, 7), False),  # National Day holiday
        (date(2026, 10, 10), True),  # Saturday, make-up workday
        (date(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_official_chinese_working_days(day: date, working: bool) -> None:
    assert official_working_day("CN", day) is working
    assert CN.is_working_day(day) is working


CASES = [
    # (calendar, start, hours, expected) - local wall times in the calendar's zone
    ("window used up exactly: ends at closing", CN, (2026, 9, 28, 10), 8, (2026, 9, 28, 18)),
    ("over the National Day holiday", CN, (2026, 9, 30, 16), 4, (2026, 10, 8, 11)),
    ("into the make-up Saturday", CN, (2026, 10, 9, 17), 2, (2026, 10, 10, 10)),
    ("the Sunday after it is off", CN, (2026, 10, 10, 17), 2, (2026, 10, 12, 10)),
    ("started at night: counted from the opening", CN, (2026, 9, 28, 22), 1, (2026, 9, 29, 10)),
    ("over the year boundary to a make-up Sunday", CN, (2025, 12, 31, 17), 2, (2026, 1, 4, 10)),
    ("a week of business hours", CN, (2026, 11, 2, 9), 45, (2026, 11, 6, 18)),
    ("zero hours at night: the next opening", CN, (2026, 10, 3, 3), 0, (2026, 10, 8, 9)),
]


@pytest.mark.parametrize(
    ("calendar", "start", "hours", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_add_business_hours_in_shanghai(
    calendar: BusinessCalendar,
    start: tuple[int, ...],
    hours: float,
    expected: tuple[int, ...],
) -> None:
    result = calendar.add_business_hours(at(SHANGHAI, *start), hours)
    assert result == at(SHANGHAI, *expected)
    assert result.tzinfo is not None


def test_a_missing_year_falls_back_to_weekdays_and_is_reported() -> None:
    """chinese-calendar knows 2004-2026 here; 2027 is Monday to Friday until it is updated."""
    assert 2027 in missing_years("CN", [2026, 2027])
    assert missing_years("CN", [2026]) == []
    assert missing_years("", [2027]) == []
    assert official_working_day("CN", date(2027, 1, 1)) is None
    # Thursday 31 December 2026 17:00 + 2 h: Friday 1 January 2027 counts as a weekday.
    assert CN.add_business_hours(at(SHANGHAI, 2026, 12, 31, 17), 2) == at(SHANGHAI, 2027, 1, 1, 10)


def test_company_days_win_over_the_official_calendar() -> None:
    company = BusinessCalendar(
        SHANGHAI,
        "CN",
        time(9),
        time(18),
        extra_holidays=frozenset({date(2026, 12, 31), date(2027, 1, 1)}),
        extra_workdays=frozenset({date(2026, 10, 7)}),
    )
    # The year's last day and the unknown 2027 New Year are the company's own days off.
    assert company.add_business_hours(at(SHANGHAI, 2026, 12, 30, 17), 2) == at(
        SHANGHAI, 2027, 1, 4, 10
    )
    # The company works on 7 October although it is an official holiday.
    assert company.is_business_time(at(SHANGHAI, 2026, 10, 7, 10))
    assert not CN.is_business_time(at(SHANGHAI, 2026, 10, 7, 10))


@pytest.mark.parametrize(
    ("local", "business", "next_local"),
    [
        ((2026, 10, 10, 10), True, (2026, 10, 10, 10)),  # make-up Saturday
        ((2026, 10, 11, 10), False, (2026, 10, 12, 9)),  # Sunday
        ((2026, 10, 9, 18), False, (2026, 10, 10, 9)),  # closing time is not business time
        ((2026, 10, 9, 9), True, (2026, 10, 9, 9)),  # opening time is
        ((2026, 10, 1, 2), False, (2026, 10, 8, 9)),  # 2 a.m. on a holiday
    ],
)
def test_business_time_and_the_next_opening(
    local: tuple[int, ...], business: bool, next_local: tuple[int, ...]
) -> None:
    instant = at(SHANGHAI, *local)
    assert CN.is_business_time(instant) is business
    assert CN.next_business_time(instant) == at(SHANGHAI, *next_local)


def test_daylight_saving_keeps_local_opening_hours() -> None:
    """New York springs forward on Sunday 8 March 2026: the business day still opens at 9."""
    office = BusinessCalendar(NEW_YORK, "", time(9), time(17))
    due = office.add_business_hours(at(NEW_YORK, 2026, 3, 6, 16), 2)  # Friday, EST
    assert due == at(NEW_YORK, 2026, 3, 9, 10)  # Monday, EDT
    assert due == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # UTC-4 now, not UTC-5
    # And back in November: Friday EDT to Monday EST.
    assert office.add_business_hours(at(NEW_YORK, 2026, 10, 30, 16), 2) == datetime(
        2026, 11, 2, 15, 0, tzinfo=UTC
    )


def test_a_whole_working_day_across_the_autumn_change_has_25_hours() -> None:
    """Berlin falls back on Sunday 25 October 2026; that day made a working day is 25 h long."""
    sunday = date(2026, 10, 25)
    office = BusinessCalendar(BERLIN, "", extra_workdays=frozenset({sunday}))
    start = at(BERLIN, 2026, 10, 25, 0)
    assert office.add_business_hours(start, 24) == at(BERLIN, 2026, 10, 25, 23)
    assert office.add_business_hours(start, 25) == at(BERLIN, 2026, 10, 26, 0)


def test_around_the_clock() -> None:
    clock = AroundTheClock()
    start = at(SHANGHAI, 2026, 10, 1, 2)
    assert clock.add_business_hours(start, 24) == at(SHANGHAI, 2026, 10, 2, 2)
    assert clock.is_business_time(start)
    assert clock.next_business_time(start) == start


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-18:00", (time(9), time(18))),
        (" 8:30 - 17:30 ", (time(8, 30), time(17, 30))),
        ("00:00-24:00", (time(0), None)),
        ("", None),
    ],
)
def test_parse_business_hours(text: str, expected: object) -> None:
    assert parse_business_hours(text) == expected


@pytest.mark.parametrize("text", ["9-18", "18:00-09:00", "09:00", "09:00-25:00", "24:00-24:00"])
def test_bad_business_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_business_hours(text)


def _config(monkeypatch: pytest.MonkeyPatch, calendar: dict[str, object] | None) -> Config:
    monkeypatch.setenv("COMPLAINTD_TOKEN_SECRET", "s" * 32)
    monkeypatch.setenv("COMPLAINTD_IMAP_PASSWORD", "pw")
    raw: dict[str, object] = {
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
    if calendar is not None:
        raw["calendar"] = calendar
    return build_config(raw)


def test_every_due_time_follows_the_configured_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    friday_evening = at(SHANGHAI, 2026, 10, 9, 20)
    plain = _config(monkeypatch, None)
    assert due_after(plain, friday_evening, 8) == at(SHANGHAI, 2026, 10, 10, 4)
    business = _config(monkeypatch, {"country": "CN", "business_hours": "09:00-18:00"})
    assert due_after(business, friday_evening, 8) == at(SHANGHAI, 2026, 10, 10, 17)


def test_check_warns_of_a_year_without_official_data(monkeypatch: pytest.MonkeyPatch) -> None:
    business = _config(monkeypatch, {"country": "CN"})
    [warning] = calendar_warnings(business, at(SHANGHAI, 2026, 12, 6, 11))
    assert "2027" in warning and "Monday to Friday" in warning
    assert calendar_warnings(business, at(SHANGHAI, 2026, 6, 1, 11)) == []
    assert calendar_warnings(_config(monkeypatch, {"country": ""}), at(SHANGHAI, 2026, 12, 6)) == []
    assert calendar_warnings(_config(monkeypatch, None), at(SHANGHAI, 2026, 12, 6)) == []
