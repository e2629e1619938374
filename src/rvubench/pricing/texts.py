"""Readable ``adjustments``, ``reason`` and ``zero_reason`` texts.

Readable ``adjustments`` and ``reason`` texts are built once per distinct combination of
what was applied, not once per line, so a million lines price in well under a second.
 :class:`_Texts` interns the
distinct texts; the builders here name every applied rule (status, setting, locality,
bilateral, modifiers, ranking, credit policy) in the order it was applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rvubench.pricing.arith import C, _isin
from rvubench.pricing.bilateral import _BILATERAL_RULES
from rvubench.pricing.keys import _dense
from rvubench.pricing.modifiers import _TEAM_FIELDS, _TEAM_RULES, ASSISTANT_MODS, SPLIT_MODS
from rvubench.pricing.rows import FACILITY_POS, STATUS_TEXT
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.state import KeyState, LineState


@dataclass
class _Texts:
    """Builds a per-line text from small integer component codes, once per combination.

    A component is either full (one code per line) or sparse (codes for the lines ``idx``,
    0 elsewhere), so rare adjustments cost nothing on the other lines.
    """

    n: int
    parts: list[tuple[np.ndarray | None, np.ndarray, list[str]]] = field(default_factory=list)

    def add(self, codes: np.ndarray, labels: Sequence[str], idx: np.ndarray | None = None) -> None:
        """Add a component: ``labels[code]`` is its text ("" for nothing)."""
        self.parts.append((idx, np.asarray(codes, dtype="int64"), list(labels)))

    def add_flag(self, mask: np.ndarray, text: str, idx: np.ndarray | None = None) -> None:
        self.add(np.asarray(mask, dtype="int64"), ["", text], idx)

    def build(self) -> np.ndarray:
        """An object array of "; "-joined texts, one per line."""
        ids, texts = self.build_ids()
        return texts[ids]

    def build_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """(text id per line, the distinct texts as an object array)."""
        key = np.zeros(self.n, dtype="int64")
        used = 0
        for idx, codes, labels in self.parts:
            bits = max(1, (len(labels) - 1).bit_length())
            if used + bits > 62:
                key = pd.factorize(key)[0].astype("int64")
                used = max(1, int(key.max(initial=0)).bit_length())
            if idx is None:
                key = (key << bits) | codes
            else:
                key <<= bits
                key[idx] |= codes
            used += bits
        ids, uniq = pd.factorize(key)
        first = np.zeros(len(uniq), dtype="int64")
        first[ids[::-1]] = np.arange(self.n - 1, -1, -1)
        cols = []
        for idx, codes, _ in self.parts:
            if idx is None:
                cols.append(codes[first])
            elif len(idx) == 0:
                cols.append(np.zeros(len(first), dtype="int64"))
            else:
                pos = np.minimum(np.searchsorted(idx, first), len(idx) - 1)
                cols.append(np.where(idx[pos] == first, codes[pos], 0))
        matrix = np.stack(cols, axis=1).tolist()
        labs = [lab for _, _, lab in self.parts]
        texts = [
            "; ".join([lab[c] for lab, c in zip(labs, row, strict=True) if c and lab[c]])
            for row in matrix
        ]
        return ids, np.asarray(texts, dtype=object)


def _static_texts(
    k: KeyState, settings: PricingSettings
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Per pricing key, the adjustment texts that do not depend on the provider/day: the
    part before the multiple-procedure texts and the part after them."""
    usable, found, st = k.usable, k.found, k.st
    a = _Texts(k.n)
    a.add(
        np.where(usable, k.mod_row_code, 0),
        [
            "",
            "26 row (professional component)",
            "TC row (technical component)",
            "53 row (discontinued procedure)",
        ],
    )
    a.add_flag(usable & k.bad_pctc, "invalid PC/TC modifier: no 26/TC row, global row used")
    a.add_flag(usable & k.both_pctc, "both 26 and TC billed: 26 row used")
    set_labels = [""]
    for p, empty in zip(k.pos_uniq, k.pos_was_empty, strict=True):
        kind = "facility" if p in FACILITY_POS else "non-facility"
        set_labels.append(
            f"{kind} rate (no POS: default {p})" if empty else f"{kind} rate (POS {p})"
        )
    a.add(np.where(usable, k.pos_idx + 1, 0), set_labels)
    a.add(
        np.where(k.na_setting, np.where(k.facility, 1, 2), 0),
        [
            "",
            "facility rate flagged NA for this code (rarely performed there)",
            "non-facility rate flagged NA for this code (rarely performed there)",
        ],
    )
    a.add(np.where(usable, k.loc_note_code + 1, 0), ["", *k.loc_note_labels])
    a.add_flag(k.opps_capped & usable, "OPPS cap (imaging technical component): OPPS amount used")
    a.add(
        np.select([found & (st == C("R")), found & (st == C("N")) & k.credit_ok], [1, 2], 0),
        [
            "",
            "restricted coverage (status R): covered only under special instructions",
            "non-covered by Medicare (status N): payment 0, wRVU credited",
        ],
    )
    sub, m = k.sub, k.mod
    a.add(
        m.bil_code,
        [
            "",
            *(f"bilateral (ind {i}): {text}" for i, (_f, text) in _BILATERAL_RULES.items()),
            "modifier 50 not applicable to this code (bilateral ind 9): 100%",
        ],
        idx=sub,
    )
    b = _Texts(k.n)
    b.add(
        m.asst_code,
        [
            "",
            "assistant at surgery (80): 16%",
            "assistant at surgery (81): 16%",
            "assistant at surgery (82): 16%",
            "non-physician assistant at surgery (AS): 13.6%",
        ],
        idx=sub,
    )
    b.add(
        m.asst_ind,
        [
            "",
            "assistant: documentation of medical necessity required (ASST SURG ind 0)",
            "assistant at surgery may not be paid for this code (ASST SURG ind 1): payment 0",
            "assistant at surgery concept does not apply to this code (ASST SURG ind 9): payment 0",
        ],
        idx=sub,
    )
    b.add_flag(m.is62, "co-surgeon (62): 62.5%", idx=sub)
    b.add(
        m.co_ind,
        [
            "",
            "co-surgeons not permitted for this code (CO SURG ind 0): payment 0",
            "co-surgeons: documentation of medical necessity required (CO SURG ind 1)",
            "co-surgery concept does not apply to this code (CO SURG ind 9): payment 0",
        ],
        idx=sub,
    )
    b.add(
        m.team_ind,
        [
            "",
            "team surgery (66) not permitted for this code (TEAM SURG ind 0): payment 0",
            "team surgery (66): documentation of medical necessity required, priced "
            "by report (TEAM SURG ind 1): payment not estimable, full wRVU",
            "team surgery (66): priced by report (TEAM SURG ind 2): payment not "
            "estimable, full wRVU",
            "team surgery concept does not apply to this code (TEAM SURG ind 9): payment 0",
        ],
        idx=sub,
    )
    _split_texts(b, k)
    b.add_flag(
        m.is52, f"reduced service (52): x{settings.mod52_factor:.2f}; the MAC may reduce", idx=sub
    )
    b.add_flag(
        m.no53row,
        "discontinued (53): no CMS 53 row, MAC priced; payment not "
        f"estimable, wRVU x{settings.mod53_factor:.2f}",
        idx=sub,
    )
    b.add_flag(m.is22, "increased service (22): 100%, subject to MAC review", idx=sub)
    b.add(np.where(usable, k.note_idx + 1, 0), ["", *k.note_uniq])
    return a.build_ids(), b.build_ids()


