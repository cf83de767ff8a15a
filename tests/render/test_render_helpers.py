"""Labels, language resolution, header-safe subjects and the HTML checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaintd.render import (
    CATEGORY_LABELS,
    CAUSE_LABELS,
    LANGUAGES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TemplateRenderer,
    category_label,
    cause_label,
    clean_subject,
    html_problems,
    resolve_language,
    severity_label,
    status_label,
)
from complaintd.store.ticket_status import TicketStatus


def test_labels_cover_every_domain_key() -> None:
    """Every category, severity and status of DESIGN.md has both names."""
    assert set(CATEGORY_LABELS) == {
        "delay",
        "damage",
        "loss",
        "information",
        "attitude",
        "billing",
        "other",
    }
    assert set(SEVERITY_LABELS) == {"serious", "important", "general"}
    assert set(STATUS_LABELS) == set(TicketStatus)
    assert set(CAUSE_LABELS) == {
        "staff_error",
        "sales_error",
        "supplier_error",
        "agent_error",
        "customer_error",
        "force_majeure",
    }
    for table in (CATEGORY_LABELS, SEVERITY_LABELS, STATUS_LABELS, CAUSE_LABELS):
        for names in table.values():
            assert set(names) == set(LANGUAGES)


@pytest.mark.parametrize(
    ("function", "key", "language", "expected"),
    [
        (category_label, "delay", "zh-CN", "延误"),
        (category_label, "information", "zh-CN", "物流信息错误"),
        (category_label, "billing", "en", "Charges and billing"),
        (severity_label, "serious", "zh-CN", "严重"),
        (severity_label, "general", "en", "General"),
        (status_label, "solution_proposed", "zh-CN", "已提出解决方案"),
        (status_label, "invalid", "zh-CN", "无效投诉"),
        (status_label, "closed", "en", "Closed"),
        (status_label, "closed", None, "已结案"),
        (category_label, "teleport", "en", "teleport"),
        (cause_label, "supplier_error", "zh-CN", "供方操作失误"),
        (cause_label, "force_majeure", "en", "Force majeure"),
        (cause_label, "customer_error", None, "客户自身失误"),
    ],
)
def test_labels(function: object, key: str, language: str | None, expected: str) -> None:
    """Known keys are named per language; unknown keys are shown as themselves."""
    assert callable(function)
    assert function(key, language) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("zh-CN", "zh-CN"),
        ("zh_cn", "zh-CN"),
        ("zh", "zh-CN"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("fr", "zh-CN"),
        ("", "zh-CN"),
        (None, "zh-CN"),
    ],
)
def test_resolve_language(given: str | None, expected: str) -> None:
    """Case, separator and region do not matter; the unknown falls back to zh-CN."""
    assert resolve_language(given) == expected


def test_label_filters_use_context_language_or_argument(tmp_path: Path) -> None:
    """Filters take the context's ``language`` unless one is passed explicitly."""
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "probe.subject.txt").write_text(
        "{{ ticket.category | category_label }} / {{ ticket.severity | severity_label }}"
        " / {{ ticket.status | status_label('zh-CN') }} / {{ 'agent_error' | cause_label }}\n",
        encoding="utf-8",
    )
    (tmp_path / "en" / "probe.txt").write_text("x\n", encoding="utf-8")
    (tmp_path / "en" / "probe.html").write_text("x\n", encoding="utf-8")
    context = {"ticket": {"category": "loss", "severity": "serious", "status": "closed"}}
    mail = TemplateRenderer(tmp_path).render("probe", "en", context)
    assert mail.subject == "Loss / Serious / 已结案 / Agent error"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("a\r\nBcc: evil@x", "a Bcc: evil@x"),
        ("  many   \t spaces \n", "many spaces"),
        ("nul\x00 esc\x1b[0m del\x7f", "nul esc[0m del"),
        ("line\u2028sep\u2029para\x85nel", "line sep para nel"),
        ("bidi \u202eevil\u202c", "bidi evil"),
        ("全角\u3000空格", "全角 空格"),
        ("\r\n", ""),
    ],
)
def test_clean_subject(raw: str, expected: str) -> None:
    """One line, no control or format characters, whitespace collapsed."""
    assert clean_subject(raw) == expected


def test_html_checker_accepts_a_good_document() -> None:
    """Void elements need no end tag; self-closed void elements are fine."""
    markup = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        "<body><p>a<br>b<br/></p></body></html>\n"
    )
    assert html_problems(markup) == []


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        ("<html><body></body></html>", "no <!DOCTYPE html> declaration"),
        ("<!DOCTYPE html><html><body><p>x</body></html>", "</body> found, but <p>"),
        ("<!DOCTYPE html><html><body>", "<body> is never closed"),
        ("<!DOCTYPE html><html></html></div>", "</div> closes nothing"),
        ("<!DOCTYPE html><html><br></br></html>", "</br> closes a void element"),
        ("<!DOCTYPE html><html><div/></html>", "<div/> is not a void element"),
    ],
)
def test_html_checker_finds_problems(markup: str, problem: str) -> None:
    """Each kind of misnesting is reported with its line."""
    problems = html_problems(markup)
    assert any(problem in found for found in problems), problems


def test_html_checker_reports_one_slip_once() -> None:
    """After a missing end tag the checker recovers instead of cascading."""
    markup = "<!DOCTYPE html>\n<html><body><table><tr><td><b>x</td></tr></table></body></html>"
    assert len(html_problems(markup)) == 1
