"""What a workbook holds that the file library (openpyxl) would drop when we rewrite it.

An in-place refresh loads the user's workbook with openpyxl (``keep_vba=True,
keep_links=True``), replaces the report sheets and saves it. openpyxl keeps cells, formulas,
styles, number formats, merged cells, defined names, Excel Tables, data validations,
classic conditional formats, hyperlinks, notes (comments), print settings, sheet protection,
charts, pivot tables, external links and, with ``keep_vba``, the VBA project and the legacy
(VML) drawings that hold form buttons. It silently drops everything else. This module looks
at the package (zip parts and their XML) *before* anything is written and names what would
be lost, so the refresh can refuse with one sentence instead.

Observed with openpyxl 3.1 (see tests/integration/test_inplace.py, which builds each case):

- kept: the VBA project (byte-identical), form buttons and their macro (legacy VML drawing;
  ``inplace.repair`` puts it back byte for byte, and restores ``vmlDrawing10.vml`` and up,
  which openpyxl forgets to copy), notes, tables, names, data validations, formulas (their
  cached results are put back by ``inplace.repair``), user charts, classic conditional
  formats, a custom ribbon (``customUI``);
- dropped: pictures (unless Pillow is installed), shapes and text boxes, sparklines,
  Excel 2010+ conditional formats (data bars with gradient/negative settings, kept in
  ``extLst``), slicers, timelines, dynamic-array flags (``metadata.xml``: the formula turns
  into a legacy array formula), threaded comments, ActiveX controls, embedded objects, data
  connections and the Data Model, the macro signature, every unknown ``extLst`` extension;
- lost but harmless (reported as notes, never a reason to refuse): the calculation chain
  (Excel rebuilds it), printer driver settings, cached "ignore error" marks, document
  thumbnails, SharePoint custom XML properties.

Sheets that the refresh replaces (our own report sheets) are skipped: the charts we wrote
there are dropped on load, but they are rewritten anyway.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from bdt_xl.errors import NotAWorkbook, PasswordProtected
from bdt_xl.files.ooxml import (
    DOC_REL,
    Rel,
    local_name,
    rels,
    sheet_parts,
    table_parts,
    workbook_part,
)

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Feature:
    """Something in the workbook that a rewrite would lose (``lost``) or only touch."""
    what: str
    sheet: str | None = None
    lost: bool = True

    def __str__(self) -> str:
        return f"{self.what} (sheet '{self.sheet}')" if self.sheet else self.what


# -- what openpyxl does with each worksheet element -----------------------------------------
#: Top-level worksheet elements openpyxl reads and writes back.
SHEET_KEPT = frozenset({
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
    "sheetProtection", "autoFilter", "mergeCells", "conditionalFormatting", "dataValidations",
    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks",
    "colBreaks", "tableParts", "drawing", "legacyDrawing", "scenarios",
})
#: Dropped but harmless: Excel rebuilds or ignores them.
SHEET_HARMLESS = frozenset({
    "sheetCalcPr", "phoneticPr", "ignoredErrors", "smartTags", "cellWatches",
    "webPublishItems", "sortState",
})
#: Dropped and worth a refusal.
SHEET_LOST = {
    "protectedRanges": "protected ranges (Allow Edit Ranges)",
    "dataConsolidate": "data consolidation settings",
    "customSheetViews": "custom views",
    "oleObjects": "embedded objects (OLE)",
    "picture": "a sheet background picture",
    "legacyDrawingHF": "header or footer pictures",
    "drawingHF": "header or footer pictures",
}

#: ``extLst`` extensions, by URI (upper case), as Excel names them.
EXTENSIONS = {
    "{05C60535-1F16-4FD2-B633-F4F36F0B64E0}": "sparklines",
    "{78C0D931-6437-407D-A8EE-F0AAD7539E65}": "Excel 2010+ conditional formats (data bars, "
                                              "icon sets)",
    "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}": "Excel 2010+ data validations",
    "{A8765BA9-456A-4DAB-B4F3-ACF838C121DE}": "slicers",
    "{3A4CF648-6AED-40F4-86FF-DC5316D8AED3}": "slicers",
    "{7E03D99C-DC04-49D9-9315-930204A7B6E9}": "timelines",
    "{F7C9EE02-42E1-4005-9D12-6889AFFD525C}": "add-in (web extension) bindings",
    "{FC87AEE6-9EDD-4A0A-B7FB-166176984837}": "protected ranges (Allow Edit Ranges)",
    "{BBE1A952-AA13-448E-AADC-164F8A28A991}": "slicers",
    "{46BE6895-7355-4A93-B00E-2C351335B9C9}": "slicers",
    "{D0CA8CA8-9F24-4464-BF8E-62219DCF47F9}": "timelines",
    "{FCE2AD5D-F65C-4FA6-A056-5C36A1767C68}": "the Data Model (Power Pivot)",
}
#: Extensions whose loss changes nothing the user sees (ids, display options).
HARMLESS_EXTENSIONS = frozenset({
    "{C3380CC4-5D6E-409C-BE32-E72D297353CC}",  # c16: unique id of a chart series
    "{56B9EC1D-385E-4148-901F-78D8002777C0}",  # c16r3: show #N/A as blank in charts
    "{140A7094-0E35-4892-8432-C4D2E57EDEB5}",  # x15: workbook properties (chart tracking)
    "{7523E5D3-25F3-A5E0-1632-64F254C22452}",  # xcalcf: calc features
    "{79F54976-1DA5-4618-B147-4CDE4B953A38}",  # x14: workbook properties
    "{CE6537A1-D6FC-4F65-9D91-7224C49458BB}",  # c15: leader-line settings of data labels
    "{7626C862-2A13-11E5-B345-FEFF819CDC9F}",  # LibreOffice: formula reference syntax
})

#: Package parts (by path prefix) that openpyxl drops, and what they are to the user.
PARTS_LOST = (
    ("xl/slicers/", "slicers"),
    ("xl/slicerCaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/timelineCaches/", "timelines"),
    ("xl/connections.xml", "data connections (external data or Power Query)"),
    ("xl/queryTables/", "query tables (external data)"),
    ("xl/model/", "the Data Model (Power Pivot)"),
    ("xl/threadedComments/", "threaded comments (they would become plain notes)"),
    ("xl/richData/", "data types or pictures in cells"),
    ("xl/activeX/", "ActiveX controls"),
    ("xl/embeddings/", "embedded objects (OLE)"),
    ("xl/macrosheets/", "Excel 4 macro sheets"),
    ("xl/dialogsheets/", "dialog sheets"),
    ("xl/webextensions/", "add-ins (web extensions)"),
    ("xl/vbaProjectSignature.bin", "the digital signature of the macros"),
    ("xl/vbaProjectSignatureAgile.bin", "the digital signature of the macros"),
    ("xl/vbaProjectSignatureV3.bin", "the digital signature of the macros"),
)
PARTS_HARMLESS = (
    ("xl/calcChain.xml", "the calculation chain (Excel rebuilds it)"),
    ("xl/printerSettings/", "printer driver settings"),
    ("docProps/thumbnail", "the document thumbnail"),
    ("customXml/", "custom XML document properties"),
)
#: Parts openpyxl keeps, or that belong to what it keeps.
PARTS_KEPT = (
    "[Content_Types].xml", "_rels/", "docProps/app.xml", "docProps/core.xml",
    "docProps/custom.xml", "xl/workbook.xml", "xl/_rels/", "xl/styles.xml", "xl/theme/",
    "xl/sharedStrings.xml", "xl/worksheets/", "xl/chartsheets/", "xl/tables/", "xl/drawings/",
    "xl/charts/", "xl/comments", "xl/media/", "xl/pivotTables/", "xl/pivotCache/",
    "xl/externalLinks/", "xl/vbaProject.bin", "xl/ctrlProps/", "xl/persons/",
    "customUI/",  # a custom ribbon: openpyxl keeps its part and relationship with keep_vba
    "xl/metadata.xml",  # examined on its own below
)


# -- the package ------------------------------------------------------------------------------
def open_package(path: str | os.PathLike[str]) -> zipfile.ZipFile:
    """Open ``path`` as an .xlsx/.xlsm package or raise one clear sentence saying why not."""
    path = Path(path)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        hint = (" (a binary workbook); save it as .xlsm or .xlsx in Excel" if
                path.suffix.lower() == ".xlsb" else "; save it as .xlsx or .xlsm")
        raise NotAWorkbook(f"{path.name} cannot be refreshed in place: only .xlsx and .xlsm "
                           f"workbooks can be{hint}.")
    with open(path, "rb") as handle:
        head = handle.read(8)
        if head == CFB_MAGIC:
            handle.seek(0)
            data = handle.read(4 << 20)
            if ENCRYPTION_INFO in data:
                raise PasswordProtected(
                    f"{path.name} is protected by a password to open; save a copy without the "
                    "password (File > Info > Protect Workbook > Encrypt with Password, clear "
                    "it) and refresh that copy.")
            raise NotAWorkbook(f"{path.name} is an old-style Excel 97-2003 file despite its "
                               "name; open it in Excel and save it as .xlsx or .xlsm.")
    try:
        package = zipfile.ZipFile(path)
        names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotAWorkbook(f"{path.name} is not an Excel workbook (it is not a valid .xlsx "
                           f"package: {exc}); open it in Excel and save it as .xlsx or "
                           ".xlsm.") from None
    if "[Content_Types].xml" not in names or workbook_part(package) not in names:
        package.close()
        kind = ("an OpenDocument spreadsheet" if "content.xml" in names and "mimetype" in names
                else "a zip file without an Excel workbook inside")
        raise NotAWorkbook(f"{path.name} is {kind}, not an Excel workbook; open it and save it "
                           "as .xlsx or .xlsm.")
    return package


def _without_sheet_data(xml: bytes) -> bytes:
    """The worksheet XML with the (possibly huge) ``sheetData`` element cut out."""
    match = re.search(rb"<(\w+:)?sheetData\b", xml)
    if match is None:
        return xml
    prefix = match.group(1) or b""
    empty = re.compile(rb"<" + re.escape(prefix) + rb"sheetData\b[^>]*/>")
    if empty.match(xml, match.start()):
        end = xml.index(b"/>", match.start()) + 2
    else:
        close = b"</" + prefix + b"sheetData>"
        end = xml.index(close, match.start()) + len(close)
    return xml[:match.start()] + xml[end:]


def _extension_feature(uri: str, sheet: str | None) -> Feature | None:
    key = uri.upper()
    if key in HARMLESS_EXTENSIONS:
        return None
    what = EXTENSIONS.get(key, f"Excel features the file library does not know "
                               f"(extension {uri})")
    return Feature(what, sheet)


def _extensions(node: ElementTree.Element, sheet: str | None) -> list[Feature]:
    found = []
    for ext in node:
        if local_name(ext.tag) == "ext":
            feature = _extension_feature(ext.get("uri", ""), sheet)
            if feature:
                found.append(feature)
    return found


# -- worksheets, drawings, charts -------------------------------------------------------------
def _sheet_features(package: zipfile.ZipFile, name: str, part: str) -> list[Feature]:
    found: list[Feature] = []
    sheet_rels = {rel.id: rel for rel in rels(package, part)}
    root = ElementTree.fromstring(_without_sheet_data(package.read(part)))
    for child in root:
        tag = local_name(child.tag)
        if tag == "extLst":
            found += _extensions(child, name)
        elif tag == "AlternateContent":  # Excel 2010+ controls and OLE objects
            inner = {local_name(n.tag) for n in child.iter()}
            if "control" in inner or "controls" in inner:
                found += _control_features(child, sheet_rels, name)
            elif "oleObject" in inner:
                found.append(Feature(SHEET_LOST["oleObjects"], name))
            else:
                found.append(Feature("Excel 2010+ content the file library does not know",
                                     name))
        elif tag == "controls":
            found += _control_features(child, sheet_rels, name)
        elif tag in SHEET_LOST:
            found.append(Feature(SHEET_LOST[tag], name))
        elif tag in SHEET_HARMLESS:
            found.append(Feature(f"'{tag}' settings", name, lost=False))
        elif tag not in SHEET_KEPT:
            found.append(Feature(f"sheet content the file library does not know ({tag})", name))
    for rel in sheet_rels.values():
        if rel.external or rel.target not in package.namelist():
            continue
        if rel.kind == "drawing":
            found += _drawing_features(package, rel.target, name)
    return found


def _control_features(node, sheet_rels: dict[str, Rel], sheet: str) -> list[Feature]:
    """Form controls (buttons…) survive through their legacy VML shape; ActiveX ones do not."""
    found = []
    for control in node.iter():
        if local_name(control.tag) != "control":
            continue
        rel = sheet_rels.get(control.get(f"{{{DOC_REL}}}id", ""))
        if rel is not None and rel.kind == "control":  # ActiveX: a binary part of its own
            found.append(Feature("ActiveX controls", sheet))
        else:
            found.append(Feature("form controls (kept as legacy buttons)", sheet, lost=False))
    return found


def _pillow() -> bool:
    try:
        from openpyxl.drawing.image import PILImage
    except ImportError:  # pragma: no cover - depends on the openpyxl version
        return False
    return PILImage is not None and PILImage is not False


def _drawing_features(package: zipfile.ZipFile, part: str, sheet: str) -> list[Feature]:
    found: list[Feature] = []
    drawing_rels = {rel.id: rel for rel in rels(package, part)}
    root = ElementTree.fromstring(package.read(part))
    for item in _drawn_items(root):
        tag = local_name(item.tag)
        if tag == "sp":
            mirror = any(local_name(n.tag) == "compatExt" for n in item.iter())
            if not mirror:  # a form control's modern twin: the VML shape is kept
                found.append(Feature("shapes or text boxes", sheet))
        elif tag == "grpSp":
            found.append(Feature("grouped shapes", sheet))
        elif tag == "cxnSp":
            found.append(Feature("connector lines", sheet))
        elif tag == "pic":
            if not _pillow():
                found.append(Feature("pictures", sheet))
        elif tag == "contentPart":
            found.append(Feature("ink drawings", sheet))
        elif tag == "graphicFrame":
            found += _frame_features(package, item, drawing_rels, sheet)
    return found


def _drawn_items(node):
    """The drawn objects under ``node``, looking inside anchors and ``mc:AlternateContent``
    (whose first choice is what Excel shows)."""
    for child in node:
        tag = local_name(child.tag)
        if tag == "AlternateContent":
            choice = next(iter(child), None)
            if choice is not None:
                yield from _drawn_items(choice)
        elif tag in ("twoCellAnchor", "oneCellAnchor", "absoluteAnchor"):
            yield from _drawn_items(child)
        elif tag in ("sp", "grpSp", "cxnSp", "pic", "graphicFrame", "contentPart"):
            yield child


def _frame_features(package, frame, drawing_rels: dict[str, Rel], sheet: str) -> list[Feature]:
    data = next((n for n in frame.iter() if local_name(n.tag) == "graphicData"), None)
    uri = data.get("uri", "") if data is not None else ""
    if uri.endswith("/chart"):
        ref = next((n for n in data if local_name(n.tag) == "chart"), None)
        rel = drawing_rels.get(ref.get(f"{{{DOC_REL}}}id", "")) if ref is not None else None
        return _chart_features(package, rel.target, sheet) if rel else []
    if "chartex" in uri:
        return [Feature("charts of the newer kinds (waterfall, treemap, histogram…)", sheet)]
    if uri.endswith("/diagram"):
        return [Feature("SmartArt graphics", sheet)]
    return [Feature("embedded graphics the file library does not know", sheet)]


def _chart_features(package: zipfile.ZipFile, part: str, sheet: str) -> list[Feature]:
    if part not in package.namelist():
        return []
    found = []
    if any(rel.kind == "chartUserShapes" for rel in rels(package, part)):
        found.append(Feature("shapes drawn inside charts", sheet))
    root = ElementTree.fromstring(package.read(part))
    for node in root.iter():
        if local_name(node.tag) == "extLst":
            for ext in node:
                uri = ext.get("uri", "").upper()
                if uri and uri not in HARMLESS_EXTENSIONS:
                    found.append(Feature("chart details from Excel 2013+ (such as data labels "
                                         "taken from cells)", sheet))
                    return found
    return found


# -- the whole workbook -----------------------------------------------------------------------
def _reachable(package: zipfile.ZipFile, starts: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        part = todo.pop()
        if part in seen:
            continue
        seen.add(part)
        todo += [rel.target for rel in rels(package, part) if not rel.external]
    return seen


def _sheet_tables(package: zipfile.ZipFile, part: str) -> set[str]:
    return {n for root in table_parts(package, part)
            for n in (root.get("displayName"), root.get("name")) if n}


def workbook_features(path: str | os.PathLike[str],
                      replaced: Collection[str] = ()) -> list[Feature]:
    """Everything a rewrite of ``path`` would drop or touch, sheets in ``replaced`` excepted.

    ``replaced`` names the report sheets the refresh rewrites. A sheet of that name which
    is not one of ours (no Excel Table named like the sheet) is reported as lost: the
    refresh would replace the user's own sheet.
    """
    with open_package(path) as package:
        return _features(package, set(replaced))


def _features(package: zipfile.ZipFile, replaced: set[str]) -> list[Feature]:
    names = set(package.namelist())
    sheets = sheet_parts(package)
    found: list[Feature] = []
    skipped: list[str] = []
    for name, part in sheets.items():
        if name in replaced:
            if name not in _sheet_tables(package, part):
                found.append(Feature(f"your own sheet '{name}' (a report sheet of that name "
                                     "would replace it; rename your sheet)"))
            skipped.append(part)
            continue
        if part not in names:
            continue
        if "chartsheet" in part:
            for rel in rels(package, part):
                if rel.kind == "drawing" and rel.target in names:
                    found += _drawing_features(package, rel.target, name)
            continue
        found += _sheet_features(package, name, part)
    # parts used only by replaced sheets do not count
    kept_sheets = [part for part in sheets.values() if part not in skipped]
    only_replaced = _reachable(package, skipped) - _reachable(package, kept_sheets)
    book = workbook_part(package)
    root = ElementTree.fromstring(package.read(book))
    for child in root:
        tag = local_name(child.tag)
        if tag == "extLst":
            found += _extensions(child, None)
        elif tag == "customWorkbookViews":
            found.append(Feature("custom views"))
    for name in sorted(names - only_replaced):
        found += _part_features(package, name)
    return _unique(found)


def _part_features(package: zipfile.ZipFile, name: str) -> list[Feature]:
    if name == "xl/metadata.xml":
        if b"XLDAPR" in package.read(name):
            return [Feature("dynamic-array formulas (they would become legacy array formulas)")]
        return [Feature("cell metadata (data types)")]
    if name.startswith("customXml/") and b"DataMashup" in package.read(name)[:4096]:
        return [Feature("Power Query queries")]
    for prefix, what in PARTS_LOST:
        if name.startswith(prefix):
            return [Feature(what)]
    for prefix, what in PARTS_HARMLESS:
        if name.startswith(prefix):
            return [Feature(what, lost=False)]
    if name.endswith("/") or any(name.startswith(prefix) for prefix in PARTS_KEPT):
        return []
    return [Feature(f"parts the file library does not know ({name})")]


def _unique(features: list[Feature]) -> list[Feature]:
    return list(dict.fromkeys(features))


def describe(features: Collection[Feature], limit: int = 6) -> str:
    """``"sparklines (sheet 'Data'), slicers and 2 more"`` — for one sentence."""
    items = [str(f) for f in features]
    if len(items) > limit:
        items = items[:limit - 1] + [f"{len(features) - limit + 1} more"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
