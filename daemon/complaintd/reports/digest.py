"""The daily digest: one day's complaints and everything that needs a human.

``complaintd digest --print|--send [--date D]`` builds it on demand; the ``digest`` job
mails it to ``[desk] admins`` once a day from ``[schedule] digest_time`` (yesterday's),
claimed once per day (:mod:`.send`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from complaintd.render.contexts import ChartRef, DayCount, DigestMail
from complaintd.render.labels import resolve_language
from complaintd.render.times import MONTHS
from complaintd.reports.charts import Chart, Series, bar_chart
from complaintd.reports.digest_data import TREND_DAYS, DigestData, digest_data, report_reads
from complaintd.reports.period import day_period
from complaintd.reports.send import Report, render_report
from complaintd.runtime import Runtime
from complaintd.store.mail_kind import ReportKind
from complaintd.workflow.mail import format_local

_TREND_TITLE = {"zh-CN": "近30天每日新投诉（单）", "en": "New complaints per day, last 30 days"}
_TREND_SERIES = {"zh-CN": "新投诉", "en": "New complaints"}


def day_label(day: date, language: str) -> str:
    """``2026年12月5日`` / ``5 December 2026``."""
    if resolve_language(language) == "en":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def build_digest(runtime: Runtime, day: date, now: datetime) -> Report:
    """The digest of ``day`` (open work as of ``now``), rendered in the desk's language."""
    config = runtime.config
    language = resolve_language(config.desk.default_language)
    with report_reads(runtime.database):
        data = digest_data(day_period(day, config.desk.timezone), now)
    labels = _trend_labels(day)
    charts = () if data.quiet else _charts(data, day, labels, language)
    content = DigestMail(
        day=day.isoformat(),
        day_label=day_label(day, language),
        generated_at=format_local(now, runtime),
        data=data,
        departments={d.key: d.name for d in config.departments},
        trend=[
            DayCount(label=label, count=count)
            for label, count in zip(labels, data.daily_new, strict=True)
        ],
        charts=[ChartRef(cid=c.cid, alt=c.alt) for c in charts],
    )
    mail = render_report(runtime, content, language)
    return Report(ReportKind.DIGEST, day.isoformat(), mail, charts)


def _trend_labels(day: date) -> list[str]:
    """``11/6`` ... ``12/5``: the 30 days ending with ``day``."""
    days = [day - timedelta(days=TREND_DAYS - 1 - i) for i in range(TREND_DAYS)]
    return [f"{d.month}/{d.day}" for d in days]


def _charts(data: DigestData, day: date, labels: list[str], language: str) -> tuple[Chart, ...]:
    """The 30-day trend of new complaints (the table beside it lists the same counts)."""
    png = bar_chart(
        _TREND_TITLE[language], labels, [Series(_TREND_SERIES[language], data.daily_new)]
    )
    if png is None:
        return ()
    alt = f"{_TREND_TITLE[language]}: " + ", ".join(
        f"{label} {count}" for label, count in zip(labels, data.daily_new, strict=True)
    )
    return (Chart(f"trend-{day:%Y%m%d}@complaintd", "trend.png", alt, png),)
