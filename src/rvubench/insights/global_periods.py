"""Coding insights: global surgical periods and the E/M level mix.

Pure functions on priced lines (``price_lines`` output) or clean lines plus the fee
schedule. Nothing here reads files; the ``Global Periods`` sheet writer lives in
``insights_xlsx.py`` and the PDF partials in ``report_templates/``.

Rules (CMS global surgery periods, PPRRVU GLOB DAYS) and the project decisions taken here:

* **Windows.** Every usable procedure line whose fee-schedule row has global days
  ``090`` opens a window from the day before through 90 days after (D-1 .. D+90); ``010``
  from the day of through 10 days after (D .. D+10); ``000`` the day of the procedure only
  (D .. D), because an E/M that day is generally not payable without 25 either.
  A procedure carrying 78 (return to the OR for a complication) starts no new global
  (domain 2.4), so it opens no window; 58 and 79 do. Global days come from the line's own
  release (the priced frame's ``global_days`` column, or the fee schedule for clean lines).
* **Who.** Only lines of the same ``provider_id`` are compared, and of the same patient
  when the log carries a patient identifier (ingest keeps only a random key in its place,
  ``patient_key``); findings are lines *to review*, not denials. Without one (an encounter
  id does not link days) a line inside a window may be another patient's: the review still
  classifies what falls in the clinician's windows (counts; 99024 and 24/25/57/58/78/79 say
  what the clinician billed), but lists no line to review and counts no wRVU at risk,
  since whether the visit and the surgery are one patient's cannot be known. Rejected
  lines are ignored.
* **E/M lines** are codes 99202-99499 (the E/M category) and 99024. One inside
  several windows is attributed to the procedure with the latest date (ties: the longer
  global, then the later row), so a visit the day before a 090 surgery belongs to that
  surgery, not to an earlier one. Classification:

  - ``post_op_visit``: 99024 (status B, zero wRVU; counted per procedure). It is
    attributed to 010/090 windows only and to days after the procedure (a 000 code has no
    post-operative period, and the day of surgery is not post-operative); a 99024 outside
    them is not listed.
  - ``separate_with_modifier``: 24 on a post-operative day (D+1 and later); 25 on the day
    of any procedure; 57 on the day before or the day of a 090 procedure.
    57 with a 000/010 procedure does not count: Medicare pays 57 only for 90-day
    globals (Claims Processing Manual ch. 12, 30.6.6).
  - ``likely_in_global``: any other E/M inside a window (no or wrong modifier), e.g. 24 on
    the day of surgery, 25 on a post-operative day, 57 the day before a 010 procedure.

* **Procedures in a global.** A procedure line (global days 000/010/090, not E/M) dated
  after another procedure of the same provider and inside its window is
  ``procedure_in_global``; ``global_modifier`` names the 58/78/79 it carries ("" if none,
  then it is a line to review). Lines on the same day as the opening procedure are
  multiple procedures (MPPR, domain 2.5), not global-period findings; a procedure on the
  day before a 090 is not in its global (the pre-operative day covers visits only).
  Add-on (ZZZ), XXX and YYY codes are not treated as procedures: add-ons follow their
  primary, and diagnostic tests are paid outside the global package.
* **Totals.** wRVUs at risk = the wRVU credit of ``likely_in_global`` lines (they would be
  bundled or denied); payment at risk likewise, in integer cents. Lines to review =
  ``likely_in_global`` lines + procedures in a global without 58/78/79.
  ``em_share_in_global`` = likely lines / E/M lines (99024 excluded); above one half the
  report and ``validate`` say that most flagged visits are probably other patients'.
* **Period.** In a report, windows come from all of the clinician's lines (a surgery
  in the previous quarter still covers this quarter's visits); the review keeps lines dated
  in the period, the windows opened in it or holding one of those lines.
* **Not handled:** FT (unrelated critical care in a global), 54/55/56 split care (a 55-only
  line still opens a window on its own date), payer rules beyond Medicare.

E/M level mix: counts of lines (visits, not units) of office visits 99202-99205 (new) and
99211-99215 (established) and their shares within each kind; rejected lines are ignored,
lines flagged as duplicates are counted (as pricing credits them).

Everything is vectorized: one binary search per global length over the windows sorted by
provider/patient and date (all windows of one length have the same span, so the latest
opening window is the only candidate), O(n log n).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from rvubench.feeschedule.cms import FeeScheduleSet, load_fee_schedules
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.report.charts import BAR, BAR_ALT, FONT, GRID, INK
from rvubench.report.sections import Section, SheetTable

CLASSIFICATIONS = (
    "post_op_visit",
    "separate_with_modifier",
    "likely_in_global",
    "procedure_in_global",
)
"""Values of the ``classification`` column, in report order."""

GLOBAL_SPANS: dict[str, tuple[int, int]] = {"000": (0, 0), "010": (0, 10), "090": (1, 90)}
"""Global days -> (days before the procedure, days after) covered by its window."""

REVIEW_FIELDS = (
    "source_row",
    "provider_id",
    "date_of_service",
    "hcpcs",
    "modifiers",
    "procedure_source_row",
    "procedure_hcpcs",
    "classification",
)
"""Keys of each ``global_period_review`` object in ``validate --insights --json``."""

WINDOW_COLUMNS = [
    "provider_id",
    "procedure_source_file",
    "procedure_source_row",
    "procedure_hcpcs",
    "procedure_modifiers",
    "procedure_date",
    "global_days",
    "window_start",
    "window_end",
    "procedure_wrvu_credit",
]

REVIEW_COLUMNS = [
    "source_file",
    "source_row",
    "provider_id",
    "date_of_service",
    "hcpcs",
    "modifiers",
    "procedure_source_file",
    "procedure_source_row",
    "procedure_hcpcs",
    "procedure_date",
    "procedure_global_days",
    "window_start",
    "window_end",
    "day_offset",
    "classification",
    "global_modifier",
    "needs_review",
    "reason",
    "note",
    "wrvu_credit",
    "payment_cents",
]

EM_OFFICE_CODES: tuple[tuple[str, str, int], ...] = tuple(
    [("new", f"9920{lvl}", lvl) for lvl in range(2, 6)]
    + [("established", f"9921{lvl}", lvl) for lvl in range(1, 6)]
)
"""(kind, code, level) of the office visit codes in the E/M level mix."""


# --------------------------------------------------------------------------- helpers


def _mod_flags(modifiers: np.ndarray, mods: tuple[str, ...]) -> dict[str, np.ndarray]:
    """For each of ``mods``, where the comma-joined ``modifiers`` carry it (one parse per value)."""
    sets: dict[str, frozenset[str]] = {}
    parsed = [sets.get(m) or sets.setdefault(m, frozenset(m.split(","))) for m in modifiers]
    return {mod: np.fromiter((mod in s for s in parsed), bool, len(parsed)) for mod in mods}


def is_em_code(hcpcs: pd.Series) -> pd.Series:
    """E/M codes for the global review: 99202-99499 and 99024 (post-op visit)."""
    code = hcpcs.astype("str")
    digits = code.str.fullmatch(r"\d{5}").fillna(False).astype(bool)
    num = pd.to_numeric(code.where(digits), errors="coerce")
    return ((num >= 99202) & (num <= 99499)).fillna(False).astype(bool) | (code == "99024")


def _usable(lines: pd.DataFrame) -> pd.Series:
    """Rows that are not rejected and have a date of service."""
    ok = lines["date_of_service"].notna()
    if "outcome" in lines.columns:
        ok &= lines["outcome"].astype("str") != "rejected"
    elif "reject_reason" in lines.columns:
        ok &= lines["reject_reason"].fillna("").astype("str") == ""
    return ok.astype(bool)


def _global_days_from_fees(lines: pd.DataFrame, fees: FeeScheduleSet) -> pd.Series:
    """Global days of each line from the global row of its release ("" when unknown)."""
    out = pd.Series("", index=lines.index, dtype="str")
    dated = lines["date_of_service"].notna()
    if not dated.any():
        return out
    release_ids, _ = fees.release_for_dates(lines.loc[dated, "date_of_service"])
    release_ids = pd.Series(np.asarray(release_ids), index=lines.index[dated])
    for rid in pd.unique(release_ids.dropna()):
        rows = fees.release(rid).rows
        base = rows[rows["mod"] == ""].drop_duplicates("hcpcs").set_index("hcpcs")["global_days"]
        idx = release_ids.index[release_ids == rid]
        out.loc[idx] = lines.loc[idx, "hcpcs"].map(base).fillna("").astype("str").to_numpy()
    return out


def _work_from_fees(lines: pd.DataFrame, fees: FeeScheduleSet) -> pd.Series:
    """Unadjusted wRVU (work RVU x units) for clean lines that were not priced."""
    out = pd.Series(0.0, index=lines.index)
    dated = lines["date_of_service"].notna()
    if not dated.any():
        return out
    release_ids, _ = fees.release_for_dates(lines.loc[dated, "date_of_service"])
    release_ids = pd.Series(np.asarray(release_ids), index=lines.index[dated])
    units = lines["units"] if "units" in lines.columns else pd.Series(1, index=lines.index)
    for rid in pd.unique(release_ids.dropna()):
        rows = fees.release(rid).rows
        base = rows[rows["mod"] == ""].drop_duplicates("hcpcs").set_index("hcpcs")["work_rvu"]
        idx = release_ids.index[release_ids == rid]
        work = lines.loc[idx, "hcpcs"].map(base).fillna(0.0).astype(float)
        out.loc[idx] = (work * units.loc[idx].astype(float)).round(4).to_numpy()
    return out


def _prepare(lines: pd.DataFrame, fees: FeeScheduleSet | None) -> pd.DataFrame:
    """Usable lines with the columns the review needs, in a stable order (``_order``)."""
    frame = lines.loc[_usable(lines)].copy()
    frame["_order"] = np.arange(len(frame))
    if "source_file" not in frame.columns:
        frame["source_file"] = ""
    if "provider_id" not in frame.columns:
        frame["provider_id"] = ""
    frame["provider_id"] = frame["provider_id"].fillna("").astype("str")
    # who a window belongs to: the provider, and the patient when the log identifies one
    # (ingest's random key of an MRN/patient-id column; never shown)
    who = frame["provider_id"]
    if "patient_key" in frame.columns:
        who = who + "\x1f" + frame["patient_key"].fillna("").astype("str")
    frame["_who"] = who
    frame["hcpcs"] = frame["hcpcs"].astype("str")
    frame["modifiers"] = frame["modifiers"].fillna("").astype("str")
    frame["date_of_service"] = pd.to_datetime(frame["date_of_service"]).dt.normalize()
    need_fees = "global_days" not in frame.columns or "wrvu_credit" not in frame.columns
    if need_fees and fees is None:
        fees = load_fee_schedules()
    if "global_days" not in frame.columns:
        assert fees is not None  # loaded just above (need_fees)
        frame["global_days"] = _global_days_from_fees(frame, fees)
    frame["global_days"] = frame["global_days"].fillna("").astype("str")
    if "wrvu_credit" not in frame.columns:
        assert fees is not None  # loaded just above (need_fees)
        frame["wrvu_credit"] = _work_from_fees(frame, fees)
    frame["wrvu_credit"] = frame["wrvu_credit"].astype(float).fillna(0.0)
    if "payment_cents" not in frame.columns:
        frame["payment_cents"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["payment_cents"] = frame["payment_cents"].astype("Int64")
    frame["_em"] = is_em_code(frame["hcpcs"])
    frame["_proc"] = frame["global_days"].isin(list(GLOBAL_SPANS)) & ~frame["_em"]
    return frame


# --------------------------------------------------------------------------- windows


def _windows_from(frame: pd.DataFrame) -> pd.DataFrame:
    m78 = _mod_flags(frame["modifiers"].to_numpy(dtype=object), ("78",))["78"]
    opens = frame["_proc"].to_numpy(bool) & ~m78
    w = frame.loc[opens]
    before = w["global_days"].map(lambda g: GLOBAL_SPANS[g][0]).astype("int64")
    after = w["global_days"].map(lambda g: GLOBAL_SPANS[g][1]).astype("int64")
    out = pd.DataFrame(
        {
            "provider_id": w["provider_id"],
            "procedure_source_file": w["source_file"].astype("str"),
            "procedure_source_row": w["source_row"].astype("int64"),
            "procedure_hcpcs": w["hcpcs"],
            "procedure_modifiers": w["modifiers"],
            "procedure_date": w["date_of_service"],
            "global_days": w["global_days"],
            "window_start": w["date_of_service"] - pd.to_timedelta(before, unit="D"),
            "window_end": w["date_of_service"] + pd.to_timedelta(after, unit="D"),
            "procedure_wrvu_credit": w["wrvu_credit"],
            "_order": w["_order"],
            "_who": w["_who"],
        }
    )
    return out.sort_values(["provider_id", "procedure_date", "_order"], kind="stable")


def global_windows(lines: pd.DataFrame, fees: FeeScheduleSet | None = None) -> pd.DataFrame:
    """One row per global window opened by a procedure line.

    Args:
        lines: priced frame (``price_lines``) or clean lines (then ``fees`` gives global days).
        fees: fee schedule for clean lines; the bundled one is loaded when needed and None.

    Returns:
        Columns ``WINDOW_COLUMNS``, sorted by provider, procedure date and input order.
    """
    w = _windows_from(_prepare(lines, fees))
    return w[WINDOW_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- review


def _days(values: pd.Series) -> np.ndarray:
    """Dates as whole days since 1970 (int64)."""
    return values.to_numpy().astype("datetime64[D]").astype(np.int64)


def _attribute(
    cols: dict[str, np.ndarray],
    wins: dict[str, np.ndarray],
    items: np.ndarray,
    cand: np.ndarray,
    *,
    em: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Items (frame positions) inside a window, and that window (positions in ``wins``).

    The window is that of the latest procedure containing the item (ties: the longer
    global, then the later row). E/M items may fall on a 090 window's pre-operative day and
    on the procedure day; procedure items only on days strictly after the opening
    procedure. Within one global length all windows have the same span, so the latest
    window opened by the same provider (and patient) is the only candidate: one binary
    search over windows sorted by who, date and row.
    """
    who, day = cols["who"][items], cols["day"][items]
    best = np.full(len(items), -1, dtype=np.int64)
    best_day = np.full(len(items), np.iinfo(np.int64).min, dtype=np.int64)
    best_rank = np.zeros(len(items), dtype=np.int64)
    best_order = np.zeros(len(items), dtype=np.int64)
    lo = min(int(day.min()), int(wins["day"][cand].min())) - 2
    span = max(int(day.max()), int(wins["day"][cand].max())) - lo + 4
    for g, (before, _after) in GLOBAL_SPANS.items():
        sel = cand[wins["global_days"][cand] == g]
        if not len(sel):
            continue
        sel = sel[np.lexsort((wins["order"][sel], wins["day"][sel], wins["who"][sel]))]
        keys = wins["who"][sel] * span + (wins["day"][sel] - lo)
        probe = who * span + (day + (before if em else 0) - lo)
        pos = np.searchsorted(keys, probe, side="right" if em else "left") - 1
        j = sel[np.maximum(pos, 0)]
        inside = (pos >= 0) & (wins["who"][j] == who) & (day <= wins["end"][j])
        rank, wday, word = int(g), wins["day"][j], wins["order"][j]
        later = (wday > best_day) | (
            (wday == best_day) & ((rank > best_rank) | ((rank == best_rank) & (word > best_order)))
        )
        better = inside & later
        best = np.where(better, j, best)
        best_day = np.where(better, wday, best_day)
        best_rank = np.where(better, rank, best_rank)
        best_order = np.where(better, word, best_order)
    hit = best >= 0
    return items[hit], best[hit]


