"""`rvubench price`: reads a log, writes one priced row per input row, atomically."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from rvubench.cli import cli

LOG = """provider_id,date_of_service,hcpcs,modifiers,units,pos,patient_name
DR1,2026-08-03,99213,,1,11,Jane Doe
DR1,2026-08-03,99213,,1,22,Jane Doe
DR1,not a date,99214,,1,11,John Roe
DR1,2026-08-04,36000,,1,11,John Roe
DR1,2026-08-05,70553,26,1,11,Ann Poe
"""


def _run(tmp_path, *args, log=LOG):
    src = tmp_path / "log.csv"
    src.write_text(log, encoding="utf-8")
    out = tmp_path / "out" / "priced.csv"
    result = CliRunner().invoke(cli, ["price", str(src), "-o", str(out), *args])
    return result, out


def test_price_writes_every_row_in_order(tmp_path):
    result, out = _run(tmp_path)
    assert result.exit_code == 1, result.output  # one row rejected
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["source_row"] for r in rows] == ["2", "3", "4", "5", "6"]
    # 99213 office 2.85 x 33.4009 = 95.19; facility 1.72 x 33.4009 = 57.45
    assert [r["payment"] for r in rows[:2]] == ["95.19", "57.45"]
    assert rows[0]["priced"] == "true" and rows[0]["wrvu_credit"] == "1.3"
    assert rows[2]["priced"] == "false" and "date_of_service" in rows[2]["reason"]
    assert "row 4" in rows[2]["reason"]
    assert rows[3]["priced"] == "false" and "status B" in rows[3]["reason"]
    # 70553-26: 3.15 x 33.4009 = 105.21
    assert rows[4]["payment"] == "105.21" and rows[4]["work_rvu"] == "2.23"
    assert "patient_name" not in rows[0] and "Jane" not in out.read_text(encoding="utf-8")
    assert "rows read 5 = priced 3 + credited zero 1 + rejected 1" in result.output
    assert list(out.parent.glob("*.part")) == []


def test_price_exit_0_and_locality(tmp_path):
    log = "provider_id,date_of_service,hcpcs,units,pos\nDR1,2026-08-03,99213,1,11\n"
    result, out = _run(tmp_path, "--locality", "01182-18", log=log)
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    # 1.30x1.041 + 1.46x1.183 + 0.09x0.664 = 3.14024 x 33.4009 = 104.886842 -> 104.89
    assert (row["locality"], row["payment"]) == ("01182-18", "104.89")


def test_price_bad_locality_is_a_usage_error(tmp_path):
    result, out = _run(tmp_path, "--locality", "99999-99")
    assert result.exit_code == 2
    assert "Error:" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_price_pauses_the_cyclic_gc_only_while_it_runs(tmp_path, monkeypatch):
    """The collector is off during the run (no collection starts) and on again after it,
    also when the run fails."""
    import gc

    from rvubench.pricing import engine

    seen = []
    real = engine.price_lines

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "price_lines", spy)
    assert gc.isenabled()
    result, _ = _run(tmp_path)
    assert result.exit_code == 1 and seen == [False] and gc.isenabled()
    bad = _run(tmp_path, "--locality", "99999-99")[0]  # raises inside the run
    assert bad.exit_code == 2 and gc.isenabled()
