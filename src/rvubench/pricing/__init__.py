"""Pricing: credit work RVUs and compute the Medicare payment of every clean line.

Owns the crediting policy and run settings (`settings`), the vectorized pricing pass
(`engine`: its orchestration, payment and credit, the ``price`` command) and its typed
state (`state`), one module per group of rules the pass applies: exact integer arithmetic
(`arith`), pricing keys and encodings (`keys`), release/row selection, status, setting and
localities (`rows`), bilateral rules (`bilateral`), pricing modifiers and surgical-team
indicators (`modifiers`), multiple-procedure, endoscopy and imaging ranking (`ranking`), the
adjustment and reason texts (`texts`) and the priced frame and CSV columns (`output`);
the priced CSV's byte writer (`csv_writer`); and the pure summaries of a priced frame:
accounting, totals, by code, month and category (`summary`).

Imports run one way: arith, keys -> rows, bilateral -> modifiers -> ranking -> texts ->
output -> engine.
"""
