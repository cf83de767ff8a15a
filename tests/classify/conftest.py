"""Make ``complaintd`` importable from the source tree when it is not installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[2] / "daemon"

# Why: `make install` puts the package in .venv, but these pure tests must also run in
# a bare checkout (before install, or while other packages are still being written).
if importlib.util.find_spec("complaintd") is None:
    sys.path.insert(0, str(_SOURCE_ROOT))
