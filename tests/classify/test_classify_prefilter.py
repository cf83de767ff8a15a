"""The fast paths of classify give exactly what the plain regexes give.

Every regex that classification runs is tried only where a cheap pre-scan says it can
match (see ``complaintd.classify.prefilter``).  If a pre-scan ever left out a true match
start, behaviour would change silently, so these tests run each fast path and the plain
``finditer``/``search``/``sub`` side by side - on realistic sample mail and on seeded
random text built from labels, keywords, numbers, case variants and odd whitespace -
and require the same spans.
"""

from __future__ import annotations

import functools
import random
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date

import pytest

from complaintd.classify import (
    DEFAULT_RULES,
    ClassifyRules,
    classify,
    dates,
    detect_language,
    extract,
    extract_registration,
    goods,
    language,
    matching,
    prefilter,
    rules_from_config,
)
from complaintd.classify.keywords import CATEGORY_KEYWORDS, SEVERITY_KEYWORDS

_FRAGMENTS = """
运单号：753123456789012、753123456789013 和 753123456789014|快递单号码 75312345678901
物流单号 JT1234567890123|快递号:SF1234567890123|單號 753123456789012|訂單號 12345
账单号 123456789012|中通 753123456789012|申通75312345678901|韵达 快递 4312345678901
天天快递 753123456789012|極兔 JT1234567890123|Tracking No. ZT123456789012
tracking number is # 123456789012|AWB 123456789012|air  waybill 7531234567890
consignment no. 123456789012|STO 123456789012|customer 123456789012
Best Express 123456789012|J&T 123456789012|DHL 1234567890|dhl waybill: 1234567890
ea123456789cn|EA123456789CN 和 ES987654321CN|sf1234567890123|SF12345678901|jdva123456789012
JDX123456789|YT1234567890123|yt 1234567890123|1Z12345E6789012345|1z12345e67890123456
订单号：PO-2026-0012|order no. ABC-12345|Order #: 55512345|P.O. 987654|po 2026-777
purchase  order 12345678|采购订单号 2026-777|采购单号 HT-2026-0001|合同编号：HT20261102
订单2026年|订单 5000元|PO-2026-88 / PO-2026-89|+86-13812345678|+8613812345678
86 138 1234 5678|+86 138-1234-5678|8613912345678|13912345678901|a13812345678
(010)87654321 ext. 12|021-1234567x9|0755-87654321转123|(0755) 1234567|2026-10-29 14:56
10-29 021-12345678|发货日期：2026年11月2日|我11月2日发的货|2026年11月2日寄出
发货于 11 月 2 日|寄件时间 2026/11/02|11月 2日已经发货|shipped on Nov 2, 2026
posted on 3 Nov|sent out on Nov 3|dispatched 2 Nov|date of shipment: 2nd of November
Shipping Date: 2 November 2026|yesterday was shipped|今天寄出|昨日 发货|前天发的|on May 5th
Sept. 3|2026.11.2 发出|2 of  Nov|12th  of Dec 2025|31 February|2026-13-45 发货|dismay 5
summary 3 Nov|4th Octopus|Nov 30 2026:12|货物名称：瓷砖，|托寄物内容：手机|品名: 茶叶
Contents: 3 boxes of ceramic tiles|goods: shoes; qty: 4|Description of goods: tea
Item: phone cases|Products : lamps 数量 3|commodity: rice|数量：3箱|件数为5件
no. of pieces: 4|Quantity: 12 pallets|qty 3 units|3 boxes of tiles|2 box of x
10 pallets of y.|1.5 kg of rice|5 sets of z and|4 Cartons Of Glass were
12 crates of apples from|v1.5 kg of x|1.2.3 kg of y|寄了3箱瓷砖，|共5件|一共 3 台|总共2件
买了 2 台电视到|托运了5件家具。|订了10个杯子|合计 7 箱|https://www.example.com/x
http://a.b/c|WWW.EXAMPLE.COM|HTTPS://X.Y|bob.smith+x@mail.example.com|张三@例子.中国
not damaged|wasn't damaged|no one was injured|没有破损|未发现明显破损|Not Late|never arrived
without any damage|并非破损|不存在延误|nobody was hurt|There is nothing broken|isn't it late
""".replace("\n", "|").split("|")
_ODD = [
    "İ",
    "ı",
    "K",
    "ſ",
    "É",
    "é",
    "ß",
    "Σ",
    "ＳＦ",
    "１２３",
    "：",
    "，",
    "’",
    "‘",
    "ʼ",
    "…",
    "①",
    "\u3000",
]
_SPACES = [" ", " ", " ", "", "", "\n", "  ", "\t", "\u3000", "\xa0", "\r\n", "\x0b"]


