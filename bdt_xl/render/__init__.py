"""Renderers of a ``bdt_xl.layout.ReportLayout``: files (openpyxl) and live Excel (xlwings)."""
