"""classify(): category and severity from the default keyword rules."""

from __future__ import annotations

import time

import pytest

from complaintd.classify import (
    CATEGORIES,
    CATEGORY_PRIORITY,
    DEFAULT_RULES,
    SEVERITIES,
    Classification,
    classify,
    raise_severity,
)

CATEGORY_CASES = [
    # simplified Chinese
    pytest.param(
        "投诉：货物破损", "今天收到货，外箱压坏，里面瓷砖碎了三块。", "damage", id="zh-damage"
    ),
    pytest.param(
        "快递延误", "11月2日发的货，到现在还没到，已经催了好几次。", "delay", id="zh-delay"
    ),
    pytest.param(
        "", "包裹显示已签收，但我根本没有收到，东西丢了。", "loss", id="zh-loss-signed-not-received"
    ),
    pytest.param(
        "物流信息不更新",
        "单号查不到任何物流信息，轨迹一直停在上海。",
        "information",
        id="zh-information",
    ),
    pytest.param(
        "", "快递员态度恶劣，打电话过去还骂人，直接挂电话。", "attitude", id="zh-attitude"
    ),
    pytest.param(
        "运费多收",
        "这票货报价是200元，结果账单多收了150元，要求退款。",
        "billing",
        id="zh-billing",
    ),
    pytest.param("咨询", "你好，请问一下你们的营业时间。", "other", id="zh-other"),
    # traditional Chinese
    pytest.param("貨物破損", "收到時外箱壓壞，裡面的杯子摔壞了。", "damage", id="zh-hant-damage"),
    pytest.param("", "包裹延誤了一個星期，遲遲沒有送到。", "delay", id="zh-hant-delay"),
    pytest.param("", "我的包裹遺失了，客服說找不到。", "loss", id="zh-hant-loss"),
    pytest.param("", "物流資訊一直不更新，查詢不到。", "information", id="zh-hant-information"),
    pytest.param("", "司機態度惡劣，還罵人。", "attitude", id="zh-hant-attitude"),
    pytest.param("", "運費亂收費，帳單金額不對。", "billing", id="zh-hant-billing"),
    # English
    pytest.param(
        "Damaged shipment",
        "The carton arrived crushed and two vases were broken.",
        "damage",
        id="en-damage",
    ),
    pytest.param(
        "Where is my parcel?",
        "My parcel is overdue and still hasn't arrived. It was due last Monday.",
        "delay",
        id="en-delay",
    ),
    pytest.param(
        "",
        "The package was marked as delivered but I never received it. It is lost.",
        "loss",
        id="en-loss",
    ),
    pytest.param(
        "Tracking not updated",
        "The tracking information has not been updated for five days.",
        "information",
        id="en-information",
    ),
    pytest.param("", "Your driver was rude and shouted at my staff.", "attitude", id="en-attitude"),
    pytest.param(
        "Invoice query",
        "We were overcharged on the freight charge; please issue a refund.",
        "billing",
        id="en-billing",
    ),
    pytest.param("Question", "Could you send me your opening hours?", "other", id="en-other"),
]


@pytest.mark.parametrize(("subject", "body", "category"), CATEGORY_CASES)
def test_category(subject: str, body: str, category: str) -> None:
    """Realistic complaints in three scripts land in the right category."""
    result = classify(subject, body)
    assert result.category == category
    if category == "other":
        assert result.category_rule is None
    else:
        assert result.category_rule is not None
        assert result.category_rule.startswith(f"category:{category} keyword '")


