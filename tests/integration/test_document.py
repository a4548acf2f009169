"""``bdt-xl document`` on the bundled sample (which reproduces the seed): the Word file's
sentences hold the seed's published figures, in French and in English, its charts are native
chart parts with an embedded workbook, and its annex lists every agreement of both periods.

Expected figures are typed from the seed (TDAG-23 report, sections 3 and 4, and its charts'
data), never taken from the code under test.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from cli_runner import invoke
from lxml import etree
from remote_book import payload_from_file, remote_book

from bdt_xl import schema as s
from bdt_xl.core.pipeline import run
from bdt_xl.document.drafting import draft_document
from bdt_xl.document.wording import Wording
from bdt_xl.document.writer import document_file
from bdt_xl.excel.draft_document import draft_document as draft_macro
from bdt_xl.files.reader import read_workbook
from bdt_xl.layout.input_tables import DRAFT_BUTTON_CAPTION as BUTTON_CAPTION

SAMPLE = Path(__file__).resolve().parents[2] / "workbook" / "BDT_Partnerships.xlsx"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("document")
    shutil.copy(SAMPLE, folder / "BDT_Partnerships.xlsx")
    return folder


@pytest.fixture(scope="module")
def written(folder):
    """The French and English documents of the sample, written and reopened."""
    return {lang: document_file(folder / "BDT_Partnerships.xlsx", language=lang).path
            for lang in ("fr", "en")}


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of the .docx, as Word holds them."""
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend(" | ".join(cell.text for cell in row.cells) for row in table.rows)
    return "\n".join(lines)


def flat(text: str) -> str:
    return text.replace("\u00a0", " ")


# -- French -----------------------------------------------------------------------------------
def test_french_section_3_holds_the_seeds_figures(written):
    text = flat(docx_text(written["fr"]))
    for needle in (
        "En 2022, le BDT a conclu 71 accords",
        "dont 50 prévoient des contributions financières",
        "environ 9,7 millions USD",
        "avec 57 partenaires différents, parmi lesquels des entités gouvernementales (42%), "
        "des entités du secteur privé (32%), des établissements universitaires (7%), des "
        "organisations du système des Nations Unies (7%), des organisations d'une autre "
        "nature (5%), des organisations et des associations internationales et régionales "
        "(4%), des institutions financières (2%) et des fondations (2%).",
        "19% étaient des administrations de l'UIT",
        "12% étaient des Membres du Secteur de l'UIT-D (dont 7% des organismes scientifiques "
        "ou industriels et 5% des exploitations reconnues)",
        "4% étaient des organisations régionales et autres organisations internationales",
        "2% étaient des universités ou instituts de recherche de l'UIT",
        "conformément au Plan d'action de Buenos Aires",
    ):
        assert needle in text, needle
    assert "Non-membre" not in text.split("Annexe")[0]  # non-members are not a category


def test_french_top_three_table_in_original_currency(written):
    document = docx.Document(str(written["fr"]))
    top = document.tables[0]
    rows = [[flat(cell.text) for cell in row.cells] for row in top.rows]
    assert rows[0] == ["Partenaire", "Contribution financière convenue"]
    assert [r[1] for r in rows[1:]] == ["2,4 millions CHF", "1,6 million USD",
                                        "1,5 million AUD"]


def test_french_section_4_holds_the_window_totals(written):
    text = flat(docx_text(written["fr"]))
    section = text.split("4\tPartenariats")[1]
    for needle in ("Entre le 1er janvier et le 30 avril 2023, le BDT a conclu 30 accords",
                   "dont 12 prévoient", "environ 5,4 millions USD",
                   "avec 26 partenaires différents",
                   "contre 33 accords avec 28 partenaires et environ 3,9 millions USD"):
        assert needle in section, needle


