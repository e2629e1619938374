"""`rvubench lookup`: the card's values are hand-computed from the CMS RVU26C / RVU25D files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rvubench.cli import cli
from rvubench.errors import UsageProblem
from rvubench.feeschedule.lookup import LOOKUP_KEYS, category_stats, lookup_code


def test_lookup_47383_card(fees):
    card = lookup_code("47383", fees=fees)
    assert card["work_rvu"] == 8.66
    assert card["global_days"] == "010"
    assert card["status"] == "A"
    assert (card["total_rvu_facility"], card["total_rvu_nonfacility"]) == (12.07, 174.34)
    # national: 12.07 x 33.4009 = 403.148863 -> 403.15; 174.34 x 33.4009 = 5823.112906 -> 5823.11
    assert card["payment_facility"] == 403.15
    assert card["payment_nonfacility"] == 5823.11
    assert card["conversion_factor"] == 33.4009
    assert card["locality"] == "national"
    assert card["fee_schedule_release"] == "RVU26C"
    assert card["category"] == "Surgery"
    # Surgery global rows with work > 0, any status: 52.86% have a smaller work RVU -> 53
    assert card["category_percentile"] == 53
    # median of that set 7.995, shown half-up as 8.00 (float round would give 7.99)
    assert card["category_median"] == 8.00
    assert card["category_max"] == 106.19
    # 8.66 / 7.995 = 1.0832 -> 1.1
    assert card["ratio_to_median"] == 1.1


def test_category_stats_exact(fees):
    rows = fees.release("RVU26C").rows
    stats = category_stats(rows, "Surgery", 8.66)
    assert round(stats["percentile"], 2) == 52.86
    assert stats["median"] == pytest.approx(7.995)
    assert stats["max"] == 106.19


def test_lookup_year_2025(fees):
    card = lookup_code("47383", year=2025, fees=fees)
    assert card["fee_schedule_release"] == "RVU25D"
    assert card["work_rvu"] == 8.88
    # RVU25D totals 13.39 / 169.07 at CF 32.3465:
    # 13.39 x 32.3465 = 433.119635 -> 433.12; 169.07 x 32.3465 = 5468.822755 -> 5468.82
    assert card["payment_facility"] == 433.12
    assert card["payment_nonfacility"] == 5468.82
    assert card["conversion_factor"] == 32.3465


def test_lookup_zip_alabama(fees):
    card = lookup_code("47383", zip_code="35203", fees=fees)
    # 35203 -> 10112-00 (Alabama); GPCI 2026 work 1.000 (floor), PE 0.875, MP 0.566
    # facility: 8.66 + 2.29x0.875 + 1.12x0.566 = 8.66 + 2.00375 + 0.63392 = 11.29767
    # 11.29767 x 33.4009 = 377.352345 -> 377.35
    assert card["locality"] == "10112-00"
    assert card["payment_facility"] == 377.35


def test_lookup_professional_component(fees):
    card = lookup_code("70553", modifier="26", fees=fees)
    # 70553-26: 3.15 x 33.4009 = 105.212835 -> 105.21 in both settings
    assert card["work_rvu"] == 2.23
    assert card["payment_facility"] == card["payment_nonfacility"] == 105.21
    assert card["category"] == "Radiology"


def test_lookup_status_c_has_no_payment(fees):
    card = lookup_code("70555", fees=fees)
    assert card["status"] == "C"
    assert card["payment_facility"] is None and card["payment_nonfacility"] is None
    assert card["category_percentile"] is None
    assert any("2.48" in n for n in card["notes"])


def test_lookup_unknown_code_and_year(fees):
    with pytest.raises(UsageProblem, match="9999Z is not in the fee schedule"):
        lookup_code("9999Z", fees=fees)
    with pytest.raises(UsageProblem, match="no 2019 fee schedule"):
        lookup_code("47383", year=2019, fees=fees)


def test_cli_lookup_text():
    result = CliRunner().invoke(cli, ["lookup", "47383"])
    assert result.exit_code == 0, result.output
    out = result.output
    # 52.86% of the Surgery codes with a work RVU have a smaller one: a rank, in words
    for text in (
        "8.66",
        "010",
        "$403.15",
        "$5,823.11",
        "Surgery",
        "higher than 53% of the 5,734 Surgery codes with a work RVU",
        "median 8.00",
        "highest 106.19",
        "this code 1.1 times the median",
    ):
        assert text in out, text


def test_bilateral_notes_in_words():
    from rvubench.feeschedule.lookup import plain_note

    assert plain_note("bilateral (ind 0): 150% does not apply, 100%").startswith(
        "bilateral surgery rules do not apply to this code (CMS indicator 0)"
    )
    assert "150% of one side" in plain_note("bilateral (ind 1): 150%")
    assert plain_note("MPPR rank 2: 50%") == "MPPR rank 2: 50%"


def test_cli_lookup_json():
    result = CliRunner().invoke(cli, ["lookup", "47383", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(LOOKUP_KEYS) <= set(data)
    assert data["payment_facility"] == 403.15 and data["category_percentile"] == 53


def test_cli_lookup_year_and_errors():
    result = CliRunner().invoke(cli, ["lookup", "47383", "--year", "2025", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["fee_schedule_release"] == "RVU25D"
    bad = CliRunner().invoke(cli, ["lookup", "9999Z"])
    assert bad.exit_code == 2
    assert "Error: code 9999Z is not in the fee schedule" in bad.output
    assert "Traceback" not in bad.output


def test_lookup_code_without_global_row_shows_its_26_row(fees):
    card = lookup_code("86153", fees=fees)
    # 86153 has only a 26 row (PC/TC indicator 6, lab interpretation)
    assert card["modifier"] == "26"
    assert any("no global row" in n for n in card["notes"])
