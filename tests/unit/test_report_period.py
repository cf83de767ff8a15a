"""When the admins' reports fall due, in the desk's time zone (pure)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from complaintd.reports.period import day_period, digest_due, month_period, monthly_due

BEIJING = ZoneInfo("Asia/Shanghai")
EIGHT = time(8, 0)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def test_the_digest_of_yesterday_is_due_from_digest_time() -> None:
    assert digest_due(at(6, 7, 59), BEIJING, EIGHT) is None
    assert digest_due(at(6, 8, 0), BEIJING, EIGHT) == date(2026, 12, 5)
    assert digest_due(at(6, 23, 59), BEIJING, EIGHT) == date(2026, 12, 5)
    # 00:30 UTC is 08:30 in Beijing: the desk's day, not the server's.
    assert digest_due(datetime(2026, 12, 6, 0, 30, tzinfo=ZoneInfo("UTC")), BEIJING, EIGHT) == (
        date(2026, 12, 5)
    )


def test_the_monthly_report_is_due_from_the_first_for_a_week() -> None:
    assert monthly_due(at(1, 7, 59), BEIJING, EIGHT) is None
    assert monthly_due(at(1, 8, 0), BEIJING, EIGHT) == date(2026, 11, 1)
    assert monthly_due(at(7, 23, 0), BEIJING, EIGHT) == date(2026, 11, 1)
    assert monthly_due(at(8, 9, 0), BEIJING, EIGHT) is None
    assert monthly_due(at(1, 9, 0, month=1).replace(year=2027), BEIJING, EIGHT) == date(2026, 12, 1)


def test_periods_are_local_days_and_months() -> None:
    day = day_period(date(2026, 12, 5), BEIJING)
    assert (day.name, day.start.isoformat()) == ("2026-12-05", "2026-12-05T00:00:00+08:00")
    assert day.end == at(6, 0)
    month = month_period(date(2026, 12, 1), BEIJING)
    assert (month.name, month.end.isoformat()) == ("2026-12", "2027-01-01T00:00:00+08:00")
