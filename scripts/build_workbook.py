"""Build the bundled workbooks from the sample rows:

- workbook/BDT_Partnerships.xlsm: the workbook users open (tables, drop-downs, Refresh report
  button, xlwings' VBA taken from the installed xlwings) and BDT_Partnerships.py beside it,
  which the button runs;
- workbook/BDT_Partnerships.xlsx: the same input tables without macros.

    python scripts/build_workbook.py [FOLDER]

Run it again after upgrading xlwings (the .xlsm carries its VBA) or changing the sample.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bdt_xl.build.input_workbook import write_input_workbook
from bdt_xl.build.macro_workbook import build_macro_workbook, write_entry_module
from bdt_xl.build.sample_data import (
    SAMPLE_CREATED,
    sample_agreements,
    sample_rates,
    sample_settings,
)

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "workbook"
NAME = "BDT_Partnerships"


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    tables = (sample_agreements(), sample_rates(), sample_settings())
    macro_book = folder / f"{NAME}.xlsm"
    build_macro_workbook(macro_book, *tables, created=SAMPLE_CREATED)
    module = write_entry_module(macro_book)
    write_input_workbook(folder / f"{NAME}.xlsx", *tables, created=SAMPLE_CREATED)
    print(f"wrote {macro_book.name}, {module.name} and {NAME}.xlsx "
          f"({len(tables[0])} sample agreements) in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
