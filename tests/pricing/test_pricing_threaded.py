"""The threaded column hashing used on large logs gives exactly the serial result."""

from __future__ import annotations

import pandas as pd

import rvubench.pricing.engine as pricing
import rvubench.pricing.keys as keys
from _lines import make_lines
from rvubench.pricing.settings import PricingSettings


def test__threaded_hashing_same_result(fees, monkeypatch):
    rows = [dict(hcpcs=c, modifiers=m, pos=p, provider_id=prov, date_of_service=d)
            for c, m, p in (("27130", "", "22"), ("69436", "50", "22"), ("11042", "", "22"),
                            ("99213", "25", "11"), ("70553", "26", "22"), ("29807", "", "24"))
            for prov in ("P1", "P2") for d in ("2026-08-03", "2026-08-04")]  # fmt: skip
    lines = make_lines(rows)
    serial = pricing.price_lines(lines, fees, PricingSettings())
    monkeypatch.setattr(keys, "_THREADED_LINES", 1)  # read where the encoding runs
    monkeypatch.setattr(keys.os, "cpu_count", lambda: 2)
    threaded = pricing.price_lines(lines, fees, PricingSettings())
    pd.testing.assert_frame_equal(serial, threaded)
    assert serial["payment_cents"].sum() > 0
