"""Build the macro-enabled workbook users open: input tables, drop-downs, buttons, xlwings setup.

The VBA is xlwings' own standalone project, taken at build time from the
``quickstart_standalone.xlsm`` that ships inside the installed xlwings package, so no
add-in is needed. Its modules (checked in the tests against the VBA source):

- ``xlwings``: ``RunPython`` and ``ImportPythonUDFs`` (imports the worksheet functions of
  the modules listed under ``UDF Modules`` on the ``xlwings.conf`` sheet);
- ``Module1.SampleCall``: ``RunPython "import <name>;<name>.main()"`` where ``<name>`` is the
  workbook's file name without extension, hence ``workbook/BDT_Partnerships.py`` beside
  ``BDT_Partnerships.xlsm``.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range_abs

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_LISTS, KINDS, LISTS_COLUMNS, ReferenceLists
from bdt_xl.layout.input_tables import (
    DRAFT_BUTTON_CAPTION,
    DRAFT_BUTTON_MACRO,
    DROPDOWN_NAMES,
    VERSION_NAME,
)
from bdt_xl.workbooks.input_workbook import Row, TableRef, write_input_workbook

XLWINGS_STANDALONE = "quickstart_standalone.xlsm"
VBA_PROJECT_MEMBER = "xl/vbaProject.bin"

REFRESH_MACRO = "SampleCall"  # Module1: runs main() of the .py named like the workbook
IMPORT_FUNCTIONS_MACRO = "ImportPythonUDFs"  # xlwings module: imports the UDF modules
#: The Rates sheet's button; it runs REFRESH_MACRO too, ``main()`` tells it by this caption.
IMPORT_RATES_CAPTION = "Import UN rates"

CONF_SHEET = "xlwings.conf"
HOWTO_SHEET = "How to use"
UDF_MODULES = "bdt_xl.udfs"
#: Keys written to the xlwings.conf sheet. Interpreter and PYTHONPATH keys are left out on
#: purpose: a key present on the sheet (even empty) hides the user's own xlwings settings.
CONF = {"UDF Modules": UDF_MODULES}

#: The drop-downs cover this many Agreements rows (beyond the sample rows, for new ones).
DROPDOWN_ROWS = 2000
HOWTO_WRAP = 90  # characters per line of the How-to text column
#: The Agreements table starts below one row that holds the Refresh report button, frozen with
#: the header: the button is in view at 100 % zoom however far the user scrolls (beside the
#: wide table it sat off screen).
BUTTON_ROW_HEIGHT = 30  # points (40 pixels): room for the 32-pixel button
BUTTON = {"width": 110, "height": 32, "x_offset": 3, "y_offset": 4}  # pixels, in column A
BUTTON_HINT = ("← Edit the rows below, then click Refresh report: the report sheets are "
               "rewritten (these rows are never changed).")
CURRENCIES_HEADER = "Currencies (drop-down)"
USD = "USD"


def xlwings_vba_project() -> tuple[bytes, str]:
    """The ``vbaProject.bin`` of the standalone workbook shipped with the installed xlwings,
    and that xlwings' version (the VBA loads the DLL of exactly this version)."""
    import xlwings

    source = Path(xlwings.__file__).with_name(XLWINGS_STANDALONE)
    with zipfile.ZipFile(source) as book:
        return book.read(VBA_PROJECT_MEMBER), xlwings.__version__


ENTRY_MODULE = '''"""Python side of {stem}.xlsm.

The workbook's Refresh report button runs ``main()`` of the Python module named like the
workbook (xlwings' standalone VBA, ``Module1.SampleCall``:
``RunPython "import {stem};{stem}.main()"``), so this file must stay beside the workbook
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
'''


def write_entry_module(workbook: str | os.PathLike[str]) -> Path:
    """Write the ``.py`` the Refresh button imports, beside ``workbook`` and named like it."""
    target = Path(workbook).with_suffix(".py")
    target.write_text(ENTRY_MODULE.format(stem=target.stem), encoding="utf-8")
    return target


