"""A written report opens in LibreOffice and prints legibly on A4 and Letter (issue 9).

The PDF LibreOffice makes of the report is measured: landscape pages, every table one page
wide with its header row on every page, a footer naming the sheet and the page, table text
at 7 points or more, charts drawn. Font sizes are measured against a calibration sheet
printed at 100 %, so the test needs no font metrics. A missing tool is a failure.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from html import unescape

import pandas as pd
import pytest
import xlsxwriter
from report_fixture import sample_report

from bdt_xl import schema as s
from bdt_xl.files.xlsx_writer import write_report
from bdt_xl.layout.model import A4, LETTER, ReportLayout
from bdt_xl.layout.report_layout import build_layout

pytestmark = pytest.mark.libreoffice

#: Page sizes in points, landscape (width, height).
PAGE = {A4: (841.9, 595.3), LETTER: (792.0, 612.0)}
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"([^<]*)</word>")


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed (LibreOffice / poppler-utils are test tools)"
    return found


def _to_pdf(files, out_dir, profile):
    subprocess.run(
        [_tool("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, files)],
        check=True, capture_output=True, timeout=300)
    pdfs = [out_dir / (f.stem + ".pdf") for f in files]
    assert all(p.exists() for p in pdfs), pdfs
    return pdfs


def _pages(pdf) -> list[list[tuple[float, float, str]]]:
    """Per page: (word height, top, text) of every word in reading order (top to bottom,
    left to right), from ``pdftotext -bbox``."""
    xml = subprocess.run([_tool("pdftotext"), "-bbox", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    pages = []
    for page in xml.split("<page ")[1:]:
        words = sorted((round(float(y1)), float(x1), float(y2) - float(y1), unescape(text))
                       for x1, y1, _x2, y2, text in WORD.findall(page))
        pages.append([(height, top, text) for top, _x, height, text in words])
    return pages


def _page_sizes(pdf) -> list[tuple[float, float]]:
    info = subprocess.run([_tool("pdfinfo"), "-f", "1", "-l", "9999", str(pdf)], check=True,
                          capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def _calibration(path):
    """One 11-point cell printed at 100 %: the height pdftotext gives an 11-point word."""
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Calibration").write_string(0, 0, "2022-01-01")
    book.close()
    return path


def _on_paper(layout: ReportLayout, paper: str) -> ReportLayout:
    return ReportLayout([replace(sheet, page=replace(sheet.page, paper=paper))
                         for sheet in layout.sheets])


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("print")
    report = sample_report("en", issues=True)
    issues = report.tables[s.ISSUES]
    report.tables[s.ISSUES] = pd.DataFrame(  # 120 issues: the Issues table spans pages
        [[14 + i, f"A-{14 + i:04d}", "Region", "Afrika", s.ERROR, "unknown region",
          "Agreements"] for i in range(120)], columns=issues.columns)
    layout = build_layout(report)
    files = [_calibration(tmp / "calibration.xlsx")]
    for paper in (A4, LETTER):
        files.append(write_report(_on_paper(layout, paper), tmp / f"report_{paper}.xlsx"))
    files.append(write_report(build_layout(sample_report("fr")), tmp / "rapport_fr.xlsx"))
    calibration, *pdfs = _to_pdf(files, tmp, tmp / "profile")
    (eleven,) = [h for page in _pages(calibration) for h, _, text in page
                 if text == "2022-01-01"]
    return {"eleven_points": eleven, A4: pdfs[0], LETTER: pdfs[1], "fr": pdfs[2], "tmp": tmp}


def _sheet_of(page) -> str | None:
    """The sheet a printed page belongs to, read from its footer ("ByRegion – Page 3 of 20")."""
    words = [text for _, _, text in sorted(page, key=lambda w: w[1])]
    for i, text in enumerate(words[:-1]):
        if words[i + 1] == "–" and text in s.REPORT_TABLES:
            return text
    return None


@pytest.mark.parametrize("paper", [A4, LETTER])
def test_every_page_is_landscape_on_the_chosen_paper(printed, paper):
    sizes = _page_sizes(printed[paper])
    assert len(sizes) >= len(s.REPORT_TABLES)
    width, height = PAGE[paper]
    assert all(abs(w - width) < 2 and abs(h - height) < 2 for w, h in sizes), sizes[:3]


@pytest.mark.parametrize("paper", [A4, LETTER])
def test_table_text_prints_at_seven_points_or_more(printed, paper):
    pages = _pages(printed[paper])
    dates = [h for page in pages for h, _, text in page
             if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)]
    assert len(dates) >= 2 * (12 + 13 + 13 + 15 + 4 + 6 + 4)  # From and To of every row
    smallest = 11.0 * min(dates) / printed["eleven_points"]
    assert smallest >= 7.0, f"table text prints at {smallest:.1f} pt on {paper}"


@pytest.mark.parametrize("paper", [A4, LETTER])
def test_one_page_wide_header_repeated_footer_on_every_page(printed, paper):
    pages = _pages(printed[paper])
    seen = {}
    for number, page in enumerate(pages, start=1):
        sheet = _sheet_of(page)
        assert sheet is not None, f"page {number} has no footer naming its sheet"
        texts = " ".join(text for _, _, text in page)
        assert f"Page {number} of {len(pages)}" in texts
        seen.setdefault(sheet, []).append(texts)
    assert list(seen) == list(s.REPORT_TABLES)
    for sheet, texts in seen.items():
        header = texts[0].split(" 2022 ")[0].split()  # the words above the first data row
        first, last = s.REPORT_COLUMNS[sheet][0], s.REPORT_COLUMNS[sheet][-1].split()[0]
        assert first in header, sheet
        assert last in header, sheet  # the last column prints beside the first: one page wide
    issue_pages = seen[s.ISSUES]
    assert len(issue_pages) >= 2
    for text in issue_pages:  # the header row is printed again on every page
        assert {"Row", "Agreement", "ID", "Severity", "Problem"} <= set(text.split())


def test_charts_print_their_titles_and_labels(printed):
    text = " ".join(t for page in _pages(printed[A4]) for _, _, t in page)
    assert "Agreements signed by region (2022)" in text
    assert "75.6%" in text  # Governmental entities' share of 2022 funds: 7,333,000 / 9.7M
    french = " ".join(t for page in _pages(printed["fr"]) for _, _, t in page)
    assert "Répartition des accords signés, par région (2022)" in french
    assert "75,6%" in french  # a decimal comma in the French charts
    assert "42.3%" in french  # the table itself stays as SPEC formats it
    for label in ("Entités gouvernementales", "Afrique", "Renforcement des capacités",
                  "Plusieurs priorités thématiques", "Nombre d'accords", "Fonds convenus"):
        assert label in french, label


def test_pages_render_as_images(printed):
    out = printed["tmp"] / "page"
    subprocess.run([_tool("pdftoppm"), "-r", "40", "-f", "3", "-l", "3", "-png",
                    str(printed[A4]), str(out)], check=True, capture_output=True)
    (png,) = printed["tmp"].glob("page*.png")
    assert png.stat().st_size > 5_000