def _endoscopy_labels(bases) -> list[str]:
    """Labels of the endoscopy roles (code ``base index * 3 + role``, 0: none)."""
    labels = [""]
    for base in bases:
        labels += [
            f"endoscopy family {base}: highest valued, 100%",
            f"endoscopy family {base}: paid minus base {base}",
            f"endoscopy base {base} not paid separately with a family member",
        ]
    return labels


def _full_credit_texts(s: LineState, k: KeyState) -> list[tuple[np.ndarray, list[str]]]:
    """Under a full-credit policy (not Medicare crediting), the lines whose wRVU credit
    differs from what Medicare's payment rules would give: (codes per line, labels)."""
    if s.medicare:
        return []
    not_payable = (k.asst_pay0 | k.co0 | k.team0)[s.key_idx] & s.credit_ok
    return [
        (
            np.select(
                [s.found & (np.abs(s.work_adj - s.work_full) > 1e-9), not_payable], [1, 2], 0
            ),
            [
                "",
                "full-credit policy: wRVU without multiple-procedure, endoscopy or "
                "bilateral payment reductions",
                "full-credit policy: the modifier's share of the work credited though "
                "Medicare does not pay it",
            ],
        )
    ]


def _has_line_texts(s: LineState, components, none: np.ndarray) -> np.ndarray:
    """Lines with any line-specific text: a component code > 0, or an RT+LT pair or a
    2-unit bilateral line (those two are sparse: only their lines are listed)."""
    any_dyn = np.zeros(s.n, dtype=bool)
    for codes, _ in components:
        if codes is not none:
            any_dyn |= np.asarray(codes) > 0
    if s.pair is not None:  # the RT+LT pair texts (sparse: only the pairs' lines)
        any_dyn[s.pair.lines] = True
    if s.u2 is not None:  # the 2-unit bilateral texts (sparse: only those lines)
        any_dyn[s.u2.lines] = True
    return any_dyn


