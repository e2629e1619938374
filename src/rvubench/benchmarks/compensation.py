"""Compensation models and compensation-from-benchmark arithmetic.

All money is computed in ``Decimal`` and rounded once to integer cents (ROUND_HALF_UP);
dollar floats are for display only.

Models (each applied to ANNUAL wRVUs as worked, i.e. annualized but not FTE-adjusted,
because a contract pays for the work actually done; thresholds and base are annual
figures as written in the contract):

- :class:`FlatRate` ``rate``: ``rate x wRVUs``.
- :class:`Tiered` ``[(threshold, rate), ...]``: marginal tiers. Each rate applies to the
  wRVUs above its threshold up to the next threshold; wRVUs below the first threshold
  earn nothing (write a 0 threshold to pay from the first wRVU). Example
  ``[(0, 45), (5000, 50)]`` and 6,000 wRVUs: 5,000 x 45 + 1,000 x 50 = $275,000.
- :class:`BasePlusIncentive` ``base, threshold_wrvu, rate``: ``base + rate x max(0, wRVUs -
  threshold)``.

:func:`parse_comp_model` reads the same models from text for the command line:
``flat:55``, ``tiered:0=45,5000=50,7000=55``, ``base:250000,5000,50``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from rvubench.benchmarks.percentiles import value_at
from rvubench.errors import UsageProblem
from rvubench.money import to_cents
from rvubench.money import to_decimal as _dec

IMPLIED_PERCENTILES = (25, 50, 75, 90)
MODEL_FORMS = "flat:RATE, tiered:THRESHOLD=RATE,THRESHOLD=RATE,... or base:BASE,THRESHOLD,RATE"


def _fmt_money(value: Decimal | float) -> str:
    return f"${float(value):,.2f}".replace(".00", "")


def _fmt_wrvu(value: Decimal | float) -> str:
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


@dataclass
class TierLine:
    """One tier's share of a model outcome."""

    from_wrvu: float
    to_wrvu: float | None
    rate: float
    wrvus: float
    amount_cents: int


