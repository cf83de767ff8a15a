"""Hostile HTML mail for tests, benchmarks and the fuzz harness.

Each bomb is markup that made the old HTML converter stall: nested lists were cubic in
their size, and unclosed ``<style>``, ``<script>``, ``<head>``, comments, attribute
quotes and end tags quadratic.  A bomb follows a line of real complaint text, as an
attacker's (or a broken generator's) mail would carry one, and is sent the way webmail
sends an HTML-only mail: one ``text/html`` part in base64.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from tests.support.mime import address, encoded_words, flatten, text_part

__all__ = ["BOMB_UNITS", "COMPLAINT_HTML", "bomb_markup", "html_mail"]

# The repeated unit of each bomb.
BOMB_UNITS: dict[str, str] = {
    "nested_lists": "<ul><li>x",
    "nested_ordered_lists": "<ol><li>x",
    "nested_quotes": "<blockquote>x",
    "unclosed_style": "<style>",
    "unclosed_script": "<script>a",
    "unclosed_head": "<head>",
    "unclosed_comment": "<!--",
    "unclosed_attribute": '<a b="',
    "unclosed_end_tags": "</",
    "processing_instructions": "<?",
}

COMPLAINT_HTML = "<p>运单 SF1234567890123 的货物外箱压坏，瓷砖碎了 3 箱，请尽快处理。</p>"


def bomb_markup(kind: str, size: int) -> str:
    """A complaint paragraph followed by ``size`` bytes (about) of the ``kind`` bomb."""
    unit = BOMB_UNITS[kind]
    return COMPLAINT_HTML + unit * (size // len(unit))


def html_mail(
    markup: str,
    *,
    subject: str = "货物破损投诉",
    sender: tuple[str, str] = ("王芳", "wang.fang@customer.example"),
    message_id: str = "bomb-1@customer.example",
) -> bytes:
    """An HTML-only mail (UTF-8, base64), as webmail sends one."""
    headers = [
        ("From", address(*sender)),
        ("To", "complaints@lida.example"),
        ("Subject", encoded_words(subject, "utf-8", "utf-8")),
        ("Date", format_datetime(datetime(2026, 11, 20, 9, 30, tzinfo=UTC))),
        ("Message-ID", f"<{message_id}>"),
        ("MIME-Version", "1.0"),
    ]
    return flatten(headers, text_part(markup, "html", "utf-8", "utf-8", "base64"))
