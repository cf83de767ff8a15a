"""The shipping date stated in a complaint (pure: the "today" is an argument).

Only a *labelled* date counts, because a complaint carries many dates (order, promised
delivery, arrival, the day of the phone call):

* a label before the date: ``发货日期：2026-11-02``, ``发货于11月2日``,
  ``shipped on Nov 2, 2026``, ``shipping date: 2 November 2026``;
* or, as Chinese puts it, a shipping verb right after it: ``我11月2日发的货``,
  ``2026年11月2日寄出``.

Formats: ``2026-11-02``, ``2026/11/2``, ``2026.11.2``, ``2026年11月2日`` (日/号/號),
``11月2日``, ``Nov 2, 2026``, ``November 2nd``, ``2 November 2026``, ``2nd of Nov``,
and 今天/昨天/前天/today/yesterday.  A date without a year takes the year of
``reference``, or the year before when that would put it after ``reference`` (goods are
not shipped in the future: on 2027-01-03, ``12月30日`` is 2026-12-30).  Ambiguous
numeric forms (``2/11``, ``11/2/2026``) are not guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MON = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![a-z])\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR_TAIL = r"(?:,?\s*(?P<y>\d{4}))?(?!\d)"

# Each format has groups y (optional), m or mon, d; or rel for relative days.
_FORMATS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?"),
    re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?"),
    re.compile(
        rf"(?<![a-z]){_MON}\s*(?P<d>\d{{1,2}}){_ORDINAL}(?![\d:]){_YEAR_TAIL}", re.I | re.ASCII
    ),
    re.compile(
        rf"(?<![\d.])(?P<d>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?{_MON}{_YEAR_TAIL}", re.I | re.ASCII
    ),
    re.compile(r"(?P<rel>今天|今日|昨天|昨日|前天|today|yesterday)", re.I | re.ASCII),
)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}

_LABEL_BEFORE_RE = re.compile(
    r"(?:发货日期|发货时间|发货日|寄件日期|寄件时间|寄出日期|发出日期|出货日期|发运日期|發貨日期"
    r"|發貨時間|寄件時間|出貨日期|发货|寄出|发出|寄件|發貨|出貨|出货"
    r"|(?<![a-z])(?:ship(?:ping|ment)?\s+date|date\s+of\s+(?:shipment|dispatch|shipping)"
    r"|dispatch(?:ed)?(?:\s+date|\s+on)?|shipped(?:\s+on)?|sent\s+(?:out\s+)?on|posted\s+on))"
    r"\s*(?:[:是为為于於在]\s*)*(?:(?:it|them|the\s+(?:goods|parcel|package))\s+)?(?:on\s+)?$",
    re.IGNORECASE | re.ASCII,
)
_VERB_AFTER_RE = re.compile(
    r"\s*(?:就|已经|已經|已)?\s*(?:发货|发出|寄出|寄件|发的|寄的|發貨|發出|發的|出貨|出货"
    r"|(?:was\s+)?(?:shipped|dispatched))",
    re.IGNORECASE | re.ASCII,
)
# Long enough for "shipping date of the goods: ", short enough to stay in the sentence.
_LABEL_WINDOW = 40


def _year_for(month: int, day: int, reference: date) -> date:
    """Month and day without a year: the latest such date not after ``reference``."""
    for year in range(reference.year, reference.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 29 February outside a leap year: keep looking back
            continue
        if candidate <= reference:
            return candidate
    raise ValueError(f"no year for month {month} day {day}")


def _month_of(groups: dict[str, str | None]) -> int:
    """The month number from a numeric ``m`` or an English ``mon`` group."""
    if groups.get("mon"):
        return _MONTHS[str(groups["mon"]).lower()]
    return int(str(groups["m"]))


def _to_date(match: re.Match[str], reference: date) -> date | None:
    """Turn one format match into a date; None when it is not a real date."""
    groups = match.groupdict()
    if groups.get("rel"):
        return reference - timedelta(days=_RELATIVE_DAYS[str(groups["rel"]).lower()])
    try:
        month, day = _month_of(groups), int(str(groups["d"]))
        if groups.get("y"):
            return date(int(str(groups["y"])), month, day)
        return _year_for(month, day, reference)
    except ValueError:  # 2026-13-45, 30 February: a number that is not a date
        return None


def _candidates(text: str) -> Iterator[re.Match[str]]:
    """Every date-looking span in ``text``, in text order."""
    matches = [m for fmt in _FORMATS for m in fmt.finditer(text)]
    return iter(sorted(matches, key=lambda m: (m.start(), -m.end())))


def _is_labelled(text: str, match: re.Match[str]) -> bool:
    """A shipping label right before the date, or a shipping verb right after it."""
    before = text[max(0, match.start() - _LABEL_WINDOW) : match.start()]
    if _LABEL_BEFORE_RE.search(before):
        return True
    return _VERB_AFTER_RE.match(text, match.end()) is not None


def shipping_date(text: str, reference: date) -> date | None:
    """The first labelled shipping date in ``text`` (see module doc), else None."""
    for match in _candidates(text):
        found = _to_date(match, reference) if _is_labelled(text, match) else None
        if found is not None:
            return found
    return None
