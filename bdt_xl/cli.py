"""Command line: ``bdt-xl refresh`` writes the report workbook, ``bdt-xl validate`` lists
problems, ``bdt-xl new-workbook`` creates a macro workbook. Works on any machine, no Excel.

Exit codes: 0 done; 1 ``validate`` found errors; 2 the workbook or an option could not be
used (one sentence says why); 3 an unexpected failure (reported in one sentence; ``--debug``
shows the details); with ``--in-place``: 4 parts of the workbook would be lost (nothing
written; ``--force`` to go ahead), 5 the workbook is open in Excel, 6 it could not be written
(the original is intact).

Built on the standard library's argparse: the command starts in a few milliseconds, which
matters when it runs once per click.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

from bdt_xl.errors import EXIT_ERRORS, EXIT_OK, EXIT_UNEXPECTED, EXIT_UNUSABLE

T = TypeVar("T")


class Failure(Exception):
    """Stop the command with one sentence for the user and an exit code."""

    def __init__(self, message: str, code: int = EXIT_UNUSABLE) -> None:
        super().__init__(message)
        self.code = code


def _say(text: str = "", *, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout)


class _Progress:
    """One status line on a terminal's stderr ("Validating 50,000 rows…"), nothing otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.live = not quiet and sys.stderr.isatty()

    def step(self, text: str) -> None:
        if self.live:
            sys.stderr.write(f"\r\033[K{text}")
            sys.stderr.flush()

    def done(self) -> None:
        self.step("")


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Failure(f"{option} {text!r} is not a date; write it as YYYY-MM-DD.") from None


def _guard(action: Callable[[], T], debug: bool) -> T:
    """Run ``action``; turn every failure into one sentence and an exit code."""
    from bdt_xl.errors import BdtError as WorkbookError
    try:
        return action()
    except Failure:
        raise
    except WorkbookError as exc:
        raise Failure(str(exc), getattr(exc, "exit_code", EXIT_UNUSABLE)) from None
    except PermissionError as exc:
        raise Failure(f"permission denied on {exc.filename or 'a file'}: close it in Excel or "
                      "choose a folder you may write to.") from None
    except OSError as exc:
        raise Failure(f"{exc.strerror or exc} ({exc.filename or 'file'}).") from None
    except Exception as exc:
        if debug:
            raise
        raise Failure(f"unexpected problem ({type(exc).__name__}: {exc}); run again with "
                      "--debug and send the output to the maintainers.", EXIT_UNEXPECTED) from None


# -- refresh -----------------------------------------------------------------------------------

def refresh(args: argparse.Namespace) -> int:
    """Validate the rows, convert to USD and write the report workbook."""
    workbook: Path = args.workbook
    if args.language is not None and args.language not in ("en", "fr"):
        raise Failure(f"--language must be en or fr, not {args.language!r}.")
    through = _date(args.through, "--through")

    def options():  # imports the engine (pandas, pydantic): about half a second
        from bdt_xl.core.pipeline import Options
        return Options(report_year=args.year, through=through, language=args.language,
                       ecb_fallback=args.ecb_fallback)

    if args.in_place:
        if args.out is not None:
            raise Failure("--in-place writes into WORKBOOK itself; leave out --out.")
        result = _guard(lambda: _refresh_in_place(workbook, options(), args.force,
                                                  not args.no_backup), args.debug)
        if not args.quiet:
            _print_summary(result.report, workbook)
            if result.backup is not None:
                _say(f"Backup of the previous version: {result.backup.name}")
            for note in result.notes:
                _say(f"Note: {note}")
        return EXIT_OK
    if args.force or args.no_backup:
        raise Failure("--force and --no-backup only apply with --in-place.")
    from bdt_xl.files.report_file import default_output
    target: Path = args.out or default_output(workbook)
    if target.resolve() == workbook.resolve():
        raise Failure("the report would overwrite the input workbook; choose another --out file.")
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise Failure(f"--out must end in .xlsx, not {target.suffix or 'nothing'!r}.")
    if not target.parent.exists():
        raise Failure(f"cannot write {target.name}: the folder {target.parent} does not exist; "
                      "create it or choose another --out file.")
    from bdt_xl.files.reader import open_in_background
    opening = open_in_background(workbook)  # calamine parses while the engine is imported
    report = _guard(lambda: _build(opening, target, options(), args.quiet), args.debug)
    if not args.quiet:
        _print_summary(report, target)
    return EXIT_OK


