"""`--fee-schedule`: a user's own CMS file joins the bundled releases and each line is priced
on the release in effect on its date of service."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from _lines import make_lines
from rvubench.cli import cli
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings


@pytest.fixture()
def january_file(tmp_path, data_dir):
    """The July excerpt turned into a January 2026 release in which 47383's work RVU is
    9.00 instead of 8.66 (so the two releases can be told apart)."""
    text = (data_dir / "cms" / "PPRRVU2026_Jul_nonQPP_excerpt.csv").read_text(encoding="utf-8")
    text = text.replace("Value File July Release", "Value File January Release")
    old = "47383,,User file CPT descriptor 47383,A,,8.66,164.56,,2.29,,1.12,174.34,12.07"
    assert old in text
    text = text.replace(
        old, old.replace(",8.66,", ",9.00,").replace("174.34,12.07", "174.68,12.41")
    )
    path = tmp_path / "PPRRVU2026_Jan_nonQPP.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_line_priced_on_the_release_in_effect(january_file):
    fees = load_fee_schedules([january_file])
    lines = make_lines(
        [
            dict(hcpcs="47383", pos="22", date_of_service="2026-03-02"),
            dict(hcpcs="47383", pos="22", date_of_service="2026-08-03", provider_id="P2"),
        ]
    )
    p = price_lines(lines, fees, PricingSettings())
    jan, jul = p.iloc[0], p.iloc[1]
    assert jan["fee_schedule_release"] == "RVU26A"
    # January: 9.00 + 2.29 + 1.12 = 12.41 x 33.4009 = 414.505169 -> 414.51
    assert (jan["work_rvu"], jan["wrvu_credit"], jan["payment"]) == (9.00, 9.00, 414.51)
    assert "does not cover" not in jan["adjustments"]
    assert jan["description"] == "User file CPT descriptor 47383"  # the user's file has them
    # July (bundled RVU26C): 12.07 x 33.4009 = 403.148863 -> 403.15
    assert jul["fee_schedule_release"] == "RVU26C"
    assert (jul["work_rvu"], jul["payment"]) == (8.66, 403.15)


def test_cli_fee_schedule_option(tmp_path, january_file):
    log = tmp_path / "log.csv"
    log.write_text(
        "provider_id,date_of_service,hcpcs,units,pos\nDR1,2026-03-02,47383,1,22\n", encoding="utf-8"
    )
    out = tmp_path / "priced.csv"
    result = CliRunner().invoke(
        cli, ["price", str(log), "-o", str(out), "--fee-schedule", str(january_file)]
    )
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert (row["fee_schedule_release"], row["payment"]) == ("RVU26A", "414.51")


def test_rvu_year_forces_the_fee_schedule_year(fees):
    lines = make_lines([dict(hcpcs="99213", date_of_service="2026-08-03")])
    p = price_lines(lines, fees, PricingSettings(rvu_year=2025))
    # RVU25D 99213: 2.75 x 32.3465 = 88.952875 -> 88.95
    assert p["fee_schedule_release"].iloc[0] == "RVU25D"
    assert p["payment"].iloc[0] == 88.95
