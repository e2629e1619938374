"""Batch: one report per clinician of a roster, plus the department files.

Owns the roster parse (`roster`), running clinicians on worker processes (`run`) and the
department roll-up PDF and workbook (`department`).
"""
