"""Reading helpers shared by every reader of user and CMS files.

This package owns text decoding (UTF-16 / UTF-8 BOMs, UTF-8, cp1252, latin-1 as the defined
last resort) and delimiter sniffing, so that procedure logs, rosters, benchmark tables,
CMS fee-schedule files and mapping tables all decode the same bytes the same way.
"""
