"""Mail templates (customer and internal) and their renderer (pure: reads template files only).

Public API::

    TemplateRenderer(directory: Path)
        .render(kind: str, language: str, context: Mapping[str, Any]) -> RenderedMail
    RenderedMail(subject: str, text: str, html: str)
    default_templates_dir() -> Path
    check_templates(renderer: TemplateRenderer) -> list[str]
    sample_context(kind: str, language: str) -> dict[str, Any]
    clean_subject(subject: str) -> str
    html_problems(markup: str) -> list[str]
    category_label / severity_label / status_label / cause_label(key, language) -> str
    cause_choices() -> list[CauseChoice]         the six causes as [{key, zh, en}]
    resolve_language(language: str | None) -> str
    KINDS (customer mail), INTERNAL_KINDS, ALL_KINDS, LANGUAGES, DEFAULT_LANGUAGE

What each kind's templates are given (the typed contract the workflow and the samples
share) is :mod:`complaintd.render.contexts`.
"""

from __future__ import annotations

from complaintd.render.contexts import ALL_KINDS, INTERNAL_KINDS, KINDS
from complaintd.render.labels import (
    CATEGORY_LABELS,
    CAUSE_LABELS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    category_label,
    cause_choices,
    cause_label,
    resolve_language,
    severity_label,
    status_label,
)
from complaintd.render.samples import sample_context
from complaintd.render.templates import (
    RenderedMail,
    TemplateRenderer,
    check_templates,
    clean_subject,
    default_templates_dir,
)
from complaintd.render.wellformed import html_problems

__all__ = [
    "ALL_KINDS",
    "CATEGORY_LABELS",
    "CAUSE_LABELS",
    "DEFAULT_LANGUAGE",
    "INTERNAL_KINDS",
    "KINDS",
    "LANGUAGES",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "RenderedMail",
    "TemplateRenderer",
    "category_label",
    "cause_choices",
    "cause_label",
    "check_templates",
    "clean_subject",
    "default_templates_dir",
    "html_problems",
    "resolve_language",
    "sample_context",
    "severity_label",
    "status_label",
]
