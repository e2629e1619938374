"""Atomic writes and file names made safe from provider names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rvubench.atomic import atomic_path, safe_filename, write_bytes_atomic


def test__atomic_path__replaces_target_only_on_success(tmp_path):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("render failed")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("IR-1001", "IR-1001"),
        ("Dr. Ana Núñez / IR", "Dr_Ana_Nunez_IR"),
        ("../../etc/passwd", "etc_passwd"),
        ("   ", "report"),
        ("CON", "CON_"),
        ("a:b*c?", "a_b_c"),
    ],
)
def test__safe_filename__examples(name, stem):
    assert safe_filename(name) == stem


@given(st.text(max_size=200))
def test__safe_filename__always_a_plain_visible_name(name):
    stem = safe_filename(name)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stem)
    assert len(stem) <= 81
    assert "/" not in stem and "\\" not in stem and not stem.startswith(".")
    assert safe_filename(stem) == stem  # idempotent
