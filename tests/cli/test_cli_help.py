"""Every command has --help with an example; --version works; README documents each command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rvubench import __version__
from rvubench.cli import cli

COMMANDS = ["lookup", "price", "validate", "report", "batch"]


def test__version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"rvubench, version {__version__}"


@pytest.mark.parametrize("name", COMMANDS)
def test__help_has_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert f"rvubench {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test__readme_documents_each_command(name, repo_dir):
    readme = (repo_dir / "README.md").read_text(encoding="utf-8")
    assert f"rvubench {name}" in readme


def test__bad_option_is_a_usage_error():
    result = CliRunner().invoke(cli, ["lookup", "99213", "--locality", "nowhere"])
    assert result.exit_code == 2
    assert "MAC-LL" in result.output


@pytest.mark.parametrize("args", [["--version"], ["lookup", "99213", "--locality", "nowhere"]])
def test__entry_point__exits_with_the_heap_frozen(args, repo_dir):
    # main() freezes the heap as the command ends, success or error, so the interpreter's
    # shutdown does not run a full collection over objects that die with the process;
    # atexit handlers still run (this one prints what it sees)
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from rvubench.cli import main\n"
        f"sys.argv = ['rvubench', *{args!r}]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo_dir / "src")},
    )
    assert done.returncode == (0 if args == ["--version"] else 2), done.stderr
    assert done.stdout.splitlines()[-1] == "frozen True"
