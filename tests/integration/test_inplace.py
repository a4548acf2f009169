"""In-place refresh: only the report sheets change; VBA, buttons, the user's own sheets,
formulas, names, tables, validations and formats stay; what the file library would drop is
named in a refusal unless forced; refreshing twice gives the same report."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
import python_calamine as pc
import xlsxwriter
from openpyxl import load_workbook

from bdt_xl import schema as s
from bdt_xl.errors import EXIT_WOULD_LOSE, WouldLoseFeatures, exit_code
from bdt_xl.files.features import workbook_features
from bdt_xl.files.inplace import InPlaceResult, backups, refresh_in_place
from bdt_xl.files.reader import read_workbook
from bdt_xl.workbooks.input_workbook import write_input_workbook
from bdt_xl.workbooks.macro_workbook import (
    IMPORT_FUNCTIONS_MACRO,
    REFRESH_MACRO,
    VBA_PROJECT_MEMBER,
    build_macro_workbook,
)
from bdt_xl.workbooks.synthetic import (
    CURRENCIES,
    FIRST_DAY,
    LAST_DAY,
    synthetic_dataset,
    synthetic_rates,
    write_synthetic_workbook,
)

REPORT_SHEETS = list(s.REPORT_TABLES)
INPUT_SHEETS = [s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS]
# a 1x1 transparent PNG
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist()}


def sheet_values(path: Path, sheet: str) -> list[list[object]]:
    book = pc.CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        book.close()


def rows_and_rates(n: int = 150, seed: int = 4):
    data = synthetic_dataset(n, seed=seed, error_rate=0.05)
    return data.rows, synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, seed)


@pytest.fixture
def macro_book(tmp_path) -> Path:
    rows, rates = rows_and_rates()
    path = tmp_path / "BDT_Partnerships.xlsm"
    build_macro_workbook(path, rows, rates, {s.SETTING_LANGUAGE: "en"})
    return path


def user_book(path: Path, extra=None) -> Path:
    """An .xlsx with the input tables plus the user's own 'Notes' sheet (formulas, formats,
    a name, a table, a merged range, a classic conditional format, a note); ``extra`` adds
    more to it."""
    rows, rates = rows_and_rates(80, seed=9)

    def customize(book: xlsxwriter.Workbook, refs) -> None:
        ws = book.add_worksheet("Notes")
        bold = book.add_format({"bold": True, "bg_color": "#FFFF00", "num_format": "0.00"})
        ws.write("A1", "Total", bold)
        ws.write_formula("B1", f"=COUNTA({s.AGREEMENTS}!A:A)-1", bold, len(rows))
        ws.write_formula("B2", '="n="&B1', None, f"n={len(rows)}")
        ws.merge_range("D1:E1", "merged", bold)
        ws.add_table("F1:G3", {"name": "MyTable", "columns": [{"header": "K"},
                                                              {"header": "V"}]})
        ws.conditional_format("B1:B2", {"type": "cell", "criteria": ">", "value": 0,
                                        "format": bold})
        ws.write_comment("A1", "my note")
        book.define_name("MyTotal", "=Notes!$B$1")
        if extra:
            extra(book, ws)

    write_input_workbook(path, rows, rates, {s.SETTING_LANGUAGE: "en"}, customize=customize)
    return path


# -- the shipped macro workbook -----------------------------------------------------------------
def test_macro_workbook_keeps_vba_buttons_and_input(macro_book):
    before = parts(macro_book)
    original = macro_book.read_bytes()
    inputs = {name: sheet_values(macro_book, name)
              for name in INPUT_SHEETS + ["How to use", "xlwings.conf"]}
    result = refresh_in_place(macro_book)
    assert isinstance(result, InPlaceResult)
    assert result.sheets == REPORT_SHEETS and result.notes == []
    after = parts(macro_book)
    # the VBA project is byte-identical, every legacy drawing (the buttons) too
    assert after[VBA_PROJECT_MEMBER] == before[VBA_PROJECT_MEMBER]
    vml = [name for name in before if name.endswith(".vml")]
    assert vml and all(after[name] == before[name] for name in vml)
    buttons = b"".join(after[name] for name in vml)
    assert buttons.count(b"Refresh report") == 2  # Agreements and How to use
    assert REFRESH_MACRO.encode() in buttons and IMPORT_FUNCTIONS_MACRO.encode() in buttons
    assert b"macroEnabled.main" in after["[Content_Types].xml"]
    # sheets still point at their buttons
    book = load_workbook(macro_book, keep_vba=True)
    assert book.sheetnames[:6] == INPUT_SHEETS + ["How to use", "xlwings.conf"]
    assert book.sheetnames[6:] == REPORT_SHEETS
    assert book[s.AGREEMENTS].legacy_drawing and book["How to use"].legacy_drawing
    assert len(book[s.AGREEMENTS].data_validations.dataValidation) == 5
    assert {"PartnerTypes", "Regions", "Currencies"} <= set(book.defined_names)
    assert book[s.LISTS]["I1"].comment is not None
    for name in REPORT_SHEETS:
        assert name in book[name].tables
    # input sheets read exactly as before; the backup is the original
    for name, values in inputs.items():
        assert sheet_values(macro_book, name) == values, name
    assert result.backup is not None and result.backup.read_bytes() == original
    assert result.backup.name.startswith("BDT_Partnerships.backup-")
    assert result.backup.suffix == ".xlsm"


def test_refresh_twice_is_idempotent(macro_book):
    first = refresh_in_place(macro_book)
    values = {name: sheet_values(macro_book, name) for name in REPORT_SHEETS + INPUT_SHEETS}
    vba = parts(macro_book)[VBA_PROJECT_MEMBER]
    # the report sheets we wrote (with their charts) are not "would be lost"
    assert [f for f in workbook_features(macro_book, REPORT_SHEETS) if f.lost] == []
    second = refresh_in_place(macro_book)
    for name, frame in first.report.tables.items():
        assert frame.equals(second.report.tables[name]), name
    for name, before in values.items():
        assert sheet_values(macro_book, name) == before, name
    assert parts(macro_book)[VBA_PROJECT_MEMBER] == vba
    book = load_workbook(macro_book)
    assert book.sheetnames.count(s.SUMMARY) == 1
    assert len(book[s.SUMMARY]._charts) > 0


# -- the user's own .xlsx ---------------------------------------------------------------------
def test_user_sheet_formulas_names_formats_kept(tmp_path):
    path = user_book(tmp_path / "Book.xlsx")
    notes_before = sheet_values(path, "Notes")
    result = refresh_in_place(path)
    assert result.notes == []
    book = load_workbook(path)
    ws = book["Notes"]
    assert ws["B1"].value == f"=COUNTA({s.AGREEMENTS}!A:A)-1"
    assert ws["B1"].font.b and ws["B1"].fill.fgColor.rgb.endswith("FFFF00")
    assert ws["B1"].number_format == "0.00"
    assert "D1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert "MyTable" in ws.tables
    assert len(ws.conditional_formatting) == 1
    assert ws["A1"].comment.text == "my note"
    assert "MyTotal" in book.defined_names
    # formula results are still cached (a headless reader sees them, not blanks)
    assert sheet_values(path, "Notes") == notes_before
    # an .xlsx stays an .xlsx: no macro content type, no link to a VBA project
    after = parts(path)
    assert b"macroEnabled" not in after["[Content_Types].xml"]
    assert b"vbaProject" not in after["xl/_rels/workbook.xml.rels"]


def test_error_cells_still_read_after_refresh(tmp_path):
    path = tmp_path / "Errors.xlsx"
    data = write_synthetic_workbook(path, 300, seed=3, error_rate=0.2)
    assert any(v == "#N/A" for row in data.rows for v in row.values())
    before = read_workbook(path)
    refresh_in_place(path)
    after = read_workbook(path)
    for name, table in before.items():
        assert after[name].rows == table.rows and after[name].header == table.header


def test_user_chart_is_kept(tmp_path):
    def chart(book, ws):
        ws.write_column("J1", [1, 2, 3])
        c = book.add_chart({"type": "column"})
        c.add_series({"values": "=Notes!$J$1:$J$3"})
        ws.insert_chart("J5", c)

    path = user_book(tmp_path / "Chart.xlsx", chart)
    refresh_in_place(path)
    assert len(load_workbook(path)["Notes"]._charts) == 1


# -- what the file library would drop: refused unless forced --------------------------------------
def _textbox(book, ws):
    ws.insert_textbox("J2", "a text box")


def _sparkline(book, ws):
    ws.write_row("J1", [1, 2, 3])
    ws.add_sparkline("M1", {"range": "Notes!J1:L1"})


def _data_bar(book, ws):
    ws.write_column("J1", [1, -2, 3])
    ws.conditional_format("J1:J3", {"type": "data_bar", "data_bar_2010": True})


def _image(book, ws):
    ws.insert_image("J2", "pixel.png", {"image_data": io.BytesIO(PNG)})


def _dynamic_array(book, ws):
    ws.write_column("J1", [3, 1, 2])
    ws.write_dynamic_array_formula("K1", "=SORT(J1:J3)")


def _pillow() -> bool:
    from bdt_xl.files.features import _pillow as available
    return available()


LOSSES = [
    (_textbox, "shapes or text boxes"),
    (_sparkline, "sparklines"),
    (_data_bar, "Excel 2010+ conditional formats"),
    (_dynamic_array, "dynamic-array formulas"),
    pytest.param(_image, "pictures", marks=pytest.mark.skipif(
        _pillow(), reason="with Pillow installed openpyxl keeps pictures")),
]


@pytest.mark.parametrize("extra, named", LOSSES)
def test_refuses_what_would_be_lost(tmp_path, extra, named):
    path = user_book(tmp_path / "Book.xlsx", extra)
    before = digest(path)
    with pytest.raises(WouldLoseFeatures) as caught:
        refresh_in_place(path)
    message = str(caught.value)
    assert named in message and "--force" in message and "was not changed" in message
    assert exit_code(caught.value) == EXIT_WOULD_LOSE
    assert digest(path) == before
    assert not backups(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Book.xlsx"]
    forced = refresh_in_place(path, force=True)
    assert any(named.split(" (")[0] in note for note in forced.notes)
    assert forced.backup is not None and digest(forced.backup) == before


def test_unknown_excel_extension_is_named(tmp_path):
    path = user_book(tmp_path / "Book.xlsx")
    content = parts(path)
    sheet = "xl/worksheets/sheet5.xml"  # Notes
    content[sheet] = content[sheet].replace(
        b"</worksheet>", b'<extLst><ext uri="{00000000-1234-4321-ABCD-000000000000}">'
                         b"<x:future xmlns:x=\"urn:future\"/></ext></extLst></worksheet>")
    content["xl/futureThing/part1.xml"] = b"<x/>"
    with zipfile.ZipFile(path, "w") as book:
        for name, data in content.items():
            book.writestr(name, data)
    with pytest.raises(WouldLoseFeatures) as caught:
        refresh_in_place(path)
    assert "does not know" in str(caught.value)
    assert "{00000000-1234-4321-ABCD-000000000000}" in str(caught.value)
    assert "xl/futureThing/part1.xml" in str(caught.value)


def test_backups_pruned_and_optional(macro_book):
    for _ in range(3):
        refresh_in_place(macro_book, keep_backups=2)
    kept = backups(macro_book)
    assert len(kept) == 2
    assert all(re.fullmatch(r"BDT_Partnerships\.backup-\d{8}-\d{6}(-\d+)?\.xlsm", p.name)
               for p in kept)
    result = refresh_in_place(macro_book, backup=False)
    assert result.backup is None and backups(macro_book) == kept


def test_no_temporary_files_left(macro_book):
    refresh_in_place(macro_book, backup=False)
    assert sorted(p.name for p in macro_book.parent.iterdir()) == [macro_book.name]


# -- through the command line (the flag is being added to the CLI) -------------------------------

def test_cli_refresh_in_place(macro_book):

    from cli_runner import invoke

    vba = parts(macro_book)[VBA_PROJECT_MEMBER]
    outcome = invoke(["refresh", str(macro_book), "--in-place"])
    assert outcome.exit_code == 0, outcome.output
    assert parts(macro_book)[VBA_PROJECT_MEMBER] == vba
    assert set(REPORT_SHEETS) <= set(load_workbook(macro_book).sheetnames)
    assert not (macro_book.parent / f"{macro_book.stem} report.xlsx").exists()



def test_cli_in_place_refusal_and_force(tmp_path):

    from cli_runner import invoke

    path = user_book(tmp_path / "Book.xlsx", _textbox)
    before = digest(path)
    outcome = invoke(["refresh", str(path), "--in-place"])
    assert outcome.exit_code == EXIT_WOULD_LOSE
    assert "shapes or text boxes" in outcome.output and digest(path) == before
    outcome = invoke(["refresh", str(path), "--in-place", "--force",
                                       "--no-backup"])
    assert outcome.exit_code == 0, outcome.output
    assert not backups(path)


# -- what openpyxl gets wrong on its own, repaired ------------------------------------------------
def test_tenth_button_drawing_is_restored(tmp_path):
    """openpyxl copies legacy drawings named vmlDrawing1..9 only; the tenth button would
    vanish (and leave a dangling link) without the repair."""
    def buttons(book, ws):
        for i in range(10):
            book.add_worksheet(f"Buttons{i}").insert_button(
                "B2", {"macro": REFRESH_MACRO, "caption": f"Button {i}"})

    path = user_book(tmp_path / "Many.xlsx", buttons)
    before = parts(path)
    assert "xl/drawings/vmlDrawing11.vml" in before
    refresh_in_place(path)
    after = parts(path)
    vml = [name for name in before if name.endswith(".vml") and b"Button" in before[name]]
    assert len(vml) == 10 and all(after.get(name) == before[name] for name in vml)


def test_custom_ribbon_is_kept(macro_book):
    content = parts(macro_book)
    ribbon = (b'<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">'
              b"<ribbon/></customUI>")
    content["customUI/customUI.xml"] = ribbon
    content["_rels/.rels"] = content["_rels/.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdUI" Type="http://schemas.microsoft.com/'
                             b'office/2006/relationships/ui/extensibility" '
                             b'Target="customUI/customUI.xml"/></Relationships>')
    with zipfile.ZipFile(macro_book, "w") as book:
        for name, data in content.items():
            book.writestr(name, data)
    refresh_in_place(macro_book)
    after = parts(macro_book)
    assert after["customUI/customUI.xml"] == ribbon
    assert b"customUI/customUI.xml" in after["_rels/.rels"]
