"""Build the hostile-input corpus the tests in tests/test_hostile_inputs.py read.

Nothing here is committed as a binary: every file is written from a few lines of Python into
a folder (a pytest ``tmp_path`` in the tests). Run it by hand to look at the files:

    python tests/make_fuzz_corpus.py /tmp/fuzz

Workbooks are written as minimal OOXML zips by hand (no writer library would produce a
hidden first sheet, a lying extent or a zip bomb on purpose).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HEADER = ["provider_id", "date_of_service", "hcpcs", "modifiers", "units", "pos"]

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}{sst}</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_xml(rows: list[list[str]], extra: str = "", dimension: str | None = None) -> str:
    """Inline-string cells, row by row from A1; ``extra`` is raw XML put after the rows."""
    out = []
    for i, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{_col(j)}{i}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
            for j, v in enumerate(row, start=1)
            if v != ""
        )
        out.append(f'<row r="{i}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"<worksheet {_NS}>{dim}<sheetData>{''.join(out)}{extra}</sheetData></worksheet>"


def write_xlsx(path: Path, sheets: list[tuple[str, str, str]], sst: bytes | None = None) -> Path:
    """``sheets``: (name, state "visible"/"hidden"/"veryHidden", worksheet XML)."""
    wb_sheets = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}"'
        + (f' state="{state}"' if state != "visible" else "")
        + f' r:id="rId{i}"/>'
        for i, (name, state, _x) in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if sst is not None:
        rels += (
            f'<Relationship Id="rId{len(sheets) + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    ct_sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    ct_sst = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if sst is not None
        else ""
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT.format(sheets=ct_sheets, sst=ct_sst))
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr(
            "xl/workbook.xml", f"<workbook {_NS} {_RNS}><sheets>{wb_sheets}</sheets></workbook>"
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        for i, (_n, _s, xml) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if sst is not None:
            z.writestr("xl/sharedStrings.xml", sst)
    return path


LOG_ROWS = [
    HEADER,
    ["DR1", "2026-07-01", "99213", "", "1", "11"],
    ["DR1", "2026-07-02", "99214", "", "1", "11"],
]


# ----------------------------------------------------------------------------- the corpus
def reordered_header_csv(folder: Path) -> Path:
    """Two exports appended: the second header has units and pos swapped."""
    second = ["provider_id", "date_of_service", "hcpcs", "modifiers", "pos", "units"]
    lines = [
        ",".join(HEADER),
        "DR1,2026-07-01,99213,,1,11",
        ",".join(second),
        "DR1,2026-07-02,99213,,11,1",
    ]
    return _text(folder / "reordered_header.csv", lines)


FAR_CELLS = {
    # the last cell a sheet can have, in its own row
    "last": '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    # the reference not first among the attributes
    "late_ref": '<row r="1048576"><c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row>',
    # a far cell inside an early row element (the cell's own reference is what counts)
    "in_row_2": '<row r="4"><c r="XFA1048000" t="inlineStr"><is><t>x</t></is></c></row>',
    # beyond the last cell a worksheet can have (refused)
    "beyond": '<row r="4"><c r="A40000000000" t="inlineStr"><is><t>x</t></is></c></row>',
    # a smaller sprawl: 26 columns x 200,000 rows for 17 cells
    "mid": '<row r="200000"><c r="Z200000" t="inlineStr"><is><t>x</t></is></c></row>',
}


def far_cell_xlsx(
    folder: Path, rows: list[list[str]] | None = None, name="far_cell.xlsx", kind: str = "last"
) -> Path:
    """A small log plus one value far away (by default at XFD1048576)."""
    far = FAR_CELLS[kind]
    xml = sheet_xml(rows or LOG_ROWS, extra=far, dimension="A1:XFD1048576")
    return write_xlsx(folder / name, [("Log", "visible", xml)])


def hidden_first_sheet_xlsx(folder: Path, state: str = "hidden") -> Path:
    """A hidden first sheet holding another log (99215 x 9) before the visible one."""
    hidden = sheet_xml([HEADER, ["OLD", "2026-07-01", "99215", "", "9", "11"]])
    return write_xlsx(
        folder / f"{state}_first.xlsx",
        [("Old", state, hidden), ("Log", "visible", sheet_xml(LOG_ROWS))],
    )


def string_bomb_xlsx(folder: Path, mib: int = 64) -> Path:
    """A shared-string table of ``mib`` MiB of one repeated string: ~1000x compression."""
    sst_head = f'<sst {_NS} count="1" uniqueCount="1"><si><t>'.encode()
    body = b"A" * (mib << 20)
    sst = sst_head + body + b"</t></si></sst>"
    path = write_xlsx(
        folder / "string_bomb.xlsx", [("Log", "visible", sheet_xml(LOG_ROWS))], sst=sst
    )
    del body, sst
    return path


def control_chars_csv(folder: Path) -> Path:
    """ESC, DEL, a C1 control and NUL (after the first 64 KB) in provider ids."""
    pad = ["DR1,2026-07-01,99213,,1,11"] * 3000  # > 64 KB before the NUL
    lines = [
        ",".join(HEADER),
        "DR\x1b[31mX,2026-07-01,99213,,1,11",
        "DR\x7fY,2026-07-01,99213,,1,11",
        *pad,
        "DR\x00Z\x85,2026-07-01,99213,,1,11",
    ]
    return _text(folder / "control_chars.csv", lines)


def formula_csv(folder: Path) -> Path:
    """Formula-like provider ids and codes (the classic CSV-injection payloads)."""
    lines = [
        ",".join(HEADER),
        "=cmd|' /C calc'!A0,2026-07-01,99213,,1,11",
        '"=HYPERLINK(""http://x"",""y"")",2026-07-01,=1+1,,1,11',
        "@SUM(1+1),2026-07-01,99213,,1,11",
        '"\t=1+2",2026-07-01,-2+3,,1,11',
        "+1,2026-07-01,99213,,1,11",
    ]
    return _text(folder / "formula.csv", lines)


def _text(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


ALL = [
    reordered_header_csv,
    far_cell_xlsx,
    hidden_first_sheet_xlsx,
    control_chars_csv,
    formula_csv,
    string_bomb_xlsx,
]


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "fuzz_corpus")
    folder.mkdir(parents=True, exist_ok=True)
    for make in ALL:
        print(make(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
