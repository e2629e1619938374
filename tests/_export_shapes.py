"""Build small made-up procedure exports in the shapes real systems document publicly.

Headers and value formats follow the public documentation of each system (Epic Clarity / EHI
``ARPB_TRANSACTIONS`` and Clarity report aliases, athenahealth Data View ``TRANSACTION``,
Kareo/Tebra's procedure grid, NextGen report columns, WebPT and Healthie charge extracts,
CMS DE-SynPUF carrier claims and the Physician & Other Practitioners by-provider-and-service
file). The data are invented. Every line log carries the same four charges:

    2026-07-01  99214 mod 25   1 unit   office (11)               provider A
    2026-07-01  74177 mod 26   1 unit   on-campus outpatient (22)  provider B
    2026-07-02  97110          3 units  office (11)               provider A
    2026-07-02  99213          1 unit   office (11)               provider B

Run ``python tests/_export_shapes.py OUTDIR`` to write the files for a look by hand.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path


def _write(path: Path, header: list[str], rows: list[list[object]], title: list[str] = ()) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for t in title:
            w.writerow([t])
        w.writerow(header)
        w.writerows(rows)
    return path


def epic_arpb_transactions(d: Path) -> Path:
    """Epic Clarity ARPB_TRANSACTIONS as queried raw: a ledger (charges, payments and
    adjustments), modifiers in MODIFIER_ONE..FOUR, PROCEDURE_QUANTITY, datetimes."""
    header = ["TX_ID", "TX_TYPE_C_NAME", "SERVICE_DATE", "CPT_CODE", "MODIFIER_ONE",
              "MODIFIER_TWO", "MODIFIER_THREE", "MODIFIER_FOUR", "PROCEDURE_QUANTITY",
              "SERV_PROVIDER_ID", "BILLING_PROV_ID", "POS_ID", "PAT_ENC_CSN_ID", "PAT_ID",
              "AMOUNT"]  # fmt: skip
    rows = [
        [9001, "Payment", "7/1/2026 12:00:00 AM", "", "", "", "", "", "", "", "B9", "", "", "Z1", -40],
        [9002, "Charge", "7/1/2026 12:00:00 AM", "99214", "25", "", "", "", "1", "1001", "B9",
         "11", "700001", "Z1", 180],
        [9003, "Charge", "7/1/2026 12:00:00 AM", "74177", "26", "", "", "", "1", "1002", "B9",
         "22", "700002", "Z2", 120],
        [9004, "Adjustment", "7/1/2026 12:00:00 AM", "99214", "", "", "", "", "1", "1001", "B9",
         "11", "700001", "Z1", -30],
        [9005, "Charge", "7/2/2026 12:00:00 AM", "97110", "", "", "", "", "3", "1001", "B9",
         "11", "700003", "Z3", 90],
        [9006, "Charge", "7/2/2026 12:00:00 AM", "99213", "", "", "", "", "1", "1002", "B9",
         "11", "700004", "Z4", 110],
        [9007, "Payment", "7/2/2026 12:00:00 AM", "", "", "", "", "", "", "", "B9", "", "", "Z4", -55],
    ]  # fmt: skip
    return _write(d / "ARPB_TRANSACTIONS.csv", header, rows)


def epic_clarity_report(d: Path) -> Path:
    """A Clarity report query's aliases ("Charge Code", "Modifier 1..4" with one real query's
    "Modifer 4"), SQL Server datetimes, quantities as decimals."""
    header = ["Service Date", "Charge Code", "Modifier 1", "Modifier 2", "Modifier 3",
              "Modifer 4", "Charge Quantity", "Service Provider ID", "Place of Service"]  # fmt: skip
    rows = [
        ["2026-07-01 00:00:00.000", "99214", "25", "", "", "", "1.00", "1001", "11"],
        ["2026-07-01 00:00:00.000", "74177", "26", "", "", "", "1.00", "1002", "22"],
        ["2026-07-02 00:00:00.000", "97110", "", "", "", "", "3.00", "1001", "11"],
        ["2026-07-02 00:00:00.000", "99213", "", "", "", "", "1.00", "1002", "11"],
    ]
    return _write(d / "clarity_charges.csv", header, rows, title=["Charge Detail Report"])


def athena_transaction(d: Path) -> Path:
    """athenahealth Data View TRANSACTION: the code followed by fee-affecting modifiers in
    ``procedure_code`` ("74177 26"), ``other_modifier``, a ledger ``transaction_type``."""
    header = ["transaction_id", "transaction_type", "claim_id", "charge_from_date",
              "procedure_code", "other_modifier", "units", "rendering_provider_id",
              "place_of_service", "patient_id"]  # fmt: skip
    rows = [
        [1, "CHARGE", "C1", "07/01/2026", "99214", "25", "1", "A", "Office", "p1"],
        [2, "CHARGE", "C2", "07/01/2026", "74177 26", "", "1", "B", "On Campus-Outpatient Hospital", "p2"],
        [3, "PAYMENT", "C1", "07/01/2026", "99214", "", "", "A", "Office", "p1"],
        [4, "ADJUSTMENT", "C2", "07/01/2026", "74177 26", "", "1", "B", "Office", "p2"],
        [5, "CHARGE", "C3", "07/02/2026", "97110", "", "3", "A", "Office", "p3"],
        [6, "CHARGE", "C4", "07/02/2026", "99213", "", "1", "B", "Office", "p4"],
    ]  # fmt: skip
    return _write(d / "athena_transaction.csv", header, rows)


def kareo_procedures(d: Path) -> Path:
    """Kareo/Tebra encounter procedure grid: From/To, Procedure, Mod 1..4, Rendering Provider,
    place of service written "11 - Office"."""
    header = ["Patient", "From", "To", "Procedure", "Mod 1", "Mod 2", "Mod 3", "Mod 4", "Units",
              "Rendering Provider", "Place of Service"]  # fmt: skip
    rows = [
        ["Doe, Jane", "07/01/2026", "07/01/2026", "99214", "25", "", "", "", "1", "Alpha MD",
         "11 - Office"],
        ["Roe, Rick", "07/01/2026", "07/01/2026", "74177", "26", "", "", "", "1", "Beta MD",
         "22 - On Campus-Outpatient Hospital"],
        ["Poe, Pat", "07/02/2026", "07/02/2026", "97110", "", "", "", "", "3", "Alpha MD",
         "11 - Office"],
        ["Loe, Lee", "07/02/2026", "07/02/2026", "99213", "", "", "", "", "1", "Beta MD",
         "11 - Office"],
    ]  # fmt: skip
    return _write(d / "kareo_procedures.csv", header, rows)


def nextgen_report(d: Path) -> Path:
    """NextGen report columns: Svc Date, CPT4 with the modifier attached ("99214-25"),
    Quantity "1.00", Rendering, Enc Nbr, Place of Service "11 - Office", patient columns."""
    header = ["Enc Nbr", "Per Nbr", "Pat Name", "Birth Dt", "Svc Date", "CPT4", "Quantity",
              "Rendering", "Place of Service"]  # fmt: skip
    rows = [
        ["E1", "100", "Doe, Jane", "1/2/1960", "20260701", "99214-25", "1.00", "Alpha MD", "11 - Office"],
        ["E2", "101", "Roe, Rick", "3/4/1955", "20260701", "74177-26", "1.00", "Beta MD",
         "22 - On Campus-Outpatient Hospital"],
        ["E3", "102", "Poe, Pat", "5/6/1970", "20260702", "97110", "3.00", "Alpha MD", "11 - Office"],
        ["E4", "103", "Loe, Lee", "7/8/1980", "20260702", "99213", "1.00", "Beta MD", "11 - Office"],
    ]  # fmt: skip
    return _write(d / "nextgen_charges.csv", header, rows)


def webpt_charges(d: Path) -> Path:
    """A charges extract with modifiers slash-attached ("74177/26") or colon-attached
    ("99214:25") and a CPT_MODIFIERS cell listing several with semicolons."""
    header = ["Date of Service", "CPT Code", "CPT_MODIFIERS", "Units", "Provider", "POS"]
    rows = [
        ["2026-07-01", "99214:25", "", "1", "Alpha", "11"],
        ["2026-07-01", "74177/26", "", "1", "Beta", "22"],
        ["2026-07-02", "97110", "", "3", "Alpha", "11"],
        ["2026-07-02", "99213", "", "1", "Beta", "11"],
    ]
    return _write(d / "webpt_charges.csv", header, rows)


def healthie_cms1500(d: Path) -> Path:
    """Healthie CptCodesCms1500: cpt_code, mod1..mod4, service_date, units."""
    header = ["service_date", "cpt_code", "mod1", "mod2", "mod3", "mod4", "units",
              "rendering_provider_npi", "place_of_service"]  # fmt: skip
    rows = [
        ["2026-07-01", "99214", "25", "", "", "", "1", "1111111111", "11"],
        ["2026-07-01", "74177", "26", "", "", "", "1", "2222222222", "22"],
        ["2026-07-02", "97110", "", "", "", "", "3", "1111111111", "11"],
        ["2026-07-02", "99213", "", "", "", "", "1", "2222222222", "11"],
    ]
    return _write(d / "healthie_cms1500.csv", header, rows)


def hospital_charges(d: Path) -> Path:
    """Epic HSP charge-line columns (CHG_*), modifiers in one cell separated by a comma."""
    header = ["CHG_SERVICE_DATE", "CHG_HCPCS_CODE", "CHG_MODIFIER", "CHG_QUANTITY",
              "SERV_PROV_NAME", "POS"]  # fmt: skip
    rows = [
        ["2026-07-01", "99214", "25", "1", "ALPHA, A", "11"],
        ["2026-07-01", "74177", "26", "1", "BETA, B", "22"],
        ["2026-07-02", "97110", "", "3", "ALPHA, A", "11"],
        ["2026-07-02", "99213", "", "1", "BETA, B", "11"],
    ]
    return _write(d / "hsp_charges.csv", header, rows)


LINE_LOGS: dict[str, Callable[[Path], Path]] = {
    "epic_arpb_transactions": epic_arpb_transactions,
    "epic_clarity_report": epic_clarity_report,
    "athena_transaction": athena_transaction,
    "kareo_procedures": kareo_procedures,
    "nextgen_report": nextgen_report,
    "webpt_charges": webpt_charges,
    "healthie_cms1500": healthie_cms1500,
    "hospital_charges": hospital_charges,
}


def synpuf_carrier_claims(d: Path) -> Path:
    """CMS DE-SynPUF carrier claims: one claim per row, HCPCS_CD_1..13, YYYYMMDD dates."""
    n = range(1, 14)
    header = ["DESYNPUF_ID", "CLM_ID", "CLM_FROM_DT", "CLM_THRU_DT",
              *[f"PRF_PHYSN_NPI_{i}" for i in n], *[f"HCPCS_CD_{i}" for i in n]]  # fmt: skip
    row = ["00013D2EFD8E45D1", "887733", "20260701", "20260701",
           "1111111111", "2222222222", *[""] * 11, "99214", "74177", *[""] * 11]  # fmt: skip
    return _write(d / "DE1_0_Carrier_Claims_Sample.csv", header, [row])


def cms_by_provider_and_service(d: Path) -> Path:
    """CMS Medicare Physician & Other Practitioners by Provider and Service (aggregated)."""
    header = ["Rndrng_NPI", "Rndrng_Prvdr_Last_Org_Name", "HCPCS_Cd", "HCPCS_Desc",
              "Place_Of_Srvc", "Tot_Benes", "Tot_Srvcs", "Avg_Mdcr_Pymt_Amt"]  # fmt: skip
    rows = [
        ["1111111111", "Alpha", "99214", "Office o/p est mod 30 min", "O", "120", "310.5", "98.12"],
        ["1111111111", "Alpha", "74177", "Ct abd & pelvis w/contrast", "F", "45", "45", "80.2"],
    ]
    return _write(d / "MUP_PHY_R26_P05_V10_D24_Prov_Svc.csv", header, rows)


# ----------------------------------------------------------------------------- survey files
# One made-up cell set (Interventional Radiology, 2025, national), as the tidy layout holds it:
# metric -> (n, mean, p10, p25, p50, p75, p90)
SURVEY = {
    "wrvu": (212, 8950, 5600, 7100, 8800, 10600, 12700),
    "total_compensation": (208, 610000, 420000, 500000, 590000, 700000, 820000),
    "compensation_per_wrvu": (205, 71.5, 52.1, 60.4, 68.9, 79.3, 92.0),
}
_PCTS = (10, 25, 50, 75, 90)


def survey_tidy(d: Path) -> Path:
    header = ["source", "survey_year", "specialty", "region", "metric", "n_providers", "mean",
              "p10", "p25", "p50", "p75", "p90"]  # fmt: skip
    rows = [["Made-up survey", 2025, "Interventional Radiology", "National", m, *v]
            for m, v in SURVEY.items()]  # fmt: skip
    return _write(d / "survey_tidy.csv", header, rows)


def _names_rows(names: dict[str, str], lead: list[str]) -> list[list[object]]:
    return [[*lead, names[m], *v] for m, v in SURVEY.items()]


def survey_mgma_like(d: Path) -> Path:
    """DataDive-like: title rows carry the year, "Measure", "Provider Count", "Average",
    "10th %tile" .. "Median", "Radiology: Interventional"; no year column."""
    names = {"wrvu": "Work RVUs", "total_compensation": "Total Compensation",
             "compensation_per_wrvu": "Compensation to Work RVUs Ratio"}  # fmt: skip
    header = ["Specialty", "Measure", "Provider Count", "Average", "10th %tile", "25th %tile",
              "Median", "75th %tile", "90th %tile"]  # fmt: skip
    rows = _names_rows(names, ["Radiology: Interventional"])
    return _write(
        d / "mgma_like.csv",
        header,
        rows,
        title=["Provider Compensation and Production Report 2025", "(2024 data)"],
    )


def survey_amga_like(d: Path) -> Path:
    """AMGA-like: "Survey Year" column, "# Providers", "Mean", "25th Percentile",
    "Total Cash Compensation (TCC)", "TCC per Work RVU", "Radiology - Interventional"."""
    names = {"wrvu": "wRVUs", "total_compensation": "Total Cash Compensation (TCC)",
             "compensation_per_wrvu": "TCC per Work RVU"}  # fmt: skip
    header = ["Survey Year", "Specialty", "Measure", "# Providers", "Mean", "10th Percentile",
              "25th Percentile", "50th Percentile", "75th Percentile", "90th Percentile"]  # fmt: skip
    rows = _names_rows(names, [2025, "Radiology - Interventional"])
    return _write(d / "amga_like.csv", header, rows)


def survey_gallagher_like(d: Path) -> Path:
    """Gallagher-like: "Metric", "No. of Physicians", "50th %ile", "Compensation per Work
    RVU", "Radiology, interventional", a "Year" column at the end."""
    names = {"wrvu": "Work RVUs", "total_compensation": "TCC",
             "compensation_per_wrvu": "Compensation per Work RVU"}  # fmt: skip
    header = ["Specialty", "Metric", "No. of Physicians", "Average", "10th %ile", "25th %ile",
              "50th %ile", "75th %ile", "90th %ile"]  # fmt: skip
    rows = [[*r, 2025] for r in _names_rows(names, ["Radiology, interventional"])]
    return _write(d / "gallagher_like.csv", [*header, "Year"], rows)


