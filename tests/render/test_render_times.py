"""Times in mail as people write them, in the desk's zone and the mail's language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from complaintd.render import TemplateRenderer, sample_context
from complaintd.render.times import LocalTime, format_time, localize_times, zone_label

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("at", "language", "expected"),
    [
        (
            datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI),
            "zh-CN",
            "2026年11月22日 10:00（北京时间）",
        ),
        (
            datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI),
            "en",
            "22 November 2026, 10:00 (Beijing time)",
        ),
        (datetime(2026, 1, 5, 8, 7, tzinfo=SHANGHAI), "zh-CN", "2026年1月5日 08:07（北京时间）"),
        (
            datetime(2026, 1, 5, 8, 7, tzinfo=SHANGHAI),
            "en-GB",
            "5 January 2026, 08:07 (Beijing time)",
        ),
        (datetime(2026, 11, 22, 10, 0, tzinfo=TOKYO), "zh-CN", "2026年11月22日 10:00（UTC+09:00）"),
        (datetime(2026, 11, 22, 10, 0, tzinfo=TOKYO), "en", "22 November 2026, 10:00 (UTC+09:00)"),
        (
            datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("America/New_York")),
            "en",
            "1 July 2026, 09:30 (UTC-04:00)",
        ),
        (datetime(2026, 7, 1, 9, 30, tzinfo=UTC), "zh-CN", "2026年7月1日 09:30（UTC+00:00）"),
    ],
)
def test_times_read_as_people_write_them(at: datetime, language: str, expected: str) -> None:
    assert format_time(at, language) == expected


def test_every_name_of_chinas_zone_is_beijing_time() -> None:
    for key in ("Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"):
        at = datetime(2026, 11, 22, tzinfo=ZoneInfo(key))
        assert (zone_label(at, "zh-CN"), zone_label(at, "en")) == ("北京时间", "Beijing time")
    # Urumqi is in China but six hours ahead of UTC, not Beijing time.
    assert zone_label(datetime(2026, 11, 22, tzinfo=ZoneInfo("Asia/Urumqi")), "zh-CN") == (
        "UTC+06:00"
    )


def test_local_time_outside_a_template_is_language_neutral() -> None:
    at = LocalTime(datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI))
    assert str(at) == "2026-11-22 10:00 (UTC+08:00)"


def test_localize_writes_every_time_in_a_context_and_keeps_the_rest() -> None:
    at = LocalTime(datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI))
    ticket: dict[str, object] = {"due_at": at, "number": "TS-1"}
    context = {"ticket": ticket, "sheets": [{"due_at": at}], "n": 3}
    assert localize_times(context, "en") == {
        "ticket": {"due_at": "22 November 2026, 10:00 (Beijing time)", "number": "TS-1"},
        "sheets": [{"due_at": "22 November 2026, 10:00 (Beijing time)"}],
        "n": 3,
    }
    assert ticket["due_at"] is at  # the caller's context is not changed


@pytest.mark.parametrize("part", ["text", "html"])
def test_one_promise_reads_right_in_either_language(renderer: TemplateRenderer, part: str) -> None:
    """The same context, rendered as Chinese and as English mail, writes each its own way."""
    context = sample_context("ack", "zh-CN")
    context["ticket"]["due_at"] = LocalTime(datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI))
    chinese = getattr(renderer.render("ack", "zh-CN", context), part)
    english = getattr(renderer.render("ack", "en", context), part)
    assert "2026年11月22日 10:00（北京时间）" in chinese
    assert "22 November 2026, 10:00 (Beijing time)" in english
    assert "UTC+08:00" not in chinese + english
