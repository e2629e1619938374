"""Write the synthetic procedure logs in ``sample_data/`` (deterministic; no real patients).

Every code below was checked by hand against the CMS RVU26C file (PPRRVU2026_Jul_nonQPP.csv):
status, global days and PC/TC indicator are noted next to the less common ones. Run:

    python scripts/make_sample_data.py            # rewrites sample_data/
    python scripts/make_sample_data.py --out DIR  # somewhere else
    python scripts/make_sample_data.py --scale 1000000 --clinicians 500 --out DIR
        # DIR/log.csv and DIR/roster.csv: a real-shaped department log (perf/)

The output is byte-identical from run to run (fixed seed, no timestamps).
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 2026
# patient_mrn holds synthetic ids (SYN-...): rvubench drops the column on reading and keeps
# only a keyed hash of it, so procedures rank per patient and global periods follow one patient.
LOG_HEADER = ["provider_id", "date_of_service", "hcpcs", "modifiers", "units", "pos",
              "patient_mrn"]  # fmt: skip


class Patients:
    """Synthetic patient ids from their own random stream (the line stream is unchanged)."""

    def __init__(self, seed: int, prefix: str, panel: int):
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.panel = panel
        self.n = 0

    def new(self) -> str:
        self.n += 1
        return f"SYN-{self.prefix}{self.n:05d}"

    def returning(self) -> str:
        """A patient of the clinician's panel (repeat visits happen)."""
        return f"SYN-{self.prefix}P{self.rng.randrange(self.panel):05d}"


@dataclass(frozen=True)
class Line:
    """One log line as written to the clean sample files."""

    provider_id: str
    dos: date
    hcpcs: str
    modifiers: str = ""
    units: int = 1
    pos: str = "11"
    patient: str = ""

    def row(self) -> list[str]:
        return [
            self.provider_id,
            self.dos.isoformat(),
            self.hcpcs,
            self.modifiers,
            str(self.units),
            self.pos,
            self.patient,
        ]


def workdays(start: date, end: date) -> list[date]:
    """Monday-Friday dates from start to end inclusive, minus a few US holidays."""
    holidays = {
        date(2025, 7, 4), date(2025, 9, 1), date(2025, 11, 27), date(2025, 12, 25),
        date(2026, 1, 1), date(2026, 5, 25), date(2026, 7, 3), date(2026, 9, 7),
    }  # fmt: skip
    out, d = [], start
    while d <= end:
        if d.weekday() < 5 and d not in holidays:
            out.append(d)
        d += timedelta(days=1)
    return out


def pick(rng: random.Random, table: list[tuple]) -> tuple:
    """Weighted choice; the weight is the last element of each tuple."""
    return rng.choices(table, weights=[t[-1] for t in table], k=1)[0]


# ---------------------------------------------------------------- interventional radiology
# (code, modifiers, pos, weight). Global days from RVU26C: 47383/47382/50593/36561/36558/
# 47490/36590 = 010; 32998/37243/37244/47000/49180/49083/32555/10030/49406/50432/36569 = 000;
# imaging PCs (26) = XXX, 77001/76937/77012? 77012 is XXX, 77001 and 76937 are ZZZ add-ons.
IR_PROCEDURES = [
    ("47000", "", "22", 10), ("49180", "", "22", 8), ("49083", "", "22", 10),
    ("32555", "", "22", 7), ("10030", "", "22", 5), ("49406", "", "21", 4),
    ("50432", "", "22", 4), ("36569", "", "21", 6), ("37243", "", "22", 3),
    ("37244", "", "21", 2), ("32998", "", "22", 2), ("47535", "", "22", 2),
]  # fmt: skip
IR_010 = [("47383", "", "22", 3), ("47382", "", "22", 3), ("50593", "", "22", 2),
          ("36561", "", "22", 5), ("36558", "", "22", 3), ("47490", "", "21", 1),
          ("36590", "", "22", 2)]  # fmt: skip
IR_IMAGING = [
    ("74177", "26", "22", 10), ("71260", "26", "22", 7), ("76942", "26", "22", 9),
    ("77012", "26", "22", 8), ("75989", "26", "22", 5), ("75984", "26", "22", 2),
    ("74183", "26", "22", 2), ("71250", "26", "22", 3), ("76937", "26", "22", 3),
    ("77001", "26", "22", 3),
]  # fmt: skip
IR_EM = [
    ("99204", "", "11", 4), ("99213", "", "11", 5), ("99214", "", "19", 5),
    ("99223", "", "21", 3), ("99232", "", "21", 5),
]  # fmt: skip


