"""Python side of BDT_Partnerships.xlsm.

The workbook's Refresh report button runs ``main()`` of the Python module named like the
workbook (xlwings' standalone VBA, ``Module1.SampleCall``:
``RunPython "import BDT_Partnerships;BDT_Partnerships.main()"``), so this file must stay beside the workbook
under the same name. All the work is in ``bdt_xl``.
"""


def main() -> None:
    # imported here: only needed when clicked. Every button runs SampleCall, i.e. main();
    # the Import UN rates button is told from the others by its caption.
    from bdt_xl.excel.import_rates import clicked_import_button, import_un_rates

    if clicked_import_button():
        import_un_rates()
        return
    from bdt_xl.excel.macros import refresh_report

    refresh_report()
