"""A small HTML well-formedness check for the mail templates (pure).

Mail clients are forgiving in different ways, so we do not rely on their repairs:
every non-void element must be closed, in order.  This is stricter than HTML5
(which lets ``</p>`` and ``</li>`` be implied) on purpose.
"""

from __future__ import annotations

from html.parser import HTMLParser

# Elements that never have an end tag (HTML Living Standard, "void elements").
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


class _TagBalance(HTMLParser):
    """Tracks open elements and records every misnesting it sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, int]] = []  # tag, line where it opened
        self.problems: list[str] = []
        self.saw_doctype = False

    def handle_decl(self, decl: str) -> None:
        """Note the ``<!DOCTYPE html>`` declaration."""
        if decl.lower().startswith("doctype"):
            self.saw_doctype = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Push a non-void element."""
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<br/>`` style tags close themselves; ``<div/>`` does not in HTML."""
        if tag not in VOID_ELEMENTS:
            self.problems.append(f"line {self.getpos()[0]}: <{tag}/> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        """Pop the matching element or record what is wrong."""
        line = self.getpos()[0]
        if tag in VOID_ELEMENTS:
            self.problems.append(f"line {line}: </{tag}> closes a void element")
        elif not self.open:
            self.problems.append(f"line {line}: </{tag}> closes nothing")
        elif self.open[-1][0] != tag:
            expected, opened = self.open[-1]
            self.problems.append(
                f"line {line}: </{tag}> found, but <{expected}> from line {opened} is still open"
            )
            # Recover as a browser would, so one slip is reported once, not at every tag.
            if any(name == tag for name, _ in self.open):
                while self.open and self.open.pop()[0] != tag:
                    pass
        else:
            self.open.pop()


def html_problems(markup: str) -> list[str]:
    """What keeps ``markup`` from being a well-formed HTML document; [] when nothing."""
    parser = _TagBalance()
    parser.feed(markup)
    parser.close()
    problems = list(parser.problems)
    problems.extend(f"line {line}: <{tag}> is never closed" for tag, line in parser.open)
    if not parser.saw_doctype:
        problems.insert(0, "no <!DOCTYPE html> declaration")
    return problems
