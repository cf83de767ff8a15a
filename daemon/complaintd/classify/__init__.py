"""Pure classification and registration of complaints: no I/O, no clock reads.

* :func:`detect_language` - answer in ``zh-CN`` or ``en``;
* :func:`classify` - category and severity from keyword rules, with the rule that fired;
* :func:`extract_registration` - waybills, orders, shipping date, goods, quantity, phones;
* :func:`rules_from_config` / :func:`patterns_from_config` - the operator's overrides.
"""

from complaintd.classify.extract import (
    DEFAULT_PATTERNS,
    ExtractPatterns,
    Registration,
    extract_registration,
    patterns_from_config,
)
from complaintd.classify.language import LANGUAGES, detect_language
from complaintd.classify.rules import (
    CATEGORIES,
    CATEGORY_PRIORITY,
    DEFAULT_RULES,
    SEVERITIES,
    Classification,
    ClassifyRules,
    KeywordRule,
    classify,
    raise_severity,
    rules_from_config,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_PRIORITY",
    "DEFAULT_PATTERNS",
    "DEFAULT_RULES",
    "LANGUAGES",
    "SEVERITIES",
    "Classification",
    "ClassifyRules",
    "ExtractPatterns",
    "KeywordRule",
    "Registration",
    "classify",
    "detect_language",
    "extract_registration",
    "patterns_from_config",
    "raise_severity",
    "rules_from_config",
]
