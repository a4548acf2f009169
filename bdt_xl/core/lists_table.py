"""The workbook's ``Lists`` table merged into the built-in lists (SPEC §1).

A row whose label (or one of its aliases) names a built-in label adds its aliases and French
label to it; a new label goes after the built-in ones of its list, in the table's order;
aliases are separated by ``;``. A label listed twice, or an alias claimed by two labels, is
an error on that Lists row and counts once (the first row wins). ``Non-member`` always
exists, because nothing is ever removed. An action plan named with validity dates defines
(or redefines) that plan; a new priority row names the plan it belongs to.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bdt_xl import schema as s
from bdt_xl.core.cells import date_cell
from bdt_xl.core.lists import (
    DEFAULT_LISTS,
    KINDS,
    LISTS_COLUMNS,
    PRIORITY,
    ActionPlan,
    ListItem,
    ReferenceLists,
    normalize,
    tidy,
)
from bdt_xl.core.models import (
    Issue,
    IssueCode,
    has_control_characters,
    shown,
    without_control_characters,
)
from bdt_xl.core.table import RawTable, is_blank
from bdt_xl.core.table_columns import column_positions, table_cells

KIND_COL, LABEL_COL, FRENCH_COL, ALIAS_COL, PLAN_COL, FROM_COL, TO_COL = LISTS_COLUMNS


def kind_of(text: object) -> str | None:
    """The list a ``List`` cell names ("Region", "regions", "Priorities"…), or None."""
    key = normalize(text)
    for kind in KINDS:
        k = normalize(kind)
        if key in (k, k + "s", k.removesuffix("y") + "ies", k + "es") or \
                (kind == s.MEMBERSHIP and key in ("membership", "itu memberships")):
            return kind
    return None


class _Merge:
    """The lists being merged: items by position, and which label each key names."""

    def __init__(self, base: ReferenceLists) -> None:
        self.items = list(base.items)
        self.keys: dict[tuple[str, str], int] = {}
        self.touched: dict[int, int] = {}  # item position -> Lists row that named it
        for position, item in enumerate(self.items):
            for text in (item.label, item.label_fr, *item.aliases):
                if text:
                    self.keys.setdefault((item.kind, normalize(text)), position)

    def named(self, kind: str, texts: list[str]) -> int | None:
        return next((self.keys[(kind, normalize(t))] for t in texts
                     if (kind, normalize(t)) in self.keys), None)

    def claim(self, kind: str, texts: list[str], position: int) -> list[str]:
        """Give ``texts`` to the item at ``position``; return those another label holds."""
        taken = []
        for text in texts:
            owner = self.keys.setdefault((kind, normalize(text)), position)
            if owner != position:
                taken.append(text)
        return taken


def read_lists(table: RawTable | None,
               base: ReferenceLists = DEFAULT_LISTS) -> tuple[ReferenceLists, list[Issue]]:
    """The built-in lists with the workbook's ``Lists`` rows merged in."""
    if table is None or not table.rows:
        return base, []
    positions = column_positions(table, (KIND_COL, LABEL_COL), LISTS_COLUMNS[2:])
    merge = _Merge(base)
    plan_dates: dict[str, list[date | None]] = {}
    issues: list[Issue] = []

    def issue(code, row, column, value, problem, severity=s.ERROR):
        issues.append(Issue(code=code, row=row, column=column, value=shown(value),
                            severity=severity, sheet=s.LISTS, problem=problem))

    for sheet_row, cells in table_cells(table, positions, LISTS_COLUMNS):
        dirty = [c for c in LISTS_COLUMNS[:5]
                 if isinstance(cells[c], str) and has_control_characters(cells[c])]
        for column in dirty:
            issue(IssueCode.CONTROL_CHARACTERS, sheet_row, column, cells[column],
                  "This cell holds invisible control characters; they were removed (retype "
                  "the cell to get rid of them).", s.WARNING)
            cells[column] = without_control_characters(cells[column])
        kind, label = kind_of(cells[KIND_COL]), tidy(cells[LABEL_COL] or "")
        if kind is None or not label:
            issue(IssueCode.LIST_ROW_IGNORED, sheet_row, KIND_COL if kind is None else LABEL_COL,
                  cells[KIND_COL] if kind is None else cells[LABEL_COL],
                  f"This list row is ignored: the list must be one of {', '.join(KINDS)} and "
                  f"the label must not be empty.", s.WARNING)
            continue
        french = tidy(cells[FRENCH_COL] or "")
        aliases = [a.strip() for a in str(cells[ALIAS_COL] or "").split(";") if a.strip()]
        plan = tidy(cells[PLAN_COL] or "") if kind == PRIORITY else ""
        if plan:
            _plan_dates(plan, cells, sheet_row, plan_dates, issue)
        position = merge.named(kind, [label, *aliases])
        if position is not None and position in merge.touched:
            first = merge.items[position]
            issue(IssueCode.DUPLICATE_LABEL, sheet_row, LABEL_COL, label,
                  f"“{first.label}” is already listed on row {merge.touched[position]} of the "
                  f"Lists table; this row is not used: keep one row per label.")
            continue
        if position is None:
            if kind == PRIORITY and not plan:
                issue(IssueCode.LIST_ROW_IGNORED, sheet_row, PLAN_COL, "",
                      f"The new priority “{label}” names no action plan, so it is ignored; "
                      f"type its plan in 'Action plan' (e.g. Baku Action Plan).", s.WARNING)
                continue
            merge.items.append(ListItem(kind, label, french, (), plan))
            position = len(merge.items) - 1
        merge.touched[position] = sheet_row
        item = merge.items[position]
        texts = [t for t in (label, french, *aliases) if t]
        taken = merge.claim(kind, texts, position)
        for text in taken:
            owner = merge.items[merge.keys[(kind, normalize(text))]].label
            issue(IssueCode.ALIAS_CLAIMED, sheet_row, ALIAS_COL, text,
                  f"“{text}” already names “{owner}”, so it cannot also name “{item.label}”; "
                  f"remove it from one of the two rows.")
        new_aliases = tuple(dict.fromkeys(
            [*item.aliases, *(t for t in [label, *aliases] if t not in taken
                              and normalize(t) != normalize(item.label))]))
        merge.items[position] = replace(item, label_fr=french or item.label_fr,
                                        aliases=new_aliases, plan=plan or item.plan)
    return ReferenceLists(merge.items, _plans(base, plan_dates, issue)), issues