class _CompensationInDollars:
    """``compensation`` in dollars (display) from exact ``compensation_cents``; ``to_dict``
    adds it to the dataclass fields."""

    compensation_cents: int
    # set by @dataclass on the subclasses; declared so that asdict(self) type-checks
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def compensation(self) -> float:
        """Dollars (display)."""
        return float(Decimal(self.compensation_cents) / 100)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict, with ``compensation`` in dollars added."""
        d = asdict(self)
        d["compensation"] = self.compensation
        return d


@dataclass
class ModelOutcome(_CompensationInDollars):
    """A compensation scenario: what a model pays for the annualized wRVUs.

    ``benchmark_clinician`` fills the ``*_percentile`` and ``compensation_per_wrvu`` fields.
    """

    model: str
    description: str
    wrvus: float
    compensation_cents: int
    breakdown: list[TierLine] = field(default_factory=list)
    compensation_fte_adjusted: float | None = None
    compensation_percentile: float | str | None = None
    compensation_per_wrvu: float | None = None
    compensation_per_wrvu_percentile: float | str | None = None


def _check_rate(rate: Any, what: str) -> Decimal:
    try:
        r = _dec(rate)
    except (InvalidOperation, TypeError, ValueError):
        raise UsageProblem(f"{what} {rate!r} is not a number") from None
    if not r.is_finite() or r < 0:
        raise UsageProblem(f"{what} must be a number >= 0, got {rate!r}")
    return r


@dataclass(frozen=True)
class FlatRate:
    """Flat dollars per wRVU."""

    rate: float

    def __post_init__(self) -> None:
        _check_rate(self.rate, "rate per wRVU")

    def describe(self) -> str:
        """One line for the report."""
        return f"Flat {_fmt_money(_dec(self.rate))} per wRVU"

    def compensation_cents(self, wrvus: Any) -> int:
        """Annual compensation in cents for ``wrvus``."""
        return self.apply(wrvus).compensation_cents

    def apply(self, wrvus: Any) -> ModelOutcome:
        """The scenario for ``wrvus`` annual wRVUs."""
        w = max(_dec(wrvus), Decimal(0))
        cents = to_cents(w * _dec(self.rate))
        line = TierLine(0.0, None, float(self.rate), float(w), cents)
        return ModelOutcome("flat", self.describe(), float(w), cents, [line])


@dataclass(frozen=True)
class Tiered:
    """Marginal tiers ``[(threshold_wrvu, rate), ...]`` (thresholds strictly increasing).

    The rate of a tier applies to the wRVUs between its threshold and the next one; the last
    tier has no upper end. wRVUs below the first threshold are not paid.
    """

    tiers: Sequence[tuple[float, float]]

    def __post_init__(self) -> None:
        tiers = [tuple(t) for t in self.tiers]
        if not tiers:
            raise UsageProblem("a tiered model needs at least one (threshold, rate) tier")
        previous = None
        for threshold, rate in tiers:
            t = _check_rate(threshold, "tier threshold")
            _check_rate(rate, "tier rate")
            if previous is not None and t <= previous:
                raise UsageProblem(f"tier thresholds must increase; {threshold} follows {previous}")
            previous = t
        object.__setattr__(self, "tiers", tuple(tiers))

    def describe(self) -> str:
        """One line for the report."""
        parts = []
        for i, (threshold, rate) in enumerate(self.tiers):
            upper = self.tiers[i + 1][0] if i + 1 < len(self.tiers) else None
            span = (
                f"for {_fmt_wrvu(threshold)}-{_fmt_wrvu(upper)}"
                if upper is not None
                else f"above {_fmt_wrvu(threshold)}"
            )
            parts.append(f"{_fmt_money(_dec(rate))}/wRVU {span}")
        return "Tiered (marginal): " + "; ".join(parts)

    def compensation_cents(self, wrvus: Any) -> int:
        """Annual compensation in cents for ``wrvus``."""
        return self.apply(wrvus).compensation_cents

    def apply(self, wrvus: Any) -> ModelOutcome:
        """The scenario for ``wrvus`` annual wRVUs (rounded to cents once, on the total)."""
        w = max(_dec(wrvus), Decimal(0))
        total = Decimal(0)
        lines = []
        for i, (threshold, rate) in enumerate(self.tiers):
            lo = _dec(threshold)
            hi = _dec(self.tiers[i + 1][0]) if i + 1 < len(self.tiers) else None
            top = w if hi is None else min(w, hi)
            inside = max(top - lo, Decimal(0))
            amount = inside * _dec(rate)
            total += amount
            lines.append(
                TierLine(
                    float(lo),
                    None if hi is None else float(hi),
                    float(rate),
                    float(inside),
                    to_cents(amount),
                )
            )
        return ModelOutcome("tiered", self.describe(), float(w), to_cents(total), lines)


@dataclass(frozen=True)
class BasePlusIncentive:
    """Base salary plus ``rate`` per wRVU above ``threshold_wrvu``."""

    base: float
    threshold_wrvu: float
    rate: float

    def __post_init__(self) -> None:
        _check_rate(self.base, "base salary")
        _check_rate(self.threshold_wrvu, "incentive threshold")
        _check_rate(self.rate, "incentive rate")

    def describe(self) -> str:
        """One line for the report."""
        return (
            f"Base {_fmt_money(_dec(self.base))} + {_fmt_money(_dec(self.rate))}/wRVU above "
            f"{_fmt_wrvu(self.threshold_wrvu)} wRVUs"
        )

    def compensation_cents(self, wrvus: Any) -> int:
        """Annual compensation in cents for ``wrvus``."""
        return self.apply(wrvus).compensation_cents

    def apply(self, wrvus: Any) -> ModelOutcome:
        """The scenario for ``wrvus`` annual wRVUs."""
        w = max(_dec(wrvus), Decimal(0))
        above = max(w - _dec(self.threshold_wrvu), Decimal(0))
        incentive = above * _dec(self.rate)
        base_cents = to_cents(_dec(self.base))
        lines = [
            TierLine(
                0.0,
                float(self.threshold_wrvu),
                0.0,
                float(min(w, _dec(self.threshold_wrvu))),
                base_cents,
            ),
            TierLine(
                float(self.threshold_wrvu),
                None,
                float(self.rate),
                float(above),
                to_cents(incentive),
            ),
        ]
        total = to_cents(_dec(self.base) + incentive)
        return ModelOutcome("base_plus_incentive", self.describe(), float(w), total, lines)


CompModel = FlatRate | Tiered | BasePlusIncentive


def parse_comp_model(text: str) -> CompModel:
    """Read a model from text: ``flat:55``, ``tiered:0=45,5000=50``, ``base:250000,5000,50``.

    Raises:
        UsageProblem: text in none of these forms (the message lists them).
    """
    raw = text
    kind, _, rest = (text or "").strip().partition(":")
    kind = kind.strip().lower()
    rest = rest.replace("$", "").replace(" ", "")
    try:
        if kind == "flat":
            return FlatRate(float(rest))
        if kind in ("tiered", "tiers"):
            tiers = []
            for part in rest.split(","):
                threshold_text, _, rate_text = part.partition("=")
                tiers.append((float(threshold_text), float(rate_text)))
            return Tiered(tiers)
        if kind in ("base", "base+incentive", "base_plus_incentive"):
            base, threshold, rate = (float(x) for x in rest.split(","))
            return BasePlusIncentive(base, threshold, rate)
    except ValueError:
        pass
    raise UsageProblem(f"compensation model {raw!r} not understood; write {MODEL_FORMS}")


@dataclass
class ImpliedCompensation(_CompensationInDollars):
    """Compensation the clinician's wRVUs imply at one percentile of the survey's ratio.

    Attributes:
        percentile: 25, 50, 75 or 90.
        rate: the survey's compensation per wRVU at that percentile.
        compensation_cents: ``wRVUs x rate`` rounded to cents.
        interpolated: True when that percentile is not published and the rate was
            interpolated between neighbouring published percentiles.
    """

    percentile: int
    rate: float
    compensation_cents: int
    interpolated: bool = False


def implied_compensation(
    wrvus: Any, ratio_row: Any, percentiles: Sequence[int] = IMPLIED_PERCENTILES
) -> list[ImpliedCompensation]:
    """``wRVUs x`` the survey's compensation per wRVU at p25/p50/p75/p90.

    Args:
        wrvus: annual wRVUs (``benchmark_clinician`` passes the annualized wRVUs as worked).
        ratio_row: the ``compensation_per_wrvu`` BenchmarkRow.
        percentiles: which percentiles; one outside the row's published range is skipped.
    """
    w = max(_dec(wrvus), Decimal(0))
    out = []
    for p in percentiles:
        published = ratio_row.value(p)
        rate = published if published is not None else value_at(p, ratio_row)
        if rate is None:
            continue
        rate_dec = (
            _dec(float(rate))
            if published is not None
            else _dec(rate).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        )
        out.append(
            ImpliedCompensation(p, float(rate_dec), to_cents(w * rate_dec), published is None)
        )
    return out


def wrvus_for_percentile(
    target_pct: float, wrvu_row: Any, clinical_fte: float, annualization: Any
) -> float | None:
    """Raw wRVUs needed IN THE PERIOD to reach ``target_pct`` of the wRVU row.

    ``needed = value_at(target) x clinical_fte / annualization_factor`` (the reverse of
    annualizing and FTE-adjusting). ``annualization`` is the factor (Decimal/float) or a
    Period. Returns None when the target is outside the published percentiles.
    """
    factor = getattr(annualization, "annualization_factor", annualization)
    annual = value_at(target_pct, wrvu_row)
    if annual is None:
        return None
    needed = _dec(float(annual)) * _dec(clinical_fte) / _dec(factor)
    return float(needed)