def survey_medaxiom_like(d: Path) -> Path:
    """MedAxiom-like: "Specialty" + "Subspecialty", "n", bare "10th".."90th", year in the
    title row, "Total Compensation"."""
    names = {"wrvu": "wRVUs", "total_compensation": "Total Compensation",
             "compensation_per_wrvu": "Compensation per wRVU"}  # fmt: skip
    header = ["Specialty", "Subspecialty", "Measure", "n", "Average", "10th", "25th", "50th",
              "75th", "90th"]  # fmt: skip
    rows = _names_rows(names, ["Radiology", "Interventional"])
    return _write(d / "medaxiom_like.csv", header, rows, title=["2025 Provider Survey"])


def survey_sullivancotter_like(d: Path) -> Path:
    """SullivanCotter-like workbook: a cover sheet first, one single-metric sheet per metric
    (the metric named in a title row, no metric column), "Subspecialty", "# Incumbents",
    no year anywhere (given by option)."""
    from openpyxl import Workbook

    titles = {"wrvu": "Work RVUs", "total_compensation": "Total Cash Compensation (TCC)",
              "compensation_per_wrvu": "TCC per Work RVU"}  # fmt: skip
    wb = Workbook()
    wb.active.title = "Cover"
    wb.active.append(["Physician Compensation Survey - made-up data"])
    for metric, (n, mean, *pcts) in SURVEY.items():
        ws = wb.create_sheet(titles[metric])
        ws.append([titles[metric]])
        ws.append([])
        ws.append(["Subspecialty", "# Incumbents", "Average", "10th", "25th", "50th", "75th",
                   "90th"])  # fmt: skip
        ws.append(["Interventional Radiology", n, mean, *pcts])
    path = d / "sullivancotter_like.xlsx"
    wb.save(path)
    return path


SURVEYS: dict[str, Callable[[Path], Path]] = {
    "mgma_like": survey_mgma_like,
    "amga_like": survey_amga_like,
    "gallagher_like": survey_gallagher_like,
    "medaxiom_like": survey_medaxiom_like,
}


def main(out: str) -> None:
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    for build in [*LINE_LOGS.values(), synpuf_carrier_claims, cms_by_provider_and_service,
                  survey_tidy, *SURVEYS.values(), survey_sullivancotter_like]:  # fmt: skip
        print(build(d))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "export_shapes")
