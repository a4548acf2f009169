"""Native, editable Word charts: a DrawingML chart part with its data in an embedded workbook.

python-docx has no chart API. XlsxWriter writes the chart XML Word uses too (the same
DrawingML ``c:chartSpace``, with the values cached), so each chart is drawn by XlsxWriter in
a throwaway workbook whose ``Sheet1`` holds the data; its ``xl/charts/chart1.xml`` becomes
``/word/charts/chartN.xml`` (its ``Sheet1!$B$2:$B$8`` references already name the embedded
workbook's sheet), and a workbook holding only the data becomes
``/word/embeddings/Microsoft_Excel_Worksheet{N}.xlsx``, linked by ``c:externalData``. Word's
"Edit Data" opens that workbook; LibreOffice draws the chart from the cached values.
"""

from __future__ import annotations

import io
import zipfile

import xlsxwriter
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Cm
from docx.text.run import Run
from lxml import etree

from bdt_xl.document.model import BAR, COLUMN, PIE, Chart

CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "Sheet1"
WIDTH, HEIGHT = Cm(16), Cm(8.5)
PALETTE = ("#1F4E79", "#5B9BD5", "#ED7D31", "#A5A5A5", "#FFC000", "#70AD47", "#264478",
           "#9E480E", "#636363", "#997300")


def _write_data(book: xlsxwriter.Workbook, chart: Chart):
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 1, [series.name for series in chart.series])
    sheet.write_column(1, 0, chart.categories)
    for col, series in enumerate(chart.series, start=1):
        sheet.write_column(1, col, series.values)
    sheet.set_column(0, 0, max([12, *(len(c) for c in chart.categories)]))
    return sheet


def data_workbook(chart: Chart) -> bytes:
    """The embedded workbook: the chart's data on ``Sheet1`` (categories in A, series in B…)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    _write_data(book, chart)
    book.close()
    return buffer.getvalue()


def chart_xml(chart: Chart, language: str, data_rid: str = "rId1") -> bytes:
    """The chart part's XML, drawn by XlsxWriter from the data of ``data_workbook``."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = _write_data(book, chart)
    options = {"type": {PIE: "pie", COLUMN: "column", BAR: "bar"}[chart.kind]}
    xl_chart = book.add_chart(options)
    last = len(chart.categories)
    label_font = {"size": 8}
    for col, _series in enumerate(chart.series, start=1):
        spec = {"name": [SHEET, 0, col], "categories": [SHEET, 1, 0, last, 0],
                "values": [SHEET, 1, col, last, col]}
        if chart.labels:
            spec["data_labels"] = {"value": True, "num_format": chart.number_format,
                                   "font": label_font}
        if chart.kind == PIE:
            spec["points"] = [{"fill": {"color": PALETTE[i % len(PALETTE)]}}
                              for i in range(last)]
            if chart.labels:
                spec["data_labels"]["position"] = "best_fit"
        else:
            spec["fill"] = {"color": PALETTE[(col - 1) % len(PALETTE)]}
            spec["gap"] = 80
        xl_chart.add_series(spec)
    xl_chart.set_title({"name": chart.title, "name_font": {"size": 11, "bold": True}})
    xl_chart.set_legend({"position": "bottom", "font": {"size": 8}})
    if chart.kind != PIE:
        # XlsxWriter's y axis is the value axis of a column chart, the category axis of a
        # bar chart (whose categories are listed top-down, as in the seed)
        values = {"num_format": chart.number_format, "num_font": {"size": 8},
                  "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
        categories = {"num_font": {"size": 8}, "reverse": chart.kind == BAR}
        xl_chart.set_y_axis(categories if chart.kind == BAR else values)
        xl_chart.set_x_axis(values if chart.kind == BAR else categories)
    sheet.insert_chart("E2", xl_chart)
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as package:
        xml = package.read("xl/charts/chart1.xml")
    return _for_word(xml, language, data_rid)


def _for_word(xml: bytes, language: str, data_rid: str) -> bytes:
    """Square corners, the document's language, and the link to the embedded workbook."""
    root = etree.fromstring(xml)
    lang = root.find(f"{{{C}}}lang")
    if lang is not None:
        lang.set("val", {"fr": "fr-FR", "en": "en-GB"}.get(language, language))
        lang.addnext(etree.Element(f"{{{C}}}roundedCorners", val="0"))
    for labels in root.iter(f"{{{C}}}dLbls"):
        _only_values(labels)
    external = etree.Element(f"{{{C}}}externalData", nsmap={"r": R})
    external.set(f"{{{R}}}id", data_rid)
    etree.SubElement(external, f"{{{C}}}autoUpdate", val="0")
    anchor = root.find(f"{{{C}}}printSettings")
    if anchor is not None:
        anchor.addprevious(external)
    else:
        root.append(external)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


SHOWN = ("showLegendKey", "showVal", "showCatName", "showSerName", "showPercent",
         "showBubbleSize")


def _only_values(labels: etree._Element) -> None:
    """Data labels show the value only, every flag explicit: LibreOffice reads an absent
    flag as on and would print "category; series; 0.0609…; 6%"."""
    existing = [child for child in labels if etree.QName(child).localname in SHOWN]
    if not existing:
        return
    anchor = existing[0]
    for name in SHOWN:
        anchor.addprevious(etree.Element(f"{{{C}}}{name}", val="1" if name == "showVal" else "0"))
    for child in existing:
        labels.remove(child)


class ChartWriter:
    """Adds charts to one python-docx document, numbering their parts."""

    def __init__(self, document, language: str) -> None:
        self.document = document
        self.language = language
        self.count = 0

    def add(self, run: Run, chart: Chart) -> None:
        """Put ``chart`` inline in ``run``: chart part, embedded workbook, drawing."""
        self.count += 1
        n = self.count
        package = self.document.part.package
        embedded = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx"),
                        XLSX_CONTENT_TYPE, data_workbook(chart), package)
        chart_part = Part(PackURI(f"/word/charts/chart{n}.xml"), CHART_CONTENT_TYPE, b"",
                          package)
        data_rid = chart_part.relate_to(embedded, RT.PACKAGE)
        chart_part._blob = chart_xml(chart, self.language, data_rid)
        rid = self.document.part.relate_to(chart_part, RT.CHART)
        run._r.append(parse_xml(_inline(rid, n, chart.title, chart_height(chart))))


def chart_height(chart: Chart) -> int:
    """Bar charts grow with their categories (ten priorities need room), in EMU."""
    if chart.kind == BAR:
        return max(HEIGHT, Cm(3.5 + 1.1 * len(chart.categories)))
    return HEIGHT


def _inline(rid: str, n: int, title: str, height: int) -> str:
    name = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return (
        '<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:c="{C}" xmlns:r="{R}">'
        '<wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{WIDTH}" cy="{height}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{1000 + n}" name="Chart {n}" descr="{name}"/>'
        '<wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart r:id="{rid}"/>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing>')