def make_ir_quarter(rng: random.Random) -> list[Line]:
    """~500 lines for IR-1001 in 2026Q3, with the global-period cases at fixed dates."""
    pid = "IR-1001"
    pts = Patients(SEED + 100, "IR", 900)
    days = workdays(date(2026, 7, 1), date(2026, 9, 30))
    gp1, gp2, gp3 = "SYN-GP0001", "SYN-GP0002", "SYN-GP0003"  # patients of the global cases
    special = {
        # 090 procedure (37761, ligation of perforator veins, global 090) on Jul 2 with the
        # decision-for-surgery visit 99223-57 the day before; its window runs to Sep 30.
        date(2026, 7, 1): [("99223", "57", "21", gp1)],
        date(2026, 7, 2): [("37761", "", "22", gp1)],
        date(2026, 7, 16): [("99024", "", "11", gp1)],  # post-op visit (status B, no payment)
        date(2026, 8, 3): [("47383", "", "22", gp2), ("76940", "26", "22", gp2)],  # 010, day 0
        date(2026, 7, 31): [("99213", "", "11", gp1)],  # day 29 after the 090: no modifier
        date(2026, 8, 13): [("99213", "24", "11", gp1)],  # unrelated visit in the global, -24
        date(2026, 8, 14): [("99213", "", "11", gp2)],  # day 11 after the 010 code on Aug 3
        date(2026, 8, 20): [("99024", "", "11", gp1)],
        date(2026, 8, 27): [("47000", "", "22", gp1)],  # procedure in the global, no 58/78/79
        date(2026, 9, 10): [("49083", "79", "22", gp1)],  # unrelated procedure, modifier 79
        date(2026, 9, 30): [("99214", "", "11", gp1)],  # day 90 after Jul 2: last day inside
    }
    # no random 010 procedure in the 12 days before a special visit (keeps the cases clean)
    quiet = {d + timedelta(days=k) for d in (date(2026, 8, 14),) for k in range(-12, 1)}
    lines: list[Line] = []
    for day in days:
        for code, mods, pos, who in special.get(day, []):
            lines.append(Line(pid, day, code, mods, 1, pos, who))
        n_proc = rng.choice([5, 6, 6, 7, 7, 8])  # one patient each: ~9,000 wRVUs a year
        for _ in range(n_proc):
            who = pts.new()
            if day not in quiet and rng.random() < 0.22:
                code, mods, pos, _w = pick(rng, IR_010)
            else:
                code, mods, pos, _w = pick(rng, IR_PROCEDURES)
            if code == "50432" and rng.random() < 0.35:
                mods = "50"  # bilateral nephrostomy (BILAT SURG indicator 1)
            lines.append(Line(pid, day, code, mods, 1, pos, who))
            if code in ("47383", "47382", "50593", "32998", "47000", "49180"):
                guide = rng.choice(["77012", "76942"])  # CT or US guidance, PC only
                lines.append(Line(pid, day, guide, "26", 1, pos, who))
        for _ in range(rng.choice([1, 1, 2])):
            code, mods, pos, _w = pick(rng, IR_IMAGING)
            lines.append(Line(pid, day, code, mods, 1, pos, pts.new()))
        for _ in range(rng.choice([0, 1, 1, 2])):
            code, mods, pos, _w = pick(rng, IR_EM)
            lines.append(Line(pid, day, code, mods, 1, pos, pts.returning()))
    # a multiple-procedure day: port + embolization, second procedure with 51
    mp_day = date(2026, 9, 15)
    lines += [
        Line(pid, mp_day, "36561", "", 1, "22", gp3),
        Line(pid, mp_day, "37243", "51", 1, "22", gp3),
        Line(pid, mp_day, "75989", "26", 1, "22", gp3),
        Line(pid, mp_day, "99024", "", 1, "22", gp1),
    ]
    lines.sort(key=lambda ln: ln.dos)  # stable: keeps the within-day order
    return lines


