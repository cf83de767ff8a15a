"""The admins' report templates: the shipped ones pass ``check``; a broken one is named."""

from __future__ import annotations

from pathlib import Path

from complaintd.render import TemplateRenderer
from complaintd.reports.samples import check_report_templates


def test_shipped_report_templates_pass_the_check(renderer: TemplateRenderer) -> None:
    assert check_report_templates(renderer) == []


def test_a_typo_in_a_report_template_is_named(templates_copy: Path) -> None:
    html = templates_copy / "en" / "monthly_report.html"
    html.write_text(html.read_text().replace("d.unknown_route", "d.unknown_routes"))
    text = templates_copy / "zh-CN" / "digest.txt"
    text.write_text(text.read_text().replace("{% endif %}\n\n{{ desk.name }}", "\n{{ desk.name }}"))
    problems = check_report_templates(TemplateRenderer(templates_copy))
    assert any("en/monthly_report.html" in p and "unknown_routes" in p for p in problems)
    assert any("zh-CN/digest.txt" in p for p in problems)
