"""Report: one report model, rendered to PDF and to Excel.

Owns the report model built once per clinician (`model`), number and text formatting
(`formatting`), the hand-built SVG charts (`charts`), the PDF renderer (`pdf`, jinja2 and
WeasyPrint), the workbook renderer (`xlsx`, `xlsx_insights`) and `run_report`, the library
call behind the `report` command (`run`).
"""