# ---------------------------------------------------------------- office-based mixes
# Status N (99396/99397), X (36415, 81002, 90686) and E codes are included on purpose:
# real logs carry them and they are credited zero.
FM_MIX = [
    ("99213", "", 30), ("99214", "", 26), ("99215", "", 4), ("99212", "", 5),
    ("99203", "", 3), ("99204", "", 2), ("99202", "", 1), ("99205", "", 0.5),
    ("99396", "", 3), ("99397", "", 3), ("99497", "", 0.6),
    ("36415", "", 7), ("81002", "", 3), ("93000", "", 1.5), ("96127", "", 3),
    ("90471", "", 2), ("90686", "", 1.5), ("11102", "", 0.6), ("17110", "", 0.7),
    ("20610", "", 0.8), ("69210", "", 0.6),
]  # fmt: skip
IM_MIX = [
    ("99213", "", 24), ("99214", "", 30), ("99215", "", 8), ("99204", "", 3),
    ("99205", "", 1), ("99397", "", 3), ("G0439", "", 3), ("36415", "", 8),
    ("93000", "", 3), ("99497", "", 0.8), ("96127", "", 1.5), ("99495", "", 0.8),
]  # fmt: skip


def office_day(rng, pid, day, mix, n_lines, g2211_rate, pts: Patients) -> list[Line]:
    out = []
    for _ in range(n_lines):
        code, mods, _w = pick(rng, mix)
        units = 1
        if code == "96127":
            units = rng.choice([1, 1, 2])
        who = pts.returning()
        out.append(Line(pid, day, code, mods, units, "11", who))
        if code in ("99213", "99214", "99215") and rng.random() < g2211_rate:
            out.append(Line(pid, day, "G2211", "", 1, "11", who))
        if code in ("99396", "99397") and rng.random() < 0.3:
            out.append(Line(pid, day, "99213", "25", 1, "11", who))
    return out


def make_family_medicine(rng: random.Random) -> list[Line]:
    """~4,500 lines for FM-2001 from 2025-07-01 to 2026-09-30 (five quarters)."""
    lines = []
    pts = Patients(SEED + 101, "FM", 2200)
    for day in workdays(date(2025, 7, 1), date(2026, 9, 30)):
        if rng.random() < 0.04:  # vacation / CME days
            continue
        lines += office_day(rng, "FM-2001", day, FM_MIX, rng.randint(10, 16), 0.22, pts)
    return lines


# ---------------------------------------------------------------- department
SURG_GS = [
    ("99213", "", "11", 10), ("99214", "", "11", 6), ("99203", "", "11", 4),
    ("99204", "", "11", 3), ("99024", "", "11", 8), ("47562", "", "22", 2.5),
    ("47563", "", "22", 1.2), ("49505", "", "22", 2), ("49650", "", "22", 1),
    ("44970", "", "21", 1.5), ("19301", "", "22", 1), ("44204", "", "21", 0.5),
    ("43239", "", "22", 1.5), ("45380", "", "22", 1.5), ("99223", "57", "21", 1),
    ("99232", "", "21", 3),
]  # fmt: skip
ORTHO = [
    ("99213", "", "11", 10), ("99214", "", "11", 8), ("99204", "", "11", 3),
    ("99024", "", "11", 8), ("20610", "", "11", 5), ("73721", "26", "11", 1),
    ("27447", "", "21", 1.6), ("27130", "", "21", 1.2), ("29881", "", "22", 1.5),
    ("29827", "", "22", 0.8), ("27236", "", "21", 0.4), ("23472", "", "21", 0.3),
]  # fmt: skip
CARDIO = [
    ("99214", "", "11", 12), ("99215", "", "11", 4), ("99213", "", "11", 6),
    ("99204", "", "11", 2), ("93306", "26", "22", 8), ("93010", "", "22", 10),
    ("93458", "26", "21", 1.5), ("92928", "", "21", 0.6), ("78452", "26", "22", 3),
    ("93351", "26", "22", 2), ("93224", "", "11", 1), ("99232", "", "21", 4),
    ("99223", "", "21", 1.5), ("33208", "", "21", 0.2),
]  # fmt: skip
GI = [
    ("45380", "", "22", 12), ("45385", "", "22", 6), ("43239", "", "22", 9),
    ("43235", "", "22", 2), ("99213", "", "11", 5), ("99214", "", "11", 5),
    ("99204", "", "11", 2), ("99232", "", "21", 2),
]  # fmt: skip
DR = [
    ("71046", "26", "22", 30), ("74177", "26", "22", 10), ("71260", "26", "22", 6),
    ("70450", "26", "22", 8), ("72148", "26", "22", 4), ("73721", "26", "22", 3),
    ("76700", "26", "22", 5), ("74176", "26", "22", 4), ("70553", "26", "22", 3),
    ("77067", "26", "22", 6), ("71250", "26", "22", 4), ("74183", "26", "22", 1),
]  # fmt: skip
IR_DEPT = IR_PROCEDURES + IR_010 + IR_IMAGING + [(c, m, p, w * 0.6) for c, m, p, w in IR_EM]