def _keywords() -> list[str]:
    """Every default keyword, category and severity."""
    found = [kw for kws in CATEGORY_KEYWORDS.values() for kw in kws]
    return found + [kw for _name, _level, kws in SEVERITY_KEYWORDS for kw in kws]


def _random_text(rng: random.Random, parts: int) -> str:
    """Fragments, keywords, numbers and odd characters in random case and spacing."""
    keywords = _keywords()
    pieces: list[str] = []
    for _ in range(parts):
        roll = rng.random()
        if roll < 0.35:
            piece = rng.choice(_FRAGMENTS)
        elif roll < 0.65:
            piece = rng.choice(keywords)
        elif roll < 0.85:
            piece = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 16)))
        else:
            piece = rng.choice(_ODD)
        case = rng.random()
        piece = piece.upper() if case < 0.1 else piece.title() if case < 0.2 else piece
        pieces += [piece, rng.choice(_SPACES)]
    return "".join(pieces)


@functools.cache
def corpus() -> list[str]:
    """Seeded random texts plus realistic sample mail bodies (built once)."""
    from tests.support.samples import generate_mailbox

    from complaintd.parse import parse_message

    rng = random.Random(20261120)
    texts = [_random_text(rng, rng.randint(1, 40)) for _ in range(1500)]
    mails = [parse_message(raw) for raw in generate_mailbox(120, seed=7)]
    return texts + [mail.subject + "\n" + mail.body.text for mail in mails]


@functools.cache
def normalised() -> list[str]:
    """The corpus as classify sees it."""
    return [matching.normalize(text) for text in corpus()]


def _spans(matches: Iterable[re.Match[str]]) -> list[tuple[int, int]]:
    """Start and end of each match."""
    return [match.span() for match in matches]


def test_normalize_is_nfkc_with_straight_apostrophes() -> None:
    """The shortcut through full-width forms gives exactly NFKC."""
    table = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
    for text in corpus():
        assert matching.normalize(text) == unicodedata.normalize("NFKC", text).translate(table)


def test_fold_case_keeps_positions() -> None:
    """The folded copy has the same length, also with "İ" (whose lower case is 2 long)."""
    for text in [*corpus(), "İSTANBUL", "ıİKſ"]:
        assert len(prefilter.fold_case(text)) == len(text)


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param(DEFAULT_RULES, id="default"),
        pytest.param(
            rules_from_config(
                {"delay": ["late*", "on  time", "延", "İx"], "damage": ["K", "i", "s*", "é"]},
                {"serious": ["12", "no*", "ſ"]},
            ),
            id="operator",
        ),
    ],
)
def test_keyword_scanner_hits_are_those_of_the_full_regex(rules: ClassifyRules) -> None:
    """Aho-Corasick + one regex branch gives the hits of scanner_regex's finditer."""
    for rule_set in (rules.category_rules, rules.severity_rules):
        scanner = matching.scanner_for(tuple(rule.keywords for rule in rule_set))
        regex = matching.scanner_regex(list(scanner._owners))
        for text in normalised():
            expected = [
                (match.start(), scanner._owners_of(match.group()))
                for match in regex.finditer(text)
                if not matching.is_negated(text, match.start())
            ]
            assert [(hit.start, hit.owners) for hit in scanner.scan(text)] == expected, text


def test_negation_prefilter_agrees_with_the_regexes() -> None:
    """A window is negated exactly when one of the two negation regexes finds one."""
    for text in normalised():
        for start in range(0, len(text), 11):
            window = text[max(0, start - 24) : start]
            expected = bool(
                matching._ZH_NEGATION_RE.search(window) or matching._EN_NEGATION_RE.search(window)
            )
            assert matching.is_negated(text, start) == expected, window


@pytest.mark.parametrize(
    "pattern",
    [*extract.DEFAULT_PATTERNS.waybill, *extract.DEFAULT_PATTERNS.order],
    ids=["sf", "jd", "yt", "jt", "s10", "ups", "dhl", "waybill-label", "order-label", "po"],
)
def test_default_id_patterns_match_where_plain_finditer_does(pattern: re.Pattern[str]) -> None:
    """Each default waybill/order pattern, tried only at its leads, finds the same spans."""
    for text in normalised():
        seen = extract.scan_for_ids(text)
        assert _spans(extract._finditer(pattern, seen)) == _spans(pattern.finditer(text)), text


