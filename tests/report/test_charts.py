"""Hand-built SVG charts: valid XML, one bar per month, escaped labels, marker placement."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rvubench.report.charts import monthly_bars, percentile_bar, top_code_bars

NS = {"s": "http://www.w3.org/2000/svg"}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test__monthly_bars__one_bar_per_month_zero_months_kept():
    svg = _parse(monthly_bars([("Jul", 380.96), ("Aug", 0.0), ("Sep", 402.93)]))
    bars = svg.findall("s:rect", NS)
    assert len(bars) == 3
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == 0.0  # Aug: a zero month is an empty slot, not a gap in the axis
    # axis top is 500 (next 1/2/2.5/5 step above 402.93): plot height 190-22-40 = 128
    # Sep bar = 128 x 402.93 / 500 = 103.15
    assert abs(heights[2] - 128 * 402.93 / 500) < 0.06
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "402.93" in texts and "0.00" in texts and "Aug" in texts


def test__top_code_bars__labels_are_escaped():
    svg = top_code_bars([("<script>", 10.0), ("99213", 5.0)])
    assert "<script>" not in svg
    root = _parse(svg)
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<script>" in labels  # parsed back as text
    widths = [float(r.get("width")) for r in root.findall("s:rect", NS)]
    assert widths[1] == widths[0] / 2  # 5.0 is half of 10.0


def test__percentile_bar__marker_at_interpolated_percentile():
    anchors = [(10, 3000.0), (25, 3800.0), (50, 4800.0), (75, 6000.0), (90, 7500.0)]
    svg = _parse(
        percentile_bar(anchors, 62.5, "within", marker_label="62.5th", value_label="5,400")
    )
    marker = [ln for ln in svg.findall("s:line", NS) if ln.get("stroke-width") == "3"]
    # x = left 20 + plot width 640 x 62.5 / 100 = 420
    assert float(marker[0].get("x1")) == 420.0
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "62.5th  (5,400)" in texts
    assert {"p10", "p25", "p50", "p75", "p90"} <= set(texts)


def test__percentile_bar__below_range_sits_left_of_p10():
    anchors = [(10, 3000.0), (90, 7500.0)]
    svg = _parse(percentile_bar(anchors, None, "below", marker_label="below p10"))
    marker = [ln for ln in svg.findall("s:line", NS) if ln.get("stroke-width") == "3"]
    # p10 is at x = 20 + 640 x 0.10 = 84; the marker sits at p5: 20 + 640 x 0.05 = 52
    assert float(marker[0].get("x1")) == 52.0