# provider_id, name, specialty, clinical_fte, total_fte, total_compensation, locality,
# (mix, kind, lines per worked day: sized so each clinician lands near the sample's median)
ROSTER = [
    ("FM-3001", "Avery Holt, MD", "Family Medicine", 1.0, 1.0, 262000, "10112-00", (FM_MIX, "office", (11, 16))),
    ("FM-3002", "Blake Moreno, DO", "Family Medicine", 0.8, 0.8, 205000, "10112-00", (FM_MIX, "office", (10, 14))),
    ("FM-3003", "Casey Lindqvist, MD", "Family Medicine", 0.9, 1.0, 251000, "10112-00", (FM_MIX, "office", (9, 13))),
    ("IM-3101", "Dana Whitfield, MD", "Internal Medicine", 1.0, 1.0, 278000, "10112-00", (IM_MIX, "office", (10, 14))),
    ("IM-3102", "Elliot Park, MD", "Internal Medicine", 0.6, 0.6, 160000, "10112-00", (IM_MIX, "office", (9, 13))),
    ("GS-3201", "Frances Odum, MD", "General Surgery", 1.0, 1.0, 455000, "10112-00", (SURG_GS, "mixed", (8, 13))),
    ("GS-3202", "Gabriel Stone, MD", "General Surgery", 1.0, 1.0, 470000, "10112-00", (SURG_GS, "mixed", (6, 11))),
    ("IR-3301", "Harper Nakamura, MD", "Interventional Radiology", 1.0, 1.0, 540000, "10112-00", (IR_DEPT, "mixed", (11, 19))),
    ("DR-3401", "Indira Castell, MD", "Diagnostic Radiology", 1.0, 1.0, 505000, "10112-00", (DR, "mixed", (36, 52))),
    ("DR-3402", "Jonah Pierce, MD", "Diagnostic Radiology", 0.8, 0.8, 398000, "01182-18", (DR, "mixed", (30, 46))),
    ("CA-3501", "Kendall Ruiz, MD", "Cardiology", 1.0, 1.0, 585000, "10112-00", (CARDIO, "mixed", (18, 30))),
    ("CA-3502", "Logan Abernathy, MD", "Cardiology", 0.8, 1.0, 540000, "10112-00", (CARDIO, "mixed", (14, 24))),
    ("OR-3601", "Morgan Ellery, MD", "Orthopedic Surgery", 1.0, 1.0, 640000, "10112-00", (ORTHO, "mixed", (9, 14))),
    ("OR-3602", "Noel Varga, MD", "Orthopedic Surgery", 1.0, 1.0, 615000, "10112-00", (ORTHO, "mixed", (7, 12))),
    ("GI-3701", "Oakley Brandt, MD", "Gastroenterology", 1.0, 1.0, 560000, "10112-00", (GI, "mixed", (10, 16))),
    # on the roster, no lines in the log (started after the period)
    ("IM-3103", "Parker Quill, MD", "Internal Medicine", 1.0, 1.0, 270000, "10112-00", None),
]  # fmt: skip
NOT_ON_ROSTER = ("LOC-9001", FM_MIX, "office", (8, 12))  # a locum: in the log, not on the roster


def dept_lines(rng, pid, mix, kind, per_day, days) -> list[Line]:
    lines = []
    pts = Patients(SEED + 200 + sum(map(ord, pid)), pid.split("-")[0], 1500)
    for day in days:
        if rng.random() < 0.06:
            continue
        n = rng.randint(*per_day)
        if kind == "office":
            lines += office_day(rng, pid, day, [(c, m, w) for c, m, w in mix], n, 0.2, pts)
        else:
            for _ in range(n):
                code, mods, pos, _w = pick(rng, mix)
                lines.append(Line(pid, day, code, mods, 1, pos, pts.returning()))
    return lines


