"""Python side of BDT_Partnerships.xlsm.

The workbook's Refresh report button runs ``main()`` of the Python module named like the
workbook (xlwings' standalone VBA, ``Module1.SampleCall``:
``RunPython "import BDT_Partnerships;BDT_Partnerships.main()"``), so this file must stay beside the workbook
under the same name. All the work is in ``bdt_xl``.
"""


def main() -> None:
    from bdt_xl.excel.macros import refresh_report  # imported here: only needed when clicked

    refresh_report()
