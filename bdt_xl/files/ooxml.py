"""The parts of an .xlsx/.xlsm package (a zip of XML parts), their XML namespaces and how
they refer to each other.

Shared by the reader (which finds error cells in the sheet XML), the feature detection that
guards in-place refreshes, the in-place writer's repairs and checks, and the report mark.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from bdt_xl.layout.references import address, column_number

#: SpreadsheetML: workbook, worksheets, tables.
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Relationship ids used inside parts (``r:id``).
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: ``.rels`` parts.
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
#: ``[Content_Types].xml``.
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
#: ``mc:AlternateContent``.
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
#: Drawings anchored on a sheet, and DrawingML itself.
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
DRAWINGML = "http://schemas.openxmlformats.org/drawingml/2006/main"
#: ``docProps/custom.xml`` and its typed values.
CUSTOM_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VARIANT_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

VBA_PART = "xl/vbaProject.bin"
CUSTOM_PROPS_PART = "docProps/custom.xml"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def local_name(tag: str) -> str:
    """``{namespace}name`` -> ``name``."""
    return tag.rsplit("}", 1)[-1]


def to_xml(root: ElementTree.Element) -> bytes:
    """A part's bytes: the XML declaration Excel writes, then ``root``."""
    return XML_DECLARATION + ElementTree.tostring(root, encoding="UTF-8",
                                                  xml_declaration=False)


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # part name inside the package, no leading slash (or the URL if external)
    external: bool = False

    @property
    def kind(self) -> str:
        return self.type.rsplit("/", 1)[-1]


def rels_name(part: str) -> str:
    """``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels``; ``""`` -> ``_rels/.rels``."""
    if not part:
        return "_rels/.rels"
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def source_of(rels_part: str) -> str:
    """The part a ``.rels`` part belongs to (inverse of ``rels_name``)."""
    folder, name = posixpath.split(rels_part)
    return posixpath.join(posixpath.dirname(folder), name[:-len(".rels")])


def parse_rels(xml: bytes, rels_part: str) -> list[Rel]:
    """The relationships in one ``.rels`` part, internal targets resolved to part names."""
    base = posixpath.dirname(source_of(rels_part))
    found = []
    for node in ElementTree.fromstring(xml):
        target = node.get("Target", "")
        external = node.get("TargetMode") == "External"
        if not external:
            target = (target.lstrip("/") if target.startswith("/") else
                      posixpath.normpath(posixpath.join(base, target)))
        found.append(Rel(node.get("Id", ""), node.get("Type", ""), target, external))
    return found


def rels(package: zipfile.ZipFile, part: str) -> list[Rel]:
    """Relationships of ``part`` ("" for the package), targets resolved to part names."""
    name = rels_name(part)
    if name not in package.namelist():
        return []
    return parse_rels(package.read(name), name)


def workbook_part(package: zipfile.ZipFile) -> str:
    try:
        for rel in rels(package, ""):
            if rel.type.endswith("/officeDocument"):
                return rel.target
    except (KeyError, ElementTree.ParseError):
        pass
    return "xl/workbook.xml"


def sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name, in workbook order (worksheets and chart sheets)."""
    book = workbook_part(package)
    by_id = {rel.id: rel.target for rel in rels(package, book)}
    root = ElementTree.fromstring(package.read(book))
    sheets = root.find(f"{{{MAIN}}}sheets")
    result = {}
    for sheet in sheets if sheets is not None else ():
        rid = sheet.get(f"{{{DOC_REL}}}id")
        if rid in by_id:
            result[sheet.get("name", "")] = by_id[rid]
    return result


def custom_properties(package: zipfile.ZipFile) -> dict[str, str]:
    """The workbook's custom document properties (File > Properties > Custom), as text."""
    if CUSTOM_PROPS_PART not in package.namelist():
        return {}
    try:
        root = ElementTree.fromstring(package.read(CUSTOM_PROPS_PART))
    except ElementTree.ParseError:
        return {}
    found = {}
    for prop in root:
        value = next(iter(prop), None)
        found[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return found


def table_parts(package: zipfile.ZipFile, sheet_part: str) -> list[ElementTree.Element]:
    """The root elements of the Excel Tables on one worksheet."""
    found = []
    names = set(package.namelist())
    for rel in rels(package, sheet_part):
        if rel.kind == "table" and rel.target in names:
            found.append(ElementTree.fromstring(package.read(rel.target)))
    return found


def defined_names(package: zipfile.ZipFile) -> list[str]:
    """The workbook's defined names (named ranges, print areas, hidden names)."""
    root = ElementTree.fromstring(package.read(workbook_part(package)))
    node = root.find(f"{{{MAIN}}}definedNames")
    return [n.get("name", "") for n in node] if node is not None else []


def cell_position(ref: str) -> tuple[int, int]:
    """``"AB12"`` -> ``(12, 28)`` (1-based row and column); ``$`` signs are ignored."""
    ref = ref.replace("$", "").upper()
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), column_number(letters)


