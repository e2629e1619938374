"""Export shapes of real billing systems that a plain line log does not have (pure, no I/O).

The header aliases themselves are data (``data/header_aliases.csv``, built from the public
documentation of Epic Clarity/EHI ``ARPB_TRANSACTIONS``, athenahealth Data View
``TRANSACTION``, Kareo/Tebra, NextGen, WebPT, Healthie and CMS claim files). This module holds
what cannot be a table row:

- **modifiers attached to the code**: ``99214-25``, ``74177/26``, athena's ``74177 26``,
  ``99396:25`` are split into the code and an extra modifier column read before the others;
- **ledgers**: an export with a transaction-type column (Epic ``TX_TYPE_C_NAME``, athena
  ``transaction_type``) keeps its charge rows; payment and adjustment rows are skipped as
  "not a charge" wherever they sit, and counted in a warning;
- **layouts that are not line logs**: a wide claim file (``HCPCS_CD_1..13`` per claim, as in
  CMS's DE-SynPUF carrier claims) and an aggregated file (CMS's Physician & Other
  Practitioners by provider and service: ``Tot_Srvcs`` counts, ``F``/``O`` settings, no
  dates) are refused with a message that says what they are;
- **never silent**: a column that looks like a modifier, units, provider, place of service,
  encounter or patient field but is not used gets a warning naming it and the ``--mapping``
  line that would use it.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# "99214-25", "74177/26", "74177 26", "99396:25", "99215 QW 59", "97110-GP,59"
_CODE_MODS_RE = re.compile(
    r"^\s*([A-Za-z0-9]{5})\s*[-/: ]\s*([A-Za-z0-9]{2}(?:\s*[-/:,; ]\s*[A-Za-z0-9]{2})*)\s*$"
)
_CHARGE_RE = re.compile(r"^(charges?|chg|c|1|debit|charge\b.*)$")
_WIDE_CODE_RE = re.compile(r"^(hcpcs|cpt|proc(edure)?)( ?cd| code)? ?(\d{1,2})$")
_AGGREGATE_RE = re.compile(
    r"^(tot srvcs|tot benes|tot bene day srvcs|avg sbmtd chrg|avg mdcr alowd amt|"
    r"avg mdcr pymt amt|line srvc cnt|bene unique cnt|total services|number of services)$"
)

# header words -> (what the column looks like, the canonical column a mapping would name)
_ID_WORDS = r"( \w+)? (id|nbr|number|no|num|key|npi)\b"
_LOOKS_LIKE = (
    (re.compile(r"\b(mod|mods|modifiers?|modifer|modfier)\b|modifier"), "a modifier", "modifiers"),
    (re.compile(r"^(?!.*\b(per unit|charge|amount|amt|price|fee|cost|rvus?)\b)"
                r".*\b(units?|qty|quantity|quantities)\b"), "units", "units"),
    (re.compile(r"\b(pos|place of service|place of svc)\b"), "a place of service", "pos"),
    (re.compile(r"^(?!.*\b(type|specialty|taxonomy|group|location|address|phone|tax)\b)"
                r".*\b(provider|prov|npi|rendering|rndrng|physician|clinician|doctor)\b"),
     "a provider", "provider_id"),
    (re.compile(r"\bcsn\b|\b(encounter|enc|claim|clm|visit)\b" + _ID_WORDS), "an encounter",
     "encounter_id"),
    (re.compile(r"\bmrn\b|\b(patient|pat|pt|person|per|member|bene)\b" + _ID_WORDS),
     "a patient field", "patient_ref"),
)  # fmt: skip


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split())


# ----------------------------------------------------------------------- code + modifiers
def split_code_modifiers(uniques: list[str]) -> tuple[list[str], list[str]] | None:
    """Per distinct code cell: (code, attached modifiers); None when no cell carries one."""
    codes, mods, found = [], [], False
    for u in uniques:
        m = _CODE_MODS_RE.match(u or "")
        if m:
            codes.append(m.group(1))
            mods.append(m.group(2))
            found = True
        else:
            codes.append(u or "")
            mods.append("")
    return (codes, mods) if found else None


def attached_modifier_column(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array] | None:
    """The code column without attached modifiers, and those modifiers as their own column."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    # only cells longer than a code can carry modifiers: plain columns cost one length pass
    longest = pc.max(pc.utf8_length(arr)).as_py()
    if not longest or longest <= 5:
        return None
    if not pc.any(pc.match_substring_regex(arr, r"^\s*[A-Za-z0-9]{5}\s*[-/: ]")).as_py():
        return None
    enc = pc.dictionary_encode(arr)
    uniques = [u if u is not None else "" for u in enc.dictionary.to_pylist()]
    split = split_code_modifiers(uniques)
    if split is None:
        return None
    codes, mods = split
    idx = enc.indices
    return (pa.array(codes, pa.string()).take(idx), pa.array(mods, pa.string()).take(idx))


