"""Build rvubench's bundled CMS data from CMS's official files.

Usage::

    python scripts/build_cms_data.py CMS_DIR

CMS_DIR (a folder of CMS downloads, given on the command line) holds the official files:
``PPRRVU2026_Jul_nonQPP.csv`` (RVU26C), ``2025_rvu25d/PPRRVU2025_Oct.csv`` (RVU25D),
``2025_rvu25d/GPCI2025.csv``, ``reformatted/GPCI2026.reformatted.csv`` (values verified
against CMS's per-locality payment amounts; see its PROVENANCE.md) and
``zip_locality/ZIP5_OCT2025.txt``.

What is written to ``src/rvubench/data/cms/``:

* ``rvu26c.csv.gz``, ``rvu25d.csv.gz``: every row of the release, columns by canonical name,
  read with the same reader users' files go through. CPT (codes starting with a digit) and
  CDT (``D`` codes) descriptors are copyright AMA/ADA and are blanked; HCPCS Level II
  descriptions are public and kept.
* ``gpci2026.csv``, ``gpci2025.csv``: GPCIs by locality ``MAC-LL``.
* ``zip5_locality.csv.gz``: ZIP5 -> state, MAC, locality, ZIP+4 split flag.
* ``manifest.json``: release ids, years, dates, conversion factors, source file hashes.

The output is deterministic (gzip mtime 0), so a rebuild changes nothing unless CMS data did.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rvubench.feeschedule.cms import (  # noqa: E402
    ROW_COLUMNS,
    read_cms_gpci_file,
    read_cms_rvu_file,
)

OUT = ROOT / "src" / "rvubench" / "data" / "cms"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _write_gz(path: Path, text: str) -> None:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(text.encode("utf-8"))
    path.write_bytes(buf.getvalue())


def _strip_copyrighted(rows):
    rows = rows.copy()
    first = rows["hcpcs"].str[0]
    public = first.str.isalpha() & (first != "D")
    rows.loc[~public, "description"] = ""
    return rows


def build_release(src: Path, name: str, manifest: dict) -> None:
    rel = read_cms_rvu_file(src)
    rows = _strip_copyrighted(rel.rows)[list(ROW_COLUMNS)]
    out = OUT / f"{name}.csv.gz"
    _write_gz(out, rows.to_csv(index=False, lineterminator="\n"))
    manifest["releases"][rel.release_id] = {
        "file": out.name,
        "year": rel.year,
        "effective_from": rel.effective_from.isoformat(),
        "released": rel.released,
        "conversion_factor": str(rel.conversion_factor),
        "rows": len(rows),
        "source_file": src.name,
        "source_sha256": _sha(src),
    }
    print(f"{rel.release_id}: {len(rows)} rows, CF {rel.conversion_factor} -> {out.name}")


def build_gpci(src: Path, year: int, manifest: dict) -> None:
    g = read_cms_gpci_file(src, year)
    out = OUT / f"gpci{year}.csv"
    g.drop(columns=["year"]).to_csv(out, lineterminator="\n")
    manifest["gpci_years"].append(year)
    manifest["gpci_sources"][str(year)] = {
        "source_file": src.name,
        "source_sha256": _sha(src),
        "localities": len(g),
    }
    print(f"GPCI {year}: {len(g)} localities -> {out.name}")


def build_zip(src: Path, manifest: dict) -> None:
    lines = src.read_text(encoding="latin-1").splitlines()
    out_lines = ["zip,state,mac,locality,plus4"]
    for line in lines:
        if len(line) < 21:
            continue
        state, z, mac, loc, plus4 = line[0:2], line[2:7], line[7:12], line[12:14], line[20]
        out_lines.append(f"{z},{state},{mac},{loc},{plus4}")
    _write_gz(OUT / "zip5_locality.csv.gz", "\n".join(out_lines) + "\n")
    manifest["zip_source"] = {
        "source_file": src.name,
        "source_sha256": _sha(src),
        "zips": len(out_lines) - 1,
        "year_quarter": lines[0][75:80],
    }
    print(f"ZIP5: {len(out_lines) - 1} ZIPs -> zip5_locality.csv.gz")


def main(cms_dir: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"releases": {}, "gpci_years": [], "gpci_sources": {}}
    build_release(cms_dir / "2025_rvu25d" / "PPRRVU2025_Oct.csv", "rvu25d", manifest)
    build_release(cms_dir / "PPRRVU2026_Jul_nonQPP.csv", "rvu26c", manifest)
    build_gpci(cms_dir / "2025_rvu25d" / "GPCI2025.csv", 2025, manifest)
    build_gpci(cms_dir / "reformatted" / "GPCI2026.reformatted.csv", 2026, manifest)
    build_zip(cms_dir / "zip_locality" / "ZIP5_OCT2025.txt", manifest)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/build_cms_data.py CMS_DIR")
    main(Path(sys.argv[1]))
