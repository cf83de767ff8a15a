"""Readable text from HTML-only mail: libxml2 reads the markup, html2text writes the text.

lxml's HTML parser (libxml2, in C) reads markup as tolerantly as a browser and in time
linear in its size, however much of it is unclosed.  Its events drive html2text's
renderer directly, so html2text's own regex tokenizer (quadratic on unclosed comments,
attributes and end tags) never sees the markup.  In between, ``_ReadableEvents`` drops
what carries no readable text and caps the nesting of lists and quotes, whose
indentation would otherwise make the text grow with the square of the nesting depth.

Named ``html_text`` rather than ``html`` so it cannot be mistaken for (or shadow) the
standard library's ``html`` module.
"""

from __future__ import annotations

import html
import re
from collections import Counter

import html2text
from lxml import etree

# Elements whose content is never readable text (html2text would silence them too).
_INVISIBLE = frozenset({"style", "script", "head"})
# html2text keeps an <abbr>'s text by string concatenation (quadratic) to print
# "*[abbr]: title" footnotes that nobody at a complaint desk needs: pass its text only.
_UNWRAPPED = frozenset({"abbr"})
_CELLS = frozenset({"td", "th"})
# Deeper nesting is flattened into the innermost allowed level; no real mail nests
# lists or quotes this deep, and each level indents every line below it.
_NESTING_FAMILY = {"ul": "list", "ol": "list", "blockquote": "blockquote"}
_FAMILY_LIMIT = {"list": 8, "blockquote": 8}
_NBSP_PLACEHOLDER = "&nbsp_place_holder;"  # html2text turns it into a no-break space at the end
_TAG = re.compile(r"<[^<>]*>")  # linear: a match never extends past the next "<"
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_text(markup: str) -> str:
    """Convert an HTML body to plain text: no wrapping, no images, readable links."""
    if not markup.strip():
        return ""
    renderer = _converter()
    try:
        _parse(markup, _ReadableEvents(renderer))
        text = renderer.finish()
    except Exception:  # a third-party parser on hostile input: degrade, never fail
        text = html.unescape(_TAG.sub(" ", markup))
    return _tidy(text)


def _parse(markup: str, target: _ReadableEvents) -> None:
    """Run libxml2's HTML parser over ``markup``, sending its events to ``target``."""
    parser = etree.HTMLParser(
        target=target, encoding="utf-8", recover=True, no_network=True, huge_tree=True
    )
    parser.feed(markup.replace("\x00", "").encode("utf-8", "replace"))  # libxml2 reads C strings
    parser.close()


class _TextConverter(html2text.HTML2Text):
    """html2text without Markdown escaping: the output is read by people."""

    def handle_data(self, data: str, entity_char: bool = False) -> None:
        """Emit text data; ``entity_char=True`` is html2text's switch for "do not escape"."""
        super().handle_data(data, entity_char=True)


def _converter() -> _TextConverter:
    """A fresh converter (instances keep state, so never share one)."""
    converter = _TextConverter(bodywidth=0)  # do not wrap lines
    converter.ignore_images = True
    converter.ignore_emphasis = True  # no * and _ noise around bold/italic text
    converter.ignore_mailto_links = True  # "a@b.c" instead of [a@b.c](mailto:a@b.c)
    converter.ignore_tables = True  # layout tables read better as plain lines
    converter.unicode_snob = True  # keep non-ASCII characters as they are
    converter.skip_internal_links = True
    return converter


class _ReadableEvents:
    """An lxml parser target passing the readable part of a document to html2text.

    libxml2 reports every element's start and end properly nested (it closes what the
    markup left open), so one stack says which starts were passed on.
    """

    def __init__(self, renderer: _TextConverter) -> None:
        self.renderer = renderer
        self.open: list[tuple[str, bool]] = []  # (tag, passed on) of each open element
        self.hidden = 0  # open invisible elements
        self.nesting: Counter[str] = Counter()  # open lists and quotes passed on
        self.pending: list[str] = []  # libxml2 may split one text into several calls

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """An element opens: pass it on unless it is invisible, unwrapped or too deep."""
        self._flush()
        passed = self._passes(tag)
        self.open.append((tag, passed))
        if tag in _INVISIBLE:
            self.hidden += 1
        if passed:
            self._count(tag, +1)
            self.renderer.handle_starttag(tag, list(attrib.items()))

    def end(self, tag: str) -> None:
        """An element closes: close it in the renderer if its start was passed on."""
        if tag in _CELLS and not self.hidden:
            self.pending.append(" ")  # adjacent table cells stay apart
        self._flush()
        if not self.open:
            return
        tag, passed = self.open.pop()
        if tag in _INVISIBLE:
            self.hidden -= 1
        if passed:
            self._count(tag, -1)
            self.renderer.handle_endtag(tag)

    def data(self, text: str) -> None:
        """Character data, kept until the next tag (html2text wants a text in one piece)."""
        if not self.hidden:
            self.pending.append(text)

    def close(self) -> None:
        """The end of the document."""
        self._flush()

    def _passes(self, tag: str) -> bool:
        if self.hidden or tag in _INVISIBLE or tag in _UNWRAPPED:
            return False
        family = _NESTING_FAMILY.get(tag)
        return family is None or self.nesting[family] < _FAMILY_LIMIT[family]

    def _count(self, tag: str, step: int) -> None:
        family = _NESTING_FAMILY.get(tag)
        if family is not None:
            self.nesting[family] += step

    def _flush(self) -> None:
        if self.pending:
            # html2text keeps each &nbsp; as a space of its own, but collapses "\xa0".
            text = "".join(self.pending).replace("\xa0", _NBSP_PLACEHOLDER)
            self.renderer.handle_data(text)
            self.pending.clear()


def _tidy(text: str) -> str:
    """Drop trailing spaces and collapse runs of blank lines (in linear time)."""
    lines = text.replace("\xa0", " ").split("\n")
    text = "\n".join(line.rstrip(" \t") for line in lines)
    return _BLANK_RUNS.sub("\n\n", text).strip()