def range_bounds(ref: str) -> tuple[int, int, int, int]:
    """``"A1:C9"`` -> ``(1, 1, 9, 3)``: first row, first column, last row, last column."""
    first, _, last = ref.partition(":")
    r1, c1 = cell_position(first)
    r2, c2 = cell_position(last or first)
    return r1, c1, r2, c2


# -- the report mark: which sheets and tables a writer of this product made -----------------
#: The custom document property (File > Properties > Custom) naming the report's sheets and
#: their tables; Excel and LibreOffice both keep custom properties when they save.
REPORT_MARK = "BDT report sheets"


def report_sheets(layout) -> dict[str, list[str]]:
    """Sheet -> its Excel Tables, for a report layout (``layout.sheets[i].tables[j].name``)."""
    return {sheet.name: [block.name for block in sheet.tables] for sheet in layout.sheets}


def report_mark_of(layout) -> str:
    """The value of ``REPORT_MARK`` for a report layout. Every writer of a report file
    leaves it, with ``REPORT_CELLS`` (``report_properties``)."""
    return report_mark_value(report_sheets(layout))


def report_mark_value(sheets: dict[str, list[str]]) -> str:
    """``{"Summary": ["Summary"], …}`` -> ``"Summary:Summary/…"`` (``/`` and ``:`` cannot
    appear in sheet names, nor ``,`` in table names)."""
    return "/".join(f"{sheet}:{','.join(tables)}" for sheet, tables in sheets.items())


def parse_report_mark(value: str) -> dict[str, list[str]]:
    """Inverse of ``report_mark_value``."""
    found = {}
    for item in value.split("/"):
        sheet, _, tables = item.rpartition(":")
        if sheet:
            found[sheet] = [t for t in tables.split(",") if t]
    return found


#: The custom document property recording, per report sheet, the cells the report wrote
#: outside its tables (``SheetLayout.written_outside_tables``), e.g. ``Summary!A12:A13``.
REPORT_CELLS = "BDT report cells"


def report_cells_of(layout) -> str:
    """The value of ``REPORT_CELLS`` for a report layout (``/`` cannot be in a sheet name,
    ``!`` nor ``,`` in a range)."""
    return "/".join(f"{sheet.name}!{','.join(address(area) for area in areas)}"
                    for sheet in layout.sheets if (areas := sheet.written_outside_tables()))


#: Sheet -> areas, each (first row, first column, last row, last column), 1-based.
SheetAreas = dict[str, list[tuple[int, int, int, int]]]


def parse_report_cells(value: str) -> SheetAreas:
    """Inverse of ``report_cells_of``: sheet -> its (row1, col1, row2, col2) areas; parts
    that do not read as ranges (a hand-edited property) are ignored."""
    found: SheetAreas = {}
    for item in value.split("/"):
        sheet, _, refs = item.rpartition("!")
        for ref in refs.split(","):
            try:
                found.setdefault(sheet, []).append(range_bounds(ref))
            except (ValueError, KeyError, IndexError):
                continue
    return found


def report_properties(layout) -> dict[str, str]:
    """Every custom document property a writer of the report leaves, by name."""
    return {REPORT_MARK: report_mark_of(layout), REPORT_CELLS: report_cells_of(layout)}


def read_report_cells(package: zipfile.ZipFile) -> SheetAreas | None:
    """The cells outside the tables the last refresh wrote, or None when not recorded."""
    value = custom_properties(package).get(REPORT_CELLS)
    return parse_report_cells(value) if value is not None else None


def read_report_mark(package: zipfile.ZipFile) -> dict[str, list[str]] | None:
    """The report sheets (and their tables) the mark names, or None for an unmarked book."""
    value = custom_properties(package).get(REPORT_MARK)
    return parse_report_mark(value) if value is not None else None
