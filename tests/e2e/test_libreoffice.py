"""A written report opens in LibreOffice and prints: tables and charts reach the PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from report_fixture import sample_report

from bdt_xl import schema as s
from bdt_xl.files.openpyxl_writer import write_report
from bdt_xl.layout.report_layout import build_layout

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None,
                       reason="LibreOffice (soffice) is not on PATH"),
]


def _to_pdf(xlsx, out_dir, profile):
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)],
        check=True, capture_output=True, timeout=180)
    return out_dir / (xlsx.stem + ".pdf")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_report_converts_to_a_pdf_with_charts(tmp_path, language):
    xlsx = write_report(build_layout(sample_report(language, issues=True)),
                        tmp_path / f"report_{language}.xlsx")
    pdf = _to_pdf(xlsx, tmp_path, tmp_path / "profile")
    assert pdf.exists()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 30_000  # nine sheets, twenty charts: far from an empty document
    pages = data.count(b"/Type /Page\n") + data.count(b"/Type/Page\n") + \
        data.count(b"/Type /Page/") + data.count(b"/Type /Page>>")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                              text=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines()
                         if line.startswith("Pages:")))
    assert pages >= len(s.REPORT_TABLES)  # every sheet prints, one page wide
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        expected = ("Agreements signed by region (2022)" if language == "en"
                    else "Répartition des accords signés, par région (2022)")
        assert expected in " ".join(text.split())  # a chart title, drawn by the chart
        assert "Asia-Pacific" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "40", "-f", "4", "-l", "4", "-png", str(pdf),
                        str(tmp_path / "page")], check=True, capture_output=True)
        (png,) = tmp_path.glob("page*.png")
        assert png.stat().st_size > 5_000
