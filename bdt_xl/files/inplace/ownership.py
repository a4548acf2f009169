"""Which sheets a refresh may replace: only those it wrote itself.

Why: a user's sheet or Excel Table that merely shares a report name (``Summary``, ``issues``:
Excel names are case-insensitive), or a defined name equal to a report table name (Excel
repairs such files), must never be replaced or broken. A report sheet is recognised by the
mark a writer of this product leaves (``ooxml.REPORT_MARK``, a custom document property that
survives saves in Excel and LibreOffice), or — once, for reports written before the mark
existed — by its exact layout (the tables of that sheet, with the report's own columns,
wherever they sit: at A1 in the first versions, below the refresh sentence since). Cells
typed on a report sheet outside the report's tables and the refresh sentence atop the sheet
are lost by a refresh: refused unless ``force``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from bdt_xl.errors import WouldLoseFeatures
from bdt_xl.files.ooxml import (
    MAIN,
    cell_position,
    defined_names,
    local_name,
    range_bounds,
    read_report_cells,
    read_report_mark,
    rels,
    report_properties,
    report_sheets,
    sheet_parts,
    table_parts,
    workbook_part,
)
from bdt_xl.layout.wording import REFRESH_NOTES

_SHOWN_CELLS = 5
#: Sheet -> (row, column) -> the texts that cell holds when the report wrote it.
OwnText = dict[str, dict[tuple[int, int], frozenset[str]]]


def mark_workbook(book, layout) -> None:
    """Leave the report mark in an openpyxl ``book`` holding the rendered ``layout`` (see
    ``ooxml.report_mark_of`` for other writers)."""
    from openpyxl.packaging.custom import CustomPropertyList, StringProperty

    properties = report_properties(layout)
    kept = [p for p in book.custom_doc_props.props if p.name not in properties]
    book.custom_doc_props = CustomPropertyList()
    for prop in kept:
        book.custom_doc_props.append(prop)
    for name, value in properties.items():
        if value:  # openpyxl refuses an empty string property
            book.custom_doc_props.append(StringProperty(name=name, value=value))


def own_text(layout) -> OwnText:
    """The cells outside the tables that the report writes itself and a refresh may
    overwrite: the refresh sentence atop each sheet, as it reads in any report language
    (the previous refresh may have been in another)."""
    found: OwnText = {}
    for sheet in layout.sheets:
        if sheet.banner is not None:
            found[sheet.name] = {cell: frozenset(REFRESH_NOTES) for cell in sheet.banner.cells()}
    return found


def _clash(message: str) -> WouldLoseFeatures:
    return WouldLoseFeatures(f"{message}; the workbook was not changed.")


def _is_old_report(package: zipfile.ZipFile, part: str, tables: dict[str, tuple]) -> bool:
    """A report written before the mark existed: exactly the layout's tables, each with the
    columns the layout gives it."""
    found = {}
    for root in table_parts(package, part):
        columns = root.find(f"{{{MAIN}}}tableColumns")
        found[root.get("displayName") or root.get("name")] = tuple(
            c.get("name") for c in (columns if columns is not None else ()))
    return found == tables


def owned_sheets(path: Path, layout) -> list[str]:
    """The existing sheets the refresh of ``layout`` may replace; raises ``WouldLoseFeatures``
    (never forceable) naming the user's sheet, table or name that clashes and what to rename."""
    wanted = report_sheets(layout)
    columns = {sheet.name: sheet.table_columns() for sheet in layout.sheets}
    by_key = {name.casefold(): name for name in wanted}
    table_keys = {t.casefold(): t for tables in wanted.values() for t in tables}
    with zipfile.ZipFile(path) as package:
        mark = read_report_mark(package)
        sheets = sheet_parts(package)
        owned = []
        for name, part in sheets.items():
            report_name = by_key.get(name.casefold())
            if report_name is None:
                continue
            ours = (name in mark) if mark is not None else (
                name == report_name and _is_old_report(package, part, columns[report_name]))
            if not ours or name != report_name:
                raise _clash(f"your sheet '{name}' has the name of the report sheet "
                             f"'{report_name}'; rename your sheet (right-click its tab > "
                             "Rename) and refresh again")
            owned.append(name)
        for name, part in sheets.items():
            if name in owned:
                continue
            for root in table_parts(package, part):
                table = root.get("displayName") or root.get("name") or ""
                if table.casefold() in table_keys:
                    raise _clash(f"your table '{table}' on sheet '{name}' has the name of the "
                                 f"report table '{table_keys[table.casefold()]}'; rename it "
                                 "(Table Design > Table Name) and refresh again")
        for defined in defined_names(package):
            if defined.casefold() in table_keys:
                raise _clash(f"the defined name '{defined}' is also the name of the report "
                             f"table '{table_keys[defined.casefold()]}'; rename or delete it "
                             "(Formulas > Name Manager) and refresh again")
    return owned


