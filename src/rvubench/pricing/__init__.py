"""Pricing: credit work RVUs and compute the Medicare payment of every clean line.

Owns the crediting policy and run settings (`settings`), the vectorized pricing pass with
every modifier, indicator and ranking rule (`engine`) and its typed state (`state`), and
the pure summaries of a priced frame: accounting, totals, by code, month and category
(`summary`).
"""
