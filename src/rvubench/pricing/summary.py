"""Summaries of a priced frame (pure functions; ARCHITECTURE.md section 4).

Money is summed from the integer ``payment_cents`` column and wRVUs from integer
ten-thousandths, so totals never pick up binary-float drift and always equal the sum of
their parts (per code, per provider, per month, per category).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

_ROW_PREFIX = re.compile(r"^.*?,\s*row \d+(?:,\s*column ([^:]+))?:\s*")
_VALUE_COLS = ["lines", "units", "wrvu_credit", "payment", "payment_cents"]
# "RT+LT bilateral pair: paid as one bilateral item on row 12" (pricing) without its row
_PAIR_ROW = r"(?<=^RT\+LT bilateral pair: paid as one bilateral item) on row .*$"


def _w4(priced: pd.DataFrame) -> np.ndarray:
    """wRVU credits as integer ten-thousandths (the frame rounds them to 4 dp)."""
    w = priced["wrvu_credit"].to_numpy(dtype="float64", na_value=0.0)
    return np.rint(w * 10_000).astype("int64")


def _cents(priced: pd.DataFrame) -> np.ndarray:
    """Payments as integer cents, NA (not estimable) counted as 0."""
    # pandas-stubs: pd.array has no overload for a Series with a nullable dtype name
    cents = pd.array(priced["payment_cents"], dtype="Int64")  # type: ignore[call-overload]
    return cents.fillna(0).to_numpy(dtype="int64")


def _usable(priced: pd.DataFrame) -> pd.Series:
    return priced["outcome"] != "rejected"


def _general_reason(text: str) -> str:
    """A rejection reason without its file/row prefix, so equal problems count together."""
    m = _ROW_PREFIX.match(text)
    if not m:
        return text
    rest = text[m.end() :]
    return f"column {m.group(1).strip()}: {rest}" if m.group(1) else rest


def _without_pair_rows(reasons: pd.Series) -> pd.Series:
    """``reasons.str.replace(_PAIR_ROW, "", regex=True)``, run once per distinct reason.

    Why: pandas runs that regex in Python on every row (~0.2 s for the 50,000 zero-credited
    lines of a 1,000,000-line log), while a log has a handful of distinct reasons besides the
    pair texts. The same values, index and dtype come back.
    """
    codes, uniques = pd.factorize(reasons)
    pattern = re.compile(_PAIR_ROW)
    done = np.asarray([pattern.sub("", str(u)) for u in uniques] + [np.nan], dtype=object)
    return pd.Series(done[codes], index=reasons.index, dtype=reasons.dtype)


def accounting(priced: pd.DataFrame) -> dict[str, Any]:
    """Rows read = priced + credited zero + rejected, with counts of each reason.

    Returns:
        dict with ``rows_read``, ``rows_priced``, ``rows_zero``, ``rows_rejected``,
        ``zero_by_reason`` and ``rejected_by_reason`` (reason -> count, most frequent first;
        rejection reasons lose their ``file, row N`` prefix).
    """
    outcome = priced["outcome"]
    zero = priced.loc[outcome == "zero", "reason"].astype(str)
    zero = _without_pair_rows(zero)  # RT+LT partners count together
    if "reject_kind" in priced:  # ingest's reason without row and value
        rej = priced.loc[outcome == "rejected", "reject_kind"].astype(str)
        rej = rej.where(
            rej != "", priced.loc[outcome == "rejected", "reason"].astype(str).map(_general_reason)
        )
    else:
        rej = priced.loc[outcome == "rejected", "reason"].astype(str).map(_general_reason)
    return {
        "rows_read": int(len(priced)),
        "rows_priced": int((outcome == "priced").sum()),
        "rows_zero": int((outcome == "zero").sum()),
        "rows_rejected": int((outcome == "rejected").sum()),
        "zero_by_reason": {str(k): int(v) for k, v in zero.value_counts().items()},
        "rejected_by_reason": {str(k): int(v) for k, v in rej.value_counts().items()},
    }


def accounting_line(acc: dict[str, Any]) -> str:
    """The identity line printed by ``price``: ``rows read N = priced P + ...``."""
    return (
        f"rows read {acc['rows_read']} = priced {acc['rows_priced']} + credited zero "
        f"{acc['rows_zero']} + rejected {acc['rows_rejected']}"
    )


def totals(priced: pd.DataFrame) -> dict[str, Any]:
    """Totals over usable lines (rejected rows excluded).

    Returns:
        ``wrvu_total`` (float, 4 dp), ``payment_total_cents`` (int; not-estimable lines
        count 0), ``lines`` (usable lines) and ``units``.
    """
    u = _usable(priced).to_numpy()
    return {
        "wrvu_total": int(_w4(priced)[u].sum()) / 10_000,
        "payment_total_cents": int(_cents(priced)[u].sum()),
        "lines": int(u.sum()),
        "units": int(priced["units"].to_numpy(dtype="int64")[u].sum()),
    }


def _group(
    priced: pd.DataFrame, keys: list[str], firsts: dict[str, str] | None = None
) -> pd.DataFrame:
    u = _usable(priced)
    work = pd.DataFrame(
        {
            **{k: priced.loc[u, k].astype(str) for k in keys},
            "lines": 1,
            "units": priced.loc[u, "units"].astype("int64"),
            "w4": _w4(priced)[u.to_numpy()],
            "payment_cents": _cents(priced)[u.to_numpy()],
        }
    )
    for out, src in (firsts or {}).items():
        work[out] = priced.loc[u, src].fillna("").astype(str)
    agg = {"lines": "sum", "units": "sum", "w4": "sum", "payment_cents": "sum"}
    agg.update({out: "first" for out in (firsts or {})})
    g = work.groupby(keys, sort=False, dropna=False).agg(agg).reset_index()
    g["wrvu_credit"] = g["w4"] / 10_000
    g["payment"] = g["payment_cents"] / 100
    g["payment_cents"] = g["payment_cents"].astype("int64")
    return g.drop(columns="w4")


def by_code(priced: pd.DataFrame) -> pd.DataFrame:
    """One row per code and billed modifiers: lines, units, wRVUs credited, payment.

    Columns: ``hcpcs, modifier, description, lines, units, wrvu_credit, payment`` (README,
    ``By Code``), plus ``category`` and ``payment_cents``; highest wRVU first.
    """
    g = _group(
        priced.assign(modifier=priced["modifiers"]),
        ["hcpcs", "modifier"],
        {"description": "description", "category": "category"},
    )
    g = g.sort_values(
        ["wrvu_credit", "payment_cents", "hcpcs", "modifier"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    cols = [
        "hcpcs",
        "modifier",
        "description",
        "lines",
        "units",
        "wrvu_credit",
        "payment",
        "category",
        "payment_cents",
    ]
    return g[cols].reset_index(drop=True)


def by_provider(priced: pd.DataFrame) -> pd.DataFrame:
    """One row per provider id: ``provider_id, provider_name, lines, units, wrvu_credit,
    payment, payment_cents`` (in order of first appearance)."""
    firsts = {"provider_name": "provider_name"} if "provider_name" in priced else {}
    g = _group(priced, ["provider_id"], firsts)
    if "provider_name" not in g:
        g["provider_name"] = ""
    return g[["provider_id", "provider_name", *_VALUE_COLS]].reset_index(drop=True)


def by_category(priced: pd.DataFrame) -> pd.DataFrame:
    """One row per code category (the ``lookup`` category ranges), highest wRVU first."""
    g = _group(priced, ["category"])
    g = g.sort_values(["wrvu_credit", "category"], ascending=[False, True], kind="stable")
    return g[["category", *_VALUE_COLS]].reset_index(drop=True)


def by_month(priced: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Every calendar month from ``start`` to ``end`` (zero rows included), counting the
    usable lines whose date of service falls inside the period.

    Columns: ``month`` ("2026-01"), ``month_start`` (date), ``lines, units, wrvu_credit,
    payment, payment_cents``.
    """
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    dos = pd.to_datetime(priced["date_of_service"])
    inside = (dos >= start_ts) & (dos <= end_ts)
    sub = priced[inside.to_numpy()]
    months = pd.period_range(start_ts, end_ts, freq="M")
    frame = sub.assign(month=pd.to_datetime(sub["date_of_service"]).dt.strftime("%Y-%m"))
    g = _group(frame, ["month"]).set_index("month") if len(frame) else None
    labels = [p.strftime("%Y-%m") for p in months]
    out = pd.DataFrame({"month": labels})
    out["month_start"] = [p.start_time.date() for p in months]
    for c in _VALUE_COLS:
        vals = g[c].reindex(labels) if g is not None else pd.Series([np.nan] * len(labels))
        if c in ("wrvu_credit", "payment"):
            out[c] = vals.fillna(0.0).to_numpy(dtype="float64")
        else:
            out[c] = vals.fillna(0).to_numpy(dtype="int64")
    return out
