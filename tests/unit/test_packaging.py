"""The package as pip builds it: every subpackage listed, the templates shipped."""

from __future__ import annotations

import tomllib
from pathlib import Path

from complaintd.render import default_templates_dir

ROOT = Path(__file__).resolve().parents[2]


def test_every_subpackage_is_listed_in_pyproject() -> None:
    """pyproject lists packages by hand (templates/ is mapped in); a new one must be added."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    source = ROOT / "daemon"
    found = {
        ".".join(init.parent.relative_to(source).parts)
        for init in source.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found | {"complaintd.templates"} == listed


def test_the_shipped_templates_are_the_checkouts() -> None:
    assert default_templates_dir().resolve() == (ROOT / "templates").resolve()
    assert (default_templates_dir() / "zh-CN" / "ack.txt").is_file()
