"""Run settings shared by pricing, reports and batch runs (frozen, validated once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rvubench.errors import UsageProblem

POLICIES = ("medicare", "full-credit")
# How multiple procedures are ranked when the log has no patient or encounter id:
# "as-billed": never across lines (they may be different patients); a line carrying 51 is
# reduced as a secondary procedure, the others are whole. "day-as-patient": every procedure
# of a clinician's day ranked together as if one patient (the earlier rule; shown beside).
WITHOUT_IDS = ("as-billed", "day-as-patient")


@dataclass(frozen=True)
class PricingSettings:
    """How lines are priced and credited.

    Attributes:
        locality: run-wide CMS locality ``MAC-LL`` or ``"national"``; a per-line
            ``locality`` (or ``zip``) column wins for its line.
        zip_code: run-wide ZIP; when set it resolves the locality (wins over ``locality``).
        policy: ``"medicare"`` (modifier-adjusted, as Medicare pays) or ``"full-credit"``.
        qp: use the Qualifying APM Participant conversion factor where a year has one.
        default_pos: POS for lines without one.
        fee_schedule_files: user CMS PPRRVU downloads, added to the bundled releases.
        rvu_year: price every line on this fee-schedule year instead of the year of its
            date of service (used for like-for-like benchmarking); None = by DOS.
        mod52_factor: wRVU/payment factor for modifier 52 (MAC discretion; default 1.0).
        mod53_factor: factor for 53 on codes without a CMS ``53`` row (default 1.0).
        imaging_pc_reduction: apply the 5% reduction to subsequent imaging PCs (ind 4) to wRVU.
        without_ids: multiple-procedure rule for logs without a patient or encounter id
            (``WITHOUT_IDS``); logs with ids always rank per patient (else encounter) and day.
    """

    locality: str = "national"
    zip_code: str | None = None
    policy: str = "medicare"
    qp: bool = False
    default_pos: str = "11"
    fee_schedule_files: tuple[Path, ...] = field(default_factory=tuple)
    rvu_year: int | None = None
    mod52_factor: float = 1.0
    mod53_factor: float = 1.0
    imaging_pc_reduction: bool = False
    without_ids: str = "as-billed"

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise UsageProblem(f"policy {self.policy!r} unknown; use one of {', '.join(POLICIES)}")
        if self.without_ids not in WITHOUT_IDS:
            raise UsageProblem(
                f"without_ids {self.without_ids!r} unknown; use one of {', '.join(WITHOUT_IDS)}"
            )