GUARD_CASES = [
    pytest.param("", "One item is missing from the shipment.", "loss", id="missing-item-is-loss"),
    pytest.param(
        "", "The tracking is missing for my parcel.", "information", id="missing-tracking-is-info"
    ),
    pytest.param(
        "",
        "Tracking information is missing, nobody can tell me anything.",
        "information",
        id="tracking-information-missing",
    ),
    pytest.param(
        "", "物流信息丢失了，不知道包裹在哪里。", "information", id="zh-tracking-info-lost"
    ),
    pytest.param(
        "", "物流信息显示已签收，但是包裹丢失了。", "loss", id="zh-signed-but-lost-is-loss"
    ),
    pytest.param(
        "Damaged goods", "The parcel was also a day late.", "damage", id="subject-outweighs-body"
    ),
    pytest.param(
        "",
        "The parcel was late and the box was damaged.",
        "damage",
        id="tie-goes-to-priority",
    ),
    pytest.param("", "货物没有破损，但是延误了三天。", "delay", id="zh-negated-damage"),
    pytest.param(
        "", "未发现明显破损，就是物流信息不更新。", "information", id="zh-negated-with-filler"
    ),
    pytest.param("", "貨物沒有破損，但是延誤了。", "delay", id="zh-hant-negated-damage"),
    pytest.param(
        "",
        "The goods were not damaged, but they arrived late.",
        "delay",
        id="en-not-damaged",
    ),
    pytest.param(
        "", "The box wasn't damaged; it was delayed by a week.", "delay", id="en-wasnt-damaged"
    ),
    pytest.param("", "No damage, but your courier was very rude.", "attitude", id="en-no-damage"),
    pytest.param(
        "",
        "Please reply without delay: the invoice is wrong.",
        "billing",
        id="en-without-delay",
    ),
    pytest.param(
        "",
        "Please use the latest template for the translated documents.",
        "other",
        id="late-not-in-latest-template-translated",
    ),
    pytest.param("", "The parcel was delivered on time. Thanks!", "other", id="en-no-complaint"),
    pytest.param("", "ＤＡＭＡＧＥＤ ｇｏｏｄｓ", "damage", id="fullwidth-latin"),
    pytest.param("", "包裹damaged了", "damage", id="latin-word-inside-chinese"),
    pytest.param("", "My parcel hasn’t arrived yet.", "delay", id="curly-apostrophe"),
    pytest.param("", "My parcel is   NOT\n delivered", "delay", id="whitespace-in-phrase"),
    pytest.param("", "态度傲慢", "attitude", id="zh-slow-inside-arrogant"),
    pytest.param("", "İnjured ınjured ıs late", "delay", id="turkish-i-does-not-crash"),
    pytest.param("", "包裹\u3000延误\u00a0damaged", "damage", id="unicode-spaces"),
]


@pytest.mark.parametrize(("subject", "body", "category"), GUARD_CASES)
def test_category_guards(subject: str, body: str, category: str) -> None:
    """Ordering, weighting, negation and word-boundary guards hold."""
    assert classify(subject, body).category == category


SEVERITY_CASES = [
    pytest.param("", "搬运时箱子掉下来砸伤了我们的员工。", "serious", "砸伤", id="zh-injury"),
    pytest.param("", "机器摔坏了，完全无法使用。", "serious", "无法使用", id="zh-unusable"),
    pytest.param("", "配件延误导致我们工厂停产两天。", "serious", "停产", id="zh-production-stop"),
    pytest.param("", "这批货大量破损。", "serious", "大量", id="zh-mass"),
    pytest.param(
        "", "如果不解决我们就找律师起诉你们，并联系媒体曝光。", "serious", "律师", id="zh-lawyer"
    ),
    pytest.param("", "再不处理我就打12315投诉。", "serious", "12315", id="zh-12315"),
    pytest.param("", "貨物起火，有人受傷。", "serious", "起火", id="zh-hant-fire"),
    pytest.param(
        "",
        "The leaking drum was dangerous and one worker was injured.",
        "serious",
        "dangerous",
        id="en-injury",
    ),
    pytest.param(
        "",
        "Our production line stopped because the parts are late.",
        "serious",
        "production line",
        id="en-production",
    ),
    pytest.param(
        "",
        "We will take legal action; our lawyer will contact you.",
        "serious",
        "legal action",
        id="en-legal",
    ),
    pytest.param("", "外观有划痕，但可以正常使用。", "important", "外观", id="zh-appearance"),
    pytest.param(
        "", "少了两件，但不影响我们的生产。", "important", "少了", id="zh-shortage-not-stopping"
    ),
    pytest.param("", "客户对包装很不满意。", "important", "不满意", id="zh-dissatisfied"),
    pytest.param("", "外觀有劃痕。", "important", "外觀", id="zh-hant-appearance"),
    pytest.param(
        "", "The table is scratched and has a small dent.", "important", "scratched", id="en-dent"
    ),
    pytest.param(
        "", "外观有划痕，而且机器无法使用。", "serious", "无法使用", id="highest-level-wins"
    ),
    pytest.param("", "没有人受伤，但外观有划痕。", "important", "外观", id="zh-nobody-injured"),
    pytest.param(
        "",
        "No one was injured, but the box is dented.",
        "important",
        "dented",
        id="en-no-one-injured",
    ),
    pytest.param("", "包裹晚到了一天。", "general", None, id="zh-general"),
    pytest.param("", "请回电：13123154567", "general", None, id="12315-inside-a-number"),
    pytest.param(
        "", "Please deliver to our Massachusetts office.", "general", None, id="mass-in-word"
    ),
    pytest.param("", "Kind regards, Sue", "general", None, id="name-sue"),
]