def _classify(
    hcpcs: np.ndarray, modifiers: np.ndarray, is_em: np.ndarray, offset: np.ndarray,
    global_days: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Classification and the modifier that justifies (E/M) or explains (procedure) a line.

    E/M: 99024 is a post-op visit; 57 the day before or of a 090, 25 the day of any
    procedure, 24 a post-operative day make it separately identifiable; else likely in the
    global. Procedures: the first of 58/78/79 the line carries ("" if none).
    """
    f = _mod_flags(modifiers, ("24", "25", "57", "58", "78", "79"))
    post_op = is_em & (hcpcs == "99024")
    ok57 = (global_days == "090") & (offset <= 0) & f["57"]
    ok25 = (offset == 0) & f["25"]
    ok24 = (offset > 0) & f["24"]
    cls = np.select(
        [~is_em, post_op, ok57 | ok25 | ok24],
        ["procedure_in_global", "post_op_visit", "separate_with_modifier"],
        default="likely_in_global",
    )
    em_mod = np.select([post_op, ok57, ok25, ok24], ["", "57", "25", "24"], default="")
    proc_mod = np.select([f["58"], f["78"], f["79"]], ["58", "78", "79"], default="")
    return cls, np.where(is_em, em_mod, proc_mod)


def global_period_review(lines: pd.DataFrame, fees: FeeScheduleSet | None = None) -> pd.DataFrame:
    """Lines that fall inside a global window of the same provider, classified.

    Args:
        lines: priced frame (``price_lines``) or clean lines (then ``fees`` gives global days).
        fees: fee schedule for clean lines; the bundled one is loaded when needed and None.

    Returns:
        One row per E/M or procedure line inside a window, columns ``REVIEW_COLUMNS``
        (``classification`` one of ``CLASSIFICATIONS``; ``day_offset`` = days from the
        procedure date, -1 on a 090's pre-operative day), in input order.
    """
    frame = _prepare(lines, fees)
    return _review(frame, _windows_from(frame))


def _review(frame: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    if frame.empty or windows.empty:
        return _empty_review()
    # positions: frame["_order"] is the frame's row position, windows["_order"] its line's
    who = pd.factorize(frame["_who"])[0].astype(np.int64)
    cols = {"who": who, "day": _days(frame["date_of_service"])}
    w_order = windows["_order"].to_numpy(np.int64)
    wins = {
        "who": who[w_order],
        "day": _days(windows["procedure_date"]),
        "end": _days(windows["window_end"]),
        "order": w_order,
        "global_days": windows["global_days"].to_numpy(dtype=object),
    }
    hcpcs = frame["hcpcs"].to_numpy(dtype=object)
    post_op = hcpcs == "99024"
    em = frame["_em"].to_numpy(bool)
    every = np.arange(len(windows))
    groups = (  # (is E/M, lines, candidate windows, only days after the procedure)
        (True, em & ~post_op, every, False),
        # 99024 belongs to a global with a post-op period, on a day after the procedure
        (True, post_op, every[wins["global_days"] != "000"], True),
        (False, frame["_proc"].to_numpy(bool), every, True),
    )
    found_i, found_w, found_em = [], [], []
    for group_is_em, mask, cand, after_only in groups:
        items = np.flatnonzero(mask)
        if not len(items) or not len(cand):
            continue
        i, w = _attribute(cols, wins, items, cand, em=not after_only)
        found_i.append(i)
        found_w.append(w)
        found_em.append(np.full(len(i), group_is_em))
    i = np.concatenate(found_i) if found_i else np.zeros(0, np.int64)
    if not len(i):
        return _empty_review()
    order = np.argsort(i, kind="stable")  # input order (the groups are disjoint)
    i, w, is_em = i[order], np.concatenate(found_w)[order], np.concatenate(found_em)[order]
    lines, win = frame.iloc[i], windows.iloc[w]
    offset = cols["day"][i] - wins["day"][w]
    modifiers = lines["modifiers"].to_numpy(dtype=object)
    global_days = wins["global_days"][w]
    cls, mod = _classify(hcpcs[i], modifiers, is_em, offset, global_days)
    needs_review = np.where(is_em, cls == "likely_in_global", mod == "")
    if not _by_patient(frame):
        # without a patient id a line inside a window may be another patient's: it is
        # classified (what the log shows) but not listed as a line to review
        needs_review[:] = False

    def same(s: pd.Series) -> Any:
        return s.array  # keeps the dtype (str, datetime, Int64) without the index

    out = pd.DataFrame({
        "source_file": same(lines["source_file"]),
        "source_row": lines["source_row"].to_numpy().astype(np.int64),
        "provider_id": same(lines["provider_id"]),
        "date_of_service": same(lines["date_of_service"]),
        "hcpcs": same(lines["hcpcs"]),
        "modifiers": same(lines["modifiers"]),
        "procedure_source_file": same(win["procedure_source_file"]),
        "procedure_source_row": win["procedure_source_row"].to_numpy().astype(np.int64),
        "procedure_hcpcs": same(win["procedure_hcpcs"]),
        "procedure_date": same(win["procedure_date"]),
        "procedure_global_days": pd.array(global_days, dtype="str"),
        "window_start": same(win["window_start"]),
        "window_end": same(win["window_end"]),
        "day_offset": offset.astype(np.int64),
        "classification": pd.array(cls, dtype="str"),
        "global_modifier": pd.array(mod, dtype="str"),
        "needs_review": needs_review.astype(bool),
        "wrvu_credit": same(lines["wrvu_credit"]),
        "payment_cents": same(lines["payment_cents"]),
    })  # fmt: skip
    out["reason"], out["note"] = _notes(out)
    return out[REVIEW_COLUMNS]


_REVIEW_DTYPES = {
    **dict.fromkeys(
        ("source_file", "provider_id", "hcpcs", "modifiers", "procedure_source_file",
         "procedure_hcpcs", "procedure_global_days", "classification", "global_modifier",
         "reason", "note"),
        "str",
    ),
    **dict.fromkeys(("source_row", "procedure_source_row", "day_offset"), "int64"),
    **dict.fromkeys(("date_of_service", "procedure_date", "window_start", "window_end"),
                    "datetime64[ns]"),
    "needs_review": "bool",
    "wrvu_credit": "float64",
    "payment_cents": "Int64",
}  # fmt: skip


def _by_patient(frame: pd.DataFrame) -> bool:
    """Does the log identify patients (ingest's hashed ``patient_key``)? Only then can a
    visit or procedure be matched to the surgery of the same patient."""
    return bool("patient_key" in frame.columns and (frame["patient_key"].fillna("") != "").any())


def _empty_review() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_REVIEW_DTYPES[c]) for c in REVIEW_COLUMNS})


def _notes(review: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Short reason and full sentence (reason + window) per review row."""
    reasons, notes = [], []
    days: dict[Any, str] = {}
    for off, gd, cls, mod, code, row, when in zip(
        review["day_offset"].tolist(),
        review["procedure_global_days"].tolist(),
        review["classification"].tolist(),
        review["global_modifier"].tolist(),
        review["procedure_hcpcs"].tolist(),
        review["procedure_source_row"].tolist(),
        review["procedure_date"].tolist(),
        strict=True,
    ):
        if cls == "post_op_visit":
            why = "post-op visit (99024), no payment"
        elif cls == "separate_with_modifier":
            why = f"separately identifiable (modifier {mod})"
        elif cls == "likely_in_global":
            if off < 0:
                why = "E/M the day before surgery without 57"
            elif off == 0:
                why = (
                    "E/M on the day of surgery without 25 or 57"
                    if gd == "090"
                    else "E/M on the day of the procedure without 25"
                )
            else:
                why = "E/M in the post-operative period without 24"
        elif mod:
            why = f"procedure with modifier {mod}"
        else:
            why = "procedure without 58/78/79"
        reasons.append(why)
        notes.append(
            f"{why}, in the {gd}-day global of {code} (row {row}, "
            f"{days.get(when) or days.setdefault(when, f'{when:%Y-%m-%d}')}), day {off}"
        )
    return (
        pd.Series(reasons, index=review.index, dtype="str"),
        pd.Series(notes, index=review.index, dtype="str"),
    )


def _sum_wrvu(values: pd.Series) -> float:
    """Exact sum of wRVU credits carried to 4 decimals."""
    return int((values.astype(float) * 10_000).round().sum()) / 10_000


def window_summary(windows: pd.DataFrame, review: pd.DataFrame) -> pd.DataFrame:
    """Windows with the count of lines of each classification inside them.

    Adds ``post_op_visits``, ``separate_with_modifier``, ``likely_in_global``,
    ``procedures_in_global``, ``lines_to_review`` and ``wrvu_at_risk`` to ``windows``.
    """
    n = len(windows)
    where = {
        key: k
        for k, key in enumerate(
            zip(
                windows["procedure_source_file"].tolist(),
                windows["procedure_source_row"].tolist(),
                strict=True,
            )
        )
    }
    keys = zip(
        review["procedure_source_file"].tolist(),
        review["procedure_source_row"].tolist(),
        strict=True,
    )
    pos = np.fromiter((where.get(k, -1) for k in keys), np.int64, len(review))
    held = pos >= 0
    pos, cls = pos[held], review["classification"].to_numpy(dtype=object)[held]
    out = windows.copy()
    names = ("post_op_visits", "separate_with_modifier", "likely_in_global", "procedures_in_global")
    for name, c in zip(names, CLASSIFICATIONS, strict=True):
        out[name] = np.bincount(pos[cls == c], minlength=n).astype("int64")
    out["lines_to_review"] = np.bincount(
        pos, weights=review["needs_review"].to_numpy(bool)[held], minlength=n
    ).astype("int64")
    # at risk: the likely lines that are lines to review (none without a patient id)
    likely = (cls == "likely_in_global") & review["needs_review"].to_numpy(bool)[held]
    wrvu = review["wrvu_credit"].to_numpy(float)[held]
    out["wrvu_at_risk"] = np.round(np.bincount(pos[likely], weights=wrvu[likely], minlength=n), 4)
    return out


def global_period_totals(
    windows: pd.DataFrame, review: pd.DataFrame, em_lines: int | None = None
) -> dict[str, Any]:
    """Headline figures of the global-period review (plain JSON-able values).

    ``em_lines`` (E/M lines other than 99024 in scope) gives ``em_share_in_global``, the
    share of them likely inside a global: near 1 means most visits sit in some window, and
    with no patient key most of those are other patients' visits (the list is to sample).
    """
    cls = review["classification"]
    likely = review.loc[cls == "likely_in_global"]
    procs = review.loc[cls == "procedure_in_global"]
    # at risk: likely lines to review (without a patient id none is: see _review)
    at_risk = likely.loc[likely["needs_review"]]
    cents = at_risk["payment_cents"].dropna()
    by_global = windows["global_days"].value_counts()
    return {
        "windows": int(len(windows)),
        "windows_by_global_days": {g: int(by_global.get(g, 0)) for g in GLOBAL_SPANS},
        "post_op_visits": int((cls == "post_op_visit").sum()),
        "separate_with_modifier": int((cls == "separate_with_modifier").sum()),
        "likely_in_global": int(len(likely)),
        "procedures_in_global": int(len(procs)),
        "procedures_in_global_without_modifier": int((procs["global_modifier"] == "").sum()),
        "lines_to_review": int(review["needs_review"].sum()),
        "wrvu_at_risk": _sum_wrvu(at_risk["wrvu_credit"]),
        "payment_at_risk_cents": int(cents.sum()) if len(cents) else 0,
        "em_lines": em_lines,
        "em_share_in_global": (len(likely) / em_lines) if em_lines else None,
    }


# --------------------------------------------------------------------------- E/M mix


def em_level_mix(lines: pd.DataFrame) -> pd.DataFrame:
    """Counts and shares of office visit levels, new (99202-99205) and established (99211-99215).

    Args:
        lines: clean or priced lines; rejected lines are ignored.

    Returns:
        Nine rows in code order, columns ``kind`` ("new"/"established"), ``hcpcs``,
        ``level`` (int), ``lines`` (int) and ``share`` (fraction of the visits of that kind,
        0.0 when the kind has none). Zero rows are kept.
    """
    codes = lines["hcpcs"].to_numpy(dtype=object)[_usable(lines).to_numpy(bool)]
    counts = Counter(str(c) for c in codes)
    visits = [counts.get(code, 0) for _kind, code, _level in EM_OFFICE_CODES]
    per_kind: Counter[str] = Counter()
    for (kind, _code, _level), n in zip(EM_OFFICE_CODES, visits, strict=True):
        per_kind[kind] += n
    return pd.DataFrame(
        {
            "kind": [k for k, _c, _l in EM_OFFICE_CODES],
            "hcpcs": [c for _k, c, _l in EM_OFFICE_CODES],
            "level": np.array([lv for _k, _c, lv in EM_OFFICE_CODES], dtype="int64"),
            "lines": np.array(visits, dtype="int64"),
            "share": [
                n / per_kind[k] if per_kind[k] else 0.0
                for (k, _c, _l), n in zip(EM_OFFICE_CODES, visits, strict=True)
            ],
        }
    )


def em_mix_svg(mix: pd.DataFrame, *, width: int = 680, height: int = 200) -> str:
    """A hand-built greyscale SVG bar chart of an ``em_level_mix`` frame.

    One bar per code, height = share within its kind (new / established), the visit count
    above the bar; styled like ``rvubench.report.charts`` (dark bars, black text, prints in grey).
    """

    def text(x: float, y: float, body: str, *, size: float = 9, weight: str = "normal") -> str:
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
            f'text-anchor="middle" font-weight="{weight}" fill="{INK}">{escape(body)}</text>'
        )

    left, right, top, bottom = 44, 10, 22, 44
    plot_h = height - top - bottom
    gap = 30
    slot = (width - left - right - gap) / max(len(mix), 1)
    bar_w = min(slot * 0.6, 44)
    body = []
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - frac)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.8"/>'
            f'<text x="{left - 6}" y="{y + 3:.1f}" font-family="{FONT}" font-size="8" '
            f'text-anchor="end" fill="{INK}">{frac:.0%}</text>'
        )
    centres: dict[str, list[float]] = {}
    for i, row in enumerate(_rows(mix)):
        shift = gap if row.kind == "established" else 0
        x = left + shift + i * slot + (slot - bar_w) / 2
        h = plot_h * float(row.share)
        y = top + plot_h - h
        fill = BAR if row.kind == "new" else BAR_ALT
        centres.setdefault(row.kind, []).append(x + bar_w / 2)
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{escape(str(row.hcpcs))}: {int(row.lines)} ({float(row.share):.0%})</title>"
            "</rect>"
        )
        body.append(text(x + bar_w / 2, y - 4, f"{int(row.lines)}"))
        body.append(text(x + bar_w / 2, top + plot_h + 13, str(row.hcpcs)))
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    for kind, xs in centres.items():
        label = (
            "New patient (share of new visits)"
            if kind == "new"
            else ("Established patient (share of established visits)")
        )
        body.append(text(sum(xs) / len(xs), height - 10, label, weight="bold"))
    title = "E/M level mix: office visits by level"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{title}">'
        f"<title>{title}</title>" + "".join(body) + "</svg>"
    )


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """``frame.itertuples(index=False)``, typed ``Any``: pandas-stubs type every field of
    the named tuples as a union of all scalars, while these columns have known dtypes."""
    return frame.itertuples(index=False)