def check_typed_cells(path: Path, sheets: list[str], force: bool,
                      own: OwnText | None = None, layout=None) -> list[str]:
    """Cells with a value or formula on the report ``sheets`` outside their tables: refused
    (exit 4, naming them) unless ``force``; returns the notes to report when forced. A cell
    of ``own`` holding one of its texts (the refresh sentence) is the report's own, and so
    are the cells the last refresh recorded writing outside its tables (notices, hidden
    chart labels) — or, in a book without that record, where ``layout`` writes them."""
    own = own or {}
    found: list[str] = []
    with zipfile.ZipFile(path) as package:
        parts = sheet_parts(package)
        written = read_report_cells(package)
        if written is None:
            written = {sheet.name: sheet.written_outside_tables()
                       for sheet in (layout.sheets if layout is not None else [])}
        candidates: list[tuple[str, _Cell]] = []  # text where the report writes its own
        for name in sheets:
            ranges = [range_bounds(root.get("ref", "A1"))
                      for root in table_parts(package, parts[name])] + written.get(name, [])
            texts = own.get(name, {})
            for cell in _filled_cells(package.read(parts[name])):
                row, col = cell_position(cell.ref)
                if any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in ranges):
                    continue
                if (row, col) in texts and (cell.shared is not None or cell.text is not None):
                    candidates.append((name, cell))
                else:
                    found.append(f"'{name}'!{cell.ref}")
        strings = _shared_strings(package, {cell.shared for _, cell in candidates
                                            if cell.shared is not None})
        for name, cell in candidates:
            text = cell.text if cell.shared is None else strings.get(cell.shared)
            if text not in own[name][cell_position(cell.ref)]:
                found.append(f"'{name}'!{cell.ref}")
    if not found:
        return []
    shown = ", ".join(found[:_SHOWN_CELLS]) + (f" and {len(found) - _SHOWN_CELLS} more"
                                               if len(found) > _SHOWN_CELLS else "")
    if not force:
        raise WouldLoseFeatures(
            f"{path.name} was not changed: the report sheets are rewritten on every refresh "
            f"and what was typed on them would be lost ({shown}); move it to a sheet of your "
            "own, or refresh in place with --force to accept the loss.")
    return [f"lost (forced): cells typed on report sheets ({shown})"]


class _Cell:
    """A filled cell and, when it holds text without a formula, where its text is: the index
    of a shared string (``shared``) or the inline text itself (``text``)."""
    __slots__ = ("ref", "shared", "text")

    def __init__(self, ref: str, shared: int | None = None, text: str | None = None) -> None:
        self.ref, self.shared, self.text = ref, shared, text


def _text(node: ElementTree.Element) -> str:
    """The text of a string item or inline string: its runs, without phonetic guides."""
    parts = []
    for child in node:
        tag = local_name(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if local_name(t.tag) == "t")
    return "".join(parts)


def _filled_cells(xml: bytes) -> Iterator[_Cell]:
    """The cells holding a value, a formula or inline text."""
    for _, node in ElementTree.iterparse(io.BytesIO(xml)):
        tag = local_name(node.tag)
        if tag == "c":
            ref = node.get("r")
            children = {local_name(child.tag): child for child in node}
            if ref and children.keys() & {"v", "f", "is"}:
                kind = node.get("t") if "f" not in children else None
                value = (children["v"].text or "") if "v" in children else ""
                if kind == "s" and value.strip().isdigit():
                    yield _Cell(ref, shared=int(value))
                elif kind == "inlineStr" and "is" in children:
                    yield _Cell(ref, text=_text(children["is"]))
                else:
                    yield _Cell(ref)
            node.clear()
        elif tag == "row":
            node.clear()


def _shared_strings(package: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    """The shared strings of the ``wanted`` indices (the part is streamed, not kept)."""
    if not wanted:
        return {}
    book = workbook_part(package)
    part = next((rel.target for rel in rels(package, book) if rel.kind == "sharedStrings"),
                None)
    if part is None or part not in package.namelist():
        return {}
    found: dict[int, str] = {}
    index, last = 0, max(wanted)
    with package.open(part) as stream:
        for _, node in ElementTree.iterparse(stream):
            if local_name(node.tag) != "si":
                continue
            if index in wanted:
                found[index] = _text(node)
            node.clear()
            index += 1
            if index > last:
                break
    return found