@pytest.mark.parametrize(("subject", "body", "severity", "keyword"), SEVERITY_CASES)
def test_severity(subject: str, body: str, severity: str, keyword: str | None) -> None:
    """The highest severity level wins and its rule and keyword are recorded."""
    result = classify(subject, body)
    assert result.severity == severity
    if keyword is None:
        assert result.severity_rule is None
    else:
        assert result.severity_rule is not None
        assert result.severity_rule.startswith(f"severity:{severity}.")
        assert result.severity_rule.endswith(f" keyword '{keyword}'")


def test_full_classification_records_rules_and_keywords() -> None:
    """The whole Classification value, audit strings included."""
    result = classify("投诉：货物破损", "收到时外箱压坏，里面的瓷砖碎了三块，没人受伤，影响生产。")
    assert result == Classification(
        category="damage",
        severity="serious",
        category_rule="category:damage keyword '破损'",
        severity_rule="severity:serious.business_stopped keyword '影响生产'",
        matched=("破损", "压坏", "碎", "影响生产"),
    )


def test_repeated_keyword_counts_once() -> None:
    """A keyword repeated many times counts once per field."""
    body = "延误延误延误延误延误，箱子压坏了，还漏液。"
    assert classify("", body).category == "damage"


def test_long_body_tail_is_not_scanned() -> None:
    """Text beyond BODY_SCAN_CHARS (quotes, disclaimers) is ignored."""
    body = "货物延误。" + "。" * 20_000 + "律师 破损 破损 压坏"
    result = classify("", body)
    assert (result.category, result.severity) == ("delay", "general")


def test_classify_is_fast_on_20kb() -> None:
    """Classification stays fast on a 20 KB body full of hits."""
    body = ("快递延误，货物破损，没有人受伤。The parcel was late and damaged. " * 400)[:20_000]
    started = time.perf_counter()
    classify("投诉", body)
    assert (
        time.perf_counter() - started < 5.0
    )  # a guard against super-linear regex time, not a benchmark


@pytest.mark.parametrize(
    ("severity", "raised"),
    [
        pytest.param("general", "important", id="general"),
        pytest.param("important", "serious", id="important"),
        pytest.param("serious", "serious", id="serious-stays"),
    ],
)
def test_raise_severity(severity: str, raised: str) -> None:
    """Repeat complaints move one level up, serious stays serious."""
    assert raise_severity(severity) == raised


def test_raise_severity_rejects_unknown_name() -> None:
    """An unknown severity raises ValueError naming it."""
    with pytest.raises(ValueError, match="'critical'"):
        raise_severity("critical")


def test_names_are_the_single_source_of_truth() -> None:
    """The default rules use exactly the names in CATEGORIES/SEVERITIES."""
    assert set(CATEGORY_PRIORITY) == set(CATEGORIES)
    assert {rule.target for rule in DEFAULT_RULES.category_rules} == set(CATEGORIES) - {"other"}
    assert {rule.target for rule in DEFAULT_RULES.severity_rules} == set(SEVERITIES) - {"general"}
    assert SEVERITIES == ("general", "important", "serious")
