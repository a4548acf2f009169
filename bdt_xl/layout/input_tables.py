"""The fixed parts of the input workbooks the product writes: cell formats of the input
tables and the workbook's own defined names. The builders (``workbooks/``) write them, the
rates import (file or live Excel) formats its rows with them so that imported rows look like
the rows already there, and the Refresh macro reads the recorded xlwings version."""

from __future__ import annotations

from bdt_xl import schema as s

DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
RATE_FORMAT = "0.0000"

#: Defined names feeding the drop-downs, one per Agreements list column.
DROPDOWN_NAMES = {
    s.PARTNER_TYPE: "PartnerTypes",
    s.MEMBERSHIP: "Memberships",
    s.REGION: "Regions",
    s.PRIORITY: "Priorities",
    s.CURRENCY: "Currencies",
}
#: The defined name recording the xlwings version whose VBA the workbook ships
#: (``="0.37.8"``), checked by the macros against the xlwings Python runs.
VERSION_NAME = "BDT_xlwings_version"
#: The Draft document button: its caption, and what it runs (xlwings' VBA ``RunPython``
#: with the main of ``excel.draft_document``).
DRAFT_BUTTON_CAPTION = "Draft document"
DRAFT_BUTTON_MACRO = "'RunPython \"from bdt_xl.excel.draft_document import main; main()\"'"
