"""Put back what openpyxl loses when it saves a workbook it loaded, on the parts the rewrite
did not mean to change.

Why: openpyxl keeps cells, styles, tables and names, but drops the legacy VML drawings of
form buttons, forgets some drawing parts, writes formulas without their last value (a
headless reader would then see blanks), marks every workbook macro-enabled with ``keep_vba``
and replaces the document properties (Company, Manager…) with its own.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from bdt_xl.files.ooxml import (
    CONTENT_TYPES,
    MAIN,
    PACKAGE_REL,
    VBA_PART,
    parse_rels,
    rels,
    sheet_parts,
    to_xml,
)

#: Document properties put back byte for byte (``core.xml`` with a new modification time).
DOC_PROPS = ("docProps/app.xml", "docProps/core.xml")


def repair(original: zipfile.ZipFile, data: bytes, replaced: set[str]) -> bytes:
    """Put back, in the saved package ``data``, what openpyxl lost from ``original`` on the
    sheets not in ``replaced``: VML drawings byte for byte, parts it did not copy, cached
    formula results and the document properties. Returns the repaired package."""
    out = zipfile.ZipFile(io.BytesIO(data))
    names = set(out.namelist())
    original_names = set(original.namelist())
    before = sheet_parts(original)
    changed: dict[str, bytes] = {}
    for name, new_part in sheet_parts(out).items():
        old_part = before.get(name)
        if name in replaced or old_part is None:
            continue
        old_vml = {r.target for r in rels(original, old_part) if r.kind == "vmlDrawing"}
        for rel in rels(out, new_part):
            if rel.kind == "vmlDrawing" and rel.target in old_vml:
                changed[rel.target] = original.read(rel.target)
        cached = cached_results(original.read(old_part))
        if cached:
            changed[new_part] = with_cached_results(out.read(new_part), cached)
    changed.update(_document_properties(original, names))
    added: dict[str, bytes] = {}
    for part in names | set(changed):
        if not part.endswith(".rels"):
            continue
        for rel in parse_rels(changed.get(part) or out.read(part), part):
            if not rel.external and rel.target not in names and rel.target not in added \
                    and rel.target in original_names:
                added[rel.target] = original.read(rel.target)
    types = _with_content_types(out.read("[Content_Types].xml"),
                                original.read("[Content_Types].xml"), added)
    if types is not None:
        changed["[Content_Types].xml"] = types
    if VBA_PART not in original_names:
        changed.update(_without_vba_rel(out))
    if not changed and not added:
        return data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as result:
        for info in out.infolist():
            result.writestr(info, changed.get(info.filename, None) or out.read(info.filename))
        for part, content in added.items():
            result.writestr(part, content)
    return buffer.getvalue()


_MAIN = f"{{{MAIN}}}"


def cached_results(xml: bytes) -> dict[str, tuple[str | None, str]]:
    """Cell -> (type, cached value) of every formula cell of a worksheet that has one."""
    if b"<f" not in xml and b":f" not in xml:
        return {}
    cached = {}
    for _, node in ElementTree.iterparse(io.BytesIO(xml)):
        if node.tag == f"{_MAIN}c":
            formula, value = node.find(f"{_MAIN}f"), node.find(f"{_MAIN}v")
            if formula is not None and value is not None and value.text is not None:
                cached[node.get("r")] = (node.get("t"), value.text)
            node.clear()
        elif node.tag == f"{_MAIN}row":
            node.clear()
    return cached


# openpyxl writes a formula cell as <c r="B2" s="1"><f>…</f><v /></c> with its own XML
# writer and as <c r="B2" s="1"><f>…</f><v></v></c> when lxml is installed: both an empty
# value, which is what must be filled (the formula text is escaped, so holds no "<")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)>(<f\b[^>]*?(?:/>|>[^<]*</f>))'
                           rb'(?:<v\s*/>|<v>\s*</v>)?</c>')


def with_cached_results(xml: bytes, cached: dict[str, tuple[str | None, str]]) -> bytes:
    """The worksheet ``xml`` with the ``cached`` values put back into its empty formulas."""
    def put_back(match: re.Match) -> bytes:
        ref = match.group(1).decode()
        if ref not in cached or b" t=" in match.group(2):
            return match.group(0)
        kind, value = cached[ref]
        kind_attr = f' t="{kind}"'.encode() if kind in ("str", "e", "b") else b""
        return (b'<c r="' + match.group(1) + b'"' + match.group(2) + kind_attr + b">" +
                match.group(3) + b"<v>" + escape(value).encode() + b"</v></c>")
    return _FORMULA_CELL.sub(put_back, xml)


_MODIFIED = re.compile(rb"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)")


def _document_properties(original: zipfile.ZipFile, names: set[str]) -> dict[str, bytes]:
    """The original ``app.xml`` and ``core.xml`` (Company, Manager, Category, status…);
    only the modification time of ``core.xml`` moves on."""
    kept = {}
    for part in DOC_PROPS:
        if part in names and part in original.namelist():
            kept[part] = original.read(part)
    if "docProps/core.xml" in kept:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        kept["docProps/core.xml"] = _MODIFIED.sub(lambda m: m.group(1) + now + m.group(2),
                                                  kept["docProps/core.xml"])
    return kept


def _with_content_types(current: bytes, original: bytes, added: dict[str, bytes]) -> bytes | None:
    """Declare the content types of restored parts as the original did, and give the
    workbook part its original type back (openpyxl with ``keep_vba`` marks every workbook
    macro-enabled, which Excel refuses in an .xlsx). None when nothing changes."""
    ElementTree.register_namespace("", CONTENT_TYPES)
    root = ElementTree.fromstring(current)
    source = ElementTree.fromstring(original)
    source_overrides = {n.get("PartName"): n for n in source if n.tag.endswith("Override")}
    overrides = {n.get("PartName"): n for n in root if n.tag.endswith("Override")}
    defaults = {n.get("Extension", "").lower() for n in root if n.tag.endswith("Default")}
    touched = False
    for name, node in overrides.items():
        before = source_overrides.get(name)
        if name.endswith("/workbook.xml") and before is not None and \
                before.get("ContentType") != node.get("ContentType"):
            node.set("ContentType", before.get("ContentType"))
            touched = True
    for part in added:
        name = "/" + part
        if name in source_overrides and name not in overrides:
            root.append(source_overrides[name])
            touched = True
        elif name not in source_overrides:
            ext = part.rsplit(".", 1)[-1].lower()
            default = next((n for n in source if n.tag.endswith("Default")
                            and n.get("Extension", "").lower() == ext), None)
            if default is not None and ext not in defaults:
                root.insert(0, default)
                defaults.add(ext)
                touched = True
    return to_xml(root) if touched else None


def _without_vba_rel(out: zipfile.ZipFile) -> dict[str, bytes]:
    """openpyxl with ``keep_vba`` links a vbaProject.bin even when there is none: unlink it."""
    part = "xl/_rels/workbook.xml.rels"
    if part not in out.namelist():
        return {}
    ElementTree.register_namespace("", PACKAGE_REL)
    root = ElementTree.fromstring(out.read(part))
    dangling = [n for n in root if n.get("Type", "").endswith("/vbaProject")]
    for node in dangling:
        root.remove(node)
    return {part: to_xml(root)} if dangling else {}
