"""The shipped macro workbook: built into a temp folder, reopened with openpyxl, calamine, the
raw OOXML parts, the VBA source, xlwings' own config reader and LibreOffice."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlwings
from python_calamine import CalamineWorkbook

from bdt_xl import schema as s
from bdt_xl.core.lists import (
    DEFAULT_LISTS,
    KIGALI,
    MEMBERSHIP,
    PRIORITY,
    REGION,
    ListItem,
    ReferenceLists,
)
from bdt_xl.workbooks.macro_workbook import build_macro_workbook

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "workbook" / "BDT_Partnerships.xlsm"

AGREEMENTS = [
    {s.AGREEMENT_ID: "A-1", s.PARTNER: "Acme Telecom", s.PARTNER_TYPE: "Private sector entities",
     s.MEMBERSHIP: "SIO", s.REGION: "Africa", s.PRIORITY: "Digital transformation",
     s.SIGNED_ON: date(2023, 3, 1), s.CURRENCY: "EUR", s.PARTNER_AMOUNT: 1000.0,
     s.ITU_AMOUNT: 50.0},
    {s.AGREEMENT_ID: "A-2", s.PARTNER: "Ministry of ICT", s.PARTNER_TYPE: "Governmental entities",
     s.MEMBERSHIP: None, s.REGION: "Europe", s.PRIORITY: "Cybersecurity",
     s.SIGNED_ON: date(2022, 6, 30), s.CURRENCY: "chf", s.PARTNER_AMOUNT: 250000.0,
     s.ITU_AMOUNT: None},
]
RATES = [("EUR", date(2022, 1, 1), 0.91), (" chf", date(2022, 1, 1), 0.95),
         {s.CURRENCY: "EUR", s.EFFECTIVE_FROM: date(2023, 1, 1), s.UNITS_PER_USD: 0.93}]
SETTINGS = {s.SETTING_REPORT_YEAR: 2023}

# Drop-down contents, spelled out from the product contract (SPEC §1), not from the code.
EXPECTED_LISTS = {
    "PartnerTypes": ["Governmental entities", "Private sector entities", "Academic institutions",
                     "UN organizations", "International and regional organizations",
                     "Financial institutions", "Foundations", "Other"],
    "Memberships": ["ADMIN", "ADMIN-affiliated", "ROA", "SIO", "REGINTORG", "UNIVERS/RSRCH",
                    "Other ITU entity", "Non-member"],
    "Regions": ["Africa", "Americas", "Arab States", "Asia-Pacific", "CIS", "Europe",
                "Multi-regions"],
    "Priorities": ["Capacity development", "Cybersecurity", "Digital inclusion",
                   "Digital innovation ecosystem", "Digital services and applications",
                   "Emergency telecommunications", "Environment",
                   "Network and digital infrastructure", "Statistics", "Multi-thematic",
                   "Affordable connectivity", "Digital transformation",
                   "Enabling policy and regulatory environment",
                   "Resource mobilization and international cooperation",
                   "Inclusive and secure telecommunications/ICTs for sustainable development",
                   "Multi-priorities"],
    "Currencies": ["USD", "CHF", "EUR"],
}
# Agreements column (letter, in the default column order) -> defined name of its drop-down.
EXPECTED_DROPDOWNS = {"C": "PartnerTypes", "D": "Memberships", "E": "Regions",
                      "F": "Priorities", "H": "Currencies"}

REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("macro") / "BDT_Partnerships.xlsm"
    build_macro_workbook(path, AGREEMENTS, RATES, SETTINGS)
    return path


def shipped_vba_project() -> bytes:
    standalone = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
    with zipfile.ZipFile(standalone) as book:
        return book.read("xl/vbaProject.bin")


# -- package parts ---------------------------------------------------------------------------
def sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part name inside the zip."""
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{REL_NS}Relationship")}
    return {sheet.get("name"): "xl/" + targets[sheet.get(f"{DOC_REL_NS}id")].removeprefix("/xl/")
            for sheet in workbook.iter(f"{MAIN_NS}sheet")}


