"""Tickets as a terminal table and as CSV for spreadsheets (pure).

Both are built from the ticket documents of :mod:`complaintd.views.tickets`, plus the
clock for the age of each ticket and whether it is overdue.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from complaintd.views.records import is_overdue

TABLE_HEADER = (
    "NUMBER",
    "STATUS",
    "SEVERITY",
    "CATEGORY",
    "DUE",
    "AGE",
    "OWNER",
    "CUSTOMER",
    "WAYBILLS",
    "SUBJECT",
)
CSV_HEADER = (
    "number",
    "status",
    "severity",
    "category",
    "source",
    "owner",
    "customer_name",
    "customer_email",
    "customer_fax",
    "waybills",
    "subject",
    "created_at",
    "due_at",
    "overdue",
    "age_hours",
)


def document_overdue(document: dict[str, Any], now: datetime) -> bool:
    """True when the ticket is open and its promised answer time has passed."""
    due = document["due_at"]
    return is_overdue(document["status"], parse_time(due) if due else None, now)


def parse_time(value: str) -> datetime:
    """A time of a document (ISO 8601 with offset) back as an aware datetime."""
    return datetime.fromisoformat(value)


def age(since: datetime, now: datetime) -> str:
    """How long ago ``since`` was, to the unit that matters: ``3d 4h``, ``5h 10m``, ``7m``."""
    minutes = max(0, int((now - since) / timedelta(minutes=1)))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"


def short_time(value: str | None) -> str:
    """``2026-11-21T10:00:00+08:00`` as ``11-21 10:00`` (the desk's zone, already)."""
    return "-" if value is None else f"{value[5:10]} {value[11:16]}"


def ticket_table(documents: Sequence[dict[str, Any]], now: datetime) -> str:
    """A plain table of tickets for a terminal; ``!`` marks a due time that has passed."""
    return plain_table(TABLE_HEADER, [_table_row(d, now) for d in documents])


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]], last: int = 60) -> str:
    """A header line and rows in aligned columns; the last column is cut at ``last``."""
    table = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(width(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = []
    for row in table:
        cells = [pad(cell, widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, clip(row[-1], last)]).rstrip())
    return "\n".join(lines)


def _table_row(document: dict[str, Any], now: datetime) -> tuple[str, ...]:
    customer = document["customer"]
    who = customer["email"] or customer["fax"] or customer["name"] or "-"
    due = short_time(document["due_at"]) + (" !" if document_overdue(document, now) else "")
    return (
        document["number"],
        document["status"],
        document["severity"],
        document["category"],
        due,
        age(parse_time(document["created_at"]), now),
        clip(document["owner"] or "-", 24),
        clip(who, 32),
        clip(",".join(document["waybills"]) or "-", 28),
        document["subject"] or "(no subject)",
    )


def ticket_csv(documents: Sequence[dict[str, Any]], now: datetime) -> str:
    """CSV (RFC 4180, UTF-8) with a header line: one ticket a row, for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_row(d, now) for d in documents)
    return out.getvalue()


def _csv_row(document: dict[str, Any], now: datetime) -> tuple[Any, ...]:
    customer = document["customer"]
    hours = (now - parse_time(document["created_at"])) / timedelta(hours=1)
    return (
        document["number"],
        document["status"],
        document["severity"],
        document["category"],
        document["source"],
        document["owner"] or "",
        customer["name"] or "",
        customer["email"] or "",
        customer["fax"] or "",
        " ".join(document["waybills"]),
        document["subject"],
        document["created_at"],
        document["due_at"] or "",
        "yes" if document_overdue(document, now) else "no",
        f"{max(0.0, hours):.1f}",
    )


def width(text: str) -> int:
    """Display width: East Asian wide characters take two columns in a terminal."""
    return len(text) if text.isascii() else sum(map(char_width, text))


def char_width(ch: str) -> int:
    """Columns one character takes: two for East Asian wide and full-width ones."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` display columns."""
    return text + " " * (columns - width(text))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` display columns, with ``…`` where it was cut."""
    if width(text) <= limit:
        return text
    used = 0
    for index, ch in enumerate(text):
        used += char_width(ch)
        if used > limit:
            return text[:index] + "…"
    return text
