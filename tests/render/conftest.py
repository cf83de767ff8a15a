"""Fixtures for the render tests: the shipped templates and a scratch copy of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from complaintd.render import TemplateRenderer, default_templates_dir


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    """A renderer over the shipped templates (read-only: never edit them in a test)."""
    return TemplateRenderer(default_templates_dir())


@pytest.fixture
def templates_copy(tmp_path: Path) -> Path:
    """A scratch copy of the shipped templates that a test may break at will."""
    copy = tmp_path / "templates"
    shutil.copytree(default_templates_dir(), copy)
    return copy
