"""Invariants of the global-period review: the vectorized version equals a plain O(n^2) scan."""

from __future__ import annotations

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rvubench.insights import global_periods as insights

# code -> (global days, wRVU); a priced frame carries these columns, so no fee schedule here.
CODES = {
    "27447": ("090", 19.11),
    "29881": ("090", 6.85),
    "47383": ("010", 8.66),
    "36561": ("010", 5.65),
    "45378": ("000", 3.18),
    "77001": ("ZZZ", 0.37),
    "75710": ("XXX", 1.75),
    "99213": ("XXX", 1.30),
    "99214": ("XXX", 1.92),
    "99204": ("XXX", 2.60),
    "99024": ("XXX", 0.00),
    "99291": ("XXX", 4.50),
}
MODS = ["", "24", "25", "57", "58", "78", "79", "24,25", "26,79", "59"]
SPAN = {"000": (0, 0), "010": (0, 10), "090": (1, 90)}
DAY0 = pd.Timestamp("2026-01-01")

line = st.tuples(
    st.sampled_from(["A", "B"]),
    st.one_of(st.integers(0, 3), st.integers(0, 150)),  # many same/near-day collisions
    st.sampled_from(sorted(CODES)),
    st.sampled_from(MODS),
    st.sampled_from([False] * 9 + [True]),  # rejected
)


def frame_of(items: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": "log.csv",
            "source_row": [i + 2 for i in range(len(items))],
            "provider_id": [p for p, *_ in items],
            "date_of_service": [DAY0 + pd.Timedelta(days=d) for _, d, *_ in items],
            "hcpcs": [c for _, _, c, *_ in items],
            "modifiers": [m for *_, m, _ in items],
            "units": 1,
            "global_days": [CODES[c][0] for _, _, c, *_ in items],
            "wrvu_credit": [CODES[c][1] for _, _, c, *_ in items],
            "outcome": ["rejected" if r else "priced" for *_, r in items],
        }
    )


def reference(items: list[tuple]) -> dict[int, tuple[str, int, str]]:
    """source_row -> (classification, procedure_source_row, global_modifier), by brute force."""

    def mods(m: str) -> set[str]:
        return set(m.split(",")) if m else set()

    usable = [(i + 2, *it) for i, it in enumerate(items) if not it[4]]
    windows = [
        (row, p, d, CODES[c][0])
        for row, p, d, c, m, _ in usable
        if CODES[c][0] in SPAN and "78" not in mods(m)
    ]
    out = {}
    for row, p, d, c, m, _ in usable:
        em = c.startswith("992") or c == "99024"
        proc = CODES[c][0] in SPAN
        if not (em or proc):
            continue
        cands = []
        for wrow, wp, wd, g in windows:
            if c == "99024" and g == "000":
                continue  # a post-op visit belongs to a global with a post-op period
            before, after = SPAN[g]
            lo = wd - before if em and c != "99024" else wd + 1
            if wp == p and lo <= d <= wd + after:
                cands.append((wd, g, wrow))
        if not cands:
            continue
        wd, g, wrow = max(cands)
        off = d - wd
        ms = mods(m)
        if em:
            if c == "99024":
                cls, gm = "post_op_visit", ""
            elif g == "090" and off <= 0 and "57" in ms:
                cls, gm = "separate_with_modifier", "57"
            elif off == 0 and "25" in ms:
                cls, gm = "separate_with_modifier", "25"
            elif off > 0 and "24" in ms:
                cls, gm = "separate_with_modifier", "24"
            else:
                cls, gm = "likely_in_global", ""
        else:
            cls = "procedure_in_global"
            gm = next((x for x in ("58", "78", "79") if x in ms), "")
        out[row] = (cls, wrow, gm)
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(line, min_size=0, max_size=60))
@example([("B", 0, "36561", "", False), ("B", 0, "99204", "57", False)])  # 57 with a 010
@example([("A", 5, "27447", "", False), ("A", 4, "99213", "57", False)])  # 57 day before 090
@example([("A", 5, "29881", "", False), ("A", 5, "99213", "24", False)])  # 24 on the day
@example([("A", 5, "45378", "", False), ("A", 6, "99213", "25", False)])  # 000: day 1 out
@example([("A", 5, "47383", "", False), ("A", 15, "47383", "", False)])  # 010 day 10
@example([("A", 5, "47383", "", False), ("A", 5, "99024", "", False)])  # 99024 on day 0
def test_review_matches_brute_force(items):
    frame = frame_of(items)
    result = insights.build_insights(frame)
    rev = result.review
    got = {
        int(r.source_row): (r.classification, int(r.procedure_source_row), r.global_modifier)
        for r in rev.itertuples()
    }
    assert got == reference(items)
    # every reviewed line lies inside the window it is attributed to, in input order
    assert (rev["date_of_service"] >= rev["window_start"]).all()
    assert (rev["date_of_service"] <= rev["window_end"]).all()
    assert rev["source_row"].is_monotonic_increasing
    # the totals partition the review rows
    t = result.totals
    parts = ("post_op_visits", "separate_with_modifier", "likely_in_global")
    assert sum(t[k] for k in parts) + t["procedures_in_global"] == len(rev)
    assert result.windows["lines_to_review"].sum() == t["lines_to_review"]


@settings(max_examples=60, deadline=None)
@given(st.lists(line, min_size=0, max_size=40))
def test_em_mix_shares_sum_to_one_per_kind(items):
    mix = insights.em_level_mix(frame_of(items))
    for _kind, part in mix.groupby("kind"):
        total = part["lines"].sum()
        assert abs(part["share"].sum() - (1.0 if total else 0.0)) < 1e-9
    usable = [c for _, _, c, _, rej in items if not rej]
    assert mix["lines"].sum() == sum(c in {"99213", "99214", "99204"} for c in usable)
