"""The contract report's negotiation page: pay against the pay the productivity supports.

Pure: reads the benchmark section of a report model (``report_model.BenchmarkSection``) and
the clinician's current compensation, returns plain data the ``contract.html.j2`` page 1
prints. Nothing here reads files or renders.

Figures (per total FTE, as the survey tables are):

- current pay and its compensation percentile, the wRVU percentile on the benchmarked
  wRVUs, compensation per wRVU and its percentile (all as the benchmark placed them);
- the pay the clinician's productivity supports: the annualized benchmarked wRVUs times the
  survey's compensation per wRVU at p25/p50/p75/p90, and its difference from current pay;
- each compensation scenario with its difference from current pay, its effective $ per wRVU
  and the compensation percentile it would reach.

Fair-market-value signals (:func:`fmv_signals`) are the patterns a valuation reviewer
looks at first; they are stated with the figures that trigger them and are signals for a
closer look, never a legal opinion. They compare values with the published anchors, so they
hold for "below p10" / "above p90" positions as well:

- ``comp_above_p90``: compensation per total FTE above the survey's p90 compensation;
- ``rate_high_wrvu_low``: compensation per wRVU above p75 (stated as above p90 when it is)
  while FTE-adjusted wRVUs are below p25;
- ``comp_far_above_productivity``: the compensation percentile is 25 points or more above the
  wRVU percentile (pay well ahead of the productivity rank) while compensation is above p50.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rvubench.report import charts
from rvubench.report.formatting import fmt_number, fmt_percentile, fmt_usd

#: Words for the compensation model identifiers of ``rvubench.benchmarks.compensation``.
MODEL_NAMES = {
    "flat": "Flat rate per wRVU",
    "tiered": "Tiered rates per wRVU",
    "base_plus_incentive": "Base salary plus productivity incentive",
}
SIGNAL_DISCLAIMER = (
    "These are signals for a closer look by the parties and their advisers, based on the "
    "benchmark table named in the appendix; they are not a legal opinion or a fair-market-value "
    "determination."
)
GAP_SIGNAL_POINTS = 25.0


@dataclass(frozen=True)
class SupportedPay:
    """Pay at one percentile of the survey's compensation per wRVU."""

    percentile: float
    rate: float | None
    compensation: float
    difference: float | None  # compensation - current pay (None without current pay)


@dataclass(frozen=True)
class ScenarioLine:
    """One compensation scenario against current pay."""

    name: str  # in words
    description: str
    compensation: float | None
    difference: float | None
    per_wrvu: float | None
    percentile: float | str | None


@dataclass(frozen=True)
class FmvSignal:
    """A fair-market-value signal: what triggers it, in words with the figures."""

    key: str
    text: str


@dataclass(frozen=True)
class ContractPage:
    """Everything page 1 of the contract report states."""

    current_compensation: float | None
    compensation_per_fte: float | None
    compensation_percentile: float | str | None
    wrvu_fte_adjusted: float | None
    wrvu_percentile: float | str | None
    wrvu_basis: str
    compensation_per_wrvu: float | None
    compensation_per_wrvu_percentile: float | str | None
    alignment_gap: float | None
    supported: tuple[SupportedPay, ...]
    scenarios: tuple[ScenarioLine, ...]
    signals: tuple[FmvSignal, ...]
    quadrant_svg: str


def _placed(metric: Any) -> float | str | None:
    """The percentile as the benchmark placed it: a number inside the range, else its label."""
    if metric is None or metric.position == "":
        return None
    return metric.percentile if metric.position == "within" else metric.percentile_label


def _position(metric: Any) -> float | None:
    """0-100 position for a chart: the percentile, 5 below the range, 95 above it."""
    if metric is None or metric.position == "":
        return None
    if metric.position == "within":
        return metric.percentile
    return 5.0 if metric.position == "below" else 95.0


def _anchor(metric: Any, percentile: float) -> float | None:
    return dict(metric.anchors).get(float(percentile)) if metric is not None else None


def _pct_text(metric: Any) -> str:
    return fmt_percentile(_placed(metric))