def _build(opening, target: Path, options, quiet: bool):
    from bdt_xl.core.pipeline import run
    from bdt_xl.files.reader import read_workbook
    from bdt_xl.files.report_file import write_report_file

    progress = _Progress(quiet)
    try:
        progress.step("Reading the workbook…")
        tables = read_workbook(opening.result())  # raises the opening's WorkbookError
        report = run(tables, options, progress.step).report
        progress.step(f"Writing {target.name}…")
        write_report_file(report, target)
    finally:
        progress.done()
    return report


def _refresh_in_place(workbook: Path, options, force: bool, backup: bool):
    from bdt_xl.files.inplace import refresh_in_place
    return refresh_in_place(workbook, options, force=force, backup=backup)


def _print_summary(report, target: Path) -> None:
    from bdt_xl import schema as s
    accepted = report.rows_read - report.rows_excluded
    _say(f"Read {report.rows_read:,} agreement rows: {accepted:,} used, "
         f"{report.rows_excluded:,} excluded with errors, {report.warnings:,} warnings.")
    if report.fallback_rates_used:
        _say(f"{report.fallback_rates_used:,} amounts were converted with ECB reference rates "
             "(fallback); see the Issues sheet.")
    if report.periods:
        years = ", ".join(p.label for p in report.years)
        windows = " vs ".join(p.label for p in report.windows)
        _say(f"Periods: {years}; year over year: {windows}.")
        summary = report.tables[s.SUMMARY]
        row = summary[summary[s.PERIOD] == str(report.report_year)]
        if not row.empty:
            r = row.iloc[0]
            _say(f"{report.report_year}: {r[s.AGREEMENTS_N]} agreements ({r[s.FINANCIAL_N]} "
                 f"financial) with {r[s.PARTNERS_N]} partners, {r[s.FUNDS_USD]:,.0f} USD.")
    for note in report.notes:
        _say(f"Note: {note}")
    if report.rows_excluded:
        _say(f"The problems are listed on the Issues sheet of {target.name}; "
             "`bdt-xl validate` lists them here.")
    _say(f"Report written to {target}")


# -- validate ----------------------------------------------------------------------------------

def validate(args: argparse.Namespace) -> int:
    """List every problem in the input tables; exit code 1 if any row has an error."""
    from bdt_xl.api import validate_file

    checked = _guard(lambda: validate_file(args.workbook), args.debug)
    colour = sys.stdout.isatty()
    for issue in checked.issues:
        where = f"{issue.sheet} row {issue.row}" if issue.row else issue.sheet
        if issue.agreement_id:
            where += f" ({issue.agreement_id})"
        cell = f", {issue.column}" + (f" = {issue.value!r}" if issue.value else "")
        label = issue.severity
        if colour:
            label = f"\033[{31 if issue.severity == 'Error' else 33}m{label}\033[0m"
        _say(f"{label} {where}{cell if issue.column else ''}: {issue.problem}")
    errors = len(checked.errors)
    _say(f"{checked.rows_read:,} rows checked: {errors:,} errors in {checked.rows_excluded:,} "
         f"rows (excluded from the report), {len(checked.issues) - errors:,} warnings.")
    return EXIT_ERRORS if errors else EXIT_OK


# -- new-workbook ------------------------------------------------------------------------------

