"""Shared fixtures. Tests read no file outside the repository: they use the bundled data and tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _cache_home(tmp_path_factory):
    """The user cache folder (compiled report templates) in a temporary folder: the tests
    write nothing into the home directory. Set in os.environ so subprocesses inherit it."""
    import os

    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


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
