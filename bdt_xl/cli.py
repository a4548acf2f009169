"""Command line: ``bdt-xl refresh`` writes the report workbook, ``bdt-xl validate`` lists
problems. Works on any machine, no Excel needed.

Exit codes: 0 done; 1 ``validate`` found errors; 2 the workbook or an option could not be
used (one sentence says why); 3 an unexpected failure (reported in one sentence; ``--debug``
shows the details); with ``--in-place``: 4 parts of the workbook would be lost (nothing
written; ``--force`` to go ahead), 5 the workbook is open in Excel, 6 it could not be written
(the original is intact).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="BDT partnerships report to TDAG: validate agreement rows and build "
                       "the report workbook (tables and charts) from an Excel workbook.")

EXIT_ERRORS, EXIT_UNUSABLE, EXIT_UNEXPECTED = 1, 2, 3


def _console(stderr: bool = False):
    from rich.console import Console
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = EXIT_UNUSABLE) -> typer.Exit:
    _console(stderr=True).print(f"[bold red]Error:[/] {message}", markup=True)
    return typer.Exit(code)


def _parse_date(text: Optional[str], option: str) -> Optional[date]:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{option} {text!r} is not a date; write it as YYYY-MM-DD.") from None


def _guard(action, debug: bool):
    """Run ``action``; turn every failure into one sentence and an exit code."""
    from .reading import WorkbookError
    try:
        return action()
    except typer.Exit:
        raise
    except WorkbookError as exc:
        raise _fail(str(exc), getattr(exc, "exit_code", EXIT_UNUSABLE)) from None
    except PermissionError as exc:
        raise _fail(f"permission denied on {exc.filename or 'a file'}: close it in Excel or "
                    "choose a folder you may write to.") from None
    except OSError as exc:
        raise _fail(f"{exc.strerror or exc} ({exc.filename or 'file'}).") from None
    except Exception as exc:
        if debug:
            raise
        raise _fail(f"unexpected problem ({type(exc).__name__}: {exc}); run again with --debug "
                    "and send the output to the maintainers.", EXIT_UNEXPECTED) from None


def default_output(workbook: Path) -> Path:
    """``Book.xlsm`` -> ``Book report.xlsx`` in the same folder."""
    return workbook.with_name(f"{workbook.stem} report.xlsx")


@app.command()
def refresh(
    workbook: Path = typer.Argument(..., help="The agreements workbook (.xlsx or .xlsm)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Report file to write (default: '<name> report.xlsx' "
                                            "beside the workbook)."),
    year: Optional[int] = typer.Option(None, "--year", help="Report year (default: Settings, "
                                                            "else the latest year in the data)."),
    through: Optional[str] = typer.Option(None, "--through",
                                          help="Year-to-date cut-off YYYY-MM-DD for the year "
                                               "over year comparison."),
    language: Optional[str] = typer.Option(None, "--language", help="Chart titles: en or fr."),
    ecb_fallback: Optional[bool] = typer.Option(None, "--ecb-fallback/--no-ecb-fallback",
                                                help="Use ECB reference rates where the Rates "
                                                     "table has none (each use is listed)."),
    in_place: bool = typer.Option(False, "--in-place",
                                  help="Rewrite only the report sheets of WORKBOOK itself "
                                       "(a timestamped backup is kept beside it)."),
    force: bool = typer.Option(False, "--force",
                               help="With --in-place: go ahead even if parts of the workbook "
                                    "that cannot be kept are found (they are named first)."),
    no_backup: bool = typer.Option(False, "--no-backup",
                                   help="With --in-place: do not keep a backup copy."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
    debug: bool = typer.Option(False, "--debug", help="Show full details of unexpected errors."),
) -> None:
    """Validate the rows, convert to USD and write the report workbook (by default a new
    file: the input is never touched unless --in-place is given)."""
    from .engine import Options

    if language is not None and language not in ("en", "fr"):
        raise _fail(f"--language must be en or fr, not {language!r}.")
    options = Options(report_year=year, through=_parse_date(through, "--through"),
                      language=language, ecb_fallback=ecb_fallback)
    if in_place:
        if out is not None:
            raise _fail("--in-place writes into WORKBOOK itself; leave out --out.")
        result = _guard(lambda: _refresh_in_place(workbook, options, force, not no_backup),
                        debug)
        if not quiet:
            _print_summary(result.report, workbook)
            if result.backup is not None:
                _console().print(f"Backup of the previous version: {result.backup.name}")
            for note in result.notes:
                _console().print(f"Note: {note}")
        return
    if force or no_backup:
        raise _fail("--force and --no-backup only apply with --in-place.")
    target = out or default_output(workbook)
    if not target.parent.exists():
        raise _fail(f"cannot write {target.name}: the folder {target.parent} does not exist; "
                    "create it or choose another --out file.")
    if target.resolve() == workbook.resolve():
        raise _fail("the report would overwrite the input workbook; choose another --out file.")
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise _fail(f"--out must end in .xlsx, not {target.suffix or 'nothing'!r}.")
    report = _guard(lambda: _build(workbook, target, options, quiet), debug)
    if not quiet:
        _print_summary(report, target)


def _build(workbook: Path, target: Path, options, quiet: bool):
    from .reading import read_workbook_in_background
    reading = read_workbook_in_background(workbook)  # overlaps with the imports below

    from .engine import build_report, validate_tables
    from .layout import build_layout
    from .render.file_writer import write_report

    console = _console(stderr=True)
    with console.status("Reading the workbook…", spinner="dots") if not quiet and \
            console.is_terminal else _nothing() as status:
        tables = reading.result()
        _step(status, f"Validating {len(tables['Agreements'].rows):,} rows…")
        checked = validate_tables(tables, options)
        _step(status, "Computing the report…")
        report = build_report(checked, options)
        _step(status, f"Writing {target.name}…")
        write_report(build_layout(report), target)
    return report


def _refresh_in_place(workbook: Path, options, force: bool, backup: bool):
    from .inplace import refresh_in_place
    return refresh_in_place(workbook, options, force=force, backup=backup)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _step(status, text: str) -> None:
    if status is not None:
        status.update(text)


def _print_summary(report, target: Path) -> None:
    from . import schema as s
    console = _console()
    accepted = report.rows_read - report.rows_excluded
    console.print(f"Read {report.rows_read:,} agreement rows: {accepted:,} used, "
                  f"{report.rows_excluded:,} excluded with errors, {report.warnings:,} warnings.")
    if report.fallback_rates_used:
        console.print(f"{report.fallback_rates_used:,} amounts were converted with ECB "
                      "reference rates (fallback); see the Issues sheet.")
    if report.periods:
        years = ", ".join(p.label for p in report.years)
        windows = " vs ".join(p.label for p in report.windows)
        console.print(f"Periods: {years}; year over year: {windows}.")
        summary = report.tables[s.SUMMARY]
        row = summary[summary[s.PERIOD] == str(report.report_year)]
        if not row.empty:
            r = row.iloc[0]
            console.print(f"{report.report_year}: {r[s.AGREEMENTS_N]} agreements "
                          f"({r[s.FINANCIAL_N]} financial) with {r[s.PARTNERS_N]} partners, "
                          f"{r[s.FUNDS_USD]:,.0f} USD.")
    for note in report.notes:
        console.print(f"Note: {note}")
    if report.rows_excluded:
        console.print(f"The problems are listed on the Issues sheet of {target.name}; "
                      "`bdt-xl validate` lists them here.")
    console.print(f"Report written to {target}")


@app.command()
def validate(
    workbook: Path = typer.Argument(..., help="The agreements workbook (.xlsx or .xlsm)."),
    debug: bool = typer.Option(False, "--debug", help="Show full details of unexpected errors."),
) -> None:
    """List every problem in the input tables; exit code 1 if any row has an error."""
    from .engine import validate_tables
    from .reading import read_workbook

    checked = _guard(lambda: validate_tables(read_workbook(workbook)), debug)
    console = _console()
    for issue in checked.issues:
        where = f"{issue.sheet} row {issue.row}" if issue.row else issue.sheet
        if issue.agreement_id:
            where += f" ({issue.agreement_id})"
        cell = f", {issue.column}" + (f" = {issue.value!r}" if issue.value else "")
        colour = "red" if issue.severity == "Error" else "yellow"
        console.print(f"[{colour}]{issue.severity}[/] {where}{cell if issue.column else ''}: "
                      f"{issue.problem}", markup=True)
    errors = len(checked.errors)
    console.print(f"{checked.rows_read:,} rows checked: {errors:,} errors in "
                  f"{checked.rows_excluded:,} rows (excluded from the report), "
                  f"{len(checked.issues) - errors:,} warnings.")
    if errors:
        raise typer.Exit(EXIT_ERRORS)


@app.command("new-workbook")
def new_workbook(
    path: Path = typer.Argument(..., help="Where to create the workbook (must end in .xlsm)."),
    empty: bool = typer.Option(False, "--empty", help="No sample agreements (the sample rates "
                                                      "and the lists are still included)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
    debug: bool = typer.Option(False, "--debug", help="Show full details of unexpected errors."),
) -> None:
    """Create a BDT_Partnerships-style workbook (tables, drop-downs, Refresh report button,
    xlwings VBA of the installed xlwings) and the .py file its button runs, beside it."""
    if path.suffix.lower() != ".xlsm":
        raise _fail(f"{path.name} must end in .xlsm (the workbook holds macros).")
    if path.exists() and not force:
        raise _fail(f"{path} already exists; choose another name or add --force.")
    if not path.parent.exists():
        raise _fail(f"the folder {path.parent} does not exist; create it first.")

    def build():
        from .macro_workbook import build_macro_workbook, write_entry_module
        from .sample_data import sample_agreements, sample_rates, sample_settings
        agreements = [] if empty else sample_agreements()
        build_macro_workbook(path, agreements, sample_rates(), sample_settings())
        return write_entry_module(path), len(agreements)

    module, rows = _guard(build, debug)
    _console().print(f"Created {path} ({rows} sample agreements) and {module.name} beside it; "
                     "keep the two files together.")


def main() -> None:  # pragma: no cover - console entry point alias
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
