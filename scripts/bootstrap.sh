#!/usr/bin/env bash
# Set up rvubench on a fresh Debian/Ubuntu machine: the system libraries WeasyPrint needs
# (Pango, fonts), a virtual environment in .venv, and rvubench itself.
#   scripts/bootstrap.sh         runtime only
#   scripts/bootstrap.sh --dev   also pytest, hypothesis, ruff, pypdf, the dask extra (its
#                                LocalCluster test) and poppler for pdftoppm
#   scripts/bootstrap.sh --check only print the system packages that would be installed
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0; [ "${1:-}" = "--dev" ] && dev=1
check=0; [ "${1:-}" = "--check" ] && check=1

# The library cache is read once into a variable and searched there. `ldconfig -p | grep -q`
# under pipefail fails whenever grep stops at the first match and ldconfig dies of SIGPIPE
# (exit 141): Pango then looked missing and apt-get ran for nothing.
libs=$(ldconfig -p 2>/dev/null || true)
has_lib() { [[ $libs == *"$1"* ]]; }
need=()
has_lib 'libpango-1.0.so' || need+=(libpango-1.0-0)
has_lib 'libpangoft2-1.0.so' || need+=(libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# optional: HarfBuzz's subsetter makes WeasyPrint embed fonts faster than its fontTools fallback
optional=()
has_lib 'libharfbuzz-subset.so' || optional+=(libharfbuzz-subset0)
if [ "$dev" = 1 ] && ! command -v pdftoppm >/dev/null; then need+=(poppler-utils); fi
if [ "$check" = 1 ]; then
  echo "missing: ${need[*]:-none}"
  echo "optional missing: ${optional[*]:-none}"
  exit 0
fi
say() { echo "bootstrap: $*" >&2; }
extra=""; [ "$dev" = 1 ] && extra=", poppler-utils"
say "checking system libraries (Pango, DejaVu fonts$extra)"
if [ ${#optional[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  say "installing optional ${optional[*]} (faster font embedding in PDFs)"
  $SUDO apt-get install -y -qq "${optional[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq "${optional[@]}" >/dev/null 2>&1; } \
    || echo "note: could not install ${optional[*]} (optional, PDFs are a little slower)" >&2
fi
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    say "installing system packages: ${need[*]} (apt-get; may ask for your password)"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "please install Pango and DejaVu fonts (WeasyPrint needs them): ${need[*]}" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ -x .venv/bin/python ]; then say "using the existing virtual environment .venv"
else say "creating the virtual environment .venv with $PY"; "$PY" -m venv .venv; fi
say "upgrading pip"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ "$dev" = 1 ]; then
  say "installing rvubench and its dependencies (pandas, pyarrow, openpyxl, weasyprint, jinja2, click) with the dev tools (pytest, hypothesis, ruff, pypdf) and the dask extra"
  .venv/bin/pip install -q -e ".[dev,dask]"
else
  say "installing rvubench and its dependencies (pandas, pyarrow, openpyxl, weasyprint, jinja2, click)"
  .venv/bin/pip install -q -e .
fi
# An editable install leaves rvubench's own modules as source: Python compiles them at every
# start unless it can write .pyc files, and a machine (or CI) with PYTHONDONTWRITEBYTECODE set
# never writes them: about 0.2 s more per command. compileall writes them regardless, as pip
# does for the modules of a wheel; a module edited later is recompiled from its newer source.
.venv/bin/python -m compileall -q src/rvubench >/dev/null || true
say "done: try .venv/bin/rvubench report sample_data/ir_quarter.csv --out /tmp/rvubench-out --specialty \"Interventional Radiology\" --compensation 540000"
