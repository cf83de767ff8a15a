"""Human names of categories, severities, statuses and causes, in Chinese and English (pure).

Keys are the ones stored on tickets (see DESIGN.md).  A key missing from a table is
shown as itself rather than failing: a mail that names a category a little awkwardly
is better than an acknowledgement that is never sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from complaintd.staff_replies.form import CAUSE_LABELS as DEPARTMENT_CAUSE_LABELS
from complaintd.store.ticket_status import TicketStatus

LANGUAGES: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"

Labels = Mapping[str, Mapping[str, str]]  # key -> language -> label

CATEGORY_LABELS: Labels = {
    "delay": {"zh-CN": "延误", "en": "Delay"},
    "damage": {"zh-CN": "破损", "en": "Damage"},
    "loss": {"zh-CN": "丢失", "en": "Loss"},
    "information": {"zh-CN": "物流信息错误", "en": "Wrong or missing tracking information"},
    "attitude": {"zh-CN": "服务态度", "en": "Service attitude"},
    "billing": {"zh-CN": "费用", "en": "Charges and billing"},
    "other": {"zh-CN": "其他", "en": "Other"},
}

SEVERITY_LABELS: Labels = {
    "serious": {"zh-CN": "严重", "en": "Serious"},
    "important": {"zh-CN": "重要", "en": "Important"},
    "general": {"zh-CN": "一般", "en": "General"},
}

STATUS_LABELS: Labels = {
    TicketStatus.RECEIVED: {"zh-CN": "已受理", "en": "Received"},
    TicketStatus.INVESTIGATING: {"zh-CN": "调查中", "en": "Under investigation"},
    TicketStatus.SOLUTION_PROPOSED: {"zh-CN": "已提出解决方案", "en": "Solution proposed"},
    TicketStatus.IMPLEMENTING: {"zh-CN": "方案执行中", "en": "Solution being carried out"},
    TicketStatus.FOLLOW_UP: {"zh-CN": "回访中", "en": "Follow-up"},
    TicketStatus.CLOSED: {"zh-CN": "已结案", "en": "Closed"},
    TicketStatus.INVALID: {"zh-CN": "无效投诉", "en": "Invalid complaint"},
}

# Why a department found a complaint valid: one table, owned by the reply-form parser
# that must accept the same names (DESIGN.md, "Mail the desk sends").
CAUSE_LABELS: Labels = DEPARTMENT_CAUSE_LABELS


class CauseChoice(TypedDict):
    """One cause as the reply form lists it."""

    key: str
    zh: str
    en: str


def cause_choices() -> list[CauseChoice]:
    """The six causes as internal templates get them: ``[{key, zh, en}, ...]``, in order."""
    return [
        {"key": key, "zh": names["zh-CN"], "en": names["en"]} for key, names in CAUSE_LABELS.items()
    ]


def resolve_language(language: str | None) -> str:
    """The supported language closest to ``language``; ``zh-CN`` when there is none.

    Matching ignores case and ``_`` versus ``-``, then falls back to the primary
    subtag, so ``en-GB`` and ``en_us`` answer in English.
    """
    wanted = (language or "").strip().replace("_", "-").lower()
    for known in LANGUAGES:
        if wanted == known.lower():
            return known
    primary = wanted.partition("-")[0]
    for known in LANGUAGES:
        if primary and primary == known.lower().partition("-")[0]:
            return known
    return DEFAULT_LANGUAGE


def _label(table: Labels, key: str, language: str | None) -> str:
    """Look ``key`` up in ``table`` for ``language``; the key itself when unknown."""
    names = table.get(key)
    if names is None:
        return key
    return names[resolve_language(language)]


def category_label(key: str, language: str | None) -> str:
    """The name of the complaint category ``key`` (``damage`` -> 破损 / Damage)."""
    return _label(CATEGORY_LABELS, key, language)


def severity_label(key: str, language: str | None) -> str:
    """The name of the severity ``key`` (``serious`` -> 严重 / Serious)."""
    return _label(SEVERITY_LABELS, key, language)


def status_label(key: str, language: str | None) -> str:
    """The name of the ticket status ``key`` (``closed`` -> 已结案 / Closed)."""
    return _label(STATUS_LABELS, key, language)


def cause_label(key: str, language: str | None) -> str:
    """The name of the cause ``key`` (``force_majeure`` -> 不可抗力 / Force majeure)."""
    return _label(CAUSE_LABELS, key, language)
