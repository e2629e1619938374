"""Shared fixtures. Tests read no file outside the repository: they use the bundled data and tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def fees():
    """The bundled fee schedules (RVU25D, RVU26C), GPCIs 2025/2026."""
    from rvubench.feeschedule.cms import load_fee_schedules

    return load_fee_schedules()


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def repo_dir() -> Path:
    return REPO
