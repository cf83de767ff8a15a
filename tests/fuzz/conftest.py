"""Fuzz profiles and the figures printed at the end of a run.

``ci`` (the default, run by ``make test``): derandomized, so every run tries the same
inputs, sized to take about a minute.  ``long`` (``make fuzz``): random, and as many
inputs as ``FUZZ_EXAMPLES`` says (default 20,000).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1500")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20000")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

settings.load_profile(os.environ.get("FUZZ_PROFILE", "ci"))


@dataclass
class FuzzFigures:
    """What one run tried: inputs, and the slowest of them."""

    inputs: int = 0
    slowest_seconds: float = 0.0
    slowest: str = ""


FIGURES = FuzzFigures()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures when any fuzz input ran."""
    if FIGURES.inputs:
        terminalreporter.write_line(
            f"fuzz: {FIGURES.inputs} inputs; slowest {FIGURES.slowest_seconds:.3f} s "
            f"({FIGURES.slowest})"
        )
