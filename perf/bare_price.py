"""The price floor: a bare pandas/pyarrow script that reads a log, joins the CMS rows,
computes wRVUs and a payment per line, and writes a CSV. No modifiers, no policies, no
checks: what any script doing the same join must at least spend.

Usage: python perf/bare_price.py LOG OUT.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

RVU = Path(__file__).resolve().parent.parent / "src/rvubench/data/cms/rvu26c.csv.gz"


def main(log: str, out: str) -> None:
    lines = pacsv.read_csv(
        log,
        convert_options=pacsv.ConvertOptions(
            column_types={
                c: pa.string() for c in ("provider_id", "hcpcs", "modifiers", "pos", "patient_mrn")
            }
        ),
    ).to_pandas()
    rvu = pd.read_csv(
        RVU,
        dtype={"hcpcs": str, "mod": str},
        keep_default_na=False,
        usecols=["hcpcs", "mod", "work_rvu", "pe_nf", "pe_f", "mp_rvu"],
    )
    rvu = rvu[rvu["mod"] == ""]
    m = lines.merge(rvu, on="hcpcs", how="left")
    units = m["units"].to_numpy()
    facility = m["pos"].isin(["21", "22", "23", "24"]).to_numpy()
    pe = np.where(facility, m["pe_f"].to_numpy(), m["pe_nf"].to_numpy())
    total = (m["work_rvu"].to_numpy() + pe + m["mp_rvu"].to_numpy()) * units
    m["wrvu_credit"] = (m["work_rvu"].to_numpy() * units).round(4)
    m["payment_cents"] = np.rint(np.nan_to_num(total) * 3340.09).astype("int64")
    m["payment"] = m["payment_cents"] / 100
    pacsv.write_csv(pa.Table.from_pandas(m, preserve_index=False), out)


if __name__ == "__main__":
    main(*sys.argv[1:3])