def _plan_dates(plan, cells, sheet_row, plan_dates, issue) -> None:
    bounds = plan_dates.setdefault(plan, [None, None])
    for slot, column in ((0, FROM_COL), (1, TO_COL)):
        if bounds[slot] is None and not is_blank(cells[column]):
            try:
                bounds[slot] = date_cell(cells[column])
            except ValueError:
                issue(IssueCode.BAD_PLAN_DATE, sheet_row, column, cells[column],
                      "This is not a date; the action plan's validity is taken from another "
                      "row.", s.WARNING)


def _plans(base: ReferenceLists, plan_dates, issue) -> list[ActionPlan]:
    """The built-in plans, each redefined where the Lists table dates it (a blank date keeps
    the built-in one, so an older workbook's open-ended Kigali rows still end with 2025),
    then the new plans."""
    plans = {plan.name: plan for plan in base.plans}
    for name, (start, end) in plan_dates.items():
        known = plans.get(name)
        if known is not None:  # a date left blank keeps the built-in plan's own date
            start, end = start or known.valid_from, end or known.valid_to
        if start is None:
            issue(IssueCode.PLAN_WITHOUT_START, None, FROM_COL, name,
                  f"The action plan “{name}” has no 'Valid from' date, so none of its "
                  f"priorities can be used; give its first day.")
            continue
        plans[name] = ActionPlan(name, start, end)
    return list(plans.values())
