"""Build workbook/BDT_Partnerships.xlsm (the workbook users open) from the sample rows.

    python scripts/build_workbook.py [OUTPUT]

The VBA comes from the installed xlwings package; run this again after upgrading xlwings.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bdt_xl import schema as s
from bdt_xl.macro_workbook import build_macro_workbook
from bdt_xl.sample_data import sample_agreements, sample_rates, sample_settings

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "workbook" / "BDT_Partnerships.xlsm"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else DEFAULT_OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    refs = build_macro_workbook(target, sample_agreements(), sample_rates(), sample_settings())
    rows = refs[s.AGREEMENTS].last_row - refs[s.AGREEMENTS].first_row
    print(f"wrote {target} ({rows} sample agreements)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