# -- English ----------------------------------------------------------------------------------
def test_english_document_holds_the_same_figures(written):
    text = flat(docx_text(written["en"]))
    for needle in (
        "In 2022, BDT concluded 71 agreements", "50 of which include financial contributions",
        "about USD 9.7 million", "57 different partners, including governmental entities "
        "(42%), private-sector entities (32%), academic institutions (7%)",
        "19% were ITU administrations", "Buenos Aires Action Plan",
        "Between 1 January and 30 April 2023, BDT concluded 30 agreements",
        "12 of which", "about USD 5.4 million", "26 different partners",
    ):
        assert needle in text, needle
    top = docx.Document(str(written["en"])).tables[0]
    assert [row.cells[1].text for row in top.rows[1:]] == [
        "CHF 2.4 million", "USD 1.6 million", "AUD 1.5 million"]


# -- annex ------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["fr", "en"])
def test_annex_lists_every_agreement_of_both_periods(written, language):
    tables = docx.Document(str(written[language])).tables
    year, window = tables[-2], tables[-1]
    assert len(year.rows) - 1 == 71 and len(window.rows) - 1 == 30  # seed: 71 and 30
    first = [flat(cell.text) for cell in year.rows[1].cells]
    # sample row BDT-2022-001: 129,362.22 EUR at 0.88 EUR per USD = 147,002.52 USD
    expected = {"fr": ["Ministry of Information and Communications Technology, Italy",
                       "Entités gouvernementales", "États arabes",
                       "Réseau et infrastructure numérique", "6 janvier 2022",
                       "129 362,22 EUR", "147 003"],
                "en": ["Ministry of Information and Communications Technology, Italy",
                       "Governmental entities", "Arab States",
                       "Network and digital infrastructure", "6 January 2022",
                       "EUR 129,362.22", "147,003"]}
    assert first == expected[language]


# -- charts -----------------------------------------------------------------------------------
def chart_parts(path: Path) -> dict[str, tuple[etree._Element, bytes]]:
    """Each chart part of the .docx with the embedded workbook its c:externalData names."""
    found = {}
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        document = package.read("word/document.xml").decode()
        for name in sorted(n for n in names if re.fullmatch(r"word/charts/chart\d+\.xml", n)):
            root = etree.fromstring(package.read(name))
            rid = root.find(f"{C}externalData").get(
                "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            rels = etree.fromstring(package.read(name.replace("charts/", "charts/_rels/")
                                                 + ".rels"))
            rel = next(r for r in rels if r.get("Id") == rid)
            assert rel.get("Type") == PACKAGE
            target = "word/" + rel.get("Target").replace("../", "")
            found[name] = (root, package.read(target))
        assert document.count('graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"') == len(found)
        assert "application/vnd.openxmlformats-officedocument.drawingml.chart+xml" in \
            package.read("[Content_Types].xml").decode()
    return found


def series_of(root: etree._Element) -> dict[str, list[float]]:
    out = {}
    for ser in root.iter(f"{C}ser"):
        name = ser.find(f"{C}tx//{C}v").text
        out[name] = [float(v.text) for v in ser.find(f"{C}val").iter(f"{C}v")]
    return out


def test_charts_are_native_chart_parts_with_their_data_embedded(written):
    parts = chart_parts(written["fr"])
    assert len(parts) == 10  # 2022: cofinancing, funds by type, region, priority;
    # window: cofinancing, funds by type, region, priority; year over year: agreements, funds
    titles = {}
    for name, (root, workbook) in parts.items():
        title = "".join(t.text for t in root.find(f"{C}chart/{C}title").iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/main}t"))
        titles[title] = root
        sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
        embedded = {sheet.cell(1, col).value: [sheet.cell(r, col).value
                                               for r in range(2, sheet.max_row + 1)]
                    for col in range(2, sheet.max_column + 1)}
        assert embedded == series_of(root), name  # the chart shows its workbook's data
    region = series_of(titles["Répartition des accords signés, par région (2022)"])
    # the seed's chart data (Number of agreements / Funds signed (2022))
    assert region["Nombre d'accords"] == pytest.approx(
        [0.12676056338028169, 0.084507042253521125, 0.084507042253521125,
         0.23943661971830985, 0.028169014084507043, 0.042253521126760563,
         0.39436619718309857])
    assert region["Montants convenus"] == pytest.approx(
        [0.066484097710276691, 0.020108025308975777, 0.038320349054801812,
         0.43300187770734178, 0.0094441740140485224, 0.024056722749690763,
         0.40858475345486467], abs=1e-6)
    window = titles["Accords de cofinancement (1er janvier – 30 avril 2023)"]
    assert series_of(window)["Montants convenus"] == pytest.approx(
        [0.016018473406189643, 0.98398152659381033], abs=1e-6)  # seed: 2% / 98%