def buttons(path: Path, sheet: str) -> set[tuple[str, str]]:
    """(caption, macro) of every form button on ``sheet``, from its VML drawing."""
    with zipfile.ZipFile(path) as book:
        part = sheet_parts(book)[sheet]
        folder, name = part.rsplit("/", 1)
        rels = ET.fromstring(book.read(f"{folder}/_rels/{name}.rels"))
        found = set()
        for rel in rels.iter(f"{REL_NS}Relationship"):
            if not rel.get("Target").endswith(".vml"):
                continue
            vml = book.read("xl/drawings/" + rel.get("Target").rsplit("/", 1)[1]).decode()
            for shape in re.findall(r"<v:shape .*?</v:shape>", vml, re.S):
                if 'ObjectType="Button"' in shape:
                    caption = re.sub(r"<[^>]+>", "", re.search(r"<v:textbox.*?</v:textbox>",
                                                               shape, re.S).group(0))
                    macro = re.search(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", shape).group(1)
                    found.add((caption.strip(), macro))
    return found


def test_vba_project_is_xlwings_standalone_one(built):
    with zipfile.ZipFile(built) as book:
        assert book.read("xl/vbaProject.bin") == shipped_vba_project()


def test_package_is_macro_enabled(built):
    with zipfile.ZipFile(built) as book:
        types_ = ET.fromstring(book.read("[Content_Types].xml"))
        workbook = ET.fromstring(book.read("xl/workbook.xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types_ if o.get("PartName")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types_ if d.get("Extension")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    assert workbook.find(f"{MAIN_NS}workbookPr").get("codeName") == "ThisWorkbook"


def test_input_tables_with_rows(built):
    book = CalamineWorkbook.from_path(str(built), load_tables=True)
    assert set(book.table_names) == {s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS}
    agreements = book.get_table_by_name(s.AGREEMENTS)
    assert agreements.columns == list(s.AGREEMENT_COLUMNS)
    rows = agreements.to_python()
    assert [row[0] for row in rows] == ["A-1", "A-2"]
    assert rows[1][s.AGREEMENT_COLUMNS.index(s.PARTNER_AMOUNT)] == 250000
    assert len(book.get_table_by_name(s.RATES).to_python()) == 3
    assert len(book.get_table_by_name(s.LISTS).to_python()) == sum(map(len, [
        EXPECTED_LISTS[name] for name in ("PartnerTypes", "Memberships", "Regions",
                                          "Priorities")]))

    wb = openpyxl.load_workbook(built, keep_vba=True)
    assert wb.vba_archive is not None
    tables = {name for ws in wb.worksheets for name in ws.tables}
    assert tables == {s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS}
    assert wb.sheetnames[-2:] == ["How to use", "xlwings.conf"]


def resolve(wb: openpyxl.Workbook, name: str) -> list[object]:
    (sheet, cells), = wb.defined_names[name].destinations
    return [row[0].value for row in wb[sheet][cells.replace("$", "")]]


def test_dropdowns_on_every_list_column(built):
    wb = openpyxl.load_workbook(built)
    validations = wb[s.AGREEMENTS].data_validations.dataValidation
    by_column = {}
    for dv in validations:
        (cells,) = str(dv.sqref).split()
        first, last = cells.split(":")
        column = re.match(r"[A-Z]+", first).group(0)
        # from the first data row (below the button row and the header) well beyond the rows
        assert first == f"{column}3" and int(last[len(column):]) >= 1000
        assert dv.type == "list" and dv.errorStyle == "warning"
        by_column[column] = dv.formula1
    assert by_column == EXPECTED_DROPDOWNS
    for name in EXPECTED_DROPDOWNS.values():
        assert resolve(wb, name) == EXPECTED_LISTS[name], name


def test_dropdowns_when_custom_lists_are_not_grouped(tmp_path):
    # A Lists table whose kinds are interleaved still gets one block per drop-down.
    items = [item for item in DEFAULT_LISTS.items if item.kind != REGION]
    items.insert(3, ListItem(REGION, "Oceania"))
    items.append(ListItem(REGION, "Antarctica"))
    items.append(ListItem(MEMBERSHIP, "Observer"))
    items.insert(0, ListItem(PRIORITY, "Space", plan=KIGALI.name))
    path = tmp_path / "custom.xlsm"
    build_macro_workbook(path, AGREEMENTS, RATES, None, ReferenceLists(items, DEFAULT_LISTS.plans))
    wb = openpyxl.load_workbook(path)
    assert resolve(wb, "Regions") == ["Oceania", "Antarctica"]
    assert resolve(wb, "Memberships") == EXPECTED_LISTS["Memberships"] + ["Observer"]
    assert resolve(wb, "Priorities") == ["Space"] + EXPECTED_LISTS["Priorities"]
    assert s.SETTINGS not in CalamineWorkbook.from_path(str(path), load_tables=True).table_names


def test_refresh_and_import_buttons(built):
    refresh = ("Refresh report", "[0]!SampleCall")
    draft = ("Draft document",
             "[0]!'RunPython \"from bdt_xl.excel.draft_document import main; main()\"'")
    assert buttons(built, s.AGREEMENTS) == {refresh, draft}
    assert buttons(built, "How to use") == {refresh,
                                             ("Import worksheet functions", "[0]!ImportPythonUDFs")}


def vba_modules(project: bytes) -> dict[str, str]:
    """Module name -> VBA source, decompressed by oletools (a test dependency)."""
    from oletools import olevba

    parser = olevba.VBA_Parser("vbaProject.bin", data=project)
    modules = {name.removesuffix(".bas"): code
               for _, _, name, code in parser.extract_macros() if name.endswith(".bas")}
    parser.close()
    return modules


def test_button_macros_exist_in_the_vba_source():
    modules = vba_modules(shipped_vba_project())
    assert {"Module1", "xlwings"} <= set(modules)
    sample = re.search(r"Sub SampleCall\(\)(.*?)End Sub", modules["Module1"], re.S).group(1)
    # The module run is the workbook's file name without its extension ...
    assert 'Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, "."' in sample
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in sample
    # ... so the Python file beside the shipped workbook is named like it and has main().
    assert (SHIPPED.parent / f"{SHIPPED.stem}.py").is_file()
    assert re.search(r"^Sub ImportPythonUDFs\(\)", modules["xlwings"], re.M)
    assert 'GetConfig("UDF MODULES")' in modules["xlwings"]


def test_refresh_button_in_view_at_100_percent_zoom(built):
    """Above the table, in column A of the first row, frozen with the header: visible on
    opening and however far the user scrolls (beside the wide table it was off screen)."""
    with zipfile.ZipFile(built) as book:
        part = sheet_parts(book)[s.AGREEMENTS]
        folder, name = part.rsplit("/", 1)
        rels = ET.fromstring(book.read(f"{folder}/_rels/{name}.rels"))
        [vml_target] = [rel.get("Target") for rel in rels.iter(f"{REL_NS}Relationship")
                        if rel.get("Target").endswith(".vml")]
        vml = book.read("xl/drawings/" + vml_target.rsplit("/", 1)[1]).decode()
    [anchor] = [re.search(r"<x:Anchor>(.*?)</x:Anchor>", shape, re.S).group(1)
                for shape in vml.split("<v:shape ")[1:] if "Refresh report" in shape]
    # LeftColumn, LeftOffset, TopRow, TopOffset, RightColumn, RightOffset, BottomRow, ...
    left, _, top, _, right, right_px, bottom, bottom_px = map(int, anchor.split(","))
    assert (left, top, right, bottom) == (0, 0, 0, 0)  # inside cell A1
    ws = openpyxl.load_workbook(built)[s.AGREEMENTS]
    column_a_px = int(ws.column_dimensions["A"].width * 7 + 5)  # Excel's default font
    assert right_px <= column_a_px and bottom_px <= ws.row_dimensions[1].height * 4 / 3
    assert ws.freeze_panes == "A3"  # button row and header stay on screen
    assert ws.tables[s.AGREEMENTS].ref.startswith("A2:")
    assert "Refresh report" in ws["C1"].value  # the hint, right of the two buttons


def test_workbook_records_the_xlwings_version_of_its_vba(built):
    """The version the Refresh macro checks: the one whose DLL the VBA loads, pinned in
    pyproject.toml so that pip installs the same xlwings on the user's machine."""
    modules = vba_modules(shipped_vba_project())
    [dll] = set(re.findall(r"xlwings(?:64|32)-(\d+\.\d+\.\d+)\.dll", modules["xlwings"]))
    pin = re.search(r'"xlwings==([^"]+)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert dll == pin == xlwings.__version__
    for path in (built, SHIPPED):
        name = openpyxl.load_workbook(path).defined_names["BDT_xlwings_version"]
        assert name.attr_text == f'"{pin}"', path


def test_build_script_refuses_another_installed_xlwings(tmp_path):
    # The process runs the real script with its xlwings reporting another version.
    code = ("import runpy, sys, xlwings; xlwings.__version__ = '0.30.1'; "
            "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-c", code, str(REPO / "scripts" / "build_workbook.py"),
                          str(out)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 2
    [line] = run.stderr.strip().splitlines()
    assert "pins xlwings 0.37.8 but xlwings 0.30.1 is installed" in line
    assert "pip install xlwings==0.37.8" in line
    assert not out.exists()


def conf_block(path: Path) -> dict[str, object]:
    """Keys/values the way xlwings' VBA reads them: column A from A1 down to a blank cell."""
    ws = openpyxl.load_workbook(path)["xlwings.conf"]
    found = {}
    for row in range(1, ws.max_row + 1):
        key = ws.cell(row, 1).value
        if key in (None, ""):
            break
        found[key] = ws.cell(row, 2).value
    return found


def test_xlwings_conf_sheet(built):
    assert conf_block(built) == {"UDF Modules": "bdt_xl.udfs"}


def test_xlwings_reads_the_conf_sheet_itself(built):
    # xlwings' own reader (calamine engine, needs a key; "noncommercial" is fine for tests).
    code = ("import json, sys, xlwings as xw; "
            "print(json.dumps(xw.utils.read_config_sheet(xw.Book(sys.argv[1], mode='r'))))")
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    done = subprocess.run([sys.executable, "-c", code, str(built)], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == {"UDF Modules": "bdt_xl.udfs"}


def test_how_to_sheet(built):
    wb = openpyxl.load_workbook(built)
    assert wb.active.title == "How to use"
    text = "\n".join(str(cell.value) for row in wb["How to use"].iter_rows() for cell in row
                     if cell.value)
    for needle in ("Refresh report", "Import worksheet functions", "BDT_Partnerships.py",
                   "Interpreter_Win", "Trust access to the VBA project object model",
                   "=BDT_SHARE("):
        assert needle in text, needle


def test_refuses_a_non_macro_extension(tmp_path):
    with pytest.raises(ValueError, match="xlsm"):
        build_macro_workbook(tmp_path / "book.xlsx", AGREEMENTS, RATES, SETTINGS)
    assert list(tmp_path.iterdir()) == []


def test_workbook_python_module_runs_refresh_report(monkeypatch):
    calls = []
    fake = types.ModuleType("bdt_xl.excel.macros")
    fake.refresh_report = lambda: calls.append("refresh")
    monkeypatch.setitem(sys.modules, "bdt_xl.excel.macros", fake)
    spec = importlib.util.spec_from_file_location("BDT_Partnerships",
                                                  SHIPPED.parent / "BDT_Partnerships.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
    assert calls == ["refresh"]


def test_shipped_workbook_is_built_from_the_installed_xlwings():
    assert SHIPPED.is_file(), "run scripts/build_workbook.py"
    with zipfile.ZipFile(SHIPPED) as book:
        assert book.read("xl/vbaProject.bin") == shipped_vba_project(), \
            "xlwings changed: run scripts/build_workbook.py again"
    tables = CalamineWorkbook.from_path(str(SHIPPED), load_tables=True)
    assert {s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS} <= set(tables.table_names)
    assert tables.get_table_by_name(s.AGREEMENTS).to_python()
    assert conf_block(SHIPPED) == {"UDF Modules": "bdt_xl.udfs"}


# -- LibreOffice -----------------------------------------------------------------------------
def soffice_convert(path: Path, fmt: str, out: Path) -> Path:
    soffice = shutil.which("soffice")
    assert soffice is not None, "LibreOffice (soffice) is needed for this test"
    subprocess.run([soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}",
                    "--headless", "--convert-to", fmt, "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    result = out / f"{path.stem}.{fmt}"
    assert result.is_file()
    return result


@pytest.mark.libreoffice
def test_libreoffice_keeps_dropdowns_and_buttons(built, tmp_path):
    ods = soffice_convert(built, "ods", tmp_path)
    with zipfile.ZipFile(ods) as book:
        content = book.read("content.xml").decode()
    conditions = dict(re.findall(
        r'<table:content-validation table:name="([^"]+)" '
        r'table:condition="of:cell-content-is-in-list\((\w+)\)"', content))
    assert sorted(conditions.values()) == sorted(EXPECTED_DROPDOWNS.values())
    agreements = re.search(r'<table:table table:name="Agreements".*?</table:table>', content,
                           re.S).group(0)
    assert set(re.findall(r'table:content-validation-name="([^"]+)"', agreements)) \
        == set(conditions)
    ranges = dict(re.findall(r'<table:named-range table:name="(\w+)"[^>]*'
                             r'table:cell-range-address="([^"]+)"', content))
    assert set(EXPECTED_DROPDOWNS.values()) <= set(ranges)
    # LibreOffice resolves each button's macro to the VBA module that defines it.
    macros = re.findall(r"vnd\.sun\.star\.script:VBAProject\.(\w+\.\w+)\?", content)
    assert sorted(macros) == ["Module1.SampleCall", "Module1.SampleCall",
                              "Module1.SampleCall",  # Import UN rates (Rates sheet)
                              "xlwings.ImportPythonUDFs"]


@pytest.mark.libreoffice
def test_libreoffice_prints_the_sheets(built, tmp_path):
    assert shutil.which("pdftotext") is not None, "poppler (pdftotext) is needed for this test"
    pdf = soffice_convert(built, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    for needle in ("Agreement ID", "Acme Telecom", "how to use this workbook",
                   "Refresh report", "UDF Modules", "bdt_xl.udfs"):
        assert needle in text, needle
