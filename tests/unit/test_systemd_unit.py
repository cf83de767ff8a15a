"""The unit file in systemd/ as ``systemd-analyze verify`` and the deployment steps see it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from complaintd.service.daemon import STOP_SECONDS

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "complaintd.service"
INSTALLED = "/opt/complaintd/venv/bin/complaintd"


def unit_settings() -> dict[str, list[str]]:
    """Every ``Key=value`` of the unit, repeated keys in order."""
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_systemd_analyze_verify_passes_without_a_word(tmp_path: Path) -> None:
    """verify checks ExecStart exists: the installed path is the checkout's venv here."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package: systemd)")
    executable = Path(sys.prefix) / "bin" / "complaintd"
    assert executable.exists(), "make install first"
    unit = tmp_path / "complaintd.service"
    unit.write_text(UNIT.read_text().replace(INSTALLED, str(executable)))
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    said = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and said == [], said  # unknown keys are only warnings


def test_the_unit_runs_the_documented_install_as_its_own_user() -> None:
    settings = unit_settings()
    assert settings["ExecStart"][0].startswith(f"{INSTALLED} --config /etc/complaintd/")
    assert settings["User"] == ["complaintd"] and settings["Type"] == ["notify"]
    credentials = {value.split(":", 1)[0] for value in settings["LoadCredential"]}
    assert {"imap-password", "smtp-password", "token-secret", "pgpass"} <= credentials
    # SIGTERM reaches the daemon alone, which stops well inside systemd's patience.
    assert settings["KillMode"] == ["mixed"]
    assert STOP_SECONDS < 10 < int(settings["TimeoutStopSec"][0].rstrip("s"))
    readme = (ROOT / "README.md").read_text()
    for step in ("useradd --system", "/opt/complaintd/venv", "/etc/complaintd/credentials"):
        assert step in readme


def test_the_example_configuration_reads_secrets_from_the_units_credentials() -> None:
    example = (ROOT / "config" / "complaintd.example.toml").read_text()
    names = {value.split(":", 1)[0] for value in unit_settings()["LoadCredential"]}
    for line in example.splitlines():
        if "/run/credentials/complaintd.service/" in line:
            name = line.split("/run/credentials/complaintd.service/", 1)[1].split('"')[0]
            assert name in names, f"{name} is not loaded by the unit"
