"""Excel and Python must agree on xlwings.

The VBA inside a macro workbook is xlwings' own, tied to the exact xlwings version that built
it (it loads ``xlwings64-<version>.dll``). The builder records that version in the workbook as
the defined name ``BDT_xlwings_version`` (``="0.37.8"``); the Refresh report macro compares it
with the xlwings this Python runs and, when they differ, tells the user in one sentence what
to do instead of failing later in a way nobody can read.
"""

from __future__ import annotations

from bdt_xl.errors import WorkbookError
from bdt_xl.layout.input_tables import VERSION_NAME


def workbook_xlwings_version(book) -> str | None:
    """The xlwings version recorded in ``book`` (an xlwings Book), or None when the workbook
    predates the record or the name cannot be read."""
    try:
        names = list(book.names)
    except Exception:  # an Excel (or engine) without defined names
        return None
    for name in names:
        try:
            if name.name.casefold() != VERSION_NAME.casefold():
                continue
            text = (name.refers_to or "").strip()
        except Exception:
            return None
        return text.removeprefix("=").strip().strip('"').strip() or None
    return None


def mismatch(recorded: str | None, installed: str) -> str | None:
    """The sentence for a workbook built with xlwings ``recorded`` run by ``installed``."""
    if recorded is None or recorded == installed:
        return None
    return (f"This workbook's macros were built for xlwings {recorded}, but this Python has "
            f"xlwings {installed}: run pip install xlwings=={recorded} (or create a new "
            "workbook with bdt-xl new-workbook and copy your rows into it), then click "
            "Refresh report again.")


def check_xlwings(book) -> None:
    """Raise ``WorkbookError`` (one sentence) when ``book``'s VBA and this xlwings differ."""
    import xlwings

    message = mismatch(workbook_xlwings_version(book), xlwings.__version__)
    if message is not None:
        raise WorkbookError(message)