# --------------------------------------------------------------------------- bundle


@dataclass
class Insights:
    """Everything the report and ``validate --insights`` show (plain data, built once).

    Attributes:
        windows: ``global_windows`` plus the per-window counts of ``window_summary``.
        review: ``global_period_review`` rows.
        totals: ``global_period_totals``.
        em_mix: ``em_level_mix`` (None when ``build_insights`` was told to skip it).
    """

    windows: pd.DataFrame
    review: pd.DataFrame
    totals: dict[str, Any]
    em_mix: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)

    def _mix(self) -> pd.DataFrame:
        """The E/M level mix; an error when the bundle was built without it."""
        if self.em_mix is None:
            raise ValueError("these insights were built without the E/M level mix (em_mix=False)")
        return self.em_mix

    def to_dict(self) -> dict[str, Any]:
        """JSON-able keys for ``validate --insights --json``."""
        rows = self.review[list(REVIEW_FIELDS)].copy()
        rows["date_of_service"] = rows["date_of_service"].dt.strftime("%Y-%m-%d")
        records = [
            {k: (int(v) if isinstance(v, np.integer) else v) for k, v in r.items()}
            for r in rows.to_dict(orient="records")
        ]
        mix = [
            {
                "kind": r.kind,
                "hcpcs": r.hcpcs,
                "level": int(r.level),
                "lines": int(r.lines),
                "share": round(float(r.share), 4),
            }
            for r in _rows(self._mix())
        ]
        return {
            "global_period_review": records,
            "global_period_totals": dict(self.totals),
            "em_level_mix": mix,
        }

    def text_lines(self, max_review_lines: int = 50) -> list[str]:
        """Plain-text findings for the terminal."""
        t = self.totals
        byg = t["windows_by_global_days"]
        who = (
            "same provider and patient; the patient column is used only as a random key"
            if t.get("by_patient")
            else "same provider; the log has no patient id, so no line can be matched to "
            "one patient's surgery and none is listed to review"
        )
        out = [
            f"Global periods ({who}):",
            f"  windows opened: {t['windows']} (090: {byg['090']}, 010: {byg['010']}, "
            f"000 same day: {byg['000']})",
            f"  post-op visits (99024): {t['post_op_visits']}",
            f"  E/M separate with modifier (24/25/57): {t['separate_with_modifier']}",
            (
                f"  E/M likely inside a global: {t['likely_in_global']} "
                f"({t['wrvu_at_risk']:.2f} wRVUs at risk)"
                if t.get("by_patient")
                else f"  E/M without 24/25/57 inside a window (patient unknown): "
                f"{t['likely_in_global']}"
            ),
            f"  procedures inside a global: {t['procedures_in_global']} "
            f"({t['procedures_in_global_without_modifier']} without 58/78/79)",
            f"  lines to review: {t['lines_to_review']}",
        ]
        if not t.get("by_patient"):
            out.append(
                f"  note: {t['likely_in_global']} E/M lines without 24/25/57 and "
                f"{t['procedures_in_global_without_modifier']} procedures without 58/78/79 sit "
                "in a window of one of the clinician's procedures; whether they are the same "
                "patient's cannot be known without a patient column"
            )
        todo = self.review.loc[self.review["needs_review"]]
        em_first = todo.sort_values(
            "classification", key=lambda c: c != "likely_in_global", kind="stable"
        )
        for r in _rows(em_first.head(max_review_lines)):
            who = f" provider {r.provider_id}" if r.provider_id else ""
            out.append(
                f"    {r.source_file} row {r.source_row}{who} "
                f"{r.date_of_service:%Y-%m-%d} {r.hcpcs}"
                f"{'-' + r.modifiers if r.modifiers else ''}: {r.note}"
            )
        if len(todo) > max_review_lines:
            out.append(f"    ... {len(todo) - max_review_lines} more (use --json for all)")
        out.append("E/M level mix (office visits):")
        for kind in ("new", "established"):
            mix = self._mix()
            part = mix.loc[mix["kind"] == kind]
            cells = ", ".join(f"{r.hcpcs} {r.lines} ({float(r.share):.0%})" for r in _rows(part))
            out.append(f"  {kind}: {cells}")
        return out


