"""The reports' charts: small PNGs with Chinese labels, or none without a CJK font."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from complaintd.reports import charts
from complaintd.reports.charts import Series, bar_chart, font_warning, nice_ticks


def test_a_chart_is_a_small_png_of_the_mails_width() -> None:
    labels = [f"{day}日" for day in range(1, 31)]
    png = bar_chart("近30天每日新投诉（单）", labels, [Series("新投诉", list(range(30)))])
    assert png is not None and len(png) < charts.MAX_BYTES
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == charts.WIDTH


def test_a_busy_horizontal_chart_stays_under_30_kb() -> None:
    labels = [f"线路{i}：上海市→成都市" for i in range(12)]
    series = [Series("2026年11月", [i * 7 for i in range(12)]), Series("2026年10月", [3] * 12)]
    png = bar_chart(
        "投诉最多的线路", labels, series, horizontal=True, reference=("时限", [24] * 12)
    )
    assert png is not None and len(png) < charts.MAX_BYTES


def test_without_a_cjk_font_there_is_no_chart_and_check_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    assert bar_chart("标题", ["破损"], [Series("本月", [3])]) is None
    [warning] = font_warning()
    assert "fonts-wqy-microhei" in warning and "tables only" in warning


def test_the_value_axis_has_round_steps() -> None:
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(4) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert nice_ticks(24) == [0, 5, 10, 15, 20, 25]
    assert nice_ticks(2600)[-1] >= 2600 and len(nice_ticks(2600)) <= 7
