"""``rvubench price`` on a 1,000,000-line real-shaped log, as a process, against the price
floor: ``perf/bare_price.py``, a bare pandas/pyarrow script that reads the same log, joins
the CMS rows, computes and writes a CSV. Both run in the same session, alternating.

Targets: price <= 2.0x the floor; peak memory < 1.5 GB.

Usage: python perf/price.py [--lines 1000000] [--runs 2] [--data DIR]
(the log is generated once into DIR, default /tmp/rvubench-perf-price-LINES, and kept)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import PYTHON, REPO, alternate, best, best_cpu, describe, make_log, rvubench, verdict


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--clinicians", type=int, default=500)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--data", type=Path, default=None)
    args = ap.parse_args()
    folder = args.data or Path(tempfile.gettempdir()) / f"rvubench-perf-price-{args.lines}"
    log, _ = make_log(folder, args.lines, args.clinicians)
    out = folder / "out"
    out.mkdir(exist_ok=True)
    res = alternate({
        "floor: bare pandas/pyarrow script": [PYTHON, str(REPO / "perf" / "bare_price.py"),
                                              str(log), str(out / "bare.csv")],
        "rvubench price": rvubench("price", str(log), "-o", str(out / "priced.csv")),
    }, args.runs)  # fmt: skip
    floor, price = res["floor: bare pandas/pyarrow script"], res["rvubench price"]
    print(f"log: {log} ({args.lines:,} lines, {args.clinicians} clinicians)")
    for name, samples in res.items():
        print(describe(name, samples))
    peak = max(m for _, m, _ in price)
    print(
        f"ratio price / floor (best runs): {verdict(best(price) / best(floor), 2.0)}; "
        f"CPU time {best_cpu(price) / best_cpu(floor):.2f}x"
    )
    print(
        f"peak memory of price: {peak / 1e9:.2f} GB (target < 1.5 GB) "
        f"{'OK' if peak < 1.5e9 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