# ----------------------------------------------------------------------- ledgers
def is_charge(value: str) -> bool:
    """A transaction-type value that means a charge ("Charge", "CHARGE", "1-Charge"); blank
    counts as a charge (a line log that happens to have the column)."""
    v = _norm(value)
    return not v or bool(_CHARGE_RE.match(v)) or v.endswith(" charge")


def non_charge_mask(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Per row: True for a payment/adjustment row; and each row's type text."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    enc = pc.dictionary_encode(arr)
    uniques = [u if u is not None else "" for u in enc.dictionary.to_pylist()]
    bad_u = np.array([not is_charge(u) for u in uniques], dtype=bool)
    idx = enc.indices.to_numpy(zero_copy_only=False)
    return (bad_u[idx] if len(uniques) else np.zeros(len(arr), dtype=bool)), [
        " ".join(u.split()) for u in uniques
    ]


def ledger_note(name: str, header: str, counts: Counter) -> str:
    kinds = ", ".join(f"{k or '(blank)'} {n}" for k, n in counts.most_common())
    return (
        f"{name}: column {header!r} marks a ledger; {sum(counts.values())} row(s) that are not "
        f"charges were skipped ({kinds}); only charges are credited"
    )


# ----------------------------------------------------------------------- other layouts
def wide_claim_problem(name: str, rows: list[list[str]]) -> str | None:
    """The message for a wide claim file (one claim per row, HCPCS_CD_1..N), else None."""
    for cells in rows[:40]:
        nums = sorted(int(m.group(4)) for c in cells if (m := _WIDE_CODE_RE.match(_norm(c))))
        if len(nums) >= 2:
            shown = [c for c in cells if _WIDE_CODE_RE.match(_norm(c))]
            return (
                f"{name} is a wide claim file, not a procedure log: one claim per row with "
                f"{len(nums)} code columns ({shown[0]} .. {shown[-1]}); rvubench reads one "
                "procedure line per row (code, date, units, modifiers, provider); export the "
                "claim lines, or unpivot the file to one row per code"
            )
    return None


def aggregated_problem(name: str, header: list[str], has_date: bool) -> str | None:
    """The message for an aggregated file (service counts per provider and code, no dates)."""
    hits = [h for h in header if _AGGREGATE_RE.match(_norm(h))]
    if has_date or not hits:
        return None
    return (
        f"{name} is an aggregated file, not a procedure log: it counts services per provider "
        f"and code ({', '.join(repr(h) for h in hits[:3])}; settings F/O instead of a place of "
        "service; no date of service), like CMS's Physician & Other Practitioners by provider "
        "and service file; rvubench prices dated lines, so export the individual charges"
    )


# ----------------------------------------------------------------------- never silent
def unused_column_notes(name: str, ignored: list[str], used: dict[str, str],
                        modifier_headers: list[str]) -> list[str]:  # fmt: skip
    """A warning per ignored column whose header looks like a field rvubench would use.

    ``used``: canonical column -> header read for it (to say what is read instead).
    """
    notes = []
    for h in ignored:
        key = _norm(h)
        for pattern, what, canon in _LOOKS_LIKE:
            if not pattern.search(key):
                continue
            if canon == "modifiers":
                names = ", ".join(f'"{m}"' for m in [*modifier_headers, h])
                line, instead = f"modifiers = [{names}]", ""
            else:
                line = f'{canon} = "{h}"'
                current = used.get(canon)
                instead = f" ({canon} is read from {current!r})" if current else ""
            notes.append(
                f"{name}: column {h!r} looks like {what} but is not used{instead}; to use it, "
                f"put this line under [columns] in a --mapping file: {line}"
            )
            break
    return notes
