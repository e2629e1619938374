"""Every command has --help with an example; --version works; README documents each command."""

from __future__ import annotations

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
