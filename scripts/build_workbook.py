"""Build the bundled workbooks from the sample rows:

- workbook/BDT_Partnerships.xlsm: the workbook users open (tables, drop-downs, Refresh report
  button, xlwings' VBA taken from the installed xlwings) and BDT_Partnerships.py beside it,
  which the button runs;
- workbook/BDT_Partnerships.xlsx: the same input tables without macros.

    .venv/bin/python scripts/build_workbook.py [FOLDER]

The .xlsm carries the VBA of the installed xlwings, which must be the version pinned in
pyproject.toml (users' Python installs that one): the script refuses to build with another.
To move to another xlwings, change the pin, install it, and run this script again.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bdt_xl.workbooks.input_workbook import write_input_workbook
from bdt_xl.workbooks.macro_workbook import build_macro_workbook, write_entry_module
from bdt_xl.workbooks.sample_data import (
    SAMPLE_CREATED,
    sample_agreements,
    sample_rates,
    sample_settings,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = REPO / "workbook"
NAME = "BDT_Partnerships"


def pinned_xlwings(pyproject: Path = REPO / "pyproject.toml") -> str:
    """The version in the ``xlwings==X`` dependency line of pyproject.toml."""
    found = re.search(r'"xlwings\s*==\s*([^";\s]+)"', pyproject.read_text(encoding="utf-8"))
    if found is None:
        raise SystemExit(f"{pyproject.name} does not pin xlwings (xlwings==X); pin the "
                         "version whose VBA the workbook ships.")
    return found.group(1)


def main(argv: list[str]) -> int:
    import xlwings

    pinned = pinned_xlwings()
    if xlwings.__version__ != pinned:
        print(f"Not built: pyproject.toml pins xlwings {pinned} but xlwings "
              f"{xlwings.__version__} is installed; run pip install xlwings=={pinned} (or "
              "change the pin) and build again.", file=sys.stderr)
        return 2
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    tables = (sample_agreements(), sample_rates(), sample_settings())
    macro_book = folder / f"{NAME}.xlsm"
    build_macro_workbook(macro_book, *tables, created=SAMPLE_CREATED)
    module = write_entry_module(macro_book)
    write_input_workbook(folder / f"{NAME}.xlsx", *tables, created=SAMPLE_CREATED)
    print(f"wrote {macro_book.name}, {module.name} and {NAME}.xlsx "
          f"({len(tables[0])} sample agreements, xlwings {pinned}) in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
