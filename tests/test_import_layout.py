"""Import layout: the library stages import each other at module level, never inside a
function (an import hidden in a function is how an import cycle gets dodged). The CLI is the
exception: its commands import the library lazily so ``rvubench --help`` starts fast."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rvubench"
CHECKED = ["pricing", "benchmarks", "insights", "feeschedule", "money.py"]


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


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_rvubench_import_inside_a_function(path):
    assert _hidden_imports(path) == []


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
