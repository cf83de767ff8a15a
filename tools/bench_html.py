"""HTML bombs, 1 KB to 200 KB: seconds to convert (html_to_text) and to analyse the mail.

Prints one row per bomb of ``tests.support.hostile``; a linear converter takes about
4x longer from 50 KB to 200 KB, a quadratic one 16x.  Run: ``.venv/bin/python -m
tools.bench_html`` from the checkout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from tests.support.hostile import BOMB_UNITS, bomb_markup, html_mail

from complaintd.classify.extract import DEFAULT_PATTERNS
from complaintd.classify.rules import DEFAULT_RULES
from complaintd.parse.html_text import html_to_text
from complaintd.workflow.analysis import AnalysisSettings, analyze

SIZES = (1_000, 10_000, 50_000, 200_000)
SETTINGS = AnalysisSettings(DEFAULT_RULES, DEFAULT_PATTERNS, "zh-CN")


def seconds(work: Callable[[str], object], argument: str) -> float:
    """Wall seconds of one call."""
    started = time.perf_counter()
    work(argument)
    return time.perf_counter() - started


def analyse_mail(markup: str) -> object:
    """Analyse ``markup`` sent as an HTML-only mail."""
    return analyze(html_mail(markup), SETTINGS, date(2026, 11, 20))


def main() -> None:
    """Print the table."""
    print(f"{'bomb':26}{'':4}" + "".join(f"{size // 1000:>9} KB" for size in SIZES))
    for kind in BOMB_UNITS:
        for stage in ("convert", "analyse"):
            work = html_to_text if stage == "convert" else analyse_mail
            row = [seconds(work, bomb_markup(kind, size)) for size in SIZES]
            print(f"{kind:26}{stage:8}" + "".join(f"{value:10.3f}s" for value in row))


if __name__ == "__main__":
    main()
