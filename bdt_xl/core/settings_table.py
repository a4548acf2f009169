"""The optional ``Settings`` table (``Setting | Value``): a value the tool does not understand
is a warning naming the accepted values, and the default is used (SPEC §1)."""

from __future__ import annotations

from pydantic import ValidationError

from bdt_xl import schema as s
from bdt_xl.core.lists import normalize
from bdt_xl.core.models import Issue, IssueCode, Settings, shown
from bdt_xl.core.table import RawTable, is_blank
from bdt_xl.core.table_columns import column_positions, table_cells

#: What each setting accepts, and its default, as told to the user.
ACCEPTED = {
    s.SETTING_REPORT_YEAR: ("a year such as 2023", "the latest year in the data"),
    s.SETTING_THROUGH: ("a date within the report year", "the latest signing date of the "
                                                          "report year"),
    s.SETTING_LANGUAGE: ("en or fr", "en"),
    s.SETTING_TOP_N: ("a whole number from 1 to 1000", "10"),
    s.SETTING_ECB_FALLBACK: ("yes or no", "no"),
}
_SETTING_NAMES = {normalize(name): name for name in ACCEPTED}


def read_settings(table: RawTable | None) -> tuple[Settings, list[Issue]]:
    """The ``Settings`` table; a value not understood is reported and its default used."""
    if table is None or not table.rows:
        return Settings(), []
    positions = column_positions(table, s.SETTINGS_COLUMNS)
    values: dict[str, object] = {}
    where: dict[str, int] = {}
    issues: list[Issue] = []
    for sheet_row, cells in table_cells(table, positions, s.SETTINGS_COLUMNS):
        name = _SETTING_NAMES.get(normalize(cells[s.SETTING] or ""))
        if name is None:
            issues.append(Issue(code=IssueCode.UNKNOWN_SETTING, row=sheet_row, column=s.SETTING,
                                value=shown(cells[s.SETTING]), severity=s.WARNING,
                                sheet=s.SETTINGS, problem=(
                                    f"Unknown setting, ignored; the settings are: "
                                    f"{', '.join(ACCEPTED)}.")))
            continue
        if not is_blank(cells[s.VALUE]):
            values[name], where[name] = cells[s.VALUE], sheet_row
    while True:
        try:
            return Settings.model_validate(values), issues
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                name = str(error["loc"][0])
                accepted, default = ACCEPTED[name]
                value = shown(values.pop(name, ""))
                issues.append(Issue(code=IssueCode.BAD_SETTING, row=where.get(name),
                                    column=s.VALUE, value=value, sheet=s.SETTINGS,
                                    severity=s.WARNING, problem=(
                                        f"The setting “{name}” = “{value}” is not understood; "
                                        f"it accepts {accepted}, so the default "
                                        f"({default}) is used.")))
