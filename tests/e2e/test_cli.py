"""The ``bdt-xl`` command line on real workbook files.

The main paths run ``python -m bdt_xl.cli`` as a real subprocess (two at a time); the other
failure modes go through the same command in-process, which is much cheaper. A module
fixture runs every command once and the tests inspect the results.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from cli_runner import invoke
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import Table

from bdt_xl import schema as s
from bdt_xl.workbooks.input_workbook import write_input_workbook

HEADER = list(s.AGREEMENT_COLUMNS)
# A1: 1,000 + 500 USD; A2: 800 CHF / 0.8 = 1,000 USD; A3 (2023): 300 USD.
CLEAN = [
    ["A1", "Alpha", "Governmental entities", "ADMIN", "Africa", "Cybersecurity",
     date(2022, 3, 1), "USD", 1000, 500],
    ["A2", "Beta", "Private sector entities", None, "Europe", "Statistics",
     date(2022, 6, 1), "CHF", 800, None],
    ["A3", "Alpha", "Governmental entities", "ADMIN", "Africa", "Digital transformation",
     date(2023, 2, 1), "USD", 300, None],
]
BAD_ROW = ["A9", "Omega", "Other", None, "Afrika", "Statistics", date(2022, 5, 1), "USD",
           1_000_000, None]
RATES = [("CHF", date(2022, 1, 1), 0.8)]
#: Commands run as real processes; the others run in-process.
SUBPROCESS = {"refresh_default", "refresh_out", "validate_errors", "missing_refresh"}


@dataclass
class Run:
    args: list[str]
    code: int
    out: str
    err: str


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write(path: Path, rows, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_input_workbook(path, rows, RATES, **kwargs)
    return path


def _no_agreements_table(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Currency", "Effective from", "Units per USD"])
    ws.append(["CHF", datetime(2022, 1, 1), 0.8])
    ws.add_table(Table(displayName="Rates", ref="A1:C2"))
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Build the input files, run every command concurrently, return files, hashes, runs."""
    root = tmp_path_factory.mktemp("cli")
    files = {
        "clean": _write(root / "default" / "My agreements.xlsx", CLEAN),
        "clean_out": _write(root / "out" / "input.xlsx", CLEAN),
        "errors": _write(root / "errors" / "input.xlsx", [*CLEAN, BAD_ROW]),
        "gbp": _write(root / "gbp" / "input.xlsx", [["G1", "Gee", "Other", None, "CIS",
                                                     "Statistics", date(2022, 3, 1), "GBP",
                                                     1000, None]]),
        "wrong_header": _write(root / "header" / "input.xlsx", CLEAN,
                               agreement_columns=[c if c != s.REGION else "Regoin"
                                                  for c in HEADER]),
        "no_table": _no_agreements_table(root / "no_table" / "input.xlsx"),
        "not_xlsx": root / "text" / "input.xlsx",
    }
    files["not_xlsx"].parent.mkdir()
    files["not_xlsx"].write_text("this is not a workbook\n")
    out_file = root / "out" / "reports" / "TDAG report.xlsx"
    out_file.parent.mkdir()
    commands = {
        "refresh_default": ["refresh", files["clean"]],
        "refresh_out": ["refresh", files["clean_out"], "--out", out_file, "--year", "2022",
                        "--through", "2022-03-31"],
        "refresh_errors": ["refresh", files["errors"]],
        "validate_clean": ["validate", files["clean_out"]],
        "validate_errors": ["validate", files["errors"]],
        "validate_gbp": ["validate", files["gbp"]],
        "refresh_ecb": ["refresh", files["gbp"], "--ecb-fallback"],
        "missing_refresh": ["refresh", root / "nowhere.xlsx"],
        "missing_validate": ["validate", root / "nowhere.xlsx"],
        "not_xlsx_refresh": ["refresh", files["not_xlsx"]],
        "no_table_refresh": ["refresh", files["no_table"]],
        "no_table_validate": ["validate", files["no_table"]],
        "wrong_header_refresh": ["refresh", files["wrong_header"]],
        "wrong_header_validate": ["validate", files["wrong_header"]],
        "out_is_input": ["refresh", files["clean_out"], "--out", files["clean_out"]],
        "bad_through": ["refresh", files["clean_out"], "--through", "31/03/2022"],
        "out_csv": ["refresh", files["clean_out"], "--out", root / "out" / "report.csv"],
        "out_missing_folder": ["refresh", files["clean_out"], "--out",
                               root / "no such folder" / "report.xlsx"],
    }
    hashes = {name: _sha(path) for name, path in files.items()}
    runs = {}
    pending = [name for name in commands if name in SUBPROCESS]
    while pending:
        batch, pending = pending[:2], pending[2:]
        procs = {name: subprocess.Popen([sys.executable, "-m", "bdt_xl.cli",
                                         *map(str, commands[name])],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, encoding="utf-8", cwd=root)
                 for name in batch}
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            runs[name] = Run([str(a) for a in commands[name]], proc.returncode, out, err)
    for name, command in commands.items():
        if name not in SUBPROCESS:
            args = [str(a) for a in command]
            result = invoke(args)
            runs[name] = Run(args, result.exit_code, result.stdout, result.stderr)
    return {"root": root, "files": files, "hashes": hashes, "runs": runs, "out_file": out_file}


