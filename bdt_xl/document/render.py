"""Render the document model as a .docx with python-docx (charts by ``charts``).

Styles are Word's built-in ones (Title, Heading 1, Table Grid), so the editor can restyle the
draft with the ITU template in one go; the annex is a landscape section.
"""

from __future__ import annotations

import os
from copy import deepcopy
from datetime import datetime

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from bdt_xl.document.charts import ChartWriter
from bdt_xl.document.model import Chart, Document, Heading, Landscape, Paragraph, Table

LANGUAGE_TAGS = {"fr": "fr-FR", "en": "en-GB"}


def render_docx(model: Document, target: str | os.PathLike[str],
                created: datetime | None = None) -> None:
    """Write ``model`` to ``target`` (a path; the caller makes the write atomic)."""
    document = docx.Document()
    _drop_styles_with_effects(document)
    _set_defaults(document, model.language)
    document.core_properties.title = model.title
    document.core_properties.language = LANGUAGE_TAGS.get(model.language, model.language)
    document.core_properties.author = "bdt-xl"
    if created is not None:
        document.core_properties.created = created
    charts = ChartWriter(document, model.language)
    document.add_paragraph(model.title, style="Title")
    for block in model.blocks:
        if isinstance(block, Heading):
            text = f"{block.number}\t{block.text}" if block.number else block.text
            document.add_heading(text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            if block.style == "note":
                run.italic = True
                run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Chart):
            if document.paragraphs:  # the sentence introducing a chart stays with it
                document.paragraphs[-1].paragraph_format.keep_with_next = True
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            charts.add(paragraph.add_run(), block)
        elif isinstance(block, Landscape):
            _landscape(document)
    document.save(str(target))


def _set_defaults(document, language: str) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE_TAGS.get(language, language))
    rpr.append(lang)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, as ITU documents
    section.left_margin = section.right_margin = Cm(2.0)


def _table(document, block: Table) -> None:
    """The header row, then one copy of a formatted prototype row per data row (the API's
    cell by cell formatting takes seconds for an annex of a few thousand agreements)."""
    table = document.add_table(rows=2, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, prototype = table.rows
    for cell, text in zip(header.cells, block.header, strict=True):
        _cell_text(cell, text, block.font_size, bold=True)
    _repeat_header(header)
    for col, cell in enumerate(prototype.cells):
        _cell_text(cell, "x", block.font_size, right=col in block.right_aligned)
    _row_flag(prototype, "w:cantSplit")  # an agreement is never cut across two pages
    if block.widths:  # LibreOffice reads the grid's widths, Word the cells'
        table.autofit = False
        for column, width in zip(table.columns, block.widths, strict=False):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, block.widths, strict=False):
                cell.width = Cm(width)
    model = prototype._tr
    tbl = model.getparent()
    tbl.remove(model)
    for values in block.rows:
        tr = deepcopy(model)
        for text_element, text in zip(tr.iter(qn("w:t")), values, strict=True):
            text_element.text = text
        tbl.append(tr)
    document.add_paragraph()


def _cell_text(cell, text: str, size: float, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold


def _repeat_header(row) -> None:
    """The header row is repeated on every page of a long table (the annex)."""
    _row_flag(row, "w:tblHeader")


def _row_flag(row, tag: str) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement(tag))  # present = on


def _drop_styles_with_effects(document) -> None:
    """python-docx's template carries Word 2010's optional ``stylesWithEffects`` part, which
    no longer matches its ``styles.xml``: Word would offer to repair the file."""
    part = document.part
    for rid, rel in list(part.rels.items()):
        if not rel.is_external and rel.reltype.endswith("/stylesWithEffects"):
            part.drop_rel(rid)


def _landscape(document) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.5)
