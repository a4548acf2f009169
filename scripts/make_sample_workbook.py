"""Write workbook/BDT_Partnerships.xlsx: the bundled sample input (Agreements, Rates, Settings,
Lists), whose report reproduces the figures published to TDAG-23.

    python scripts/make_sample_workbook.py [OUTPUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

from bdt_xl.input_workbook import write_input_workbook
from bdt_xl.sample_data import sample_agreements, sample_rates, sample_settings

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "workbook" / "BDT_Partnerships.xlsx"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else DEFAULT_OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    agreements = sample_agreements()
    write_input_workbook(target, agreements, sample_rates(), sample_settings())
    print(f"wrote {target} ({len(agreements)} sample agreements)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
