"""Compiled templates kept between runs (report.template_cache): a second run loads the
compiled code instead of compiling, an edited template is recompiled, and a cache folder that
cannot be used means no cache, never a failed report."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from jinja2.sandbox import SandboxedEnvironment

from _report_data import sample_priced
from rvubench.benchmarks.periods import parse_period
from rvubench.errors import TemplateProblem
from rvubench.pricing.settings import PricingSettings
from rvubench.report import pdf, template_cache
from rvubench.report.model import build_report_model
from rvubench.report.pdf import _environment, render_html
from rvubench.resources import templates_dir

MODEL_KWARGS = dict(period=parse_period("2026Q3"), settings=PricingSettings(),
                    provider_id="IR-1001", provider_name="Dr Ana Ruiz")  # fmt: skip


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """XDG_CACHE_HOME in tmp_path and fresh environments (a new process, as far as the
    per-process environment is concerned), before and after the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _environment.cache_clear()
    yield tmp_path / "xdg" / "rvubench" / "templates"
    _environment.cache_clear()


@pytest.fixture
def compiles(monkeypatch):
    """Names of the templates jinja2 compiled from source (the cache was not used)."""
    names: list[str] = []
    original = SandboxedEnvironment.compile

    def spy(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(SandboxedEnvironment, "compile", spy)
    return names


def _model():
    return build_report_model(sample_priced(), **MODEL_KWARGS)


def _entries(folder) -> list:
    return sorted(folder.glob("*.j2c"))


def test__second_run__loads_compiled_templates_instead_of_compiling(cache_home, compiles):
    model = _model()
    first = render_html(model)
    compiled = sorted(compiles)
    assert "report.html.j2" in compiled and "base.html.j2" in compiled
    # one entry per compiled template, private to the user
    assert len(_entries(cache_home)) == len(compiled)
    assert stat.S_IMODE(cache_home.stat().st_mode) == 0o700
    compiles.clear()
    _environment.cache_clear()  # the next process
    assert render_html(model) == first
    assert compiles == []


def test__edited_user_template__is_recompiled(cache_home, compiles, tmp_path):
    folder = tmp_path / "tpl"
    shutil.copytree(templates_dir(), folder)
    model = _model()
    render_html(model, folder)
    assert "_quality.html.j2" in compiles
    quality = folder / "_quality.html.j2"
    quality.write_text("<p>EDITED-QUALITY-PARTIAL</p>\n" + quality.read_text())
    compiles.clear()
    _environment.cache_clear()
    html = render_html(model, folder)
    assert "EDITED-QUALITY-PARTIAL" in html
    assert compiles == ["_quality.html.j2"]  # only the edited one; the others load
    # the bundled templates have their own entries: a user folder's copy never stands in
    compiles.clear()
    _environment.cache_clear()
    assert "EDITED-QUALITY-PARTIAL" not in render_html(model)
    assert "_quality.html.j2" in compiles


def test__cached_user_template__still_runs_in_the_sandbox(cache_home, tmp_path):
    folder = tmp_path / "tpl"
    shutil.copytree(templates_dir(), folder)
    (folder / "_quality.html.j2").write_text("<p>{{ model.__class__.__init__.__globals__ }}</p>")
    for _ in range(2):  # compiled, then loaded from the cache
        with pytest.raises(TemplateProblem, match=r"_quality\.html\.j2"):
            render_html(_model(), folder)
        _environment.cache_clear()
    env = pdf.environment(folder)
    assert isinstance(env, SandboxedEnvironment) and env.autoescape is True
    assert env.bytecode_cache is not None


def test__damaged_entries__are_compiled_again_and_replaced(cache_home, compiles):
    model = _model()
    first = render_html(model)
    for entry in _entries(cache_home):
        entry.write_bytes(entry.read_bytes()[:40])  # header cut short, no code
    expected = sorted(compiles)
    compiles.clear()
    _environment.cache_clear()
    assert render_html(model) == first
    assert sorted(compiles) == expected
    compiles.clear()
    _environment.cache_clear()
    render_html(model)
    assert compiles == []


@pytest.mark.parametrize("how", ["home is a file", "folder writable by others", "disk refuses"])
def test__unusable_cache_folder__still_renders(cache_home, compiles, monkeypatch, how):
    if how == "home is a file":  # e.g. a read-only or odd home: the folder cannot be made
        cache_home.parent.parent.write_text("not a folder")  # XDG_CACHE_HOME is a file
    elif how == "folder writable by others":  # loading an entry runs it: never shared
        cache_home.mkdir(parents=True)
        cache_home.chmod(0o777)
    else:  # read-only file system (root ignores permission bits, so refuse the write itself)

        def refuse(*args, **kwargs):
            raise OSError(30, "Read-only file system")

        monkeypatch.setattr(template_cache.tempfile, "mkstemp", refuse)
    model = _model()
    first = render_html(model)
    n = len(compiles)
    assert n > 0
    _environment.cache_clear()
    assert render_html(model) == first
    assert len(compiles) == 2 * n  # compiled again: nothing was cached
    assert not cache_home.is_dir() or _entries(cache_home) == []
    assert list(cache_home.parent.glob("**/*.tmp")) == []


def test__cache_folder__follows_xdg_cache_home_else_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert template_cache.cache_dir() == tmp_path / "rvubench" / "templates"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored (XDG spec)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert template_cache.cache_dir() == tmp_path / "home" / ".cache" / "rvubench" / "templates"


def test__entries__are_keyed_by_environment_options(cache_home):
    import jinja2

    sandbox = pdf.environment()
    plain = jinja2.Environment(autoescape=True)
    assert template_cache.environment_salt(sandbox) != template_cache.environment_salt(plain)
    assert sandbox.bytecode_cache is not None
    key = sandbox.bytecode_cache.get_cache_key("report.html.j2", "/a/report.html.j2")
    other = template_cache.TemplateBytecodeCache(cache_home, "other salt")
    assert key != other.get_cache_key("report.html.j2", "/a/report.html.j2")
    assert key != sandbox.bytecode_cache.get_cache_key("report.html.j2", "/b/report.html.j2")


def test__environment__is_one_per_folder_and_process(cache_home):
    assert pdf.environment() is pdf.environment()
    assert os.environ["XDG_CACHE_HOME"] in str(pdf.environment().bytecode_cache.folder)