def build_macro_workbook(
    path: str | os.PathLike[str],
    agreements: Sequence[Row],
    rates: Sequence[Row],
    settings: Mapping[str, object] | None,
    lists: ReferenceLists = DEFAULT_LISTS,
    created: datetime | None = None,
) -> dict[str, TableRef]:
    """Write the .xlsm at ``path`` (atomically); return where each input table sits."""
    if Path(path).suffix.lower() != ".xlsm":
        raise ValueError(f"a macro workbook must end in .xlsm, not {Path(path).name!r}")
    lists = _grouped(lists)
    currencies = _currencies(rates)
    project, version = xlwings_vba_project()

    def customize(book: xlsxwriter.Workbook, refs: dict[str, TableRef]) -> None:
        _define_dropdown_names(book, refs[s.LISTS], lists, currencies)
        # read by the Refresh report macro (excel.version_check) against the running xlwings
        book.define_name(VERSION_NAME, f'="{version}"')
        agreements_sheet = book.get_worksheet_by_name(s.AGREEMENTS)
        _add_dropdowns(agreements_sheet, refs[s.AGREEMENTS])
        _print_columns(agreements_sheet, refs[s.AGREEMENTS])
        agreements_sheet.set_row(0, BUTTON_ROW_HEIGHT)
        _add_button(agreements_sheet, 0, 0, REFRESH_MACRO, "Refresh report", BUTTON)
        _add_button(agreements_sheet, 0, 1, DRAFT_BUTTON_MACRO, DRAFT_BUTTON_CAPTION, BUTTON)
        agreements_sheet.write_string(0, 2, BUTTON_HINT, book.add_format({"valign": "vcenter"}))
        _add_button(book.get_worksheet_by_name(s.RATES), 1, refs[s.RATES].last_col + 2,
                    REFRESH_MACRO, IMPORT_RATES_CAPTION)
        _add_howto_sheet(book, version)
        _add_conf_sheet(book)

    with tempfile.TemporaryDirectory() as tmp:
        vba = Path(tmp, "vbaProject.bin")
        vba.write_bytes(project)
        return write_input_workbook(path, agreements, rates, settings, lists,
                                    agreements_row=1, customize=customize, vba_project=vba,
                                    created=created)


def _grouped(lists: ReferenceLists) -> ReferenceLists:
    """Same lists with each kind's items on consecutive rows (order within a kind kept),
    so that every drop-down can point at one block of the Lists table."""
    items = sorted(lists.items, key=lambda item: KINDS.index(item.kind))
    return lists if items == lists.items else ReferenceLists(items, lists.plans)


def _currencies(rates: Sequence[Row]) -> list[str]:
    """USD, then every currency of the Rates rows, each once, alphabetically."""
    column = s.RATE_COLUMNS.index(s.CURRENCY)
    found = {str(value).strip().upper()
             for row in rates
             if (value := row.get(s.CURRENCY) if isinstance(row, Mapping) else row[column])
             not in (None, "")}
    return [USD, *sorted(found - {USD})]


def _define_dropdown_names(book: xlsxwriter.Workbook, table: TableRef, lists: ReferenceLists,
                           currencies: list[str]) -> None:
    label_col = table.first_col + LISTS_COLUMNS.index("Label")
    kinds = [item.kind for item in lists.items]
    for kind in KINDS:
        if kind not in kinds:
            continue
        first = table.first_row + 1 + kinds.index(kind)
        last = first + kinds.count(kind) - 1
        book.define_name(DROPDOWN_NAMES[kind],
                         f"='{table.sheet}'!{xl_range_abs(first, label_col, last, label_col)}")
    # Currencies are not a Lists kind: they sit in a helper column beside the Lists table.
    sheet = book.get_worksheet_by_name(table.sheet)
    col = table.last_col + 2
    sheet.write_string(table.first_row, col, CURRENCIES_HEADER,
                       book.add_format({"bold": True}))
    for offset, code in enumerate(currencies, start=1):
        sheet.write_string(table.first_row + offset, col, code)
    sheet.write_comment(table.first_row, col,
                        "Codes offered in the Currency drop-down of Agreements. "
                        "Add a code by inserting a cell inside this list.")
    sheet.set_column(col, col, len(CURRENCIES_HEADER) + 2)
    cells = xl_range_abs(table.first_row + 1, col, table.first_row + len(currencies), col)
    book.define_name(DROPDOWN_NAMES[s.CURRENCY], f"='{table.sheet}'!{cells}")


