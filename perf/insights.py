"""Global-period review speed: ``build_insights`` on 1,000,000 priced lines.

The baseline, measured in the same run, is one ``sort_values`` of the same frame by
provider and date (the least any per-provider window scan must do). Prints both times, best
of ``--repeat`` runs, and the ratio. No fixed target; a ratio in the low tens means the
review stays O(n log n) (an O(n^2) scan would take hours at this size).

    python perf/insights.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from rvubench.insights.global_periods import build_insights

# code, global days, wRVU: a surgical practice mix (CMS 2026 values)
CODES = [
    ("99213", "XXX", 1.30), ("99214", "XXX", 1.92), ("99204", "XXX", 2.60),
    ("99212", "XXX", 0.70), ("99024", "XXX", 0.00), ("27447", "090", 19.11),
    ("29881", "090", 6.85), ("47383", "010", 8.66), ("36561", "010", 5.65),
    ("45378", "000", 3.18), ("20610", "000", 0.77), ("77001", "ZZZ", 0.37),
]  # fmt: skip
WEIGHTS = np.array([30, 20, 6, 8, 8, 2, 3, 3, 4, 8, 6, 2], dtype=float)


def make_priced(n: int, seed: int = 42) -> pd.DataFrame:
    """Priced-frame columns the review reads; 500 providers over one year."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(CODES), n, p=WEIGHTS / WEIGHTS.sum())
    codes = np.array([c for c, _, _ in CODES])
    glob = np.array([g for _, g, _ in CODES])
    work = np.array([w for _, _, w in CODES])
    mods = np.array(["", "", "", "", "24", "25", "57", "79", "58", "26"])
    return pd.DataFrame(
        {
            "source_file": "log.csv",
            "source_row": np.arange(2, n + 2),
            "provider_id": np.array([f"P{i:04d}" for i in range(500)])[rng.integers(0, 500, n)],
            "date_of_service": pd.Timestamp("2026-01-01")
            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "hcpcs": codes[pick],
            "modifiers": mods[rng.integers(0, len(mods), n)],
            "units": 1,
            "global_days": glob[pick],
            "wrvu_credit": work[pick],
            "payment_cents": pd.array(rng.integers(1000, 200000, n), dtype="Int64"),
            "outcome": "priced",
        }
    )


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    frame = make_priced(args.rows)
    base = best(lambda: frame.sort_values(["provider_id", "date_of_service"]), args.repeat)
    result = {}

    def run() -> None:
        result["r"] = build_insights(frame)

    t = best(run, args.repeat)
    totals = result["r"].totals
    print(f"lines: {args.rows:,}; reviewed: {len(result['r'].review):,}; "
          f"windows: {totals['windows']:,}")  # fmt: skip
    print(f"baseline sort_values: {base:.3f} s")
    print(f"build_insights:       {t:.3f} s")
    print(f"ratio: {t / base:.1f}")


if __name__ == "__main__":
    main()