def new_workbook(args: argparse.Namespace) -> int:
    """Create a BDT_Partnerships-style macro workbook and the .py file its button runs."""
    path: Path = args.path
    if path.suffix.lower() != ".xlsm":
        raise Failure(f"{path.name} must end in .xlsm (the workbook holds macros).")
    if path.exists() and not args.force:
        raise Failure(f"{path} already exists; choose another name or add --force.")
    if not path.parent.exists():
        raise Failure(f"the folder {path.parent} does not exist; create it first.")

    def build():
        from bdt_xl.build.macro_workbook import build_macro_workbook, write_entry_module
        from bdt_xl.build.sample_data import sample_agreements, sample_rates, sample_settings
        agreements = [] if args.empty else sample_agreements()
        build_macro_workbook(path, agreements, sample_rates(), sample_settings())
        return write_entry_module(path), len(agreements)

    module, rows = _guard(build, args.debug)
    _say(f"Created {path} ({rows} sample agreements) and {module.name} beside it; keep the "
         "two files together.")
    return EXIT_OK


# -- parser and entry points -------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="bdt-xl", description="BDT partnerships report to TDAG: validate agreement rows "
        "and build the report workbook (tables and charts) from an Excel workbook.")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, function, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=function)
        sub.add_argument("--debug", action="store_true",
                         help="show full details of unexpected errors")
        return sub

    sub = add("refresh", refresh, "Validate the rows, convert to USD and write the report "
              "workbook (by default a new file: the input is never touched unless --in-place).")
    sub.add_argument("workbook", type=Path, help="the agreements workbook (.xlsx or .xlsm)")
    sub.add_argument("--out", "-o", type=Path, help="report file to write (default: "
                     "'<name> report.xlsx' beside the workbook)")
    sub.add_argument("--year", type=int, help="report year (default: Settings, else the latest "
                                              "year in the data)")
    sub.add_argument("--through", help="year-to-date cut-off YYYY-MM-DD for the year over year "
                                       "comparison")
    sub.add_argument("--language", help="chart titles: en or fr")
    sub.add_argument("--ecb-fallback", action=argparse.BooleanOptionalAction, default=None,
                     help="use ECB reference rates where the Rates table has none (each use "
                          "is listed)")
    sub.add_argument("--in-place", action="store_true", help="rewrite only the report sheets "
                     "of WORKBOOK itself (a timestamped backup is kept beside it)")
    sub.add_argument("--force", action="store_true", help="with --in-place: go ahead even if "
                     "parts of the workbook that cannot be kept are found (they are named first)")
    sub.add_argument("--no-backup", action="store_true",
                     help="with --in-place: do not keep a backup copy")
    sub.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")

    sub = add("validate", validate, "List every problem in the input tables; exit code 1 if "
              "any row has an error.")
    sub.add_argument("workbook", type=Path, help="the agreements workbook (.xlsx or .xlsm)")

    sub = add("new-workbook", new_workbook, "Create a workbook with the input tables, "
              "drop-downs, the Refresh report button and xlwings' VBA of the installed "
              "xlwings, and the .py file its button runs, beside it.")
    sub.add_argument("path", type=Path, help="where to create the workbook (.xlsm)")
    sub.add_argument("--empty", action="store_true", help="no sample agreements (the sample "
                     "rates and the lists are still included)")
    sub.add_argument("--force", action="store_true", help="replace an existing file")
    return top


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (messages go to stdout/stderr)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return exc.code if isinstance(exc.code, int) else EXIT_UNUSABLE
    try:
        return args.run(args)
    except Failure as failure:
        _say(f"Error: {failure}", err=True)
        return failure.code


def main() -> None:
    """Console entry point. Once the command is done and its output flushed (every file it
    wrote is closed), leave without the interpreter's clean-up of pandas' and openpyxl's
    objects, which costs about 0.2 s on a large workbook. The garbage collector is off for
    this one-shot process: its passes over the per-cell objects of a 50,000-row workbook cost
    about a sixth of the run, and pydantic's scan for plugins (none are used) is skipped."""
    import gc
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code = run()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