def _add_dropdowns(sheet, table: TableRef) -> None:
    last_row = max(table.last_row, table.first_row + DROPDOWN_ROWS)
    for column, name in DROPDOWN_NAMES.items():
        if column not in table.columns:
            continue
        col = table.first_col + table.columns.index(column)
        status = sheet.data_validation(table.first_row + 1, col, last_row, col, {
            "validate": "list",
            "source": f"={name}",
            # A warning, not a stop: labels are matched ignoring case and spacing, and the
            # report lists whatever it cannot match on the Issues sheet.
            "error_type": "warning",
            "error_title": f"{column} not in the list",
            "error_message": f"Pick a value from the drop-down (the lists are on the "
                             f"{s.LISTS} sheet). Keep this value anyway?",
        })
        if status != 0:
            raise ValueError(f"could not add the {column} drop-down (code {status})")


def _print_columns(sheet, table: TableRef) -> None:
    """Print the table's columns (not the button beside them), one page wide, landscape."""
    last_row = max(table.last_row, table.first_row + DROPDOWN_ROWS)  # room for new rows
    sheet.print_area(table.first_row, table.first_col, last_row, table.last_col)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _add_button(sheet, row: int, col: int, macro: str, caption: str,
                size: Mapping[str, int] | None = None) -> None:
    status = sheet.insert_button(row, col, {"macro": macro, "caption": caption,
                                            **(size or {"width": 170, "height": 34})})
    if status != 0:
        raise ValueError(f"could not add the {caption!r} button (code {status})")


def _howto_lines(version: str) -> list[tuple[str, str]]:
    """(style, text) lines of the How-to sheet, in order."""
    reports = ", ".join(s.REPORT_TABLES)
    return [
        ("title", "BDT partnerships report: how to use this workbook"),
        ("head", "Every year"),
        ("text", f"1. {s.AGREEMENTS} sheet: one row per agreement. Pick Partner type, ITU "
                 "membership, Region, Priority and Currency from the drop-downs. Type dates as "
                 "dates (e.g. 2023-05-31) and amounts in the agreement's currency."),
        ("text", f"2. {s.RATES} sheet: the UN operational rates of exchange, one row per "
                 "currency and date the rate takes effect (units of currency per 1 USD). "
                 "USD needs no row. Import UN rates (on that sheet) asks for the file saved "
                 "from the UN Treasury's operational rates page (XML or text) and adds the "
                 "rates the table lacks (command: bdt-xl rates import FILE WORKBOOK)."),
        ("text", f"3. {s.SETTINGS} sheet (optional): Report year, Through (the cut-off date of "
                 "the year-over-year comparison) and Language (en or fr)."),
        ("text", "4. Click Refresh report (here or on the Agreements sheet). The report sheets "
                 f"({reports}) and their charts are rewritten; your input sheets are never "
                 "changed. Rows with a problem are listed on Issues and left out of the figures."),
        ("text", "5. Click Draft document (on the Agreements sheet): the Word draft of the TDAG "
                 "document's partnership sections, in the Settings' language, is written beside "
                 "this workbook (command: bdt-xl document BDT_Partnerships.xlsm)."),
        ("head", "Lists"),
        ("text", f"The drop-downs come from the {s.LISTS} sheet. To add a label, insert a row "
                 "among the labels of the same list; currencies are listed beside that table. "
                 "Your rows are merged into the built-in lists; several aliases go in one cell, "
                 "separated by ;"),
        ("text", "Agreements signed from 1 January 2026 fall under the Baku Action Plan "
                 "(WTDC-25, 2026-2029), whose priorities are not built in: until you add them, "
                 "those rows are errors. Insert one row per priority among the Priority rows of "
                 f"the {s.LISTS} table: List = Priority, Label = the priority as adopted, French "
                 "label, Action plan = Baku Action Plan, Valid from = 2026-01-01, Valid to = "
                 "2029-12-31. The Priority drop-down then offers them."),
        ("head", "Worksheet functions (Windows)"),
        ("text", "Click Import worksheet functions once (allow it under File > Options > Trust "
                 "Center > Trust Center Settings > Macro Settings > Trust access to the VBA "
                 "project object model). Then type e.g. =BDT_SHARE(\"region\",\"Africa\",2022) "
                 "in any cell."),
        ("head", "Setting up a computer (once)"),
        ("text", f"Python with the bdt_xl package installed: it brings xlwings {version}, the "
                 "version of this workbook's macros (Refresh report says so if another one is "
                 "found). Enable macros when Excel asks. On a Mac, also run: xlwings runpython "
                 "install"),
        ("text", "Keep BDT_Partnerships.py in the same folder as this workbook and keep the "
                 "workbook's name: Refresh report runs main() of the Python file named like "
                 "the workbook."),
        ("text", f"Python used: the default one, or the one set in the xlwings add-in or "
                 f"xlwings.conf file. To choose another for this workbook only, add a row to "
                 f"the {CONF_SHEET} sheet (column A: Interpreter_Win or Interpreter_Mac, "
                 "column B: full path of python.exe / python). Do not leave such a row empty."),
        ("text", "Without Excel, the same report is built by the command: "
                 "bdt-xl refresh BDT_Partnerships.xlsm"),
    ]


