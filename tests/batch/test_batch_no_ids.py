"""A department log without patient or encounter ids: each clinician's report states the
as-billed rule and the other reading (each day one patient), computed in one extra
department pass (``pricing.engine.OTHER_READING_COLUMN``).

RVU26C work RVUs: 27130 19.11, 69436 1.96 (both MULT PROC 2); 99213 1.30 (MULT PROC 0).
"""

from __future__ import annotations

import pypdf

from rvubench.batch.run import BatchOptions, run_batch

LOG = """provider_id,date_of_service,hcpcs,modifiers,units,pos
S1,2026-05-04,27130,,1,22
S1,2026-05-04,69436,,1,22
F1,2026-05-05,99213,,1,11
F1,2026-05-05,99213,,1,11
"""
ROSTER = """provider_id,name,specialty,clinical_fte,total_fte,total_compensation,locality
S1,Sam Surgeon,Orthopedic Surgery,1.0,1.0,600000,
F1,Fay Family,Family Medicine,1.0,1.0,260000,
"""


def _page1(path) -> str:
    return " ".join(pypdf.PdfReader(path).pages[0].extract_text().split())


def test__batch_reports_state_the_no_id_rule_and_the_other_reading(tmp_path):
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "roster.csv").write_text(ROSTER)
    out = tmp_path / "out"
    outcome = run_batch(
        BatchOptions(
            logs=(tmp_path / "log.csv",),
            roster=tmp_path / "roster.csv",
            out_dir=out,
            period="2026Q2",
            jobs=1,
            formats=("pdf",),
        )
    )
    assert outcome.exit_code == 0, outcome.failures
    surgeon = _page1(next(out.glob("S1*.pdf")))
    # as billed: 19.11 + 1.96 = 21.07; one patient's day: 19.11 + 1.96 x 0.5 = 20.09;
    # 20.09 - 21.07 = -0.98; -0.98 / 21.07 = -4.65% -> -4.7%
    assert (
        "priced as billed (only lines carrying 51 reduced): 21.07 wRVUs. If each day were "
        "one patient: 20.09 wRVUs (-0.98 wRVUs, -4.7%)."
    ) in surgeon
    # two office visits (MULT PROC 0) are never reduced: 1.30 x 2 = 2.60 either way
    family = _page1(next(out.glob("F1*.pdf")))
    assert (
        "priced as billed (only lines carrying 51 reduced): 2.60 wRVUs; ranking each day "
        "as one patient would credit the same."
    ) in family
