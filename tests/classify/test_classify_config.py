"""Operator overrides: rules_from_config and patterns_from_config, good and bad."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest

from complaintd.classify import (
    DEFAULT_PATTERNS,
    DEFAULT_RULES,
    ClassifyRules,
    KeywordRule,
    classify,
    extract_registration,
    patterns_from_config,
    rules_from_config,
)

REFERENCE = date(2026, 11, 10)

RULE_OVERRIDES = [
    pytest.param(
        {"billing": ["关税"]},
        None,
        False,
        "关税太高了",
        ("billing", "general"),
        id="extra-category-keyword",
    ),
    pytest.param(
        None,
        {"serious": ["CEO"]},
        False,
        "I will write to your ceo about this.",
        ("other", "serious"),
        id="extra-severity-keyword-case-insensitive",
    ),
    pytest.param(
        {"damage": ["kaputt"]},
        None,
        False,
        "货物破损",
        ("damage", "general"),
        id="defaults-kept-when-adding",
    ),
    pytest.param(
        {"damage": ["kaputt"]},
        None,
        True,
        "货物破损",
        ("other", "general"),
        id="replace-drops-default-keywords",
    ),
    pytest.param(
        {"damage": ["kaputt"]},
        None,
        True,
        "Alles kaputt",
        ("damage", "general"),
        id="replace-uses-new-keywords",
    ),
    pytest.param(
        {"damage": ["kaputt"]},
        None,
        True,
        "快递延误",
        ("delay", "general"),
        id="replace-keeps-unnamed-categories",
    ),
    pytest.param(
        None,
        {"serious": []},
        True,
        "有人受伤",
        ("other", "general"),
        id="replace-with-empty-list-disables",
    ),
    pytest.param(
        {"delay": ["slowpoke*"]},
        None,
        False,
        "Your slowpokes again!",
        ("delay", "general"),
        id="wildcard-keyword",
    ),
]


@pytest.mark.parametrize(
    ("categories", "severities", "replace", "body", "expected"), RULE_OVERRIDES
)
def test_rules_from_config(
    categories: Mapping[str, Sequence[str]] | None,
    severities: Mapping[str, Sequence[str]] | None,
    replace: bool,
    body: str,
    expected: tuple[str, str],
) -> None:
    """Operator keywords add to (or replace) the defaults per named target."""
    rules = rules_from_config(categories, severities, replace=replace)
    result = classify("", body, rules)
    assert (result.category, result.severity) == expected


def test_config_rule_is_named_in_the_audit_string() -> None:
    """A config keyword is recorded as rule ``<name>.config``."""
    rules = rules_from_config({"billing": ["关税"]}, {"serious": ["CEO"]})
    result = classify("关税", "tell the CEO", rules)
    assert result.category_rule == "category:billing.config keyword '关税'"
    assert result.severity_rule == "severity:serious.config keyword 'CEO'"


def test_no_overrides_gives_the_defaults() -> None:
    """Absent or empty overrides leave the default rules untouched."""
    assert rules_from_config(None, None) == DEFAULT_RULES
    assert rules_from_config({}, {}, replace=True) == DEFAULT_RULES


BAD_RULES: list[Any] = [
    pytest.param({"damgae": ["x"]}, None, "damgae", id="unknown-category"),
    pytest.param(None, {"critical": ["x"]}, "critical", id="unknown-severity"),
    pytest.param({"damage": "破损"}, None, "damage", id="string-not-list"),
    pytest.param({"delay": ["  "]}, None, "delay", id="blank-keyword"),
    pytest.param({"loss": [3]}, None, "loss", id="non-string-keyword"),
    pytest.param({"loss": ["l*st"]}, None, "loss", id="wildcard-not-at-end"),
    pytest.param(None, {"important": ["*"]}, "important", id="wildcard-only"),
]


@pytest.mark.parametrize(("categories", "severities", "name"), BAD_RULES)
def test_rules_from_config_rejects_bad_names(categories: Any, severities: Any, name: str) -> None:
    """Bad config raises ValueError naming the category/severity."""
    with pytest.raises(ValueError, match=f"'{name}'"):
        rules_from_config(categories, severities)


def test_rules_reject_unknown_target() -> None:
    """ClassifyRules itself refuses a target outside the known names."""
    with pytest.raises(ValueError, match="'urgent'"):
        ClassifyRules((), (KeywordRule("x", "urgent", ("x",)),))


PATTERN_OVERRIDES = [
    pytest.param(
        [r"KY\d{10}"],
        None,
        False,
        "跨越速运 KY1234567890，顺丰 SF1234567890123",
        ("KY1234567890", "SF1234567890123"),
        (),
        id="extra-waybill-pattern-keeps-defaults",
    ),
    pytest.param(
        [r"KY\d{10}"],
        None,
        True,
        "跨越速运 KY1234567890，顺丰 SF1234567890123",
        ("KY1234567890",),
        (),
        id="replace-drops-default-waybills",
    ),
    pytest.param(
        [r"TRK-(?P<id>\d{8})"],
        None,
        False,
        "ref trk-12345678",
        ("12345678",),
        (),
        id="named-id-group",
    ),
    pytest.param(
        None,
        [r"SO\d{6}"],
        False,
        "Sales order SO123456 and PO-2026-0012",
        (),
        ("SO123456", "PO-2026-0012"),
        id="extra-order-pattern",
    ),
]


@pytest.mark.parametrize(
    ("waybill", "order", "replace", "text", "waybills", "orders"), PATTERN_OVERRIDES
)
def test_patterns_from_config(
    waybill: Sequence[str] | None,
    order: Sequence[str] | None,
    replace: bool,
    text: str,
    waybills: tuple[str, ...],
    orders: tuple[str, ...],
) -> None:
    """Operator regexes add to (or replace) the default id patterns."""
    patterns = patterns_from_config(waybill, order, replace=replace)
    registration = extract_registration("", text, REFERENCE, patterns)
    assert registration.waybills == waybills
    assert registration.order_numbers == orders


def test_operator_phone_like_pattern_is_filtered() -> None:
    """A mobile number never becomes a waybill, whatever the pattern."""
    patterns = patterns_from_config([r"\d{11,13}"], None)
    registration = extract_registration("", "call 8613812345678", REFERENCE, patterns)
    assert registration.waybills == ()
    assert registration.phones == ("13812345678",)


def test_no_pattern_overrides_gives_the_defaults() -> None:
    """No overrides leave the default patterns untouched."""
    assert patterns_from_config(None, None) == DEFAULT_PATTERNS


BAD_PATTERNS: list[Any] = [
    pytest.param(["SF([0-9]+"], None, "SF([0-9]+", "not a valid regular expression", id="syntax"),
    pytest.param(None, ["[0-9]*"], "[0-9]*", "matches the empty string", id="empty-match"),
    pytest.param("SF[0-9]+", None, "waybill", "expected a list", id="string-not-list"),
    pytest.param(None, [42], "42", "not a string", id="non-string"),
]


@pytest.mark.parametrize(("waybill", "order", "name", "why"), BAD_PATTERNS)
def test_patterns_from_config_rejects_bad_regex(
    waybill: Any, order: Any, name: str, why: str
) -> None:
    """Bad regex raises ValueError naming the pattern and the reason."""
    with pytest.raises(ValueError) as raised:
        patterns_from_config(waybill, order)
    assert name in str(raised.value)
    assert why in str(raised.value)
