"""Broken operator templates fail loudly, as ConfigError naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from complaintd.errors import ConfigError
from complaintd.render import TemplateRenderer, check_templates, sample_context


def _write(templates: Path, name: str, content: str) -> None:
    """Replace template ``name`` (``en/ack.txt``) in the scratch copy."""
    (templates / name).write_text(content, encoding="utf-8")


def _render_error(templates: Path, kind: str, language: str) -> ConfigError:
    """The ConfigError raised by rendering ``kind`` from ``templates``."""
    renderer = TemplateRenderer(templates)
    with pytest.raises(ConfigError) as caught:
        renderer.render(kind, language, sample_context(kind, language))
    return caught.value


def test_undefined_variable_names_file_and_line(templates_copy: Path) -> None:
    """StrictUndefined: a typo in a variable name is an error, not a blank."""
    _write(templates_copy, "en/ack.txt", "Line one\nLine two\nHello {{ ticket.numbr }}\n")
    error = _render_error(templates_copy, "ack", "en")
    assert error.key == "templates/en/ack.txt"
    assert "en/ack.txt line 3" in error.reason
    assert "numbr" in error.reason
    assert isinstance(error.__cause__, UndefinedError)


def test_key_a_kind_does_not_get_is_an_error(templates_copy: Path) -> None:
    """ack gets no ``reason``: a template reading it fails instead of printing nothing."""
    _write(templates_copy, "zh-CN/ack.html", "{{ reason }}")
    error = _render_error(templates_copy, "ack", "zh-CN")
    assert error.key == "templates/zh-CN/ack.html"
    assert "line 1" in error.reason


def test_error_in_layout_names_the_layout(templates_copy: Path) -> None:
    """An undefined name in the extended base template is reported in that file."""
    base = templates_copy / "en" / "_base.txt"
    base.write_text(base.read_text(encoding="utf-8") + "{{ desk.phone }}\n", encoding="utf-8")
    error = _render_error(templates_copy, "reply", "en")
    assert error.key == "templates/en/_base.txt"
    assert "phone" in error.reason


def test_sandbox_blocks_python_internals(templates_copy: Path) -> None:
    """Operator-edited templates cannot reach Python internals."""
    _write(templates_copy, "en/reply.txt", "{{ ''.__class__.__mro__ }}\n")
    error = _render_error(templates_copy, "reply", "en")
    assert error.key == "templates/en/reply.txt"
    assert "SecurityError" in error.reason
    assert isinstance(error.__cause__, SecurityError)


def test_sandbox_blocks_mutating_the_context(templates_copy: Path) -> None:
    """Templates cannot change the workflow's data (immutable sandbox)."""
    _write(templates_copy, "en/ack.txt", "{{ ticket.waybills.append('x') }}\n")
    error = _render_error(templates_copy, "ack", "en")
    assert isinstance(error.__cause__, SecurityError)


def test_syntax_error_names_file_and_line(templates_copy: Path) -> None:
    """A template that does not parse names itself and the line."""
    _write(templates_copy, "zh-CN/invalid.subject.txt", "ok\n{% if %}\n")
    error = _render_error(templates_copy, "invalid", "zh-CN")
    assert error.key == "templates/zh-CN/invalid.subject.txt"
    assert "line 2" in error.reason
    assert "syntax error" in error.reason


def test_missing_template_is_named(templates_copy: Path) -> None:
    """A deleted file is a configuration error naming it."""
    (templates_copy / "en" / "objection.html").unlink()
    error = _render_error(templates_copy, "objection", "en")
    assert error.key == "templates/en/objection.html"
    assert "missing" in error.reason


def test_missing_layout_is_named(templates_copy: Path) -> None:
    """A deleted layout that a kind extends is named, not the kind."""
    (templates_copy / "en" / "_base.html").unlink()
    error = _render_error(templates_copy, "ack", "en")
    assert error.key == "templates/en/_base.html"


def test_malformed_kind_is_a_programming_error(templates_copy: Path) -> None:
    """A kind is a plain name, never a path."""
    renderer = TemplateRenderer(templates_copy)
    with pytest.raises(ValueError, match="malformed mail kind"):
        renderer.render("../en/ack", "en", sample_context("ack", "en"))


def test_check_reports_each_broken_part(templates_copy: Path) -> None:
    """check_templates lists what is wrong, file by file."""
    _write(
        templates_copy, "en/reply.html", "<!DOCTYPE html>\n<html><body><p>{{ text }}</body></html>"
    )
    _write(templates_copy, "zh-CN/agreed.subject.txt", "{{ '' }}\n")
    _write(templates_copy, "en/resolution.subject.txt", "Resolved: {{ ticket.subject }}\n")
    _write(templates_copy, "en/ack.txt", "{{ ticket.numbr }}\n")
    (templates_copy / "zh-CN" / "invalid.txt").unlink()
    problems = check_templates(TemplateRenderer(templates_copy))
    assert len(problems) == 5, problems
    joined = "\n".join(problems)
    assert "templates/en/reply.html: line 2: </body> found, but <p>" in joined
    assert "templates/zh-CN/agreed.subject.txt: the subject is empty" in joined
    assert "templates/en/resolution.subject.txt: the subject does not start with" in joined
    assert "templates/en/ack.txt: en/ack.txt line 1" in joined
    assert "templates/zh-CN/invalid.txt: template file zh-CN/invalid.txt is missing" in joined


def test_check_catches_templates_that_assume_optional_facts(templates_copy: Path) -> None:
    """A template that breaks without a customer name is caught by the sparse pass."""
    _write(templates_copy, "en/reply.txt", "{{ ticket.customer_name.upper() }} {{ text }}\n")
    problems = check_templates(TemplateRenderer(templates_copy))
    assert len(problems) == 1
    assert problems[0].startswith("templates/en/reply.txt: en/reply.txt line 1")


def test_check_reports_empty_body(templates_copy: Path) -> None:
    """A text part that renders to nothing would send an empty mail."""
    _write(templates_copy, "en/agreed.txt", "\n\n")
    assert check_templates(TemplateRenderer(templates_copy)) == [
        "templates/en/agreed.txt: the body is empty"
    ]