def make_department(rng: random.Random) -> tuple[list[Line], list[list[str]]]:
    """The department log (2026-01-01..2026-09-30) and its roster rows."""
    days = workdays(date(2026, 1, 1), date(2026, 9, 30))
    lines: list[Line] = []
    roster = [["provider_id", "name", "specialty", "clinical_fte", "total_fte",
               "total_compensation", "locality"]]  # fmt: skip
    for pid, name, spec, cfte, tfte, comp, loc, plan in ROSTER:
        roster.append([pid, name, spec, f"{cfte:.1f}", f"{tfte:.1f}", str(comp), loc])
        if plan is None:
            continue
        mix, kind, per_day = plan
        # part-timers work fewer days: drop a share of the days matching their clinical FTE
        own_days = [d for d in days if rng.random() < cfte + 0.02]
        lines += dept_lines(rng, pid, mix, kind, per_day, own_days)
    pid, mix, kind, per_day = NOT_ON_ROSTER
    locum_days = [d for d in days if d.month in (7, 8) and rng.random() < 0.5]
    lines += dept_lines(rng, pid, mix, kind, per_day, locum_days)
    # day-91 boundary case for the global-period view (IR-3301): 090 code on Mar 2,
    # a visit exactly 91 days later (Jun 1), outside the window.
    lines += [
        Line("IR-3301", date(2026, 3, 2), "37761", "", 1, "22", "SYN-GP0091"),
        Line("IR-3301", date(2026, 6, 1), "99213", "", 1, "11", "SYN-GP0091"),
    ]
    lines.sort(key=lambda ln: (ln.dos, ln.provider_id))
    return lines, roster


# ---------------------------------------------------------------- logs at scale (perf/)
# Specialty -> (hand-checked mix above, share of lines from it, the fee-schedule ranges its
# long tail of codes comes from, modifier of the tail). The tail is drawn from the bundled
# RVU26C rows (status A, work RVUs > 0) in those ranges, Zipf-weighted, so a clinician
# bills a hundred or more distinct codes and a department several hundred.
SCALE_SPECIALTIES = {
    "Family Medicine": (FM_MIX, 0.85, [("10004", "69990"), ("90281", "99199")], ""),
    "Internal Medicine": (IM_MIX, 0.85, [("90281", "99199")], ""),
    "General Surgery": (SURG_GS, 0.6, [("10004", "49999")], ""),
    "Interventional Radiology": (IR_DEPT, 0.6, [("32400", "37799"), ("47000", "50999"),
                                                ("75600", "77099")], ""),
    "Diagnostic Radiology": (DR, 0.5, [("70010", "76999")], "26"),
    "Cardiology": (CARDIO, 0.6, [("92920", "93799"), ("33010", "33999")], ""),
    "Orthopedic Surgery": (ORTHO, 0.6, [("20000", "29999")], ""),
    "Gastroenterology": (GI, 0.7, [("43100", "46999")], ""),
}  # fmt: skip
SCALE_EM = ["99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215",
            "99221", "99222", "99223", "99231", "99232", "99233", "99238", "99239", "99242",
            "99243", "99244", "99291", "99292", "99307", "99308", "99309"]  # fmt: skip


def _fee_rows() -> list[dict[str, str]]:
    """Global rows (no modifier) of the bundled RVU26C: status A, work RVUs above zero."""
    import gzip

    path = Path(__file__).resolve().parents[1] / "src/rvubench/data/cms/rvu26c.csv.gz"
    with gzip.open(path, "rt", newline="") as fh:
        return [
            r
            for r in csv.DictReader(fh)
            if r["mod"] == "" and r["status"] == "A" and float(r["work_rvu"]) > 0
        ]


