"""Ingest: read a procedure log (CSV/TSV/XLSX export) into clean lines.

Owns header recognition and aliases (`log`), per-value parsing of codes, dates, units,
modifiers and place of service (`values`), export shapes that are not plain line logs:
modifiers attached to codes, ledgers, wide claim and aggregated files (`shapes`), the fast
column checks used on large logs (`fast`), and the `validate` command's library call (`validate`). Every input row ends up as a clean
line or a rejected one with a reason naming file, row and column.
"""
