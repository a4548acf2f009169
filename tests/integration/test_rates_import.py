"""``bdt-xl rates import`` on real workbooks: the UN files appended to the Rates table with its
formats, the table and the Currency drop-down grown, everything else kept, and the report
then converting with the new rates (figures computed by hand)."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from cli_runner import invoke
from openpyxl import load_workbook
from un_rates_files import record, text_file, xml_file

from bdt_xl import schema as s
from bdt_xl.api import run_file, validate_file
from bdt_xl.workbooks.input_workbook import write_input_workbook
from bdt_xl.workbooks.macro_workbook import build_macro_workbook

OCT = date(2025, 10, 1)
# 5,100 BRL at 5.1 = 1,000 USD; 790 CHF at the new 0.79 = 1,000 USD (the old 0.80: 987.50).
AGREEMENTS = [
    ["R1", "Alpha", "Governmental entities", "ADMIN", "Africa", "Affordable connectivity",
     date(2025, 10, 15), "BRL", 5100, None],
    ["R2", "Beta", "Private sector entities", None, "Europe", "Affordable connectivity",
     date(2025, 10, 20), "CHF", 790, None],
]
RATES = [("CHF", date(2025, 9, 1), 0.80), ("EUR", OCT, 0.862)]
UN_RECORDS = [
    ("FRANCE", "Euro", "EUR", "01 Oct 2025", "0.862"),
    ("BRAZIL", "Brazilian Real", "BRL", "01 Oct 2025", "5.100"),
    ("GERMANY", "Euro", "EUR", "01 Oct 2025", "0.862"),
    ("UNITED STATES", "US Dollar", "USD", "01 Oct 2025", "1.000"),
    ("SWITZERLAND", "Swiss Franc", "CHF", "01 Oct 2025", "0.790"),
    ("JAPAN", "Yen", "JPY", "01 Oct 2025", "147.350"),
    ("LIECHTENSTEIN", "Swiss Franc", "CHF", "01 Oct 2025", "0.790"),
]
#: What the Rates table holds after the import: its own rows, then the new ones by code.
AFTER = [("CHF", date(2025, 9, 1), 0.80), ("EUR", OCT, 0.862), ("BRL", OCT, 5.1),
         ("CHF", OCT, 0.79), ("JPY", OCT, 147.35)]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def un_xml(tmp_path: Path, records=UN_RECORDS) -> Path:
    path = tmp_path / "UN rates.xml"
    path.write_bytes(xml_file(*(record(*r) for r in records), stray="\n \t\n"))
    return path


def un_text(tmp_path: Path, records=UN_RECORDS) -> Path:
    path = tmp_path / "UN rates.txt"
    path.write_bytes(text_file(records))
    return path


@pytest.fixture
def macro_book(tmp_path) -> Path:
    path = tmp_path / "Partnerships.xlsm"
    build_macro_workbook(path, AGREEMENTS, RATES, None)
    return path


def _rates_rows(path: Path):
    book = load_workbook(path)
    sheet = book[s.RATES]
    table = sheet.tables[s.RATES]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_col=3)
            if row[0].value is not None]
    formats = [(row[1].number_format, row[2].number_format)
               for row in sheet.iter_rows(min_row=2, max_col=3) if row[0].value is not None]
    return book, table, rows, formats


def _as_rates(rows):
    return [(c, d.date() if isinstance(d, datetime) else d, u) for c, d, u in rows]


@pytest.mark.parametrize("source", [un_xml, un_text], ids=["xml", "text"])
def test_import_appends_the_missing_rates_and_keeps_the_rest(tmp_path, macro_book, source):
    src = source(tmp_path)
    out = tmp_path / "with rates.xlsm"
    before = _sha(macro_book)
    result = invoke(["rates", "import", str(src), str(macro_book), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{src.name}: 3 rates added, 1 already there."
    assert _sha(macro_book) == before  # the input is untouched

    book, table, rows, formats = _rates_rows(out)
    assert _as_rates(rows) == AFTER
    assert table.ref == "A1:C6" and table.autoFilter.ref == "A1:C6"
    assert formats == [("yyyy-mm-dd", "0.0000")] * 5
    # the Currency drop-down of Agreements offers the new codes
    name = book.defined_names["Currencies"]
    [(sheet, ref)] = list(name.destinations)
    codes = [c[0].value for c in book[sheet][ref.replace("$", "")]]
    assert codes == ["USD", "CHF", "EUR", "BRL", "JPY"]
    currency_col = "H"  # Currency is the 8th Agreements column; data from row 3
    rules = [dv for dv in book[s.AGREEMENTS].data_validations.dataValidation
             if str(dv.sqref).startswith(f"{currency_col}3:")]  # table starts on row 2
    assert [dv.formula1 for dv in rules] == ["Currencies"]

    with zipfile.ZipFile(macro_book) as a, zipfile.ZipFile(out) as b:
        assert a.read("xl/vbaProject.bin") == b.read("xl/vbaProject.bin")
        vml = [n for n in a.namelist() if n.endswith(".vml")]
        assert vml and all(a.read(n) == b.read(n) for n in vml)  # the buttons

    for tab in (s.AGREEMENTS, s.LISTS):
        before_rows = [[c.value for c in r] for r in load_workbook(macro_book)[tab].iter_rows()]
        after_rows = [[c.value for c in r] for r in book[tab].iter_rows()]
        if tab == s.LISTS:  # only the two codes below the currency list are new
            after_rows = [[v for i, v in enumerate(r) if i != 8] for r in after_rows]
            before_rows = [[v for i, v in enumerate(r) if i != 8] for r in before_rows]
        assert after_rows[:len(before_rows)] == before_rows
        assert all(v is None for r in after_rows[len(before_rows):] for v in r)


def test_the_report_converts_with_the_imported_rates(tmp_path, macro_book):
    assert any("BRL" in i.problem or i.column == s.CURRENCY
               for i in validate_file(macro_book).errors)  # no BRL rate yet
    out = tmp_path / "with rates.xlsm"
    assert invoke(["rates", "import", str(un_xml(tmp_path)), str(macro_book), "--out",
                   str(out)]).exit_code == 0
    assert validate_file(out).errors == []
    summary = run_file(out).tables[s.SUMMARY]
    row = summary[summary[s.PERIOD] == "2025"].iloc[0]
    assert row[s.FUNDS_USD] == pytest.approx(2000.0)


def test_a_second_import_adds_nothing(tmp_path, macro_book):
    src = un_xml(tmp_path)
    first, second = tmp_path / "one.xlsm", tmp_path / "two.xlsm"
    assert invoke(["rates", "import", str(src), str(macro_book), "-o", str(first)]).exit_code == 0
    result = invoke(["rates", "import", str(src), str(first), "-o", str(second)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"{src.name}: 0 rates added, 4 already there."
    assert _as_rates(_rates_rows(second)[2]) == AFTER


def test_a_conflict_writes_nothing_and_names_both(tmp_path, macro_book):
    records = [*UN_RECORDS, ("LIECHTENSTEIN", "Swiss Franc", "CHF", "01 Oct 2025", "0.795")]
    records.pop(6)
    src = un_text(tmp_path, records)
    out = tmp_path / "out.xlsm"
    result = invoke(["rates", "import", str(src), str(macro_book), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {src.name} gives CHF two different rates from 1 October 2025: 0.79 (line 5, "
        "SWITZERLAND) and 0.795 (line 7, LIECHTENSTEIN); nothing was imported: save the file "
        "again from the UN Treasury's operational rates page, or correct the wrong record.\n")
    assert not out.exists()


def test_an_empty_rates_table_gets_the_workbook_formats(tmp_path):
    path = tmp_path / "plain.xlsx"
    write_input_workbook(path, AGREEMENTS, [])  # the table is one blank row
    out = tmp_path / "out.xlsx"
    result = invoke(["rates", "import", str(un_xml(tmp_path)), str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    _, table, rows, formats = _rates_rows(out)
    assert _as_rates(rows) == [("BRL", OCT, 5.1), ("CHF", OCT, 0.79), ("EUR", OCT, 0.862),
                               ("JPY", OCT, 147.35)]
    assert table.ref == "A1:C5"
    assert formats == [("yyyy-mm-dd", "0.0000")] * 4


def test_cells_below_the_table_are_never_overwritten(tmp_path, macro_book):
    book = load_workbook(macro_book, keep_vba=True)
    book[s.RATES]["B5"] = "my note"
    blocked = tmp_path / "blocked.xlsm"
    book.save(blocked)
    out = tmp_path / "out.xlsm"
    result = invoke(["rates", "import", str(un_xml(tmp_path)), str(blocked), "--out",
                     str(out)])
    assert result.exit_code == 2
    assert "cell B5" in result.stderr and "cannot grow" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("args, words", [
    (["{wb}", "--out", "{wb}"], "--out names the workbook itself"),
    (["{wb}", "--out", "{tmp}/out.xlsx"], "--out must end in .xlsm"),
    (["{wb}", "--out", "{tmp}/no/out.xlsm"], "does not exist"),
    (["{tmp}/missing.xlsm", "--out", "{tmp}/out.xlsm"], "does not exist"),
])
def test_unusable_arguments(tmp_path, macro_book, args, words):
    src = un_xml(tmp_path)
    argv = [a.format(wb=macro_book, tmp=tmp_path) for a in args]
    result = invoke(["rates", "import", str(src), *argv])
    assert result.exit_code == 2 and words in result.stderr, result.output
    assert "Traceback" not in result.output


def test_a_workbook_given_as_source_is_one_sentence(tmp_path, macro_book):
    result = invoke(["rates", "import", str(macro_book), str(macro_book), "--out",
                     str(tmp_path / "x.xlsm")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {macro_book.name} is an Excel workbook")


# -- without --out: the workbook itself, with the guarantees of refresh --in-place -----------------
def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_in_place_appends_and_keeps_a_backup(tmp_path, macro_book):
    src = un_xml(tmp_path)
    original = macro_book.read_bytes()
    result = invoke(["rates", "import", str(src), str(macro_book)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{src.name}: 3 rates added, 1 already there."
    [backup] = [p for p in tmp_path.iterdir() if ".backup-" in p.name]
    assert lines[-2:] == [f"Backup of the previous version: {backup.name}",
                          f"{macro_book} updated."]
    assert backup.read_bytes() == original
    _, table, rows, formats = _rates_rows(macro_book)
    assert _as_rates(rows) == AFTER and table.ref == "A1:C6"
    assert formats == [("yyyy-mm-dd", "0.0000")] * 5
    with zipfile.ZipFile(backup) as a, zipfile.ZipFile(macro_book) as b:
        assert a.read("xl/vbaProject.bin") == b.read("xl/vbaProject.bin")
        vml = [n for n in a.namelist() if n.endswith(".vml")]
        assert vml and all(a.read(n) == b.read(n) for n in vml)
    assert run_file(macro_book).tables[s.SUMMARY].query(f"`{s.PERIOD}` == '2025'")[
        s.FUNDS_USD].iloc[0] == pytest.approx(2000.0)


def test_in_place_with_nothing_new_leaves_the_file_alone(tmp_path, macro_book):
    src = un_text(tmp_path, [r for r in UN_RECORDS if r[2] in ("EUR", "USD")])
    before = _sha(macro_book)
    result = invoke(["rates", "import", str(src), str(macro_book), "--no-backup"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{src.name}: 0 rates added, 1 already there.",
                                          f"{macro_book} left as it was."]
    assert _sha(macro_book) == before
    assert _files(tmp_path) == sorted([macro_book.name, src.name])  # no backup, no temp


def test_in_place_refuses_a_workbook_open_in_excel(tmp_path, macro_book):
    (tmp_path / f"~${macro_book.name}").write_bytes(b"lock")
    before = _sha(macro_book)
    result = invoke(["rates", "import", str(un_xml(tmp_path)), str(macro_book)])
    assert result.exit_code == 5 and "open in Excel" in result.stderr, result.output
    assert _sha(macro_book) == before
    assert ".backup-" not in "".join(_files(tmp_path))


def test_in_place_conflict_changes_nothing(tmp_path, macro_book):
    records = [*UN_RECORDS, ("MONACO", "Euro", "EUR", "01 Oct 2025", "0.9")]
    before = _sha(macro_book)
    result = invoke(["rates", "import", str(un_text(tmp_path, records)), str(macro_book)])
    assert result.exit_code == 2
    assert "EUR two different rates" in result.stderr and "(line 8, MONACO)" in result.stderr
    assert _sha(macro_book) == before
    assert ".backup-" not in "".join(_files(tmp_path))


def _with_sparkline(book, refs):
    sheet = book.get_worksheet_by_name(s.AGREEMENTS)
    sheet.write_row("N1", [1, 2, 3])
    sheet.add_sparkline("R1", {"range": f"{s.AGREEMENTS}!N1:P1"})


def test_in_place_refuses_what_it_would_lose_unless_forced(tmp_path):
    path = tmp_path / "Sparkline.xlsx"
    write_input_workbook(path, AGREEMENTS, RATES, customize=_with_sparkline)
    before = _sha(path)
    src = un_xml(tmp_path)
    result = invoke(["rates", "import", str(src), str(path)])
    assert result.exit_code == 4
    assert "sparklines" in result.stderr and "--force" in result.stderr
    assert _sha(path) == before
    forced = invoke(["rates", "import", str(src), str(path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert any(line.startswith("Note: lost (forced): sparklines")
               for line in forced.stdout.splitlines())
    assert _as_rates(_rates_rows(path)[2]) == AFTER


def test_a_different_rate_already_in_the_table_is_kept_and_named(tmp_path, macro_book):
    records = [("FRANCE", "Euro", "EUR", "01 Oct 2025", "0.870")]
    out = tmp_path / "out.xlsm"
    result = invoke(["rates", "import", str(un_text(tmp_path, records)), str(macro_book),
                     "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "UN rates.txt: 0 rates added, 1 already there. The table's own rates were kept where "
        "the file differs: EUR from 1 October 2025 is 0.862 in the table, 0.87 in the file.")
    assert _as_rates(_rates_rows(out)[2]) == RATES
