"""RFC 3676 ``format=flowed`` text, unwrapped into paragraphs.

Apple Mail, Thunderbird and many webmails send ``text/plain; format=flowed``:
long lines are wrapped at about 72 columns and every wrapped line ends with a
space (a "soft" line break).  A reader joins such lines again.  With
``DelSp=yes`` (RFC 3676 section 4.2) the space was added by the wrapping and is
deleted when joining - the rule that keeps Chinese and Japanese text, which has
no spaces between words, from getting one in the middle of a sentence.

Quoted lines carry their depth as leading ``>`` (no space between them); a
space right after them, or at the start of an unquoted line, is space-stuffing
(section 4.4) and is removed.  The result is quoted the usual way (``> ``) so
that the quote stripper still sees the quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTE = re.compile(r"^>+")
_SIGNATURE_SEPARATOR = "-- "  # section 4.3: never flowed


@dataclass(frozen=True)
class _Line:
    """One physical line: quote depth, content without quote marks or stuffing."""

    depth: int
    text: str

    @property
    def soft(self) -> bool:
        """A soft line break: ends in a space and is not the signature separator."""
        return self.text.endswith(" ") and self.text != _SIGNATURE_SEPARATOR


def unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of flowed ``text`` (LF line ends)."""
    paragraphs: list[list[_Line]] = []
    for line in map(_read_line, text.split("\n")):
        last = paragraphs[-1][-1] if paragraphs else None
        if last is not None and last.soft and last.depth == line.depth:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return "\n".join(_render(lines, delsp) for lines in paragraphs)


def _read_line(raw: str) -> _Line:
    """Quote depth and content of one line, space-stuffing removed."""
    quotes = _QUOTE.match(raw)
    depth = len(quotes.group(0)) if quotes else 0
    content = raw[depth:]
    return _Line(depth, content[1:] if content.startswith(" ") else content)


def _render(lines: list[_Line], delsp: bool) -> str:
    """One paragraph as one display line, quoted with ``> `` per level.

    Every soft-broken line but a trailing one is joined to the next; with
    DelSp its trailing space goes.  A paragraph cut short by a change of
    quote depth keeps its last line as it is.
    """
    text = "".join(_joined(line, delsp) for line in lines[:-1]) + lines[-1].text
    depth = lines[0].depth
    if not depth:
        return text
    return ">" * depth + (" " + text if text else "")


def _joined(line: _Line, delsp: bool) -> str:
    """A soft-broken line's text as it is joined to the next one."""
    return line.text[:-1] if delsp else line.text
