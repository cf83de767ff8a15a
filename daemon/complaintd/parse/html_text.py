"""Readable text from HTML-only mail (html2text, configured for a ticket view).

Named ``html_text`` rather than ``html`` so it cannot be mistaken for (or
shadow) the standard library's ``html`` module.
"""

from __future__ import annotations

import html
import re

import html2text

# <style>, <script> and <head> carry no readable text; removing them up front
# also keeps unclosed or malformed blocks from leaking CSS into the body.
_INVISIBLE = re.compile(r"<(style|script|head)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_TRAILING_SPACE = re.compile(r"[ \t\xa0]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_text(markup: str) -> str:
    """Convert an HTML body to plain text: no wrapping, no images, readable links."""
    cleaned = _COMMENT.sub("", _INVISIBLE.sub("", markup))
    # Tables are flattened (see _converter); keep a space between adjacent cells.
    cleaned = _CELL_END.sub(lambda m: " " + m.group(0), cleaned)
    try:
        text = _converter().handle(cleaned)
    except Exception:  # a third-party parser on hostile input: degrade, never fail
        text = html.unescape(_TAG.sub(" ", cleaned))
    return _tidy(text)


class _TextConverter(html2text.HTML2Text):
    """html2text without Markdown escaping: the output is read by people."""

    def handle_data(self, data: str, entity_char: bool = False) -> None:
        """Emit text data; ``entity_char=True`` is html2text's switch for "do not escape"."""
        super().handle_data(data, entity_char=True)


def _converter() -> html2text.HTML2Text:
    """A fresh converter (instances keep state, so never share one)."""
    converter = _TextConverter(bodywidth=0)  # do not wrap lines
    converter.ignore_images = True
    converter.ignore_emphasis = True  # no * and _ noise around bold/italic text
    converter.ignore_mailto_links = True  # "a@b.c" instead of [a@b.c](mailto:a@b.c)
    converter.ignore_tables = True  # layout tables read better as plain lines
    converter.unicode_snob = True  # keep non-ASCII characters as they are
    converter.skip_internal_links = True
    return converter


def _tidy(text: str) -> str:
    """Drop trailing spaces and collapse runs of blank lines."""
    text = text.replace("\xa0", " ")
    return _BLANK_RUNS.sub("\n\n", _TRAILING_SPACE.sub("", text)).strip()
