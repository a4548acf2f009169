"""Workbook files: reading the input tables (python-calamine, bounded against hostile files),
writing new reports (XlsxWriter), rewriting the user's own workbook in place (openpyxl), the
UN rates import, and the package-level helpers they share."""
