"""Fee schedule: the CMS Physician Fee Schedule releases, GPCIs and localities.

Owns reading the bundled and user-supplied PPRRVU files, release selection by date of
service, GPCI and ZIP-to-locality lookups (`cms`), and the `lookup` card of one code
(`lookup`).
"""
