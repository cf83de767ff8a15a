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

import heapq
import re
from collections.abc import Iterator
from datetime import date, timedelta

from complaintd.classify.prefilter import Needles, Scan, finditer_from, scan

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

# Speed: the formats are tried only where they can start (prefilter.finditer_from).
# Numeric dates are found from their first separator, the Chinese ones from 年/月 and
# the English ones from the month name, whose first three letters every name shares.
_NUMERIC_SEPARATOR_RE = re.compile(r"[-/.](?=\d{1,2}[-/.]\d)")
_MONTH_LEADS = tuple(dict.fromkeys(name[:3] for name in _MONTHS))
LEADS: tuple[str, ...] = ("年", "月", *_MONTH_LEADS, *_RELATIVE_DAYS)
_NEEDLES = Needles(LEADS)

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
# Every label of _LABEL_BEFORE_RE contains one of these (lower case): a window without
# any needs no regex search.
_LABEL_HINTS = ("发", "寄", "發", "出", "ship", "dispatch", "sent", "posted")


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


def _space_start(text: str, end: int) -> int:
    """Where the run of whitespace (``\\s``) that ends at ``end`` starts."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _before_month(low: str, month: int) -> list[int]:
    """Where "2nd of Nov" / "2 Nov" can start, given where the month name starts.

    One or two digits, maybe an ordinal (2 letters), whitespace, maybe "of" and more
    whitespace: up to 4 characters before the whitespace run(s).
    """
    starts: list[int] = []
    space = _space_start(low, month)
    while space < month:
        starts += [space - 1, space - 2, space - 3, space - 4]
        if low[space - 2 : space] != "of":
            break
        month, space = space - 2, _space_start(low, space - 2)
    return starts


def _format_starts(seen: Scan) -> tuple[list[int], ...]:
    """For each of ``_FORMATS``, the positions where it can match (a superset, sorted)."""
    text = seen.text
    numeric = [m.start() - 4 for m in _NUMERIC_SEPARATOR_RE.finditer(text)]
    years = [_space_start(text, at) - 4 for at in seen.found.get("年", ())]
    months = [_space_start(text, at) - n for at in seen.found.get("月", ()) for n in (1, 2)]
    names = seen.starts(_MONTH_LEADS)
    day_first = [at for name in names for at in _before_month(seen.low, name)]
    relative = seen.starts(_RELATIVE_DAYS)
    groups = (numeric, years, months, names, day_first, relative)
    return tuple(sorted({at for at in group if at >= 0}) for group in groups)


def _candidates(seen: Scan) -> Iterator[re.Match[str]]:
    """Every date-looking span in the text, in text order (longest first at a start).

    Lazy, so a mail whose shipping date comes early is not scanned to its end; merge is
    stable, so equal spans keep the order of ``_FORMATS`` as the full sort did.
    """
    per_format = (
        finditer_from(fmt, seen.text, starts)
        for fmt, starts in zip(_FORMATS, _format_starts(seen), strict=True)
    )
    return heapq.merge(*per_format, key=lambda m: (m.start(), -m.end()))


def _is_labelled(seen: Scan, match: re.Match[str]) -> bool:
    """A shipping label right before the date, or a shipping verb right after it."""
    first, last = max(0, match.start() - _LABEL_WINDOW), match.start()
    hinted = any(hint in seen.low[first:last] for hint in _LABEL_HINTS)
    if hinted and _LABEL_BEFORE_RE.search(seen.text[first:last]):
        return True
    return _VERB_AFTER_RE.match(seen.text, match.end()) is not None


def scan_for_dates(text: str, low: str | None = None) -> Scan:
    """``text`` prepared for :func:`shipping_date` (``low``: its ``fold_case`` copy)."""
    return scan(text, _NEEDLES, low)


def shipping_date(text: str, reference: date, seen: Scan | None = None) -> date | None:
    """The first labelled shipping date in ``text`` (see module doc), else None.

    ``seen`` is a :class:`Scan` of ``text`` for (at least) ``LEADS``, if the caller has
    one; otherwise it is made here.
    """
    if seen is None:
        seen = scan_for_dates(text)
    for match in _candidates(seen):
        found = _to_date(match, reference) if _is_labelled(seen, match) else None
        if found is not None:
            return found
    return None
