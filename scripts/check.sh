#!/usr/bin/env bash
# Everything CI checks, in order: format, lint, types, tests. Run after scripts/bootstrap.sh --dev.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff format --check" >&2
.venv/bin/ruff format --check src tests perf scripts
echo "== ruff check" >&2
.venv/bin/ruff check src tests perf scripts
echo "== mypy (library)" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/pytest "$@"