@pytest.mark.parametrize(
    ("pattern", "lead", "back"),
    [
        pytest.param(
            extract._MOBILE_RE, extract._MOBILE_DIGITS_RE, extract._MOBILE_BACK, id="mobile"
        ),
        pytest.param(
            extract._LANDLINE_RE, extract._AREA_CODE_RE, extract._AREA_CODE_BACK, id="landline"
        ),
    ],
)
def test_phone_patterns_match_where_plain_finditer_does(
    pattern: re.Pattern[str], lead: re.Pattern[str], back: tuple[int, ...]
) -> None:
    """Mobile and landline numbers: same spans as the plain regex."""
    for text in normalised():
        fast = extract._phone_matches(pattern, lead, back, text)
        assert _spans(fast) == _spans(pattern.finditer(text)), text


def test_date_candidates_are_those_of_every_format() -> None:
    """The lazy, prefiltered merge yields the spans and formats of the full sort."""
    for text in normalised():
        full = sorted(
            (m for fmt in dates._FORMATS for m in fmt.finditer(text)),
            key=lambda m: (m.start(), -m.end()),
        )
        fast = list(dates._candidates(dates.scan_for_dates(text)))
        assert [(m.re, m.span()) for m in fast] == [(m.re, m.span()) for m in full], text


def test_label_hints_never_hide_a_label() -> None:
    """Wherever the label regex finds a label before a date, a hint is in the window."""
    for text in normalised():
        seen = dates.scan_for_dates(text)
        for start in range(0, len(text) + 1, 5):
            window = text[max(0, start - dates._LABEL_WINDOW) : start]
            if dates._LABEL_BEFORE_RE.search(window):
                folded = seen.low[max(0, start - dates._LABEL_WINDOW) : start]
                assert any(hint in folded for hint in dates._LABEL_HINTS), window


_GOODS_SEARCHES = [
    pytest.param(goods._GOODS_LABEL_RE, lambda seen: seen.starts(goods._GOODS_LEADS), id="goods"),
    pytest.param(
        goods._QUANTITY_LABEL_RE, lambda seen: seen.starts(goods._QUANTITY_LEADS), id="quantity"
    ),
    pytest.param(goods._EN_QUANTITY_OF_RE, goods._en_quantity_starts, id="n-units-of"),
    pytest.param(
        goods._ZH_QUANTITY_GOODS_RE, lambda seen: seen.starts(goods._ZH_VERB_LEADS), id="zh-verb"
    ),
    pytest.param(
        goods._ZH_TOTAL_RE, lambda seen: seen.starts(goods._ZH_TOTAL_LEADS), id="zh-total"
    ),
]


@pytest.mark.parametrize(("regex", "starts"), _GOODS_SEARCHES)
def test_goods_searches_find_what_plain_search_does(
    regex: re.Pattern[str], starts: Callable[[prefilter.Scan], list[int]]
) -> None:
    """Goods and quantity regexes: every match, not only the first, is at a start."""
    for text in normalised():
        seen = goods.scan_for_goods(text)
        fast = prefilter.finditer_from(regex, text, starts(seen))
        assert _spans(fast) == _spans(regex.finditer(text)), text


def test_noise_removal_is_the_plain_substitution() -> None:
    """URLs and addresses are blanked exactly as ``_NOISE_RE.sub`` does."""
    for text in corpus():
        sample = text[: language.SAMPLE_CHARS]
        assert language._without_noise(sample) == language._NOISE_RE.sub(" ", sample), sample


def test_letter_counts_are_the_plain_counts() -> None:
    """The ASCII shortcut counts the letters the regexes count."""
    for text in corpus():
        sample = language._NOISE_RE.sub(" ", text[: language.SAMPLE_CHARS])
        expected = len(language._CJK_RE.findall(sample)), len(language._LATIN_RE.findall(sample))
        assert language.letter_counts(text) == expected, text


_PATHOLOGICAL = [
    "1" * 40_000,
    "2026-10-29 14:56 " * 2400,
    " " * 40_000 + "3 kg of x",
    "a" * 20_000 + "@" * 20_000,
    "5 Nov " * 7000,
    "11月" * 14_000,
    "1 kg " * 8000,
    "tracking sto " * 3000,
    "not damaged " * 3500,
    "http://" * 6000,
    "www." * 10_000,
    "13812345678 " * 3500,
    "(021)1234567 " * 3000,
    "3 of of of Nov " * 2800,
    "运单号" + " :" * 20_000,
    "延误破损" * 10_000,
]


@pytest.mark.parametrize("text", _PATHOLOGICAL, ids=lambda text: repr(text[:12]))
def test_pathological_40kb_stays_fast(text: str) -> None:
    """No pre-scan turns a long repetitive body into super-linear work."""
    started = time.perf_counter()
    classify(text[:100], text)
    extract_registration(text[:100], text, date(2026, 11, 20))
    detect_language(text)
    assert (
        time.perf_counter() - started < 5.0
    )  # a guard against super-linear regex time, not a benchmark
