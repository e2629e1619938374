"""Time ``price_lines`` on a generated 1,000,000-line log against a bare pandas merge +
group-by of the same frames, measured in the same run (target: ratio under 2x).

Usage: ``python perf/price.py [--lines N] [--runs R]``. Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import numpy as np
import pandas as pd

from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings

MODIFIERS = ["", "", "", "", "", "", "26", "TC", "25", "59", "50", "51", "62", "80", "AS",
             "76", "RT", "LT", "XU", "26,59", "53", "52", "66", "54"]
MOD_P = np.array([30, 10, 10, 10, 5, 5, 6, 3, 5, 3, 1.5, 1.5, 0.5, 0.7, 0.5, 1, 1, 1, 1, 1,
                  0.2, 0.2, 0.1, 0.2])
POS = ["11", "11", "22", "21", "24", "19", "23", "02", "10", "31", "32", ""]


def generate(n: int, fees, seed: int = 42) -> pd.DataFrame:
    """A clean-line frame (ingest dtypes) with real codes, Zipf-like usage, 500 providers."""
    rng = np.random.default_rng(seed)
    rows = fees.release("RVU26C").rows
    glob = rows[(rows["mod"] == "") & (rows["work_rvu"] > 0) & (rows["status"] == "A")]
    first = glob["hcpcs"].str[0]
    # category shares of a multi-specialty group: visits, procedures, imaging, medicine
    mix = {"E/M": 0.45, "surgery": 0.22, "radiology": 0.15, "medicine": 0.13, "other": 0.05}
    pools = {
        "E/M": glob[glob["hcpcs"].between("99202", "99499")],
        "surgery": glob[glob["hcpcs"].between("10004", "69990")],
        "radiology": glob[glob["hcpcs"].between("70010", "79999")],
        "medicine": glob[glob["hcpcs"].between("90281", "99199")],
        "other": glob[first.isin(list("GJ"))],
    }
    parts = []
    for name, share in mix.items():
        codes = pools[name]["hcpcs"].to_numpy(dtype=object)[:400]
        w = 1.0 / np.arange(1, len(codes) + 1) ** 1.1
        parts.append(rng.choice(codes, size=int(round(n * share)), p=w / w.sum()))
    code = np.concatenate(parts)[:n]
    code = np.concatenate([code, rng.choice(code, n - len(code))]) if len(code) < n else code
    code = rng.permutation(code)
    unknown = rng.random(n) < 0.002
    code = np.where(unknown, "9999Z", code)
    mods = rng.choice(np.array(MODIFIERS, dtype=object), size=n, p=MOD_P / MOD_P.sum())
    prov = np.array([f"P{i:04d}" for i in range(1, 501)], dtype=object)[rng.integers(0, 500, n)]
    start = np.datetime64("2025-10-01")
    days = rng.integers(0, 456, n)  # Oct 2025 .. Dec 2026
    dos = (start + days.astype("timedelta64[D]")).astype("datetime64[ns]")
    units = np.where(rng.random(n) < 0.9, 1, rng.integers(2, 4, n))
    pos = rng.choice(np.array(POS, dtype=object), size=n)
    loc = np.where(rng.random(n) < 0.05, "01182-18", "")
    rejected = rng.random(n) < 0.001
    return pd.DataFrame(
        {
            "source_file": pd.Series(["log.csv"] * n, dtype="str"),
            "source_row": np.arange(2, n + 2, dtype="int64"),
            "provider_id": pd.Series(prov, dtype="str"),
            "provider_name": pd.Series([""] * n, dtype="str"),
            "date_of_service": pd.Series(dos).where(~rejected),
            "hcpcs": pd.Series(code, dtype="str"),
            "modifiers": pd.Series(mods, dtype="str"),
            "units": units.astype("int64"),
            "pos": pd.Series(pos, dtype="str"),
            "locality": pd.Series(loc, dtype="str"),
            "zip": pd.Series([""] * n, dtype="str"),
            "reject_reason": pd.Series(
                np.where(rejected, "log.csv, row ?, column date_of_service: not a date", ""),
                dtype="str"),
            "reject_column": pd.Series(np.where(rejected, "date_of_service", ""), dtype="str"),
            "is_duplicate": np.zeros(n, dtype=bool),
        }
    )


def bare_merge_groupby(lines: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The baseline: join lines to the RVU rows, then sum per provider and per provider+code."""
    m = lines.merge(
        rows[["hcpcs", "mod", "work_rvu", "total_nf", "total_f"]],
        left_on=["hcpcs", "modifiers"], right_on=["hcpcs", "mod"], how="left",
    )
    m.groupby("provider_id")[["work_rvu", "total_nf"]].sum()
    return m.groupby(["provider_id", "hcpcs"])[["work_rvu", "total_nf"]].sum()


def _time_pairs(base, price, runs: int) -> tuple[list[float], list[float]]:
    """Alternate the two timings so that machine load hits both alike."""
    base()
    price()  # warm-up
    b, p = [], []
    for _ in range(runs):
        for fn, out in ((base, b), (price, p)):
            gc.collect()
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return b, p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    fees = load_fee_schedules()
    lines = generate(args.lines, fees)
    rows = fees.release("RVU26C").rows
    settings = PricingSettings()
    base, price = _time_pairs(lambda: bare_merge_groupby(lines, rows),
                              lambda: price_lines(lines, fees, settings), args.runs)
    b, p = statistics.median(base), statistics.median(price)
    pairs = statistics.median(x / y for x, y in zip(price, base, strict=True))
    priced = price_lines(lines, fees, settings)
    print(f"lines: {len(lines):,} ({(priced['outcome'] == 'priced').sum():,} priced, "
          f"{(priced['outcome'] == 'zero').sum():,} zero, "
          f"{(priced['outcome'] == 'rejected').sum():,} rejected)")
    print(f"bare merge + group-by : {b * 1000:8.1f} ms  (runs: "
          f"{', '.join(f'{x * 1000:.0f}' for x in base)})")
    print(f"price_lines           : {p * 1000:8.1f} ms  (runs: "
          f"{', '.join(f'{x * 1000:.0f}' for x in price)})")
    print(f"ratio                 : {p / b:8.2f}x of medians, {pairs:.2f}x median of paired "
          f"runs, {min(price) / min(base):.2f}x best  (target < 2x)")


if __name__ == "__main__":
    main()
