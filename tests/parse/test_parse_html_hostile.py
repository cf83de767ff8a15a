"""HTML bombs: markup that stalled the old converter converts in linear time, readably."""

from __future__ import annotations

import gc
import time

import pytest

from complaintd.parse import parse_message
from complaintd.parse.html_text import html_to_text
from tests.support.hostile import BOMB_UNITS, COMPLAINT_HTML, bomb_markup, html_mail

# The old converter took a minute on 20 KB of nested lists and 4-25 s on 100 KB of the
# unclosed kinds; the new one takes at most 0.15 s on 100 KB here.
BUDGET_SECONDS = 2.0


@pytest.mark.parametrize("kind", sorted(BOMB_UNITS))
def test_a_100_kb_bomb_converts_quickly_and_keeps_the_complaint(kind: str) -> None:
    """The converter's own CPU time: not the wall time, which counts the time the
    shared core was given to others, nor collector pauses for garbage the rest of the
    run left (a full run once measured 3.9 s of wall time for this 0.02 s conversion).
    A stall of the converter itself still fails it."""
    markup = bomb_markup(kind, 100_000)
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        text = html_to_text(markup)
        spent = time.process_time() - started
    finally:
        gc.enable()
    assert spent < BUDGET_SECONDS
    assert text.startswith("运单 SF1234567890123 的货物外箱压坏")
    # Indentation of nested lists and quotes is capped: the text grows linearly.
    assert len(text) <= 4 * len(markup)


@pytest.mark.parametrize("kind", sorted(BOMB_UNITS))
def test_a_bomb_ten_times_larger_costs_about_ten_times_more(kind: str) -> None:
    """Linear, not quadratic: measured on the output size, which does not depend on load."""
    small, large = (len(html_to_text(bomb_markup(kind, size))) for size in (20_000, 200_000))
    assert large <= 12 * max(small, 1000)


@pytest.mark.parametrize("kind", ["nested_lists", "unclosed_style", "unclosed_comment"])
def test_an_html_only_bomb_mail_parses_to_its_complaint(kind: str) -> None:
    parsed = parse_message(html_mail(bomb_markup(kind, 28_000)))
    assert parsed.subject == "货物破损投诉"
    assert parsed.from_addr is not None and parsed.from_addr.email == "wang.fang@customer.example"
    assert "瓷砖碎了 3 箱" in parsed.body.text


READABLE_CASES = [
    (
        "nested_quotes_stop_at_eight",
        "<blockquote>" * 12 + "原文" + "</blockquote>" * 12,
        "> > > > > > > > 原文",
    ),
    ("title_is_not_body", "<title>Newsletter</title><p>正文</p>", "正文"),
    ("unclosed_attribute_leaks_nothing", '<p>正文</p><a href="http://x.example/</body>', "正文"),
    ("unclosed_comment_hides_the_rest", "<p>正文</p><!-- 隐藏", "正文"),
    (
        "link_with_ampersand_is_automatic",
        '<a href="https://t.example/q?a=1&amp;b=2">https://t.example/q?a=1&amp;b=2</a>',
        "<https://t.example/q?a=1&b=2>",
    ),
    ("nbsp_runs_keep_their_width", "<p>T: 1&nbsp;&nbsp; F: 2</p>", "T: 1   F: 2"),
    ("nul_dropped", "<p>正\x00文</p>", "正文"),
    ("crlf_is_whitespace", "<p>a\r\nb</p>", "a b"),
    ("empty", "   ", ""),
]


@pytest.mark.parametrize(
    ("case", "markup", "expected"), READABLE_CASES, ids=[c[0] for c in READABLE_CASES]
)
def test_hostile_and_odd_markup_stays_readable(case: str, markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected, case


def test_nested_lists_stop_indenting_at_eight_levels() -> None:
    text = html_to_text("<ul><li>一" + "<ul><li>深" * 20 + "</ul>" * 21)
    lines = text.split("\n")
    assert lines[0] == "* 一" and len(lines) == 21
    indents = [len(line) - len(line.lstrip(" ")) for line in lines[1:]]
    assert indents[:8] == [4, 6, 8, 10, 12, 14, 16, 16]
    assert set(indents[7:]) == {16} and all(line.endswith("* 深") for line in lines[1:])


def test_complaint_paragraph_is_the_whole_text_of_an_invisible_bomb() -> None:
    assert html_to_text(bomb_markup("unclosed_head", 5_000)) == html_to_text(COMPLAINT_HTML)