def build_insights(
    lines: pd.DataFrame,
    fees: FeeScheduleSet | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    em_mix: bool = True,
) -> Insights:
    """Global-period review, totals and E/M level mix of priced (or clean) lines.

    Args:
        lines: priced frame (``price_lines``) or clean lines (then ``fees`` gives global days
            and an unadjusted wRVU = work RVU x units).
        fees: fee schedule for clean lines; the bundled one is loaded when needed and None.
        start, end: report period (inclusive). Windows are opened from every line, so a
            procedure before the period still covers visits inside it; the review keeps the
            lines dated in the period, the windows those opened in the period or holding a
            reviewed line, and the E/M mix counts the lines in the period.
        em_mix: False skips the E/M level mix (``Insights.em_mix`` is then None), for a
            caller that builds it on its own (the report's E/M section).
    """
    frame = _prepare(lines, fees)
    windows = _windows_from(frame)
    review = _review(frame, windows)
    windows = windows[WINDOW_COLUMNS].reset_index(drop=True)
    mix_lines = lines
    em_dates = frame.loc[frame["_em"] & (frame["hcpcs"] != "99024"), "date_of_service"]
    if start is not None or end is not None:
        lo = pd.Timestamp(start) if start is not None else pd.Timestamp.min
        hi = pd.Timestamp(end) if end is not None else pd.Timestamp.max
        review = review.loc[review["date_of_service"].between(lo, hi)].reset_index(drop=True)
        held = set(_window_keys(review))
        holds = np.fromiter((k in held for k in _window_keys(windows)), bool, len(windows))
        keep = windows["procedure_date"].between(lo, hi).to_numpy(bool) | holds
        windows = windows.loc[keep].reset_index(drop=True)
        if em_mix:
            dates = pd.to_datetime(lines["date_of_service"])
            mix_lines = lines.loc[dates.between(lo, hi)]
        em_dates = em_dates.loc[em_dates.between(lo, hi)]
    totals = global_period_totals(windows, review, em_lines=len(em_dates))
    totals["by_patient"] = _by_patient(frame)
    return Insights(
        windows=window_summary(windows, review),
        review=review,
        totals=totals,
        em_mix=em_level_mix(mix_lines) if em_mix else None,
    )