def make_scale(
    lines: int, clinicians: int, seed: int, start: date, end: date, specialty: str | None = None
) -> tuple[list[list[str]], list[list[str]]]:
    """A department log of ``lines`` lines over ``clinicians`` clinicians and its roster.

    Shaped like real exports: a patient column, procedures, imaging and E/M mixed, each
    clinician's own hand-checked mix plus a long tail of real codes, a few modifiers (25 on a
    visit with a procedure, 26 on imaging, 59/RT/LT/50 on some procedures), lines grouped in
    encounters of one patient. Deterministic for a seed.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = _fee_rows()
    codes = [r["hcpcs"] for r in rows]
    names = [specialty] if specialty else sorted(SCALE_SPECIALTIES)
    days = np.array(workdays(start, end), dtype="datetime64[D]")
    header = [["provider_id", "name", "specialty", "clinical_fte", "total_fte",
               "total_compensation", "locality"]]  # fmt: skip
    roster, plans = [], []
    for i in range(clinicians):
        spec = names[i % len(names)]
        mix, share, ranges, tail_mod = SCALE_SPECIALTIES[spec]
        pid = f"{spec[:2].upper()}-{i + 1:05d}"
        fte = float(rng.choice([1.0, 1.0, 1.0, 0.8, 0.6]))
        comp = int(rng.integers(200, 650)) * 1000
        roster.append([pid, f"Clinician {i + 1}", spec, f"{fte:.1f}", f"{fte:.1f}", str(comp),
                       "10112-00" if i % 7 else "01182-18"])  # fmt: skip
        tail = [c for c in codes if any(lo <= c <= hi for lo, hi in ranges)]
        tail = list(rng.permutation(tail)[:300]) + SCALE_EM
        plans.append((pid, mix, share, tail, tail_mod))
    owner = np.sort(
        np.concatenate(
            [
                np.arange(min(clinicians, lines)),
                rng.integers(0, clinicians, max(lines - clinicians, 0)),
            ]
        )
    )
    out: list[list[str]] = []
    for k, (pid, mix, share, tail, tail_mod) in enumerate(plans):
        n = int(np.count_nonzero(owner == k))
        if n == 0:
            continue
        core_w = np.array([t[-1] for t in mix], dtype=float)
        core = rng.choice(len(mix), n, p=core_w / core_w.sum())
        tail_w = 1.0 / np.arange(1, len(tail) + 1) ** 1.1
        tail_pick = rng.choice(len(tail), n, p=tail_w / tail_w.sum())
        use_core = rng.random(n) < share
        day = np.sort(rng.choice(days, n))
        # encounters: 1-3 lines of one patient; a panel of returning patients
        new_enc = rng.random(n) < 0.55
        new_enc[0] = True
        enc = np.cumsum(new_enc)
        patient = rng.integers(0, max(n // 3, 50), enc[-1] + 1)[enc]
        mod_roll = rng.random(n)
        prefix = pid.replace("-", "")
        for j in range(n):
            if use_core[j]:
                entry = mix[core[j]]
                code, mods = entry[0], entry[1]
                pos = entry[2] if len(entry) == 4 else "11"
            else:
                code, mods = tail[tail_pick[j]], tail_mod
                pos = "11" if code.startswith("99") else ("22" if mod_roll[j] < 0.7 else "21")
                if code.startswith("99"):
                    mods = "25" if not new_enc[j] and mod_roll[j] < 0.3 else ""
                elif not mods and mod_roll[j] < 0.04:
                    mods = "59"
                elif not mods and mod_roll[j] < 0.06:
                    mods = "RT" if mod_roll[j] < 0.05 else "LT"
                elif not mods and mod_roll[j] < 0.065:
                    mods = "50"
            units = "2" if mod_roll[j] > 0.985 and code.startswith("9") else "1"
            out.append([pid, str(day[j]), code, mods, units, pos,
                        f"SYN-{prefix}-{patient[j]:06d}"])  # fmt: skip
    out.sort(key=lambda r: (r[1], r[0]))
    return [LOG_HEADER] + out, header + roster


# ---------------------------------------------------------------- writers
def write_csv(path: Path, rows: list[list[str]], *, encoding="utf-8", delimiter=",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n" if delimiter == ";" else "\n")
        w.writerows(rows)


def write_messy(out: Path, ir: list[Line]) -> None:
    messy = out / "messy"
    # 1. banner rows, a blank row, a Grand Total row and a footer
    rows = [
        ["Mercy Regional Medical Center - Interventional Radiology", "", "", "", "", ""],
        ["Procedure log 07/01/2026 - 09/30/2026", "", "", "", "", ""],
        ["Provider: IR-1001", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["Provider", "DOS", "CPT", "Modifier", "Units", "POS"],
    ]
    rows += [[ln.provider_id, f"{ln.dos.month}/{ln.dos.day}/{ln.dos.year}", ln.hcpcs,
              ln.modifiers, str(ln.units), ln.pos] for ln in ir]  # fmt: skip
    rows.append(["Grand Total", "", "", "", str(sum(ln.units for ln in ir)), ""])
    rows.append(["Report generated 10/02/2026 08:14 by ChargeCapture", "", "", "", "", ""])
    write_csv(messy / "ir_quarter_banner.csv", rows)

    # 2. cp1252, semicolon separated, provider names with accents, different headers
    rows = [["Rendering Provider", "Service Date", "CPT Code", "Modifiers", "Qty",
             "Place of Service"]]  # fmt: skip
    rows += [["Dr. José Nuñez-Müller", f"{ln.dos.month:02d}/{ln.dos.day:02d}/{ln.dos.year}",
              ln.hcpcs, ln.modifiers.replace(",", " "), str(ln.units), ln.pos] for ln in ir]  # fmt: skip
    write_csv(messy / "ir_quarter_cp1252.csv", rows, encoding="cp1252", delimiter=";")

    # 3. XLSX with a title row and a blank row, real Excel dates, numeric units and POS
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Charges"
    ws.append(["Interventional Radiology charges, Q3 2026"])
    ws.append([])
    ws.append(["Provider ID", "Date of Service", "CPT", "Modifiers", "Units", "POS"])
    for ln in ir:
        ws.append([ln.provider_id, datetime(ln.dos.year, ln.dos.month, ln.dos.day), ln.hcpcs,
                   ln.modifiers, ln.units, int(ln.pos)])  # fmt: skip
    for cell in ws["B"][3:]:
        cell.number_format = "mm/dd/yyyy"
    wb.properties.creator = "rvubench sample generator"
    fixed = datetime(2026, 10, 1, 0, 0, 0)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    path = messy / "ir_quarter_title.xlsx"
    wb.save(path)

    # 4. one modifier per column, with fake patient columns that must be dropped
    rows = [["Patient Name", "MRN", "DOB", "Provider ID", "Date of Service", "CPT",
             "Modifier 1", "Modifier 2", "Modifier 3", "Modifier 4", "Units", "POS"]]  # fmt: skip
    for i, ln in enumerate(ir, start=1):
        mods = (ln.modifiers.split(",") if ln.modifiers else []) + ["", "", "", ""]
        rows.append([f"TEST PATIENT {i % 1000:03d}", ln.patient.replace("SYN-", "FAKE"), "01/01/1900",
                     ln.provider_id, ln.dos.isoformat(), ln.hcpcs, *mods[:4], str(ln.units),
                     ln.pos])  # fmt: skip
    write_csv(messy / "ir_quarter_modcols.csv", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "sample_data"
    )
    parser.add_argument(
        "--scale",
        type=int,
        metavar="LINES",
        default=None,
        help="write OUT/log.csv (LINES lines) and OUT/roster.csv instead of the samples",
    )
    parser.add_argument("--clinicians", type=int, default=1, help="with --scale [default: 1]")
    parser.add_argument("--seed", type=int, default=SEED, help="with --scale")
    parser.add_argument(
        "--specialty",
        choices=sorted(SCALE_SPECIALTIES),
        default=None,
        help="with --scale: every clinician of this specialty [default: all in turn]",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=date(2026, 1, 1),
        help="with --scale: first day [default: 2026-01-01]",
    )
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=date(2026, 12, 31),
        help="with --scale: last day [default: 2026-12-31]",
    )
    args = parser.parse_args()
    out: Path = args.out
    if args.scale is not None:
        log, roster = make_scale(
            args.scale, args.clinicians, args.seed, args.start, args.end, args.specialty
        )
        write_csv(out / "log.csv", log)
        write_csv(out / "roster.csv", roster)
        print(f"{len(log) - 1} lines, {args.clinicians} clinicians in {out}")
        return
    ir = make_ir_quarter(random.Random(SEED))
    write_csv(out / "ir_quarter.csv", [LOG_HEADER] + [ln.row() for ln in ir])
    fm = make_family_medicine(random.Random(SEED + 1))
    write_csv(out / "family_medicine.csv", [LOG_HEADER] + [ln.row() for ln in fm])
    dept, roster = make_department(random.Random(SEED + 2))
    write_csv(out / "department.csv", [LOG_HEADER] + [ln.row() for ln in dept])
    write_csv(out / "department_roster.csv", roster)
    write_messy(out, ir)
    print(f"ir_quarter {len(ir)} lines, family_medicine {len(fm)}, department {len(dept)}")


if __name__ == "__main__":
    main()
