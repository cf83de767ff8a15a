"""detect_language: zh-CN for Chinese (either script), en for Latin, else the default."""

from __future__ import annotations

import time

import pytest

from complaintd.classify import LANGUAGES, detect_language

CASES = [
    pytest.param("您好，我的快递延误了，请尽快处理。", "zh-CN", id="simplified"),
    pytest.param("您好，我的快遞延誤了，請盡快處理。", "zh-CN", id="traditional"),
    pytest.param("Hello, my parcel is three days late.", "en", id="english"),
    pytest.param(
        "货物破损，请处理。\nBest regards, John Smith, Sales Manager, ACME Trading Co., Ltd.",
        "zh-CN",
        id="chinese-with-english-signature",
    ),
    pytest.param(
        "您好\n" + "The goods arrived broken and we need a replacement as soon as possible. " * 3,
        "en",
        id="english-with-chinese-greeting",
    ),
    pytest.param(
        "Dear Sir, the ceramic tiles (瓷砖) we ordered from your Foshan branch arrived broken. "
        "Please call our purchasing manager Mr Li (李先生) to arrange the replacement.",
        "en",
        id="english-with-chinese-names",
    ),
    pytest.param(
        "请联系我 zhang.san@example.com https://www.example.com/track?id=abcdef",
        "zh-CN",
        id="urls-and-addresses-ignored",
    ),
    pytest.param("运单号SF1234567890123还没到", "zh-CN", id="chinese-with-waybill"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_detects_language(text: str, expected: str) -> None:
    """Chinese (either script) and English are told apart whatever the default."""
    assert detect_language(text) == expected
    assert detect_language(text, default="en") == expected


NO_CLUE = [
    pytest.param("", id="empty"),
    pytest.param("   \n\t", id="blank"),
    pytest.param("SF1234567890123 2026-11-02 13812345678", id="numbers-only"),
    pytest.param("OK", id="two-letters"),
    pytest.param("好", id="one-ideograph"),
    pytest.param("!!! ??? ...", id="punctuation"),
    pytest.param("ＳＦ１２３", id="fullwidth-latin-is-not-english"),
]


@pytest.mark.parametrize("text", NO_CLUE)
@pytest.mark.parametrize("default", LANGUAGES)
def test_falls_back_to_default(text: str, default: str) -> None:
    """Text without a usable clue gives the configured default."""
    assert detect_language(text, default=default) == default


def test_reads_only_the_start_of_a_long_text() -> None:
    """Only the first few KB decide the language."""
    text = "Hello, the parcel is late. " * 200 + "货物破损" * 5000
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * 20_000, id="one-long-word"),
        pytest.param("a.b+c-" * 4_000, id="address-like-run"),
        pytest.param("延误" * 10_000, id="chinese"),
    ],
)
def test_is_fast_on_20kb(text: str) -> None:
    """Detection is fast even on pathological 20 KB inputs."""
    started = time.perf_counter()
    detect_language(text)
    assert time.perf_counter() - started < 1.0  # a guard against super-linear time, not a benchmark
