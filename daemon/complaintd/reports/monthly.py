"""The monthly hot-spot report: last month against the month before, with charts.

``complaintd report monthly --print|--send [--month M]`` builds it on demand; the
``report`` job mails it to ``[desk] admins`` from ``digest_time`` on the 1st, once per
month (:mod:`.send`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from complaintd.render.contexts import ChartRef, MonthlyReportMail
from complaintd.render.labels import category_label, resolve_language, severity_label
from complaintd.render.times import MONTHS
from complaintd.reports.charts import Chart, Series, bar_chart
from complaintd.reports.digest_data import report_reads
from complaintd.reports.monthly_data import MonthlyData, Trend, monthly_data
from complaintd.reports.period import month_period, previous_month
from complaintd.reports.send import Report, render_report
from complaintd.runtime import Runtime
from complaintd.store.mail_kind import ReportKind
from complaintd.workflow.mail import format_local

_TITLES = {
    "zh-CN": {
        "category": "各类投诉单数：本月与上月",
        "department": "各部门收到的工作联系单：本月与上月",
        "route": "投诉最多的线路（本月）",
        "timing": "首次答复平均用时与承诺时限（小时）",
        "sla": "承诺时限",
        "average": "首次答复平均用时",
    },
    "en": {
        "category": "Complaints by category: this month and last",
        "department": "Contact sheets per department: this month and last",
        "route": "Routes with most complaints (this month)",
        "timing": "Average hours to first answer against the SLA",
        "sla": "SLA",
        "average": "Average first answer",
    },
}


def month_label(first: date, language: str) -> str:
    """``2026年11月`` / ``November 2026``."""
    if resolve_language(language) == "en":
        return f"{MONTHS[first.month - 1]} {first.year}"
    return f"{first.year}年{first.month}月"


def build_monthly(runtime: Runtime, first: date, now: datetime) -> Report:
    """The report of the month starting on ``first``, in the desk's language."""
    config = runtime.config
    language = resolve_language(config.desk.default_language)
    zone = config.desk.timezone
    before = previous_month(first)
    with report_reads(runtime.database):
        month, previous = month_period(first, zone), month_period(before, zone)
        data = monthly_data(month, previous, dict(config.sla))
    departments = {d.key: d.name for d in config.departments}
    charts = _charts(data, first, language, departments)
    content = MonthlyReportMail(
        month=f"{first:%Y-%m}",
        month_label=month_label(first, language),
        previous_label=month_label(before, language),
        generated_at=format_local(now, runtime),
        data=data,
        departments=departments,
        charts={key: ChartRef(cid=chart.cid, alt=chart.alt) for key, chart in charts.items()},
    )
    mail = render_report(runtime, content, language)
    return Report(ReportKind.MONTHLY_REPORT, f"{first:%Y-%m}", mail, tuple(charts.values()))


def _charts(
    data: MonthlyData, first: date, language: str, departments: dict[str, str]
) -> dict[str, Chart]:
    """The report's charts by section (none without a CJK font or without data)."""
    titles = _TITLES[language]
    this, last = month_label(first, language), month_label(previous_month(first), language)

    def compare(key: str, rows: Sequence[Trend], name: Callable[[str], str]) -> Chart | None:
        labels = [name(row["key"]) for row in rows]
        series = [
            Series(this, [row["count"] for row in rows]),
            Series(last, [row["previous"] for row in rows]),
        ]
        return _chart(key, first, titles[key], labels, series, language)

    timings = [t for t in data.timings if t["first_answer_hours"] is not None]
    drawn = {
        "category": compare(
            "category",
            [row for row in data.categories if row["count"] or row["previous"]],
            lambda k: category_label(k, language),
        ),
        "department": compare("department", data.departments, lambda k: departments.get(k, k)),
        "route": _chart(
            "route",
            first,
            titles["route"],
            [row["key"] for row in data.routes],
            [Series(this, [row["count"] for row in data.routes])],
            language,
        ),
        "timing": _chart(
            "timing",
            first,
            titles["timing"],
            [severity_label(t["severity"], language) for t in timings],
            [Series(titles["average"], [t["first_answer_hours"] or 0 for t in timings])],
            language,
            reference=(titles["sla"], [t["sla_first_answer"] for t in timings]),
        ),
    }
    return {key: chart for key, chart in drawn.items() if chart is not None}


def _chart(
    key: str,
    first: date,
    title: str,
    labels: list[str],
    series: list[Series],
    language: str,
    reference: tuple[str, list[float]] | None = None,
) -> Chart | None:
    """One horizontal bar chart with its alt text (every number it shows, in words)."""
    if not labels or not any(any(s.values) for s in series):
        return None
    png = bar_chart(title, labels, series, horizontal=True, reference=reference)
    if png is None:
        return None
    colon = "：" if language == "zh-CN" else ": "
    parts = [
        f"{label} " + " / ".join(f"{s.name} {value:g}" for s in series for value in [s.values[i]])
        for i, label in enumerate(labels)
    ]
    alt = title + colon + ("；" if language == "zh-CN" else "; ").join(parts)
    return Chart(f"{key}-{first:%Y%m}@complaintd", f"{key}.png", alt, png)