def report_table(path: Path, name: str) -> list[dict]:
    """Rows of the Excel Table ``name`` in the report file, as dicts by header."""
    book = load_workbook(path, data_only=True)
    for ws in book.worksheets:
        if name in ws.tables:
            cells = list(ws[ws.tables[name].ref])
            header = [c.value for c in cells[0]]
            rows = [dict(zip(header, (c.value for c in row))) for row in cells[1:]]
            return [r for r in rows if any(v is not None for v in r.values())]
    raise AssertionError(f"no table {name} in {path}")


def by_period(rows: list[dict]) -> dict[str, dict]:
    return {r[s.PERIOD]: r for r in rows}


def test_refresh_writes_default_report_beside_the_input(env):
    run = env["runs"]["refresh_default"]
    assert run.code == 0, run.err
    report = env["files"]["clean"].with_name("My agreements report.xlsx")
    assert report.exists()
    assert "Traceback" not in run.out + run.err
    summary = by_period(report_table(report, s.SUMMARY))
    # 2022: A1 + A2, one financial each, partners Alpha and Beta;
    #   partner 1,000 + 1,000 = 2,000, ITU 500, funds 2,500. 2023: A3, 300 USD.
    row = summary["2022"]
    assert (row[s.AGREEMENTS_N], row[s.FINANCIAL_N], row[s.PARTNERS_N]) == (2, 2, 2)
    assert (row[s.PARTNER_USD], row[s.ITU_USD], row[s.FUNDS_USD]) == \
        pytest.approx((2000, 500, 2500))
    assert row[s.FROM] == datetime(2022, 1, 1) and row[s.TO] == datetime(2022, 12, 31)
    assert summary["2023"][s.FUNDS_USD] == pytest.approx(300)
    # default report year 2023, cut-off its latest signing date 1 Feb
    assert [r[s.PERIOD] for r in report_table(report, s.YEAR_OVER_YEAR)] == \
        ["1 Jan–1 Feb 2022", "1 Jan–1 Feb 2023"]
    assert report_table(report, s.ISSUES) == []


def test_refresh_never_changes_the_input(env):
    for name, path in env["files"].items():
        assert _sha(path) == env["hashes"][name], name


def test_refresh_leaves_no_temporary_files(env):
    leftovers = [p for p in env["root"].rglob(".~*")]
    assert leftovers == []