def fmv_signals(benchmark: Any) -> tuple[FmvSignal, ...]:
    """The fair-market-value signals that apply (see the module docstring for the rules)."""
    if benchmark is None:
        return ()
    wm = benchmark.metric("wrvu")
    tm = benchmark.metric("total_compensation")
    cm = benchmark.metric("compensation_per_wrvu")
    out = []
    p90 = _anchor(tm, 90)
    if tm is not None and tm.value is not None and p90 is not None and tm.value > p90:
        out.append(
            FmvSignal(
                "comp_above_p90",
                f"Compensation of {fmt_usd(tm.value, 0)} per total FTE is above the survey's 90th "
                f"percentile ({fmt_usd(p90, 0)}); percentile {_pct_text(tm)}.",
            )
        )
    c75, c90, w25 = _anchor(cm, 75), _anchor(cm, 90), _anchor(wm, 25)
    if (
        cm is not None
        and cm.value is not None
        and c75 is not None
        and cm.value > c75
        and wm is not None
        and wm.value is not None
        and w25 is not None
        and wm.value < w25
    ):
        over = ("90th", c90) if c90 is not None and cm.value > c90 else ("75th", c75)
        out.append(
            FmvSignal(
                "rate_high_wrvu_low",
                f"Compensation per wRVU of {fmt_usd(cm.value)} is above the survey's {over[0]} "
                f"percentile ({fmt_usd(over[1])}) while FTE-adjusted wRVUs of {fmt_number(wm.value, 0)} "
                f"are below its 25th percentile ({fmt_number(w25, 0)}).",
            )
        )
    w_pos, t_pos = _position(wm), _position(tm)
    t50 = _anchor(tm, 50)
    if (
        w_pos is not None
        and t_pos is not None
        and t_pos - w_pos >= GAP_SIGNAL_POINTS
        and tm.value is not None
        and t50 is not None
        and tm.value > t50
    ):
        out.append(
            FmvSignal(
                "comp_far_above_productivity",
                f"The compensation percentile ({_pct_text(tm)}) is {fmt_number(t_pos - w_pos, 1)} "
                f"points above the wRVU percentile ({_pct_text(wm)}): pay is well ahead of the "
                "productivity rank.",
            )
        )
    return tuple(out)


def contract_page(benchmark: Any, total_compensation: float | None) -> ContractPage | None:
    """The negotiation page of a contract report; None without a benchmark."""
    if benchmark is None:
        return None
    wm = benchmark.metric("wrvu")
    tm = benchmark.metric("total_compensation")
    cm = benchmark.metric("compensation_per_wrvu")
    rates = dict(cm.anchors) if cm is not None else {}
    current = total_compensation
    supported = tuple(
        SupportedPay(p, rates.get(p), amount, None if current is None else amount - current)
        for p, amount in benchmark.implied_compensation
    )
    scenarios = tuple(
        ScenarioLine(
            name=MODEL_NAMES.get(s.name, s.name.replace("_", " ").capitalize()),
            description=s.description,
            compensation=s.compensation,
            difference=None
            if current is None or s.compensation is None
            else s.compensation - current,
            per_wrvu=getattr(s, "compensation_per_wrvu", None),
            percentile=getattr(s, "compensation_percentile", None),
        )
        for s in benchmark.scenarios
    )
    points: list[tuple[str, float, float, str]] = []
    x, y = _position(wm), _position(tm)
    if x is not None and y is not None:
        points.append(("this clinician", x, y, "circle"))
    label = wm.label if wm is not None else ""
    basis = label[label.find("on ") :].rstrip(")") if "on " in label else ""
    return ContractPage(
        current_compensation=current,
        compensation_per_fte=tm.value if tm is not None else None,
        compensation_percentile=_placed(tm),
        wrvu_fte_adjusted=wm.value if wm is not None else None,
        wrvu_percentile=_placed(wm),
        wrvu_basis=basis,
        compensation_per_wrvu=cm.value if cm is not None else None,
        compensation_per_wrvu_percentile=_placed(cm),
        alignment_gap=benchmark.alignment_gap,
        supported=supported,
        scenarios=scenarios,
        signals=fmv_signals(benchmark),
        quadrant_svg=charts.percentile_quadrant(points, width=460, height=300) if points else "",
    )