def _adjustment_texts(s: LineState, k: KeyState, settings: PricingSettings) -> np.ndarray:
    """The readable ``adjustments`` text per line (built once per distinct combination).

    The per-key texts are taken as they are for lines with nothing line-specific (T rule,
    endoscopy, ranking, coverage note); only the other lines combine texts.
    """
    (a_ids, a_texts), (b_ids, b_texts) = _static_texts(k, settings)
    eb_codes, eb_uniq = s.endo_base_idx
    endo_labels = _endoscopy_labels(eb_uniq)
    none = np.zeros(s.n, dtype="int64")  # (a component that no line has: not scanned)
    has_t, has_endo = bool(s.is_t.any()), bool(len(eb_uniq))
    dynamic = [
        (
            s.is_t & ~s.t_bundled if has_t else none,
            ["", "injection (status T): paid as the only service that day"],
        ),
        (
            np.where(s.endo_role > 0, eb_codes * 3 + s.endo_role, 0) if has_endo else none,
            endo_labels,
        ),
        s.mppr_info,
        s.imaging_info,
    ]
    tail = _full_credit_texts(s, k)
    any_dyn = _has_line_texts(s, [*dynamic, *tail], none)
    # per key: the joined static text, built once per distinct (a, b) pair
    pair, _ = _dense(a_ids.astype("int64") * (len(b_texts) + 1) + b_ids)
    first = np.zeros(int(pair.max(initial=-1)) + 1, dtype="int64")
    first[pair[::-1]] = np.arange(len(pair) - 1, -1, -1)
    whole = np.asarray(
        ["; ".join(t for t in (a_texts[a_ids[i]], b_texts[b_ids[i]]) if t) for i in first] + [""],
        dtype=object,
    )
    # a categorical: one code per line into the distinct texts (no 1M string objects)
    texts = whole
    dyn_codes = None
    d = np.flatnonzero(any_dyn)
    if len(d):
        kd = s.key_idx[d]
        tx = _Texts(len(d))
        tx.add(a_ids[kd] + 1, ["", *a_texts])
        if s.pair is not None:
            tx.add(s.pair.adj, s.pair.labels, idx=np.searchsorted(d, s.pair.lines))
        if s.u2 is not None:
            tx.add(s.u2.adj, s.u2.labels, idx=np.searchsorted(d, s.u2.lines))
        for c, labels in dynamic:
            tx.add(np.asarray(c, dtype="int64")[d], labels)
        tx.add(b_ids[kd] + 1, ["", *b_texts])
        for c, labels in tail:
            tx.add(np.asarray(c, dtype="int64")[d], labels)
        dyn_ids, dyn_texts = tx.build_ids()
        dyn_codes = np.where(s.usable[d], dyn_ids + len(texts), len(whole) - 1)
        texts = np.concatenate([texts, np.asarray(dyn_texts, dtype=object)])
    remap, uniq = pd.factorize(texts)
    size = len(uniq)
    kind = "int8" if size < 127 else "int16" if size < 32767 else "int32"
    # per key: the final categorical code ("" for rejected keys), then one take per line
    key_codes = (
        remap[np.where(k.usable, pair, len(whole) - 1)].astype(kind)
        if len(pair)
        else (np.zeros(0, dtype=kind))
    )
    codes = key_codes[s.key_idx] if len(pair) else np.full(s.n, remap[len(whole) - 1], kind)
    if dyn_codes is not None:
        codes[d] = remap[dyn_codes]
    # pandas-stubs want an Index of categories; pandas takes any array-like
    return pd.Categorical.from_codes(codes, uniq, validate=False)  # type: ignore[call-overload]