def _add_howto_sheet(book: xlsxwriter.Workbook, version: str) -> None:
    sheet = book.add_worksheet(HOWTO_SHEET)
    styles = {
        "title": book.add_format({"bold": True, "font_size": 16}),
        "head": book.add_format({"bold": True, "font_size": 12, "top": 1}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    sheet.set_column(0, 0, HOWTO_WRAP + 5)
    sheet.set_column(1, 1, 3)
    sheet.set_column(2, 2, 26)
    for row, (style, text) in enumerate(_howto_lines(version)):
        sheet.write_string(row, 0, text, styles[style])
        if style == "text":  # not every spreadsheet fits wrapped rows on load: size them here
            sheet.set_row(row, 15.75 * len(textwrap.wrap(text, HOWTO_WRAP)) + 3)
    _add_button(sheet, 1, 2, REFRESH_MACRO, "Refresh report")
    _add_button(sheet, 4, 2, IMPORT_FUNCTIONS_MACRO, "Import worksheet functions")
    sheet.hide_gridlines(2)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.activate()


def _add_conf_sheet(book: xlsxwriter.Workbook) -> None:
    """xlwings reads keys from A1 down to the first blank cell (VBA: A1.End(xlDown); Python:
    A1:B1 expanded down), values in column B; the notes stay out of that block."""
    sheet = book.add_worksheet(CONF_SHEET)
    for row, (key, value) in enumerate(CONF.items()):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    notes = [
        "Settings that xlwings reads for this workbook: names in column A from A1 down to "
        "the first empty row, values in column B.",
        "UDF Modules: the Python module whose worksheet functions Import worksheet "
        "functions brings in.",
        "No interpreter is set here, so xlwings uses its default Python or the one set in "
        "the xlwings add-in / xlwings.conf file.",
        "To force one: add a row Interpreter_Win (or Interpreter_Mac) with the full path of "
        "Python in column B. Never leave a key without a value.",
    ]
    for row, note in enumerate(notes):
        sheet.write_string(row, 3, note)
    sheet.set_column(0, 1, 16)
    sheet.set_column(3, 3, max(map(len, notes)))
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
