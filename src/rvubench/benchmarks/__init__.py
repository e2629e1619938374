"""Benchmarks: survey percentile tables and where a clinician falls in them.

Owns reporting periods and annualization (`periods`), reading and parsing benchmark tables
and the clinician comparison (`tables`), the percentile math on a row (`percentiles`, a
leaf), compensation models and comp-per-wRVU figures (`compensation`), and like-for-like
crediting on the survey's RVU year (`like_for_like`).
"""
