"""``report`` prints the key figures on the terminal (report.headline_lines)."""

from __future__ import annotations

from rvubench.report.run import headline_lines


def test__headline_with_benchmark_and_compensation():
    summary = {
        "provider_id": "IR-1001", "specialty": "Interventional Radiology",
        "period_start": "2026-07-01", "period_end": "2026-09-30",
        "wrvu_total": 2064.97, "wrvu_annualized": 8192.52, "wrvu_fte_adjusted": 10240.65,
        "wrvu_percentile": 38.210657, "payment_total": 95074.1, "total_compensation": 540000.0,
        "compensation_percentile": 56.670658, "compensation_per_wrvu": 64.34,
        "compensation_per_wrvu_percentile": "above p90", "alignment_gap": -18.46,
    }  # fmt: skip
    assert headline_lines(summary) == [
        "IR-1001, Interventional Radiology, 2026-07-01 to 2026-09-30",
        "  wRVUs 2,064.97 (annualized 8,192.52; FTE-adjusted 10,240.65): 38th percentile",
        "  payment $95,074.10; compensation $540,000: 57th percentile",
        "  compensation per wRVU $64.34: above p90; alignment gap -18.5",
    ]


def test__headline_without_benchmark_or_compensation():
    summary = {
        "provider_id": "FM-2001", "specialty": None,
        "period_start": "2026-07-01", "period_end": "2026-09-30",
        "wrvu_total": 1110.41, "wrvu_annualized": 4405.43, "wrvu_fte_adjusted": 4405.43,
        "wrvu_percentile": None, "payment_total": 72592.89, "total_compensation": None,
        "compensation_percentile": None, "compensation_per_wrvu": None,
    }  # fmt: skip
    assert headline_lines(summary) == [
        "FM-2001, 2026-07-01 to 2026-09-30",
        "  wRVUs 1,110.41 (annualized 4,405.43; FTE-adjusted 4,405.43)",
        "  payment $72,592.89",
    ]


def test__headline_like_for_like_prints_the_benchmarked_figure_beside_its_percentile():
    summary = {
        "provider_id": "IR-1001", "specialty": "Interventional Radiology",
        "period_start": "2026-07-01", "period_end": "2026-09-30",
        "wrvu_total": 2064.97, "wrvu_annualized": 8192.52, "wrvu_fte_adjusted": 8192.52,
        "wrvu_percentile": 38.212, "payment_total": 95074.1, "total_compensation": 540000.0,
        "compensation_percentile": 56.670658, "compensation_per_wrvu": 64.34,
        "compensation_per_wrvu_percentile": 72.9, "alignment_gap": 18.46,
        "wrvu_basis": "like-for-like", "wrvu_basis_rvu_year": 2025,
        "wrvu_benchmarked_fte_adjusted": 8392.64, "wrvu_credited_percentile": 34.875,
    }  # fmt: skip
    assert headline_lines(summary) == [
        "IR-1001, Interventional Radiology, 2026-07-01 to 2026-09-30",
        "  wRVUs 2,064.97 as credited (annualized 8,192.52; FTE-adjusted 8,192.52)",
        "  benchmarked on 2025 RVUs (like-for-like): 8,392.64 FTE-adjusted wRVUs: 38th percentile",
        # 8,392.64 - 8,192.52 = +200.12
        "    (+200.12 vs as credited; as credited: 35th percentile)",
        "  payment $95,074.10; compensation $540,000: 57th percentile",
        "  compensation per wRVU $64.34 (on 8,392.64 wRVUs): 73rd percentile; alignment gap +18.5",
    ]
