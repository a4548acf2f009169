"""The mistakes of a new user's first hour, each on the real ``bdt-xl`` command and real files:
one sentence that says what to do, the right exit code, never a traceback.

Commands that depend on the process (its stdout pipe, its Python, a full disk, the top-level
options) run as real subprocesses; the others in-process through the same ``run``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import tomllib
from cli_runner import invoke
from openpyxl import load_workbook

from bdt_xl import schema as s
from bdt_xl.workbooks.input_workbook import write_input_workbook

ROOT = Path(__file__).resolve().parents[2]
# One USD row: 1,000 + 500 USD.
USD_ROW = ["A1", "Alpha", "Governmental entities", "ADMIN", "Africa", "Cybersecurity",
           date(2022, 3, 1), "USD", 1000, 500]
CHF_ROW = ["A2", "Beta", "Private sector entities", None, "Europe", "Statistics",
           date(2022, 6, 1), "CHF", 800, None]
EUR_ROW = ["A3", "Gamma", "Other", None, "Europe", "Statistics",
           date(2022, 7, 1), "EUR", 900, None]
RATES = [("CHF", date(2022, 1, 1), 0.8), ("EUR", date(2022, 1, 1), 0.9)]


def _cli(*args: object, cwd: Path, stdin=None, prefix: list[str] | None = None,
         code: str | None = None) -> subprocess.CompletedProcess:
    """``python -m bdt_xl.cli ARGS`` as a real process (or ``python -c CODE ARGS``)."""
    command = [*(prefix or []), sys.executable]
    command += ["-c", code, *map(str, args)] if code else ["-m", "bdt_xl.cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd, timeout=180, stdin=stdin)


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("first_hour")
    paths = {name: root / f"{name}.xlsx" for name in
             ("clean", "no_rates", "settings", "one_bad", "hostile", "many_bad")}
    write_input_workbook(paths["clean"], [USD_ROW, CHF_ROW], RATES)
    # no Rates table at all (rates=() still writes an empty one: leave the table out)
    write_input_workbook(paths["no_rates"], [USD_ROW, CHF_ROW, EUR_ROW], RATES)
    book = load_workbook(paths["no_rates"])
    del book[s.RATES]
    book.save(paths["no_rates"])
    write_input_workbook(paths["settings"], [USD_ROW], RATES,
                         {s.SETTING_REPORT_YEAR: "abc", s.SETTING_TOP_N: "ten"})
    # one row with one error (the region), one warning (an unknown setting)
    write_input_workbook(paths["one_bad"], [[*USD_ROW[:4], "Afrika", *USD_ROW[5:]]], RATES,
                         {"Colour": "blue"})
    write_input_workbook(paths["hostile"], [
        ["A\x1b]0;owned\x07", "Alpha\x1b[2J", "Governmental entities", None,
         "Afr\x1b[31mica", "Cybersecurity", date(2022, 3, 1), "USD", 10, None]], RATES)
    write_input_workbook(paths["many_bad"], [
        [f"B{i}", f"Partner {i}", "Other", None, "Afrika", "Statistics", date(2022, 5, 1),
         "USD", 10, None] for i in range(3000)], RATES)
    return paths


# -- top-level options --------------------------------------------------------------------------
def test_version_is_the_package_version(tmp_path):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    run = _cli("--version", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"bdt-xl {declared}"


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_accepted_before_or_after_the_command(books, tmp_path, where):
    args = ["validate", books["clean"]]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    run = _cli(*args, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "2 rows checked: 0 errors in 0 rows" in run.stdout


def test_debug_reaches_the_command_from_both_places():
    from bdt_xl.cli import parser
    assert parser().parse_args(["--debug", "validate", "x.xlsx"]).debug is True
    assert parser().parse_args(["validate", "x.xlsx", "--debug"]).debug is True
    assert parser().parse_args(["validate", "x.xlsx"]).debug is False


# -- the input path --------------------------------------------------------------------------
def test_refresh_of_a_folder_is_one_sentence(books):
    run = _cli("refresh", ".", cwd=books["clean"].parent)
    assert run.returncode == 2
    line = _one_line(run.stderr)
    assert "is a folder" in line and ".xlsx" in line


def test_input_in_a_missing_folder_says_the_workbook_does_not_exist(tmp_path):
    for command in ("refresh", "validate"):
        result = invoke([command, str(tmp_path / "gone" / "book.xlsx")])
        assert result.exit_code == 2
        line = _one_line(result.stderr)
        assert "the workbook" in line and "does not exist" in line and "book.xlsx" in line
        assert "--out" not in line


@pytest.fixture(scope="module")
def other_formats(books, tmp_path_factory) -> dict[str, Path]:
    """The clean workbook saved by LibreOffice as .ods and as .xls (real files)."""
    folder = tmp_path_factory.mktemp("formats")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed to write the .ods and .xls files"
    files = {}
    for extension, filter_name in (("ods", "ods"), ("xls", "xls:MS Excel 97")):
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo",
                        "--convert-to", filter_name, "--outdir", str(folder),
                        str(books["clean"])], check=True, capture_output=True, timeout=180)
        files[extension] = folder / f"clean.{extension}"
        assert files[extension].stat().st_size > 0
    return files


@pytest.mark.libreoffice
@pytest.mark.parametrize("extension, kind", [("ods", "OpenDocument"), ("xls", "97-2003")])
def test_other_spreadsheet_formats_are_named_not_a_library_error(other_formats, extension,
                                                                  kind):
    for command in ("refresh", "validate"):
        result = invoke([command, str(other_formats[extension])])
        assert result.exit_code == 2
        line = _one_line(result.stderr)
        assert kind in line and "save it as Excel Workbook (.xlsx)" in line
        assert "TablesNotSupported" not in line and "Cfb" not in line


def test_text_file_named_xlsx_is_told_without_library_words(tmp_path):
    path = tmp_path / "agreements.xlsx"
    path.write_text("Agreement ID;Partner\nA1;Alpha\n", encoding="utf-8")
    for command in ("refresh", "validate"):
        result = invoke([command, str(path)])
        assert result.exit_code == 2
        line = _one_line(result.stderr)
        assert "agreements.xlsx is not an Excel workbook inside" in line
        assert "Cfb" not in line and "OLE" not in line


# -- options and packages ------------------------------------------------------------------
def test_ecb_fallback_without_its_package_says_how_to_install_it(books, tmp_path):
    # The package is made unimportable in that process only (as if never installed).
    code = ("import sys; sys.modules['currency_converter'] = None; "
            "from bdt_xl.cli import main; sys.argv[0] = 'bdt-xl'; main()")
    run = _cli("refresh", books["clean"], "--ecb-fallback", "--out", tmp_path / "r.xlsx",
               cwd=tmp_path, code=code)
    assert run.returncode == 2
    line = _one_line(run.stderr)
    assert "pip install" in line and "currencyconverter" in line
    assert not (tmp_path / "r.xlsx").exists()


def test_settings_value_not_understood_is_said_in_plain_words(books):
    result = invoke(["validate", str(books["settings"])])
    assert result.exit_code == 0, result.output
    assert "Input should" not in result.output and "parse string" not in result.output
    assert "“Report year” = “abc” is not understood; it accepts a year such as" in result.stdout
    assert "“Top partners”" in result.stdout
    assert "it accepts a whole number from 1 to 1000" in result.stdout


@pytest.mark.parametrize("command", ["refresh", "validate"])
def test_no_rates_table_is_one_sentence_not_one_error_per_row(books, command, tmp_path):
    args = [command, str(books["no_rates"])]
    if command == "refresh":
        args += ["--out", str(tmp_path / "r.xlsx")]
    result = invoke(args)
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    # A2 (CHF) and A3 (EUR) cannot be priced; A1 is in USD
    assert "this workbook has no Rates table" in line and "2 agreement rows in CHF, EUR" in line
    assert "--ecb-fallback" in line
    assert result.stdout == ""
    assert not (tmp_path / "r.xlsx").exists()


def test_no_rates_table_refused_in_place_too(books, tmp_path):
    copy = tmp_path / "no_rates.xlsx"
    copy.write_bytes(books["no_rates"].read_bytes())
    before = copy.read_bytes()
    result = invoke(["refresh", str(copy), "--in-place"])
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    assert "this workbook has no Rates table" in line and "2 agreement rows in CHF, EUR" in line
    assert copy.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["no_rates.xlsx"]  # no backup left


def test_no_rates_table_refused_by_the_document_command_too(books, tmp_path):
    target = tmp_path / "draft.docx"
    result = invoke(["document", str(books["no_rates"]), "--out", str(target)])
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    assert "this workbook has no Rates table" in line and "2 agreement rows in CHF, EUR" in line
    assert not target.exists()


def test_no_rates_table_refused_by_the_python_api_too(books, tmp_path):
    import bdt_xl

    target = tmp_path / "r.xlsx"
    with pytest.raises(bdt_xl.WorkbookError, match="2 agreement rows in CHF, EUR"):
        bdt_xl.refresh_file(books["no_rates"], target)
    assert not target.exists()


def test_no_rates_table_with_ecb_fallback_goes_ahead(books, tmp_path):
    result = invoke(["refresh", str(books["no_rates"]), "--ecb-fallback",
                     "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.xlsx").exists()


# -- what is printed -----------------------------------------------------------------------
def test_counts_of_one_are_singular(books, tmp_path):
    result = invoke(["validate", str(books["one_bad"])])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == \
        "1 row checked: 1 error in 1 row (excluded from the report), 1 warning."
    result = invoke(["refresh", str(books["one_bad"]), "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == \
        "Read 1 agreement row: 0 used, 1 excluded with errors, 1 warning."


def test_notices_of_a_report_that_says_nothing_are_printed(books, tmp_path, capsys):
    """Each ``Report.notices`` sentence is printed as it is, after the figures."""
    from bdt_xl import cli
    from bdt_xl.api import run_file

    report = run_file(books["clean"])
    report.notices.append("Warning: 1999 has no agreements; the report's year tables are empty.")
    cli._print_summary(report, tmp_path / "r.xlsx")
    lines = capsys.readouterr().out.splitlines()
    assert "Warning: 1999 has no agreements; the report's year tables are empty." in lines


def test_cell_text_never_reaches_the_terminal_raw(books):
    result = invoke(["validate", str(books["hostile"])])
    assert result.exit_code == 1
    controls = [c for c in result.output if ord(c) < 32 and c not in "\n"]
    assert controls == [], result.output
    assert "Afr" in result.stdout  # the problem is still told, its cell shown harmlessly


def test_closed_stdout_ends_quietly(books, tmp_path):
    """``bdt-xl validate … | head -1``: 3,000 error lines into a pipe closed after one."""
    proc = subprocess.Popen([sys.executable, "-m", "bdt_xl.cli", "validate",
                             str(books["many_bad"])], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=180)
    assert first.startswith(b"Error Agreements row 2 (B0)")
    assert err == ""
    assert code == 1  # validate's own answer: rows with errors


# -- the report file ------------------------------------------------------------------------
def test_out_naming_a_folder_says_so_with_the_users_path(books, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    result = invoke(["refresh", str(books["clean"]), "--out", str(folder)])
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    assert f"--out {folder} is a folder" in line and ".~" not in line
    assert list(folder.iterdir()) == []


def test_out_over_a_report_open_in_excel_is_refused(books, tmp_path):
    target = tmp_path / "TDAG report.xlsx"
    first = invoke(["refresh", str(books["clean"]), "--out", str(target)])
    assert first.exit_code == 0, first.output
    before = _sha(target)
    (tmp_path / "~$TDAG report.xlsx").write_bytes(b"\x00" * 165)  # Excel's owner file
    result = invoke(["refresh", str(books["clean"]), "--out", str(target)])
    assert result.exit_code == 5
    line = _one_line(result.stderr)
    assert "open in Excel" in line and "~$TDAG report.xlsx" in line
    assert _sha(target) == before


def test_full_disk_is_one_sentence_naming_the_folder(books, tmp_path):
    """--out into an 8 KiB tmpfs (a private mount namespace: no administrator rights)."""
    assert shutil.which("unshare"), "util-linux's unshare is needed for the full-disk test"
    disk = tmp_path / "small disk"
    disk.mkdir()
    script = ('mount -t tmpfs -o size=8k tmpfs "$1" && shift && exec "$@"')
    run = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(disk),
                          sys.executable, "-m", "bdt_xl.cli", "refresh", str(books["clean"]),
                          "--out", str(disk / "r.xlsx")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=180)
    assert run.returncode == 6, run.stderr
    line = _one_line(run.stderr)
    assert f"the disk holding {disk} is full" in line and "r.xlsx" in line
    assert ".~" not in line and "Exception" not in run.stderr


# -- new-workbook --------------------------------------------------------------------------
def test_new_empty_workbook_has_empty_settings(tmp_path):
    path = tmp_path / "Mine.xlsm"
    result = invoke(["new-workbook", str(path), "--empty"])
    assert result.exit_code == 0, result.output
    assert "0 sample agreements" in result.stdout
    sheet = load_workbook(path)[s.SETTINGS]
    rows = [tuple(c.value for c in row) for row in sheet[sheet.tables[s.SETTINGS].ref]]
    # SPEC §1 settings: names present, no values (defaults come from the data)
    assert rows[0] == (s.SETTING, s.VALUE)
    assert {name for name, _ in rows[1:]} >= {"Report year", "Through"}
    assert all(value is None for _, value in rows[1:])


# -- reports that say nothing say so (issue 9), end to end -----------------------------------
def _summary_texts(report: Path) -> list[str]:
    ws = load_workbook(report, read_only=True)[s.SUMMARY]
    return [str(c) for row in ws.iter_rows(values_only=True) for c in row
            if isinstance(c, str) and c.startswith("Warning:")]


def test_a_year_without_agreements_warns_on_the_terminal_and_on_summary(books, tmp_path):
    out = tmp_path / "1999.xlsx"
    run = _cli("refresh", books["clean"], "--year", "1999", "--out", out, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stdout.splitlines() if line.startswith("Warning:")]
    assert warnings and any("1999" in line for line in warnings), run.stdout
    assert any("1999" in text for text in _summary_texts(out))  # the same sentence, on Summary
    assert set(warnings) <= set(_summary_texts(out))


def test_an_empty_agreements_table_warns(tmp_path):
    book = tmp_path / "empty.xlsx"
    write_input_workbook(book, [], RATES)
    out = tmp_path / "empty report.xlsx"
    run = _cli("refresh", book, "--out", out, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert any(line.startswith("Warning:") and "no rows" in line
               for line in run.stdout.splitlines()), run.stdout
    assert _summary_texts(out)


def test_ecb_fallback_asked_in_settings_without_its_package_is_exit_2(tmp_path):
    book = tmp_path / "ecb.xlsx"
    write_input_workbook(book, [CHF_ROW], (), {"ECB fallback": "yes"})
    code = ("import sys; sys.modules['currency_converter'] = None; "
            "from bdt_xl.cli import main; sys.argv[0] = 'bdt-xl'; main()")
    run = _cli("refresh", book, "--out", tmp_path / "r.xlsx", cwd=tmp_path, code=code)
    assert run.returncode == 2, run.stdout + run.stderr
    line = _one_line(run.stderr)
    assert "pip install" in line and "currencyconverter" in line


def test_headline_counts_are_grouped_by_thousands(books, tmp_path, capsys):
    """"8,055 agreements (5,199 financial)": every count of the headline line is grouped."""
    from bdt_xl import cli
    from bdt_xl import schema as s
    from bdt_xl.api import run_file

    report = run_file(books["clean"])
    summary = report.tables[s.SUMMARY]
    year = summary[s.PERIOD] == str(report.report_year)
    summary.loc[year, [s.AGREEMENTS_N, s.FINANCIAL_N, s.PARTNERS_N]] = [8055, 5199, 1300]
    cli._print_summary(report, tmp_path / "r.xlsx")
    out = capsys.readouterr().out
    assert "8,055 agreements (5,199 financial) with 1,300 partners" in out
