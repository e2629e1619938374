"""Insights: findings about a priced log beyond its totals.

Owns the global-surgery-period review (`global_periods`) and the quarter-over-quarter and
year-over-year trend (`trend`).
"""