def _window_keys(frame: pd.DataFrame) -> Any:
    """(procedure_source_file, procedure_source_row) of each row: the window's identity."""
    return zip(
        frame["procedure_source_file"].tolist(), frame["procedure_source_row"].tolist(), strict=True
    )


# --------------------------------------------------------------------------- report sections

PDF_ROWS = {"windows": 20, "em": 30, "procedures": 15}
"""Rows of each table the PDF lists; the ``Global Periods`` sheet has them all."""

GLOBAL_PERIODS_SHEET = "Global Periods"
EM_LEVELS_SHEET = "EM Levels"  # "/" is not allowed in sheet names


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (dates as ``datetime.date``)."""
    out = []
    for rec in frame.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for k, v in rec.items():
            if isinstance(v, pd.Timestamp):
                v = v.date()
            elif isinstance(v, np.generic):
                v = v.item()
            elif v is pd.NA:
                v = None
            row[str(k)] = v  # column names are str; the stubs say Hashable
        out.append(row)
    return out


def global_period_data(
    result: Insights, *, pdf_rows: dict[str, int] | None = None
) -> dict[str, Any]:
    """What ``_global_periods.html.j2`` and the ``Global Periods`` sheet read (plain data).

    Keys: ``totals``; ``windows``: 010/090 windows holding a line (first
    ``pdf_rows["windows"]``; 000 windows only matter for same-day E/M, listed below);
    ``em_to_review``: E/M lines likely inside a global (first ``pdf_rows["em"]``);
    ``procedures_to_review``: procedures inside a global without 58/78/79 (first
    ``pdf_rows["procedures"]``); the full counts ``windows_count``, ``em_count``,
    ``procedures_count``; and the full frames ``windows_frame`` and ``review_frame`` for
    the sheet.
    """
    rows = {**PDF_ROWS, **(pdf_rows or {})}
    w = result.windows
    counted = ["post_op_visits", "separate_with_modifier", "likely_in_global"]
    held = w.loc[
        (w[[*counted, "procedures_in_global"]].sum(axis=1) > 0) & (w["global_days"] != "000")
    ]
    review = result.review
    em = review.loc[(review["classification"] == "likely_in_global") & review["needs_review"]]
    procs = review.loc[(review["classification"] == "procedure_in_global") & review["needs_review"]]
    return {
        "totals": dict(result.totals),
        "windows": _records(held.head(rows["windows"])),
        "windows_count": int(len(held)),
        "em_to_review": _records(em.head(rows["em"])),
        "em_count": int(len(em)),
        "procedures_to_review": _records(procs.head(rows["procedures"])),
        "procedures_count": int(len(procs)),
        "windows_frame": w,
        "review_frame": review,
    }


def em_mix_data(mix: pd.DataFrame) -> dict[str, Any]:
    """What ``_em_mix.html.j2`` reads: rows, totals per kind and the SVG chart."""
    totals = mix.groupby("kind")["lines"].sum()
    return {
        "rows": _records(mix),
        "new_total": int(totals.get("new", 0)),
        "established_total": int(totals.get("established", 0)),
        "chart_svg": em_mix_svg(mix),
    }


def em_mix_sheet_rows(mix: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows of the ``E/M Levels`` sheet: kind, hcpcs, level, lines, share."""
    return [(r.kind, r.hcpcs, int(r.level), int(r.lines), float(r.share)) for r in _rows(mix)]


