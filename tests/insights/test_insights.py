"""Global surgical periods and the E/M level mix, on hand-built logs.

Facts of the codes used, from the CMS July 2026 file (RVU26C, PPRRVU2026_Jul_nonQPP.csv):
27447 total knee arthroplasty: global 090, work RVU 19.11; 29881 knee arthroscopy: 090, 6.85;
47383 percutaneous liver cryoablation: 010, 8.66; 36561 tunneled CV catheter: 010, 5.65;
45378 diagnostic colonoscopy: 000, 3.18; 99213: XXX, 1.30; 99214: 1.92; 99204: 2.60;
99212: 0.70; 99024 post-op visit: status B, 0.00.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.insights import global_periods as insights

FEES = load_fee_schedules()


def clean_lines(rows: list[tuple], provider: str = "DR1") -> pd.DataFrame:
    """Clean lines (ARCHITECTURE.md 2) from (source_row, date, hcpcs, modifiers[, provider])."""
    recs = []
    for r in rows:
        src, day, code, mods = r[:4]
        recs.append(
            {
                "source_file": "log.csv",
                "source_row": src,
                "provider_id": r[4] if len(r) > 4 else provider,
                "provider_name": "",
                "date_of_service": pd.Timestamp(day),
                "hcpcs": code,
                "modifiers": mods,
                "units": 1,
                "pos": "22",
                "locality": "",
                "zip": "",
                "reject_reason": "",
                "reject_column": "",
                "is_duplicate": False,
                # one patient's lines (the review matches a visit to a surgery per patient;
                # without a patient column nothing is listed: test_insights_patients.py)
                "patient_key": "pt-1",
            }
        )
    return pd.DataFrame(recs)


def review_of(rows: list[tuple], **kw) -> pd.DataFrame:
    return insights.global_period_review(clean_lines(rows, **kw), FEES)


def by_row(review: pd.DataFrame) -> dict[int, str]:
    return dict(zip(review["source_row"], review["classification"], strict=True))


# ---------------------------------------------------------------- acceptance cases


def test_090_visit_day_30_without_modifier_is_flagged():
    # 27447 on 2026-04-01 (090): window 2026-03-31 .. 2026-06-30 (April 1 + 90 days:
    # 29 days left in April -> Apr 30 is +29, May 31 is +60, Jun 30 is +90).
    # 99213 on 2026-05-01 = day 30 (Apr 1 -> May 1 is 30 days), no modifier.
    rev = review_of([(2, "2026-04-01", "27447", ""), (3, "2026-05-01", "99213", "")])
    assert len(rev) == 1
    row = rev.iloc[0]
    assert row["classification"] == "likely_in_global"
    assert row["procedure_source_row"] == 2
    assert row["procedure_hcpcs"] == "27447"
    assert row["day_offset"] == 30
    assert row["window_start"] == pd.Timestamp("2026-03-31")
    assert row["window_end"] == pd.Timestamp("2026-06-30")
    assert bool(row["needs_review"]) is True
    assert row["wrvu_credit"] == pytest.approx(1.30)  # 99213 work RVU 1.30 x 1 unit


def test_090_visit_with_24_is_separate():
    # same dates as above, 99213-24 on day 30: unrelated E/M in the post-op period.
    rev = review_of([(2, "2026-04-01", "27447", ""), (3, "2026-05-01", "99213", "24")])
    assert by_row(rev) == {3: "separate_with_modifier"}
    assert rev.iloc[0]["global_modifier"] == "24"
    assert not rev["needs_review"].any()


def test_99024_is_post_op_visit_and_counted_per_procedure():
    # 99024 on 2026-04-15 (day 14) and 2026-05-13 (day 42) after 27447 on 2026-04-01.
    lines = clean_lines(
        [
            (2, "2026-04-01", "27447", ""),
            (3, "2026-04-15", "99024", ""),
            (4, "2026-05-13", "99024", ""),
        ]
    )
    result = insights.build_insights(lines, FEES)
    assert by_row(result.review) == {3: "post_op_visit", 4: "post_op_visit"}
    assert result.windows["post_op_visits"].tolist() == [2]
    assert result.totals["post_op_visits"] == 2
    assert result.totals["lines_to_review"] == 0
    assert result.totals["wrvu_at_risk"] == 0.0  # 99024 credits 0.00 wRVU (status B)


def test_090_visit_on_day_91_is_outside_and_day_90_inside():
    # Apr 1 + 90 days = Jun 30 (inside); Jul 1 is day 91 (30 Apr + 31 May + 30 Jun = 91).
    rev = review_of(
        [
            (2, "2026-04-01", "27447", ""),
            (3, "2026-06-30", "99213", ""),
            (4, "2026-07-01", "99213", ""),
        ]
    )
    assert by_row(rev) == {3: "likely_in_global"}
    assert rev.iloc[0]["day_offset"] == 90


def test_010_visit_on_day_11_is_outside_and_day_10_inside():
    # 47383 (010) on 2026-03-02: window 2026-03-02 .. 2026-03-12 (2 + 10).
    # 99213 on 2026-03-12 = day 10 (inside); 99214 on 2026-03-13 = day 11 (outside).
    rev = review_of(
        [
            (2, "2026-03-02", "47383", ""),
            (3, "2026-03-12", "99213", ""),
            (4, "2026-03-13", "99214", ""),
        ]
    )
    assert by_row(rev) == {3: "likely_in_global"}
    assert rev.iloc[0]["window_start"] == pd.Timestamp("2026-03-02")  # no pre-op day for 010
    assert rev.iloc[0]["window_end"] == pd.Timestamp("2026-03-12")


def test_day_before_090_with_57_is_separate_without_is_flagged():
    # 27447 on 2026-04-01; the day before is 2026-03-31 (day -1, inside the 090 window).
    # 99204-57 that day = decision for surgery (separate); 99213 without 57 (likely);
    # 99214 on 2026-03-30 is day -2: outside.
    rev = review_of(
        [
            (2, "2026-03-31", "99204", "57"),
            (3, "2026-03-31", "99213", ""),
            (4, "2026-03-30", "99214", ""),
            (5, "2026-04-01", "27447", ""),
        ]
    )
    assert by_row(rev) == {2: "separate_with_modifier", 3: "likely_in_global"}
    assert rev["day_offset"].tolist() == [-1, -1]
    assert rev["procedure_source_row"].tolist() == [5, 5]
    assert rev.iloc[0]["global_modifier"] == "57"


# ---------------------------------------------------------------- modifier rules


def test_same_day_modifiers_090_and_010():
    # Day of a 090 (27447, 2026-04-01): 25 or 57 separate; 24 is the wrong modifier.
    # Day of a 010 (47383, 2026-05-04, other provider): 25 separate; 57 does not count
    # (Medicare pays 57 only with 90-day globals), so it is likely in the global.
    rev = insights.global_period_review(
        pd.concat(
            [
                clean_lines(
                    [
                        (2, "2026-04-01", "27447", ""),
                        (3, "2026-04-01", "99213", "25"),
                        (4, "2026-04-01", "99214", "57"),
                        (5, "2026-04-01", "99212", "24"),
                    ],
                    provider="ORTHO",
                ),
                clean_lines(
                    [
                        (6, "2026-05-04", "47383", ""),
                        (7, "2026-05-04", "99213", "25"),
                        (8, "2026-05-04", "99214", "57"),
                    ],
                    provider="IR",
                ),
            ],
            ignore_index=True,
        ),
        FEES,
    )
    assert by_row(rev) == {
        3: "separate_with_modifier",
        4: "separate_with_modifier",
        5: "likely_in_global",
        7: "separate_with_modifier",
        8: "likely_in_global",
    }


def test_25_on_a_post_op_day_is_not_enough():
    # 99213-25 on 2026-04-11, day 10 after 27447 (Apr 1): 25 is for the day of a
    # procedure; a post-op day needs 24.
    rev = review_of([(2, "2026-04-01", "27447", ""), (3, "2026-04-11", "99213", "25")])
    assert by_row(rev) == {3: "likely_in_global"}
    assert "without 24" in rev.iloc[0]["note"]


def test_000_procedure_same_day_only():
    # 45378 (000) on 2026-02-10: window is that day only. 99213 that day without 25:
    # likely; 99214-25 that day: separate; 99213 on 2026-02-11 (day 1): outside.
    rev = review_of(
        [
            (2, "2026-02-10", "45378", ""),
            (3, "2026-02-10", "99213", ""),
            (4, "2026-02-10", "99214", "25"),
            (5, "2026-02-11", "99213", ""),
        ]
    )
    assert by_row(rev) == {3: "likely_in_global", 4: "separate_with_modifier"}


def test_procedures_inside_a_global():
    # 27447 on 2026-04-01 opens 2026-03-31 .. 2026-06-30.
    # 29881-79 on 2026-04-20 (day 19): unrelated, carries 79.
    # 29881 on 2026-05-20: no modifier -> to review; it falls inside both the 27447 window
    # and the 29881-79 window (Apr 20 .. Jul 19) and is attributed to the latest (row 3).
    # 27447-78 on 2026-04-25: return to the OR, carries 78, opens no window of its own.
    # 47383 on 2026-04-01 (same day as 27447): multiple procedures, not a global finding.
    # 45378 on 2026-03-31 (day before the 090): not in its global (pre-op day = visits).
    rev = review_of(
        [
            (2, "2026-04-01", "27447", ""),
            (3, "2026-04-20", "29881", "79"),
            (4, "2026-05-20", "29881", ""),
            (5, "2026-04-25", "27447", "78"),
            (6, "2026-04-01", "47383", ""),
            (7, "2026-03-31", "45378", ""),
        ]
    )
    assert by_row(rev) == {
        3: "procedure_in_global",
        4: "procedure_in_global",
        5: "procedure_in_global",
    }
    got = rev.set_index("source_row")
    assert got.loc[3, "global_modifier"] == "79"
    assert got.loc[4, "global_modifier"] == ""
    assert got.loc[4, "procedure_source_row"] == 3
    assert got.loc[5, "global_modifier"] == "78"
    # 27447-78 on Apr 25 is day 24 of 27447 (Apr 1) but day 5 of 29881-79 (Apr 20): latest.
    assert got.loc[5, "procedure_source_row"] == 3
    assert got["needs_review"].tolist() == [False, True, False]
    windows = insights.global_windows(clean_lines([(5, "2026-04-25", "27447", "78")]), FEES)
    assert windows.empty


def test_latest_procedure_wins_and_day_before_next_surgery():
    # 27447 on 2026-04-01 and 29881 on 2026-05-11 (both 090).
    # 99213-57 on 2026-05-10 is day 39 of the first and day -1 of the second: it belongs to
    # the second (latest procedure date), where 57 is right.
    rev = review_of(
        [
            (2, "2026-04-01", "27447", ""),
            (3, "2026-05-11", "29881", "79"),
            (4, "2026-05-10", "99213", "57"),
        ]
    )
    got = rev.set_index("source_row")
    assert got.loc[4, "classification"] == "separate_with_modifier"
    assert got.loc[4, "procedure_source_row"] == 3
    assert got.loc[4, "day_offset"] == -1


def test_only_the_same_provider():
    # DR2's visit on day 30 of DR1's 27447 is not in any window of DR2.
    rev = review_of(
        [
            (2, "2026-04-01", "27447", "", "DR1"),
            (3, "2026-05-01", "99213", "", "DR2"),
            (4, "2026-05-01", "99214", "", "DR1"),
        ]
    )
    assert by_row(rev) == {4: "likely_in_global"}
    assert rev.iloc[0]["provider_id"] == "DR1"


def test_rejected_lines_are_ignored():
    lines = clean_lines([(2, "2026-04-01", "27447", ""), (3, "2026-05-01", "99213", "")])
    lines.loc[0, "reject_reason"] = "log.csv row 2, column units: 'x' is not a number"
    assert insights.global_period_review(lines, FEES).empty
    lines = clean_lines([(2, "2026-04-01", "27447", ""), (3, "2026-05-01", "99213", "")])
    lines.loc[1, "reject_reason"] = "log.csv row 3, column date_of_service: bad date"
    lines.loc[1, "date_of_service"] = pd.NaT
    assert insights.global_period_review(lines, FEES).empty


def test_priced_frame_columns_are_used_as_given():
    # A priced frame (ARCHITECTURE.md 3) carries global_days, wrvu_credit, payment_cents
    # and outcome; they are used as they are, no fee-schedule lookup needed.
    frame = clean_lines(
        [
            (2, "2026-04-01", "27447", ""),
            (3, "2026-05-01", "99213", ""),
            (4, "2026-05-02", "99214", ""),
            (5, "2026-05-03", "99214", ""),
        ]
    )
    frame["global_days"] = ["090", "XXX", "XXX", "XXX"]
    frame["wrvu_credit"] = [19.11, 1.30, 1.92, 1.92]
    frame["payment_cents"] = pd.array([123456, 9123, 13030, pd.NA], dtype="Int64")
    frame["outcome"] = ["priced", "priced", "priced", "rejected"]
    result = insights.build_insights(frame)
    assert by_row(result.review) == {3: "likely_in_global", 4: "likely_in_global"}
    # wRVU at risk = 1.30 + 1.92 = 3.22; payment at risk = 9,123 + 13,030 = 22,153 cents.
    assert result.totals["wrvu_at_risk"] == 3.22
    assert result.totals["payment_at_risk_cents"] == 22153
    assert result.windows["wrvu_at_risk"].tolist() == [pytest.approx(3.22)]


def test_totals_and_window_summary():
    # DR1: 27447 Apr 1 (090), 47383 Jun 1 (010, day 61 of the 090 -> procedure in global,
    # no modifier); 99213 Apr 20 no mod (likely, 1.30), 99214-24 May 5 (separate),
    # 99024 Jun 5 (day 4 of 47383: post-op), 99213 Jun 8 (day 7 of 47383: likely, 1.30).
    lines = clean_lines(
        [
            (2, "2026-04-01", "27447", ""),
            (3, "2026-06-01", "47383", ""),
            (4, "2026-04-20", "99213", ""),
            (5, "2026-05-05", "99214", "24"),
            (6, "2026-06-05", "99024", ""),
            (7, "2026-06-08", "99213", ""),
        ]
    )
    result = insights.build_insights(lines, FEES)
    t = result.totals
    assert t["windows"] == 2
    assert t["windows_by_global_days"] == {"000": 0, "010": 1, "090": 1}
    assert t["likely_in_global"] == 2
    assert t["separate_with_modifier"] == 1
    assert t["post_op_visits"] == 1
    assert t["procedures_in_global"] == 1
    assert t["procedures_in_global_without_modifier"] == 1
    assert t["lines_to_review"] == 3  # 2 likely + 1 procedure without 58/78/79
    assert t["wrvu_at_risk"] == 2.6  # 1.30 + 1.30 (99213 work RVU x 1)
    assert t["em_lines"] == 3  # 99213, 99214-24, 99213 (99024 is not counted)
    assert t["em_share_in_global"] == pytest.approx(2 / 3)
    w = result.windows.set_index("procedure_source_row")
    assert w.loc[2, "likely_in_global"] == 1
    assert w.loc[2, "separate_with_modifier"] == 1
    assert w.loc[2, "procedures_in_global"] == 1
    assert w.loc[3, "post_op_visits"] == 1
    assert w.loc[3, "likely_in_global"] == 1
    assert w.loc[3, "lines_to_review"] == 1


def test_json_and_text_for_validate():
    lines = clean_lines([(2, "2026-04-01", "27447", ""), (3, "2026-05-01", "99213", "")])
    result = insights.build_insights(lines, FEES)
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["global_period_review"] == [
        {
            "source_row": 3,
            "provider_id": "DR1",
            "date_of_service": "2026-05-01",
            "hcpcs": "99213",
            "modifiers": "",
            "procedure_source_row": 2,
            "procedure_hcpcs": "27447",
            "classification": "likely_in_global",
        }
    ]
    assert payload["global_period_totals"]["lines_to_review"] == 1
    text = "\n".join(result.text_lines())
    assert "lines to review: 1" in text
    assert "log.csv row 3" in text
    assert "1.30 wRVUs at risk" in text


# ---------------------------------------------------------------- E/M level mix


def test_em_level_mix_counts_and_shares():
    # new: 99203 x1, 99204 x3 -> 25% / 75%; established: 99213 x2, 99214 x2 -> 50% / 50%;
    # a rejected 99215 and a 27447 do not count.
    lines = clean_lines(
        [
            (2, "2026-01-05", "99203", ""),
            (3, "2026-01-05", "99204", ""),
            (4, "2026-01-06", "99204", ""),
            (5, "2026-01-07", "99204", "25"),
            (6, "2026-01-07", "99213", ""),
            (7, "2026-01-08", "99213", ""),
            (8, "2026-01-08", "99214", ""),
            (9, "2026-01-09", "99214", ""),
            (10, "2026-01-09", "99215", ""),
            (11, "2026-01-09", "27447", ""),
        ]
    )
    lines.loc[lines["source_row"] == 10, "reject_reason"] = "log.csv row 10, column units: bad"
    mix = insights.em_level_mix(lines)
    assert mix["hcpcs"].tolist() == [
        "99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215",
    ]  # fmt: skip
    assert mix["lines"].tolist() == [0, 1, 3, 0, 0, 0, 2, 2, 0]
    assert mix["share"].tolist() == [0.0, 0.25, 0.75, 0.0, 0.0, 0.0, 0.5, 0.5, 0.0]
    assert mix["kind"].tolist() == ["new"] * 4 + ["established"] * 5
    svg = insights.em_mix_svg(mix)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 9
    assert "99214: 2 (50%)" in svg


def test_em_level_mix_empty_log_has_zero_shares():
    mix = insights.em_level_mix(clean_lines([(2, "2026-01-09", "27447", "")]))
    assert mix["lines"].sum() == 0
    assert (mix["share"] == 0.0).all()


def test_99024_is_attributed_to_a_global_with_a_post_op_period():
    # 27447 (090) on 2026-04-01, 45378 (000) on 2026-04-15, 47383 (010) on 2026-05-01.
    # 99024 on 2026-04-15 is day 14 of the 090 (attributed there although the 000 is more
    # recent: 000 has no post-op period); 99024 on 2026-05-01 is day 30 of the 090, not
    # day 0 of the 010 (the day of a procedure is not post-operative); a 99024 on
    # 2026-08-03 (day 124 of the 090, day 94 of the 010) is in no window, not listed.
    rev = review_of(
        [
            (2, "2026-04-01", "27447", ""),
            (3, "2026-04-15", "45378", ""),
            (4, "2026-04-15", "99024", ""),
            (5, "2026-05-01", "47383", "79"),
            (6, "2026-05-01", "99024", ""),
            (7, "2026-08-03", "99024", ""),
        ]
    )
    got = rev.set_index("source_row")
    assert list(got.index) == [3, 4, 5, 6]
    assert got.loc[4, "classification"] == "post_op_visit"
    assert got.loc[4, "procedure_source_row"] == 2
    assert got.loc[4, "day_offset"] == 14
    assert got.loc[6, "classification"] == "post_op_visit"
    assert got.loc[6, "procedure_source_row"] == 2
    assert got.loc[6, "day_offset"] == 30
