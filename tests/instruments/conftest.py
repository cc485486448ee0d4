"""Fixtures for the instruments tests (no Flask here)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings

from instruments.loader import DEFINITIONS_DIR

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Used with @settings(settings.get_profile("instruments")) so that it never changes the settings
# of other test folders. No example database: the tests write nothing outside tmp_path.
settings.register_profile(
    "instruments",
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture
def definition_data() -> Callable[[str], dict[str, object]]:
    """Return a function giving a fresh, editable copy of a shipped definition as loaded from YAML."""

    def load(key: str) -> dict[str, object]:
        data: dict[str, object] = yaml.safe_load((DEFINITIONS_DIR / f"{key}.yaml").read_text(encoding="utf-8"))
        return data

    return load


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, object], Path]:
    """Return a function that writes data as YAML to tmp_path/name and returns the path."""

    def write(name: str, data: object) -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Return a function running ``python -m instruments ...`` in a subprocess from the project root."""

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "instruments", *map(str, args)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run
