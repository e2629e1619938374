"""What ``rvubench validate`` reports about a log: the library call behind the command.

:func:`validate_log` reads the log exactly as ``price`` and ``report`` do (``read_log``),
checks the usable codes against the bundled fee schedule and returns a
:class:`ValidationReport` that renders as text or as a JSON-ready dict. Nothing is priced.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rvubench.atomic import atomic_path
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.ingest.log import IngestResult, read_log, require_data_rows
from rvubench.insights.global_periods import insights_for_clean_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.summary import accounting
from rvubench.textsafe import neutralize_formula as nf

MAX_LISTED = 50


@dataclass
class ValidationReport:
    """Everything ``validate`` prints; ``to_dict`` is the ``--json`` payload."""

    ingest: IngestResult
    unknown_codes: dict[str, int] = field(default_factory=dict)
    fee_schedule_releases: list[str] = field(default_factory=list)
    insights: Any = None  # rvubench.insights.global_periods.Insights with --insights
    #: the lines priced as ``report`` prices them (national, medicare policy): the same
    #: accounting as the report, rows read = priced + credited zero + rejected
    priced_accounting: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """1 when any row was rejected (the data had problems), else 0."""
        return 1 if self.ingest.rows_rejected else 0

    def rejected_by_reason(self) -> dict[str, int]:
        lines = self.ingest.lines
        kinds = lines.loc[lines["reject_reason"] != "", "reject_kind"]
        return {str(k): int(v) for k, v in kinds.value_counts().items()}

    def providers(self) -> dict[str, int]:
        lines = self.ingest.lines
        usable = lines[lines["reject_reason"] == ""]
        counts = usable["provider_id"].value_counts(sort=False)
        return {str(k): int(counts[k]) for k in sorted(counts.index)}

    def date_range(self) -> tuple[str | None, str | None]:
        lines = self.ingest.lines
        dates = lines.loc[lines["reject_reason"] == "", "date_of_service"].dropna()
        if dates.empty:
            return None, None
        return dates.min().date().isoformat(), dates.max().date().isoformat()

    def rows_unknown(self) -> int:
        return sum(self.unknown_codes.values())

    def to_dict(self) -> dict:
        """The ``--json`` payload (the documented keys first)."""
        ing = self.ingest
        date_min, date_max = self.date_range()
        rejected = ing.lines[ing.lines["reject_reason"] != ""]
        return {
            "rows_read": ing.rows_read,
            "rows_usable": ing.rows_usable,
            "rows_rejected": ing.rows_rejected,
            "rejected_by_reason": self.rejected_by_reason(),
            "providers": self.providers(),
            "date_min": date_min,
            "date_max": date_max,
            "columns_used": dict(ing.columns_used),
            "columns_dropped": list(ing.columns_dropped),
            "columns_ignored": list(ing.columns_ignored),
            "unused_columns": list(ing.unused_columns),
            "rows_unknown_code": self.rows_unknown(),
            "unknown_codes": dict(self.unknown_codes),
            "fee_schedule_releases": list(self.fee_schedule_releases),
            "duplicates": ing.duplicates,
            "rows_skipped": [{"file": f, "row": r, "why": why} for f, r, why in ing.skipped_rows],
            "rejections": [
                {"file": f, "row": int(r), "column": c, "reason": m}
                for f, r, c, m in zip(
                    rejected["source_file"],
                    rejected["source_row"],
                    rejected["reject_column"],
                    rejected["reject_reason"],
                    strict=True,
                )
            ],  # fmt: skip
            "warnings": list(ing.warnings),
            "files": list(ing.files),
            "sheets": dict(getattr(ing, "sheets", {})),
            "net_reversals": ing.net_reversals,
            "rows_priced": self.priced_accounting.get("rows_priced"),
            "rows_zero": self.priced_accounting.get("rows_zero"),
            "zero_by_reason": dict(self.priced_accounting.get("zero_by_reason", {})),
            "accounting": self.accounting_text(),
            **(self.insights.to_dict() if self.insights is not None else {}),
        }

    def accounting_text(self) -> str:
        """``report``'s accounting (priced + credited zero + rejected) when the lines were
        priced; else usable + rejected."""
        ing = self.ingest
        unknown = self.rows_unknown()
        acc = self.priced_accounting
        if acc:
            return (
                f"rows read {acc['rows_read']} = priced {acc['rows_priced']} + credited zero "
                f"{acc['rows_zero']} + rejected {acc['rows_rejected']} (as report counts them; "
                f"unknown codes {unknown} are among the zero-credit rows)"
            )
        return (
            f"rows read {ing.rows_read} = usable {ing.rows_usable} (known codes "
            f"{ing.rows_usable - unknown} + unknown codes {unknown}, credited zero) + rejected "
            f"{ing.rows_rejected}"
        )

    def to_text(self, max_listed: int = MAX_LISTED) -> str:
        """Plain-text report, most important first."""
        ing = self.ingest
        out = [f"{', '.join(Path(f).name for f in ing.files)}: {ing.rows_read} rows read"]
        if ing.unused_columns:  # first: a column not read may change every line's credit
            out.append("  columns not used that look like they matter:")
            out += [f"    {w}" for w in ing.unused_columns]
        out.append(f"  {self.accounting_text()}")
        out += [f"  {line}" for line in ing.sheet_lines()]
        zero = self.priced_accounting.get("zero_by_reason") or {}
        if zero:
            out.append("  credited zero by reason (national fee schedule, medicare policy):")
            out += [f"    {n:6d}  {reason}" for reason, n in list(zero.items())[:max_listed]]
        by_reason = self.rejected_by_reason()
        if by_reason:
            out.append("  rejected by reason:")
            out += [f"    {n:6d}  {reason}" for reason, n in by_reason.items()]
        if self.unknown_codes:
            codes = ", ".join(
                f"{c} ({n})" for c, n in list(self.unknown_codes.items())[:max_listed]
            )
            release = "/".join(self.fee_schedule_releases)
            out.append(f"  codes not in the fee schedule ({release}; kept, credited zero): {codes}")
        date_min, date_max = self.date_range()
        out.append(f"  dates of service: {date_min or '-'} .. {date_max or '-'}")
        providers = self.providers()
        shown = ", ".join(f"{p or '(none)'} ({n})" for p, n in list(providers.items())[:max_listed])
        more = f" and {len(providers) - max_listed} more" if len(providers) > max_listed else ""
        out.append(f"  providers: {shown or '-'}{more}")
        out.append(f"  duplicates flagged (kept): {ing.duplicates}")
        used = ", ".join(f"{c} <- {h!r}" for c, h in ing.columns_used.items())
        out.append(f"  columns used: {used}")
        if ing.columns_dropped:
            dropped = ", ".join(repr(h) for h in ing.columns_dropped)
            out.append(f"  columns dropped (patient data, never kept or written): {dropped}")
        for what, header in ing.grouped_by.items():
            out.append(f"  {header!r} groups lines by {what} (as a random key, in memory only)")
        if ing.columns_ignored:
            out.append(f"  columns ignored: {', '.join(repr(h) for h in ing.columns_ignored)}")
        if ing.skipped_rows:
            out.append(f"  rows skipped (not data): {len(ing.skipped_rows)}")
            out += [f"    {f} row {r}: {why}" for f, r, why in ing.skipped_rows[:max_listed]]
        out += [f"  warning: {w}" for w in ing.warnings if w not in ing.unused_columns]
        rejected = ing.lines.loc[ing.lines["reject_reason"] != "", "reject_reason"]
        if len(rejected):
            out.append(f"Rejected rows ({len(rejected)}):")
            out += [f"  {m}" for m in rejected.head(max_listed)]
            if len(rejected) > max_listed:
                out.append(f"  ... {len(rejected) - max_listed} more (see --json or --exceptions)")
        if self.insights is not None:
            out += self.insights.text_lines(max_listed)
        return "\n".join(out)

    def write_exceptions(self, path: Path) -> None:
        """CSV of every rejected and skipped row: file, row, column, kind, reason.

        Written with the one atomic writer; formula-like text is neutralized
        (``rvubench.textsafe.neutralize_formula``)."""
        ing = self.ingest
        rejected = ing.lines[ing.lines["reject_reason"] != ""]
        with atomic_path(Path(path)) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["file", "row", "column", "kind", "reason"])
            for f, r, c, k, m in zip(
                rejected["source_file"], rejected["source_row"], rejected["reject_column"],
                rejected["reject_kind"], rejected["reject_reason"], strict=True,
            ):  # fmt: skip
                w.writerow([nf(f), int(r), nf(c), nf(k), nf(m)])
            for f, r, why in ing.skipped_rows:
                w.writerow([nf(f), r, "", "skipped", nf(why)])


def validate_log(
    paths: Sequence[Path] | Path,
    *,
    mapping: Path | None = None,
    sheet: str | None = None,
    net_reversals: bool = False,
    fee_schedule_files: Sequence[Path] = (),
    insights: bool = False,
) -> ValidationReport:
    """Read a log as ``price`` does and report rows, rejections, unknown codes and columns."""
    result = read_log(paths, mapping=mapping, sheet=sheet, net_reversals=net_reversals)
    require_data_rows(
        result,
        ", ".join(Path(p).name for p in ([paths] if isinstance(paths, str | Path) else paths)),
    )
    fees = load_fee_schedules(tuple(fee_schedule_files))
    known = fees.codes()
    lines = result.lines
    usable_codes = lines.loc[lines["reject_reason"] == "", "hcpcs"]
    unknown = usable_codes[~usable_codes.isin(known)]
    counts = {str(k): int(v) for k, v in unknown.value_counts().items()}
    releases = [r.release_id for r in fees.releases]
    report = ValidationReport(result, counts, releases)
    # price as `report` does (default settings) so both commands count one file alike
    priced = price_lines(lines, fees, PricingSettings(fee_schedule_files=tuple(fee_schedule_files)))
    report.priced_accounting = accounting(priced)
    if insights:  # global periods and E/M level mix
        report.insights = insights_for_clean_lines(lines, fees)
    return report