def build_global_period_section(ctx: Any) -> Any:
    """Report-model section builder (``report.model.SECTION_BUILDERS``), key ``global_periods``.

    Reviews all of the clinician's priced lines (a surgery in the previous quarter still
    covers this quarter's visits) and keeps what falls in the report period. None when no
    window touches the period (e.g. a clinician without surgical codes).
    """
    result = build_insights(ctx.priced, start=ctx.period.start, end=ctx.period.end, em_mix=False)
    if result.windows.empty:
        return None
    return Section(
        key="global_periods",
        title="Global surgical periods",
        partial="_global_periods.html.j2",
        data=global_period_data(result),
        order=40,
        sheet_writer="rvubench.report.xlsx_insights:write_global_periods_sheet",
    )


def build_em_mix_section(ctx: Any) -> Any:
    """Report-model section builder, key ``em_mix``: the office E/M level mix of the period.

    None when the period has no office visit (99202-99205, 99211-99215).
    """
    mix = em_level_mix(ctx.in_period)
    if int(mix["lines"].sum()) == 0:
        return None
    sheet = SheetTable(
        EM_LEVELS_SHEET,
        ("kind", "hcpcs", "level", "lines", "share"),
        em_mix_sheet_rows(mix),
        {"level": "int", "lines": "int", "share": "share"},
    )
    return Section(
        key="em_mix",
        title="E/M level mix",
        partial="_em_mix.html.j2",
        data=em_mix_data(mix),
        order=45,
        sheets=(sheet,),
    )


def insights_for_clean_lines(
    lines: pd.DataFrame, fees: FeeScheduleSet | None = None, settings: Any = None
) -> Insights:
    """``validate --insights``: price clean lines (default settings) and build the insights.

    wRVU credit (and so wRVUs at risk) depends on the crediting policy only, not on the
    locality, so the default ``PricingSettings()`` (policy ``medicare``) is used.
    """
    fees = fees if fees is not None else load_fee_schedules()
    priced = price_lines(lines, fees, settings or PricingSettings())
    return build_insights(priced, fees)
