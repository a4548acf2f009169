"""The drafted .docx opens in LibreOffice and prints: its PDF holds the seed's figures, in
French and English, and its charts are drawn (their titles and labels reach the PDF text).

LibreOffice (``soffice``) and ``pdftotext`` are required: without them the test fails.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bdt_xl.document.writer import document_file

pytestmark = pytest.mark.libreoffice
SAMPLE = Path(__file__).resolve().parents[2] / "workbook" / "BDT_Partnerships.xlsx"

# typed from the seed (sections 3 and 4, chart titles), not computed
EXPECTED = {
    "fr": ["71 accords", "dont 50 prévoient", "9,7 millions USD", "57 partenaires",
           "(42%)", "(32%)", "(7%)", "2,4 millions CHF", "1,6 million USD", "1,5 million AUD",
           "30 accords", "dont 12 prévoient", "5,4 millions USD", "26 partenaires",
           "1er janvier – 30 avril 2023", "Répartition des accords signés, par région (2022)"],
    "en": ["71 agreements", "50 of which", "USD 9.7 million", "57 different partners",
           "(42%)", "(32%)", "(7%)", "CHF 2.4 million", "USD 1.6 million", "AUD 1.5 million",
           "30 agreements", "12 of which", "USD 5.4 million", "26 different partners",
           "1 January–30 April 2023", "Agreements signed, by region (2022)"],
}


def pdf_text(docx: Path, folder: Path) -> str:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    assert soffice and pdftotext, "LibreOffice (soffice) and pdftotext must be installed"
    subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(docx)],
                   check=True, capture_output=True, timeout=240)
    pdf = folder / (docx.stem + ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True,
                          timeout=60).stdout.decode("utf-8")
    return " ".join(text.replace("\u00a0", " ").split())  # lines joined: wrapped sentences


@pytest.mark.parametrize("language", ["fr", "en"])
def test_document_converts_to_a_pdf_holding_the_seeds_figures(tmp_path, language):
    workbook = tmp_path / "BDT_Partnerships.xlsx"
    shutil.copy(SAMPLE, workbook)
    result = document_file(workbook, language=language)
    text = pdf_text(result.path, tmp_path)
    missing = [needle for needle in EXPECTED[language] if needle not in text]
    assert not missing
    # the region chart is drawn: its data labels (seed: 13%, 24%, 39% of the agreements)
    region = text.split(EXPECTED[language][-1])[1][:600]
    for label in ("13%", "24%", "39%"):
        assert label in region, label
