#!/usr/bin/env bash
# Set up rvubench on a fresh Debian/Ubuntu machine: the system libraries WeasyPrint needs
# (Pango, fonts), a virtual environment in .venv, and rvubench itself.
#   scripts/bootstrap.sh         runtime only
#   scripts/bootstrap.sh --dev   also pytest, hypothesis, ruff, pypdf, the dask extra (its
#                                LocalCluster test) and poppler for pdftoppm
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0; [ "${1:-}" = "--dev" ] && dev=1

need=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || need+=(libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# optional: HarfBuzz's subsetter makes WeasyPrint embed fonts faster than its fontTools fallback
optional=()
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' || optional+=(libharfbuzz-subset0)
if [ "$dev" = 1 ] && ! command -v pdftoppm >/dev/null; then need+=(poppler-utils); fi
if [ ${#optional[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq "${optional[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq "${optional[@]}" >/dev/null 2>&1; } \
    || echo "note: could not install ${optional[*]} (optional, PDFs are a little slower)" >&2
fi
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "installing system packages: ${need[*]}" >&2
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "please install Pango and DejaVu fonts (WeasyPrint needs them): ${need[*]}" >&2
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ "$dev" = 1 ]; then
  .venv/bin/pip install -q -e ".[dev,dask]"
else
  .venv/bin/pip install -q -e .
fi
