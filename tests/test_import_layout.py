"""Import layout: the library stages import each other at module level, never inside a
function (an import hidden in a function is how an import cycle gets dodged). The CLI is the
exception: its commands import the library lazily so ``rvubench --help`` starts fast; so are
the few deliberate lazy imports in :data:`LAZY_ALLOWED`."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rvubench"
CHECKED = [
    "pricing",
    "benchmarks",
    "insights",
    "feeschedule",
    "report",
    "batch",
    "ingest",
    "money.py",
]

#: (file relative to src/rvubench, module) imported inside a function on purpose, each with
#: a comment at the import saying why. report/run.py loads only the renderers a run asks
#: for (openpyxl and jinja2 cost a single report's start-up time).
LAZY_ALLOWED = {
    ("report/run.py", "rvubench.report.pdf"),
    ("report/run.py", "rvubench.report.xlsx"),
}


def _files() -> list[Path]:
    out: list[Path] = []
    for name in CHECKED:
        path = SRC / name
        out.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return out


def _hidden_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rvubench"):
                found.append(f"{path.name}:{node.lineno} from {node.module}")
            elif isinstance(node, ast.Import):
                found += [
                    f"{path.name}:{node.lineno} import {a.name}"
                    for a in node.names
                    if a.name.startswith("rvubench")
                ]
    return found


def _rel(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def _unexpected(path: Path, rel: str | None = None) -> list[str]:
    rel = rel or _rel(path)
    allowed = {module for where, module in LAZY_ALLOWED if where == rel}
    return [h for h in _hidden_imports(path) if h.split(" ")[-1] not in allowed]


@pytest.mark.parametrize("path", _files(), ids=_rel)
def test_no_rvubench_import_inside_a_function(path):
    assert _unexpected(path) == []


def test_every_allowed_lazy_import_is_still_there():
    # an allow-list entry whose import was since moved to the top would go stale silently
    for rel, module in sorted(LAZY_ALLOWED):
        found = [h.split(" ")[-1] for h in _hidden_imports(SRC / rel)]
        assert module in found, (rel, module)


def test_the_allow_list_does_not_hide_other_imports(tmp_path):
    # report/run.py may import the renderers lazily, nothing else
    sample = tmp_path / "run.py"
    sample.write_text(
        "def f():\n    from rvubench.report.pdf import render_pdf\n"
        "def g():\n    from rvubench.report.model import KINDS\n",
        encoding="utf-8",
    )
    assert _unexpected(sample, "report/run.py") == ["run.py:4 from rvubench.report.model"]
    assert len(_unexpected(sample, "report/model.py")) == 2


@pytest.mark.parametrize(
    "module",
    [
        "rvubench.report.model",
        "rvubench.report.sections",
        "rvubench.report.xlsx_insights",
        "rvubench.insights.global_periods",
        "rvubench.benchmarks.like_for_like",
        "rvubench.batch.run",
        "rvubench.ingest.validate",
    ],
)
def test_each_module_imports_first_without_a_cycle(module):
    # a cycle shows only when its modules are imported in a certain order: import each one
    # first, in a fresh interpreter
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_report_sections_is_a_leaf():
    # insights and benchmarks build sections and report.model collects them: the section
    # types import nothing from rvubench but errors, so neither side imports the other's stage
    tree = ast.parse((SRC / "report" / "sections.py").read_text(encoding="utf-8"))
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert [n for n in names if n.startswith("rvubench") and n != "rvubench.errors"] == []


def test_the_check_sees_a_hidden_import(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from rvubench.errors import UsageProblem\n", encoding="utf-8")
    assert _hidden_imports(sample) == ["m.py:2 from rvubench.errors"]


def test_money_and_percentiles_are_leaves():
    # leaf modules import nothing from rvubench, so anything may import them
    for path in (SRC / "money.py", SRC / "benchmarks" / "percentiles.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [n for n in names if n.startswith("rvubench")], path.name
