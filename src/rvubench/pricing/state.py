"""The typed state of one pricing pass (``engine._price_all``).

Pricing works on two levels, each with its own record of numpy arrays:

- :class:`KeyState`, one entry per *pricing key*: a distinct combination of release,
  coverage note, code, modifiers, place of service, locality and ZIP. Everything that depends
  only on those (the fee-schedule row, status, GPCIs, unit amounts, modifier rules) is
  computed once per key; a log of a million lines has a few thousand keys.
- :class:`LineState`, one entry per log line: the per-key values gathered to the lines
  (``key_idx``), then what depends on other lines (bilateral pairs, the multiple-procedure
  ranking, endoscopy families) and the final payment and wRVU credit.

Integer conventions shared by both: RVUs x100, GPCIs x1000, conversion factor x10000,
payments in integer cents; character indicators (status, MULT PROC, BILAT SURG ...) as the
``ord`` of their character (0 when missing); ``-1`` for "no row" / "no code".

The records are filled step by step: fields listed with ``field(init=False)`` are set by
the step that computes them (named in the comments) and read only after it.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class RowData:
    """The fee-schedule rows of the releases a run uses, concatenated (``rows._row_data``).

    Cached per fee-schedule set and release list; read only after it is built.
    """

    rows: pd.DataFrame
    #: per release: modifier ("", "26", "TC", "53") -> Series hcpcs -> global row position
    maps: list[dict[str, pd.Series]]
    #: RVU columns x100 (work_rvu, pe_nf, pe_f, mp_rvu, opps_*, pre_op, intra_op, post_op)
    num: dict[str, np.ndarray] = field(init=False)
    #: "NA" flags of the practice-expense columns (nf_na, f_na)
    flag: dict[str, np.ndarray] = field(init=False)
    #: indicator columns as character codes (status, mult_proc, bilat, asst, co_surg, ...)
    char: dict[str, np.ndarray] = field(init=False)
    #: text columns (status, description, global_days, endo_base)
    text: dict[str, np.ndarray] = field(init=False)
    work_rvu: np.ndarray = field(init=False)


@dataclass
class KeyValues:
    """Release index, coverage-note index and usable flag of each pricing key."""

    usable: np.ndarray
    rel_idx: np.ndarray = field(init=False)
    note_idx: np.ndarray = field(init=False)


@dataclass
class ModifierRules:
    """Results of the pricing-modifier rules (``modifiers._modifier_rules``), as arrays over
    the keys that carry a pricing modifier (``KeyState.sub``), not over all keys."""

    bil_code: np.ndarray = field(init=False)
    asst_code: np.ndarray = field(init=False)
    asst_pay0: np.ndarray = field(init=False)
    asst_ind: np.ndarray = field(init=False)
    is62: np.ndarray = field(init=False)
    co0: np.ndarray = field(init=False)
    co_ind: np.ndarray = field(init=False)
    is66: np.ndarray = field(init=False)
    team0: np.ndarray = field(init=False)
    team_ind: np.ndarray = field(init=False)
    split_code: np.ndarray = field(init=False)
    split_pct: np.ndarray = field(init=False)
    split_missing: np.ndarray = field(init=False)
    split_ok: np.ndarray = field(init=False)
    no53row: np.ndarray = field(init=False)
    is52: np.ndarray = field(init=False)
    is22: np.ndarray = field(init=False)


@dataclass
class KeyState:
    """Per pricing key: the fee-schedule row, its setting, locality, amounts and rules."""

    n: int
    usable: np.ndarray
    rel_idx: np.ndarray
    release_ids: list[str]
    rel_year: np.ndarray
    rel_cf: np.ndarray
    note_idx: np.ndarray
    note_uniq: np.ndarray
    # _select_rows: the row (global, 26, TC or 53) and its columns
    code_idx: np.ndarray = field(init=False)
    uniq_codes: np.ndarray = field(init=False)
    mf_any: np.ndarray = field(init=False)
    mf: dict[str, np.ndarray] = field(init=False)
    rows: RowData = field(init=False)
    p26: np.ndarray = field(init=False)
    want26: np.ndarray = field(init=False)
    wanttc: np.ndarray = field(init=False)
    mod_row_code: np.ndarray = field(init=False)
    bad_pctc: np.ndarray = field(init=False)
    both_pctc: np.ndarray = field(init=False)
    found: np.ndarray = field(init=False)
    only26: np.ndarray = field(init=False)
    unknown: np.ndarray = field(init=False)
    rowi: np.ndarray = field(init=False)
    st: np.ndarray = field(init=False)
    work100: np.ndarray = field(init=False)
    pe_nf100: np.ndarray = field(init=False)
    pe_f100: np.ndarray = field(init=False)
    mp100: np.ndarray = field(init=False)
    o_nf100: np.ndarray = field(init=False)
    o_f100: np.ndarray = field(init=False)
    o_mp100: np.ndarray = field(init=False)
    pre: np.ndarray = field(init=False)
    intra: np.ndarray = field(init=False)
    post: np.ndarray = field(init=False)
    nf_na: np.ndarray = field(init=False)
    f_na: np.ndarray = field(init=False)
    mult_proc: np.ndarray = field(init=False)
    bilat: np.ndarray = field(init=False)
    asst: np.ndarray = field(init=False)
    co_surg: np.ndarray = field(init=False)
    team_surg: np.ndarray = field(init=False)
    mult: np.ndarray = field(init=False)
    eb_idx: np.ndarray = field(init=False)
    all_codes: np.ndarray = field(init=False)
    code_rank: np.ndarray = field(init=False)
    # _select_setting: facility or non-facility from the place of service
    pos_idx: np.ndarray = field(init=False)
    pos_uniq: list[str] = field(init=False)
    pos_was_empty: list[bool] = field(init=False)
    facility: np.ndarray = field(init=False)
    na_setting: np.ndarray = field(init=False)
    # _select_localities: GPCIs x1000, conversion factor x10000, locality notes / errors
    gw: np.ndarray = field(init=False)
    gpe: np.ndarray = field(init=False)
    gmp: np.ndarray = field(init=False)
    lk_idx: np.ndarray = field(init=False)
    loc_names: list[str] = field(init=False)
    loc_note_code: np.ndarray = field(init=False)
    loc_note_labels: list[str] = field(init=False)
    loc_err: np.ndarray = field(init=False)
    loc_errcol: np.ndarray = field(init=False)
    usable_before_loc: np.ndarray = field(init=False)
    cf: np.ndarray = field(init=False)
    # _unit_cents, _component_units: PE used, OPPS cap, one unit in cents
    pe100: np.ndarray = field(init=False)
    opps_capped: np.ndarray = field(init=False)
    unit: np.ndarray = field(init=False)
    pc_unit: np.ndarray = field(init=False)
    # _key_status
    est: np.ndarray = field(init=False)
    pay_zero: np.ndarray = field(init=False)
    credit_ok: np.ndarray = field(init=False)
    # _modifier_rules: keys with a pricing modifier, bilateral factor, post-MPPR factors
    sub: np.ndarray = field(init=False)
    bil_f: np.ndarray = field(init=False)
    unit_b: np.ndarray = field(init=False)
    post_f: list[tuple[np.ndarray, np.ndarray | int]] = field(init=False)
    wfac: np.ndarray = field(init=False)
    asst_pay0: np.ndarray = field(init=False)
    co0: np.ndarray = field(init=False)
    team0: np.ndarray = field(init=False)
    mod: ModifierRules = field(init=False)
    # _pair_keys, _units2_keys: candidates for RT+LT pairs and for 2 units as bilateral
    pair_side: np.ndarray = field(init=False)
    pair_cand: np.ndarray = field(init=False)
    u2_cand: np.ndarray = field(init=False)
    pair_class: np.ndarray = field(init=False)


@dataclass
class BilateralPairs:
    """RT+LT lines paired as one bilateral item (``bilateral._bilateral_pairs``)."""

    paid: np.ndarray  # line priced as the bilateral item
    partner: np.ndarray  # its partner line, credited zero
    fac: np.ndarray  # bilateral factor of the paid line
    lines: np.ndarray  # both sides, sorted
    adj: np.ndarray  # adjustment-text code per entry of ``lines`` (index into labels)
    labels: list[str]
    reason: np.ndarray  # reason text per partner line


@dataclass
class BilateralUnits:
    """Lines of 2 units of a bilateral code priced as one bilateral item."""

    lines: np.ndarray
    fac: np.ndarray
    adj: np.ndarray
    labels: list[str]


@dataclass
class RankedCodes:
    """Per-key code facts gathered to the lines that take part in the MPPR ranking."""

    eb: np.ndarray  # ENDO BASE code as an index into all_codes (-1 none)
    code: np.ndarray
    rank: np.ndarray  # the code's position in sorted order (ties broken by code)


@dataclass
class MpprState:
    """Per line: first-unit and other-unit amounts and work after endoscopy and MPPR."""

    first_c: np.ndarray
    other_c: np.ndarray
    n_first: np.ndarray
    endo_role: np.ndarray
    eb_codes: np.ndarray
    eb_uniq: list[str]
    mppr_code: np.ndarray
    labels: list[str]
    w_first: np.ndarray = field(init=False)
    w_other: np.ndarray = field(init=False)


@dataclass
class LineState:
    """Per log line: the gathered key values, ranking, payment and credit."""

    n: int
    # _start: rejection, units, dates and the release of every line
    reject_ser: pd.Series = field(init=False)
    reject_extra: dict[int, str] = field(init=False)  # line -> rejection found while pricing
    usable: np.ndarray = field(init=False)
    units: np.ndarray = field(init=False)
    dates: pd.Series = field(init=False)
    rel_idx: np.ndarray = field(init=False)
    release_ids: list[str] = field(init=False)
    note_uniq: np.ndarray = field(init=False)
    note_idx: np.ndarray = field(init=False)
    d_idx: np.ndarray = field(init=False)
    n_dates: int = field(init=False)
    rel_year: np.ndarray = field(init=False)
    rel_cf: np.ndarray = field(init=False)
    #: column -> future of its (codes, labels) (``keys._encode_columns``)
    encoded: dict[str, Future[Any]] = field(init=False)
    # _expand: per-key values gathered to the lines
    key_idx: np.ndarray = field(init=False)
    st: np.ndarray = field(init=False)
    mult: np.ndarray = field(init=False)
    found: np.ndarray = field(init=False)
    est: np.ndarray = field(init=False)
    pay_zero: np.ndarray = field(init=False)
    credit_ok: np.ndarray = field(init=False)
    unit_pos: np.ndarray = field(init=False)
    rank_bits: np.ndarray = field(init=False)
    unit_b: np.ndarray = field(init=False)
    work100: np.ndarray = field(init=False)
    work_b: np.ndarray = field(init=False)
    wfac: np.ndarray = field(init=False)
    uniq_codes: np.ndarray = field(init=False)
    # _line_status: ranking groups, as-billed 51 lines, the T rule
    grp: np.ndarray = field(init=False)
    as_billed: bool = field(init=False)
    rank_grp: np.ndarray = field(init=False)
    billed51: np.ndarray | None = field(init=False)
    is_t: np.ndarray = field(init=False)
    t_bundled: np.ndarray = field(init=False)
    # _bilateral_pairs, _bilateral_units
    pair: BilateralPairs | None = field(init=False)
    u2: BilateralUnits | None = field(init=False)
    # _mppr, _imaging_mppr: ranked amounts and the (codes, labels) of their texts
    medicare: bool = field(init=False)
    first_c: np.ndarray = field(init=False)
    other_c: np.ndarray = field(init=False)
    n_first: np.ndarray = field(init=False)
    endo_role: np.ndarray = field(init=False)
    endo_base_idx: tuple[np.ndarray, list[str]] = field(init=False)
    mppr_info: tuple[np.ndarray, list[str]] = field(init=False)
    work_adj: np.ndarray = field(init=False)
    imaging_info: tuple[np.ndarray, list[str]] = field(init=False)
    # _payment_and_credit
    pay_cents: np.ndarray = field(init=False)
    pay_na: np.ndarray = field(init=False)
    wcredit: np.ndarray = field(init=False)
    priced: np.ndarray = field(init=False)
    rejected: np.ndarray = field(init=False)
    zero: np.ndarray = field(init=False)
    work_full: np.ndarray = field(init=False)