def test_english_chart_titles_name_the_exact_span(written):
    titles = ["".join(t.text for t in root.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/main}t"))
        for root, _ in chart_parts(written["en"]).values()]
    assert "Co-financing agreements (1 January–30 April 2023)" in titles


@pytest.mark.parametrize("language", ["fr", "en"])
def test_word_would_open_the_document_without_repairing_it(written, language):
    audit = Path(sys.executable).with_name("openxml-audit")
    assert audit.exists(), "openxml-audit must be installed in the test environment"
    result = subprocess.run([str(audit), str(written[language]), "-o", "json"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout
    assert '"error_count": 0' in result.stdout


def test_a_window_spanning_the_whole_year_uses_the_years_breakdowns(tmp_path):
    from bdt_xl.workbooks.input_workbook import write_input_workbook
    from bdt_xl.workbooks.sample_data import sample_agreements, sample_rates

    workbook = tmp_path / "full year.xlsx"
    write_input_workbook(workbook, sample_agreements(), sample_rates(),
                         {s.SETTING_REPORT_YEAR: 2023, s.SETTING_THROUGH: date(2023, 12, 31),
                          s.SETTING_LANGUAGE: "en"})
    result = document_file(workbook)
    text = docx_text(result.path)
    assert result.path.name == "full year document (en).docx"
    assert "In 2023, BDT concluded 30 agreements" in text  # the seed's 2023 agreements
    assert "26 different partners, including academic institutions (35%)" in text
    assert not result.notes


def test_nothing_to_draft_is_one_sentence_and_no_file(tmp_path):
    from bdt_xl.workbooks.input_workbook import write_input_workbook
    from bdt_xl.workbooks.sample_data import sample_rates

    workbook = tmp_path / "empty.xlsx"
    write_input_workbook(workbook, [], sample_rates(), None)
    result = invoke(["document", str(workbook)])
    assert result.exit_code == 2
    assert result.stderr == ("Error: There is nothing to draft: the Agreements table has no "
                             "rows; fix the rows and try again.\n")
    assert list(tmp_path.glob("*.docx")) == []


def test_rows_with_errors_are_left_out_and_said(tmp_path):
    from bdt_xl.workbooks.input_workbook import write_input_workbook
    from bdt_xl.workbooks.sample_data import sample_agreements, sample_rates, sample_settings

    rows = sample_agreements()
    rows[0] = {**rows[0], s.REGION: "Atlantis"}  # an error: the row is excluded
    workbook = tmp_path / "one bad row.xlsx"
    write_input_workbook(workbook, rows, sample_rates(), sample_settings())
    result = invoke(["document", str(workbook), "--language", "fr"])
    assert result.exit_code == 0, result.output
    assert "1 agreement row with errors is left out" in result.stdout
    text = flat(docx_text(tmp_path / "one bad row document (fr).docx"))
    assert "En 2022, le BDT a conclu 70 accords" in text  # the seed's 71, less the bad row


# -- the report year's window, when the report carries its breakdowns -------------------------
@pytest.fixture(scope="module")
def outcome():
    return run(read_workbook(SAMPLE))


def without_window_breakdowns(report):
    """The sample's report as an older engine made it: no breakdown rows for ``Jan–Apr 2023``
    (only Summary, Cofinancing and YearOverYear carry the window)."""
    window = report.windows[-1]
    tables = dict(report.tables)
    for name in (s.BY_PARTNER_TYPE, s.BY_MEMBERSHIP, s.BY_REGION, s.BY_PRIORITY,
                 s.TOP_PARTNERS):
        frame = tables[name]
        tables[name] = frame[frame[s.PERIOD] != window.label].reset_index(drop=True)
    return replace(report, tables=tables)


def test_window_breakdowns_are_used_when_present(outcome):
    report = outcome.report  # the pipeline carries the Jan–Apr 2023 breakdown rows
    model = draft_document(report, outcome.checked.agreements, "fr")
    section = flat(model.text).split("entre le 1er janvier et le 30 avril 2023\n")[1]
    # the seed's section 4, word for word where it writes the same sentence
    assert ("Entre le 1er janvier et le 30 avril 2023, le BDT a signé des accords avec 26 "
            "partenaires différents, parmi lesquels des établissements universitaires (35%), "
            "des entités gouvernementales (31%), des organisations du système des Nations "
            "Unies (15%), des entités du secteur privé (8%), des organisations et des "
            "associations internationales et régionales (8%) et des institutions financières "
            "(4%).") in section
    assert ("15% étaient des administrations de l'UIT, 12% étaient des universités ou "
            "instituts de recherche de l'UIT, 8% étaient des Membres du Secteur de l'UIT-D "
            "(organismes scientifiques ou industriels) et 4% étaient des organisations "
            "régionales et autres organisations internationales de l'UIT") in section
    assert "conformément au Plan d'action de Kigali" in section
    top = model.tables[1]
    assert [row[1] for row in top.rows] == ["3 millions EUR", "0,9 million EUR",
                                            "0,6 million USD"]
    assert len(model.charts) == 7 + 3  # window: funds by type, region, priority
    assert not model.notes


def test_without_window_breakdowns_section_4_keeps_its_totals_only(outcome):
    model = draft_document(without_window_breakdowns(outcome.report), outcome.checked.agreements,
                           "en")
    section = model.text.split("Partnerships and resource mobilization results between")[1]
    assert "26 different partners." in section
    assert "including" not in section.split("Annex")[0]
    assert any("no breakdowns for Jan–Apr 2023" in note for note in model.notes)


# -- rounding and typography ------------------------------------------------------------------
@pytest.mark.parametrize(("usd", "fr", "en"), [
    (9_700_000, "9,7 millions USD", "USD 9.7 million"),
    (1_600_000, "1,6 million USD", "USD 1.6 million"),
    (1_949_999, "1,9 million USD", "USD 1.9 million"),
    (1_950_000, "2 millions USD", "USD 2 million"),
    (3_000_000, "3 millions USD", "USD 3 million"),
    (900_000, "0,9 million USD", "USD 0.9 million"),
    (20_085.68, "20 085,68 USD", "USD 20,085.68"),
])
def test_millions_are_rounded_as_the_seed(usd, fr, en):
    assert flat(Wording("fr").millions(usd)) == fr
    assert Wording("en").millions(usd) == en


def test_shares_are_whole_percents_and_zero_is_left_out():
    assert Wording("fr").percent(0.421052) == "42%"
    assert Wording("fr").percent(0.035) == "4%"  # half up, as the seed's 2/57 -> 4%
    model_text = "\n".join(Wording("fr").join(["a", "b"]) for _ in range(1))
    assert model_text == "a et b"


def test_top_partner_amounts_in_several_currencies(outcome):
    from bdt_xl.document.drafting import Drafter

    drafter = Drafter(outcome.report, outcome.checked.agreements, "fr")
    assert flat(drafter.original_amounts("2,400,000 CHF; 20,085.68 USD")) == \
        "2,4 millions CHF + 20 085,68 USD"


def test_every_language_template_has_the_same_sentences():
    from bdt_xl.document.wording import languages, templates

    def keys(tree, prefix=""):
        if not isinstance(tree, dict) or prefix.endswith(("partner_types", "memberships",
                                                          "sector_member_names")):
            return {prefix}
        return set().union(*(keys(v, f"{prefix}/{k}") for k, v in tree.items()))

    assert languages() == ["en", "fr"]
    english = keys(templates("en"))
    for language in languages():
        assert keys(templates(language)) == english, language


# -- command line and macro -------------------------------------------------------------------
def test_cli_writes_beside_the_workbook_in_the_settings_language(folder):
    workbook = folder / "BDT_Partnerships.xlsx"
    before = workbook.read_bytes()
    result = invoke(["document", str(workbook)])
    assert result.exit_code == 0, result.output
    target = folder / "BDT_Partnerships document (en).docx"  # the sample's Settings: en
    assert f"written to {target}" in result.stdout
    assert "In 2022, BDT concluded 71 agreements" in docx_text(target)
    assert workbook.read_bytes() == before


def test_cli_refuses_to_overwrite_the_workbook_or_an_unknown_language(folder):
    workbook = folder / "BDT_Partnerships.xlsx"
    before = workbook.read_bytes()
    result = invoke(["document", str(workbook), "--out", str(workbook)])
    assert result.exit_code == 2 and "overwrite the workbook" in result.stderr
    result = invoke(["document", str(workbook), "--language", "es"])
    assert result.exit_code == 2 and "--language must be one of en, fr" in result.stderr
    result = invoke(["document", str(workbook), "--out", str(folder / "draft.txt")])
    assert result.exit_code == 2 and ".docx" in result.stderr
    assert workbook.read_bytes() == before
    assert not (folder / "draft.txt").exists()


def test_draft_document_macro_writes_beside_the_workbook_and_says_where(tmp_path,
                                                                       monkeypatch):
    import xlwings

    workbook = tmp_path / "Partnerships.xlsx"
    shutil.copy(SAMPLE, workbook)
    payload = payload_from_file(workbook)
    payload["book"]["name"] = str(workbook)  # a saved workbook's full name
    shown = []
    monkeypatch.setattr(xlwings.main.App, "alert",
                        lambda self, prompt, **kw: shown.append(prompt))
    summary = draft_macro(remote_book(payload), language="fr")
    target = tmp_path / "Partnerships document (fr).docx"
    assert summary.ok, summary.details
    assert summary.path == target and target.is_file()
    assert shown and shown[0].startswith(f"Document written to {target}")
    assert "environ 9,7 millions USD" in flat(docx_text(target))


def test_draft_document_macro_on_an_unsaved_workbook_says_what_to_do(tmp_path, monkeypatch):
    import xlwings

    workbook = tmp_path / "Book1.xlsx"
    shutil.copy(SAMPLE, workbook)
    payload = payload_from_file(workbook)  # name without a folder: never saved
    shown = []
    monkeypatch.setattr(xlwings.main.App, "alert",
                        lambda self, prompt, **kw: shown.append(prompt))
    summary = draft_macro(remote_book(payload))
    assert not summary.ok
    assert shown == ["Save the workbook in a folder first: the document is written beside it."]
    assert list(tmp_path.glob("*.docx")) == []


def test_macro_workbook_has_a_draft_document_button(tmp_path):
    from bdt_xl.workbooks.macro_workbook import build_macro_workbook
    from bdt_xl.workbooks.sample_data import sample_agreements, sample_rates, sample_settings

    path = tmp_path / "book.xlsm"
    build_macro_workbook(path, sample_agreements(), sample_rates(), sample_settings())
    with zipfile.ZipFile(path) as book:
        vml = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".vml"))
    assert BUTTON_CAPTION in vml
    assert ("[0]!'RunPython \"from bdt_xl.excel.draft_document import main; main()\"'"
            in vml)


def test_the_buttons_runpython_is_a_public_routine_of_xlwings_vba():
    from oletools.olevba import VBA_Parser

    from bdt_xl.workbooks.macro_workbook import xlwings_vba_project

    project, _version = xlwings_vba_project()
    parser = VBA_Parser("vbaProject.bin", data=project)
    code = {name: text for _, _, name, text in parser.extract_macros()}
    parser.close()
    # a button's macro may call a public routine with an argument: 'RunPython "..."'
    assert re.search(r"^(Public )?Function RunPython\(", code["xlwings.bas"], re.M)