def _split_texts(tx: _Texts, s: KeyState) -> None:
    m = s.mod
    key = np.where(m.split_ok, m.split_code * 101 + np.clip(m.split_pct, 0, 100), 0)
    k_idx, k_uniq = pd.factorize(key)
    # code 0 means "no text" to _Texts: the factorized codes are shifted by one, so that
    # the first line's split (label 0 of the factorization) is not taken for "none"
    labels = [""]
    for k in k_uniq:
        c, p = divmod(int(k), 101)
        what = {
            1: "surgical care only (54): pre-op + intra-op",
            2: "post-op care only (55)",
            3: "pre-op care only (56)",
            4: "return to OR (78): intra-op",
        }.get(c)
        labels.append(f"{what} {p}%" if what else "")
    tx.add(k_idx + 1, labels, idx=s.sub)
    tx.add(
        np.where(m.split_missing, m.split_code, 0),
        [
            "",
            *[
                f"modifier {mod}: the fee schedule has no pre/intra/post-op split for this "
                "code; payment not estimable, full wRVU credited"
                for mod in SPLIT_MODS
            ],
        ],
        idx=s.sub,
    )


def _reasons(s: LineState, k: KeyState) -> np.ndarray:
    """Why a line was credited zero / not priced / rejected ("" when priced).

    The text is built once per distinct (code, release, situation), not once per line.
    """
    reason = np.empty(s.n, dtype=object)
    reason.fill("")  # (much faster than np.full for an object array)
    rej = np.flatnonzero(s.rejected)
    if len(rej):
        reason[rej] = s.reject_ser.iloc[rej].to_numpy(dtype=object)
    for i, text in s.reject_extra.items():
        reason[i] = text
    idx = np.flatnonzero(s.zero)
    if len(idx) == 0:
        return reason
    kk = s.key_idx[idx]
    st = s.st[idx]
    kind = np.select(
        [
            k.unknown[kk],
            k.only26[kk],
            st == C("C"),
            st == C("J"),
            s.t_bundled[idx],
            ~_isin(st, "ARTN"),
            s.endo_role[idx] == 3,
            k.asst_pay0[kk],
            k.co0[kk],
            k.team0[kk],
        ],
        list(range(1, 11)),
        0,
    )
    key = kk.astype("int64") * 16 + kind
    k_idx, k_uniq = pd.factorize(key)
    first = np.zeros(len(k_uniq), dtype="int64")
    first[k_idx[::-1]] = np.arange(len(idx) - 1, -1, -1)
    texts = np.array([_reason_text(s, k, int(idx[j]), int(kind[j])) for j in first], dtype=object)
    reason[idx] = texts[k_idx]
    return reason


def _reason_text(s: LineState, k: KeyState, i: int, kind: int) -> str:
    kk = s.key_idx[i]
    code = k.uniq_codes[k.code_idx[kk]]
    rel = s.release_ids[s.rel_idx[i]]
    st = chr(s.st[i]) if s.st[i] else ""
    if kind == 3:
        r = f"contractor priced (status C): {code} payment not estimable, 0 wRVU credited"
        p26 = k.p26[kk]
        w26 = float(k.rows.work_rvu[p26]) if p26 >= 0 else 0.0
        if w26 > 0:
            r += (
                f"; its 26 row carries {w26:.2f} work RVUs, the obvious override value "
                "(or bill with 26)"
            )
        return r
    texts = {
        1: f"unknown code: {code} is not in the fee schedule ({rel})",
        2: f"{code} has only a 26 row in {rel} (lab interpretation): bill it with modifier 26",
        4: "anesthesia (status J): not priced, 0 wRVU",
        5: "injection (status T): bundled, another payable service by the same provider that day",
        6: f"status {st} ({STATUS_TEXT.get(st, 'unknown status')}): not paid, 0 wRVU credited",
        7: f"endoscopy base {code} not paid separately with a member of its family",
    }
    if kind in (8, 9, 10):  # the surgical-team indicator that makes the modifier not payable
        field_name, ind, mod = _TEAM_FIELDS[kind]
        ind = chr(getattr(k, ind)[kk]) if getattr(k, ind)[kk] else "?"
        if kind == 8:  # which assistant modifier (k.sub: the keys with a pricing modifier)
            mod = ASSISTANT_MODS[int(k.mod.asst_code[np.searchsorted(k.sub, kk)]) - 1]
        return (
            f"{field_name} indicator {ind} ({_TEAM_RULES[field_name][ind]}): modifier "
            f"{mod} not payable, payment 0, 0 wRVU credited"
        )
    if kind in texts:
        return texts[kind]
    if s.work100[i] == 0:
        return (
            "no work RVUs and payment not estimable"
            if s.pay_na[i]
            else "no work RVUs and no payment for this row"
        )
    return "credited zero after adjustments"