def test_refresh_out_year_and_through(env):
    run = env["runs"]["refresh_out"]
    assert run.code == 0, run.err
    assert env["out_file"].exists()
    assert not env["files"]["clean_out"].with_name("input report.xlsx").exists()
    yoy = report_table(env["out_file"], s.YEAR_OVER_YEAR)
    # Jan–Mar 2021: nothing; Jan–Mar 2022: A1 only (A2 is in June): 1,000 + 500
    assert [(r[s.PERIOD], r[s.AGREEMENTS_N], r[s.FUNDS_USD]) for r in yoy] == \
        [("Jan–Mar 2021", 0, 0), ("Jan–Mar 2022", 1, 1500)]
    top = report_table(env["out_file"], s.TOP_PARTNERS)
    assert [(r[s.PERIOD], r[s.RANK], r[s.PARTNER], r[s.ORIGINAL_AMOUNTS]) for r in top
            if r[s.PERIOD] == "2022"] == [("2022", 1, "Alpha", "1,000 USD"),
                                          ("2022", 2, "Beta", "800 CHF")]


def test_refresh_with_error_rows_writes_the_report_and_lists_them(env):
    run = env["runs"]["refresh_errors"]
    assert run.code == 0, run.err
    report = env["files"]["errors"].with_name("input report.xlsx")
    issues = report_table(report, s.ISSUES)
    assert [(r[s.AGREEMENT_ID], r[s.ISSUE_COLUMN], r[s.ISSUE_SEVERITY]) for r in issues] == \
        [("A9", s.REGION, s.ERROR)]
    # the 1,000,000 USD of A9 is in no figure
    assert by_period(report_table(report, s.SUMMARY))["2022"][s.FUNDS_USD] == \
        pytest.approx(2500)


def test_validate_clean_exits_0(env):
    run = env["runs"]["validate_clean"]
    assert run.code == 0, run.out + run.err
    assert "3 rows checked" in run.out


def test_validate_with_errors_exits_1_and_names_the_row(env):
    run = env["runs"]["validate_errors"]
    assert run.code == 1
    assert "A9" in run.out and "Afrika" in run.out and "Africa" in run.out
    assert "Traceback" not in run.out + run.err


def test_validate_missing_rate_is_an_error(env):
    run = env["runs"]["validate_gbp"]
    assert run.code == 1 and "GBP" in run.out


def test_refresh_with_ecb_fallback_says_so(env):
    run = env["runs"]["refresh_ecb"]
    assert run.code == 0, run.err
    assert "ECB" in run.out
    report = env["files"]["gbp"].with_name("input report.xlsx")
    [issue] = report_table(report, s.ISSUES)
    assert issue[s.ISSUE_SEVERITY] == s.WARNING and "ECB" in issue[s.ISSUE_PROBLEM]
    assert by_period(report_table(report, s.SUMMARY))["2022"][s.FUNDS_USD] > 1000


@pytest.mark.parametrize("name, hint", [
    ("missing_refresh", "nowhere.xlsx"),
    ("missing_validate", "nowhere.xlsx"),
    ("not_xlsx_refresh", "input.xlsx"),
    ("no_table_refresh", "Agreements"),
    ("no_table_validate", "Agreements"),
    ("wrong_header_refresh", "Region"),
    ("wrong_header_validate", "Region"),
    ("out_is_input", "--out"),
    ("bad_through", "--through"),
    ("out_csv", "--out"),
    ("out_missing_folder", "no such folder"),
])
def test_unusable_input_exits_2_with_one_line(env, name, hint):
    run = env["runs"][name]
    assert run.code == 2, (run.code, run.out, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert hint in lines[0]
    assert "Traceback" not in run.out + run.err


def test_no_report_written_when_the_input_is_unusable(env):
    for name in ("no_table", "wrong_header", "not_xlsx"):
        assert not env["files"][name].with_name("input report.xlsx").exists(), name


def test_out_into_missing_folder_names_the_users_file(env):
    run = env["runs"]["out_missing_folder"]
    assert ".~" not in run.err and "report.xlsx" in run.err
