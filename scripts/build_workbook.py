"""Build workbook/BDT_Partnerships.xlsm (the workbook users open) from the sample rows.

    python scripts/build_workbook.py [OUTPUT]

The VBA comes from the installed xlwings package: run this again after upgrading xlwings.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from bdt_xl import schema as s
from bdt_xl.macro_workbook import build_macro_workbook

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "workbook" / "BDT_Partnerships.xlsm"


def _sample():
    """(agreements, rates, settings) for the shipped workbook."""
    try:
        from bdt_xl.sample_data import sample_agreements, sample_rates, sample_settings
    except ImportError:
        # TODO: remove this placeholder once bdt_xl.sample_data is in the package.
        print("bdt_xl.sample_data not found: using a two-row placeholder", file=sys.stderr)
        agreements = [
            ("SAMPLE-1", "Sample Partner", "Private sector entities", "SIO", "Africa",
             "Digital transformation", date(2023, 3, 1), "CHF", 100000, 0),
            ("SAMPLE-2", "Sample Ministry", "Governmental entities", "ADMIN", "Europe",
             "Cybersecurity", date(2022, 6, 30), "USD", 50000, 10000),
        ]
        rates = [("CHF", date(2022, 1, 1), 0.95)]
        return agreements, rates, {s.SETTING_LANGUAGE: "en"}
    return sample_agreements(), sample_rates(), sample_settings()


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else DEFAULT_OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    refs = build_macro_workbook(target, *_sample())
    table = refs[s.AGREEMENTS]
    print(f"wrote {target} ({table.last_row - table.first_row} sample agreements)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
