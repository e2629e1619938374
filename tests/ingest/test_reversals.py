"""--net-reversals nets a reversal against its charge exactly; without it the reversal is
rejected. RVU26C, national, office (POS 11): 99213 = 1.30 + 1.46 + 0.09 = 2.85 x 33.4009
= 95.192565 -> 95.19 per unit, 1.30 wRVU per unit."""

from __future__ import annotations

from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.ingest.log import read_log
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.summary import accounting

LOG = """provider_id,date_of_service,hcpcs,units,pos
A,2026-07-06,99213,3,11
A,2026-07-06,99213,-1,11
A,2026-07-07,99213,1,11
A,2026-07-07,99213,-1,11
"""


def _priced(tmp_path, net):
    f = tmp_path / "log.csv"
    f.write_text(LOG, encoding="utf-8")
    lines = read_log(f, net_reversals=net).lines
    return price_lines(lines, load_fee_schedules(), PricingSettings())


def test__netted(tmp_path):
    p = _priced(tmp_path, True)
    # row 2: 3 units - 1 reversed = 2 units: 2 x 95.19 = 190.38; 2 x 1.30 = 2.60 wRVU
    # rows 4 and 5 cancel out; row 3 (the reversal of row 2) is credited zero
    assert p["payment_cents"].tolist() == [19038, 0, 0, 0]
    assert p["wrvu_credit"].tolist() == [2.60, 0.0, 0.0, 0.0]
    assert p["outcome"].tolist() == ["priced", "zero", "zero", "zero"]
    assert "1 unit(s) reversed by row 3" in p["adjustments"].iloc[0]
    assert p["reason"].iloc[2] == "reversed by row 5 (--net-reversals)"
    acc = accounting(p)
    assert (acc["rows_read"], acc["rows_priced"], acc["rows_zero"], acc["rows_rejected"]) == (
        4,
        1,
        3,
        0,
    )


def test__not_netted_rejects_reversals(tmp_path):
    p = _priced(tmp_path, False)
    # row 2: 3 x 95.19 = 285.57; row 4: 95.19; rows 3 and 5 rejected
    assert p["payment_cents"].fillna(0).tolist() == [28557, 0, 9519, 0]
    assert p["outcome"].tolist() == ["priced", "rejected", "priced", "rejected"]
    assert "use --net-reversals" in p["reason"].iloc[1]
