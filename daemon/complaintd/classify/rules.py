"""Category and severity of a complaint from keyword rules (pure: no I/O, no clock).

Category: every category rule's keywords are looked for in the subject and the body
(see :mod:`complaintd.classify.matching` for how a keyword matches, including the
negation check).  A category scores ``SUBJECT_WEIGHT`` for each distinct keyword in the
subject plus 1 for each distinct keyword in the body - distinct, so that one angry word
repeated ten times does not outvote two different facts.  The highest score wins; a tie
goes to the category earliest in ``CATEGORY_PRIORITY`` (what happened to the goods comes
before what happened to the time, the money, the people and the data).  No hit at all:
``other``.

Severity: the highest level any severity keyword reaches; ``general`` when none fires.

Both record which rule and keyword decided, e.g. ``category:damage keyword '破损'`` or
``severity:serious.safety keyword '受伤'``; that string is stored on the ticket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from complaintd.classify.keywords import CATEGORY_KEYWORDS, SEVERITY_KEYWORDS
from complaintd.classify.matching import Hit, check_keyword, keyword_key, normalize, scanner_for
from complaintd.classify.prefilter import fold_case

CATEGORIES: tuple[str, ...] = (
    "delay",
    "damage",
    "loss",
    "information",
    "attitude",
    "billing",
    "other",
)
# Lowest first: raise_severity walks up this tuple.
SEVERITIES: tuple[str, ...] = ("general", "important", "serious")
# Tie-break order, most substantive first.
CATEGORY_PRIORITY: tuple[str, ...] = (
    "loss",
    "damage",
    "delay",
    "billing",
    "attitude",
    "information",
    "other",
)
FALLBACK_CATEGORY = "other"
FALLBACK_SEVERITY = "general"
SUBJECT_WEIGHT = 2
# Complaints say what is wrong at the top; the tail of a long mail is mostly quoted
# history and legal disclaimers ("not liable for any damage"), so it is not scanned.
BODY_SCAN_CHARS = 8000


@dataclass(frozen=True)
class KeywordRule:
    """Keywords that vote for ``target`` (a category or a severity name)."""

    name: str
    target: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ClassifyRules:
    """The category rules and the severity rules; targets are checked on creation."""

    category_rules: tuple[KeywordRule, ...]
    severity_rules: tuple[KeywordRule, ...]

    def __post_init__(self) -> None:
        """Reject a rule whose target is not a known category / severity."""
        _check_targets(self.category_rules, CATEGORIES, "category")
        _check_targets(self.severity_rules, SEVERITIES, "severity")


@dataclass(frozen=True)
class Classification:
    """The outcome of :func:`classify`; ``*_rule`` is None when the fallback applied."""

    category: str
    severity: str
    category_rule: str | None
    severity_rule: str | None
    matched: tuple[str, ...]  # every keyword that fired (both kinds), first-seen order


def _check_targets(rules: Iterable[KeywordRule], valid: Sequence[str], kind: str) -> None:
    """Raise ``ValueError`` when a rule targets a name outside ``valid``."""
    for rule in rules:
        if rule.target not in valid:
            raise ValueError(_unknown_name(kind, rule.target, valid))


def _unknown_name(kind: str, name: object, valid: Sequence[str]) -> str:
    """Message for a bad category/severity name; it names the culprit and the choices."""
    return f"unknown {kind} {name!r}: expected one of {', '.join(valid)}"


def _default_rules() -> ClassifyRules:
    """Build the shipped rules from the keyword tables."""
    categories = tuple(KeywordRule(name, name, kws) for name, kws in CATEGORY_KEYWORDS.items())
    severities = tuple(KeywordRule(name, level, kws) for name, level, kws in SEVERITY_KEYWORDS)
    return ClassifyRules(categories, severities)


DEFAULT_RULES: ClassifyRules = _default_rules()


def _scan(rules: tuple[KeywordRule, ...], text: str, folded: str | None = None) -> list[Hit]:
    """All non-negated keyword hits of ``rules`` in ``text`` (already normalised).

    ``folded`` is ``fold_case(text)``, passed in so both rule sets share one.
    """
    return list(scanner_for(tuple(rule.keywords for rule in rules)).scan(text, folded))


def _describe(kind: str, rule: KeywordRule, keyword: str) -> str:
    """The audit string stored on the ticket: which rule and which keyword decided."""
    return f"{kind}:{rule.name} keyword '{keyword}'"


def _category_scores(
    rules: tuple[KeywordRule, ...], subject_hits: list[Hit], body_hits: list[Hit]
) -> dict[str, int]:
    """Score per category: distinct subject keywords x SUBJECT_WEIGHT + distinct body ones."""
    seen: set[tuple[str, str, int]] = set()
    for weight, hits in ((SUBJECT_WEIGHT, subject_hits), (1, body_hits)):
        for hit in hits:
            seen.update((rules[i].target, keyword_key(kw), weight) for i, kw in hit.owners)
    scores: dict[str, int] = {}
    for target, _keyword, weight in seen:
        scores[target] = scores.get(target, 0) + weight
    return scores


def _best_category(scores: Mapping[str, int]) -> str:
    """Highest score; ties go to the category earlier in ``CATEGORY_PRIORITY``."""
    ranked = sorted(scores, key=lambda name: (-scores[name], CATEGORY_PRIORITY.index(name)))
    return ranked[0] if ranked else FALLBACK_CATEGORY


def _first_rule_for(
    target: str, rules: tuple[KeywordRule, ...], hits: Iterable[Hit], kind: str
) -> str | None:
    """Describe the first hit (in text order) that votes for ``target``."""
    for hit in hits:
        for index, keyword in hit.owners:
            if rules[index].target == target:
                return _describe(kind, rules[index], keyword)
    return None


def _pick_category(
    rules: tuple[KeywordRule, ...], hits: list[Hit], scores: dict[str, int]
) -> tuple[str, str | None]:
    """The winning category and the audit string of its first keyword."""
    category = _best_category(scores)
    return category, _first_rule_for(category, rules, hits, "category")


def _pick_severity(rules: tuple[KeywordRule, ...], hits: list[Hit]) -> tuple[str, str | None]:
    """The highest severity any hit reaches and the audit string of its first keyword."""
    levels = {rules[i].target for hit in hits for i, _kw in hit.owners}
    if not levels:
        return FALLBACK_SEVERITY, None
    severity = max(levels, key=SEVERITIES.index)
    return severity, _first_rule_for(severity, rules, hits, "severity")


def _matched_keywords(hit_lists: Iterable[list[Hit]]) -> tuple[str, ...]:
    """Every keyword that fired, as written in its rule, without repeats."""
    seen: dict[str, str] = {}
    for hits in hit_lists:
        for hit in hits:
            keyword = hit.owners[0][1]
            seen.setdefault(keyword_key(keyword), keyword)
    return tuple(seen.values())


def classify(subject: str, body: str, rules: ClassifyRules = DEFAULT_RULES) -> Classification:
    """Classify one complaint by its subject and (quote-stripped) body text."""
    subject_text = normalize(subject)
    body_text = normalize(body[:BODY_SCAN_CHARS])
    subject_low, body_low = fold_case(subject_text), fold_case(body_text)
    cat_rules, sev_rules = rules.category_rules, rules.severity_rules
    cat_subject = _scan(cat_rules, subject_text, subject_low)
    cat_body = _scan(cat_rules, body_text, body_low)
    sev_hits = _scan(sev_rules, subject_text, subject_low) + _scan(sev_rules, body_text, body_low)
    scores = _category_scores(cat_rules, cat_subject, cat_body)
    category, category_rule = _pick_category(cat_rules, cat_subject + cat_body, scores)
    severity, severity_rule = _pick_severity(sev_rules, sev_hits)
    matched = _matched_keywords((cat_subject, cat_body, sev_hits))
    return Classification(category, severity, category_rule, severity_rule, matched)


def raise_severity(severity: str) -> str:
    """One level up (general -> important -> serious; serious stays): repeat complaints."""
    if severity not in SEVERITIES:
        raise ValueError(_unknown_name("severity", severity, SEVERITIES))
    return SEVERITIES[min(SEVERITIES.index(severity) + 1, len(SEVERITIES) - 1)]


def _config_keywords(kind: str, name: object, keywords: object) -> tuple[str, ...]:
    """Validate one ``[classify.<kind>]`` entry; errors name the category/severity."""
    if isinstance(keywords, str | bytes) or not isinstance(keywords, Sequence):
        raise ValueError(f"{kind} {name!r}: expected a list of keywords, got {keywords!r}")
    for keyword in keywords:
        try:
            check_keyword(keyword)
        except ValueError as exc:
            raise ValueError(f"{kind} {name!r}: {exc}") from None
    return tuple(keywords)


def _merge(
    defaults: tuple[KeywordRule, ...],
    overrides: Mapping[str, Sequence[str]] | None,
    valid: Sequence[str],
    kind: str,
    replace: bool,
) -> tuple[KeywordRule, ...]:
    """Defaults plus one ``<name>.config`` rule per override (defaults dropped if replace)."""
    extra: list[KeywordRule] = []
    for name, keywords in (overrides or {}).items():
        if name not in valid:
            raise ValueError(_unknown_name(kind, name, valid))
        extra.append(KeywordRule(f"{name}.config", name, _config_keywords(kind, name, keywords)))
    replaced = {rule.target for rule in extra} if replace else set()
    kept = tuple(rule for rule in defaults if rule.target not in replaced)
    return kept + tuple(rule for rule in extra if rule.keywords)


def rules_from_config(
    categories: Mapping[str, Sequence[str]] | None,
    severities: Mapping[str, Sequence[str]] | None,
    replace: bool = False,
) -> ClassifyRules:
    """Rules from the operator's TOML: extra keywords per category / severity name.

    The keywords are added to the defaults as a rule named ``<name>.config``; with
    ``replace=True`` the default keywords of every *named* category/severity are dropped
    first (an empty list then switches that name's keywords off), names not mentioned
    keep their defaults.  Raises ``ValueError`` naming the bad category/severity.
    """
    return ClassifyRules(
        _merge(DEFAULT_RULES.category_rules, categories, CATEGORIES, "category", replace),
        _merge(DEFAULT_RULES.severity_rules, severities, SEVERITIES, "severity", replace),
    )


# Compile the default scanners at import so the first mail pays no compile cost.
_scan(DEFAULT_RULES.category_rules, "")
_scan(DEFAULT_RULES.severity_rules, "")
