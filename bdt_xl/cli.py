"""Command line: ``bdt-xl refresh`` writes the report workbook, ``bdt-xl validate`` lists
problems, ``bdt-xl new-workbook`` creates a macro workbook. Works on any machine, no Excel.

Exit codes: 0 done; 1 ``validate`` found errors; 2 the workbook or an option could not be
used (one sentence says why); 3 an unexpected failure (reported in one sentence; ``--debug``
shows the details); 5 the workbook (or, with ``--out``, the report file) is open in Excel;
6 the report could not be written (a full disk; with ``--in-place`` the original is intact);
with ``--in-place``: 4 parts of the workbook would be lost (nothing written; ``--force`` to
go ahead).

The checks of what the user typed live in ``cli_checks`` (each one sentence); what is printed
goes through ``terminal`` (counted nouns, cell text neutralised, a closed pipe ends quietly).

Built on the standard library's argparse: the command starts in a few milliseconds, which
matters when it runs once per click.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

from bdt_xl.cli_checks import (
    check_ecb_package,
    check_input,
    check_output,
    write_failure,
)
from bdt_xl.errors import EXIT_ERRORS, EXIT_OK, EXIT_UNEXPECTED, EXIT_UNUSABLE
from bdt_xl.terminal import Output, Progress, counted, plain

T = TypeVar("T")


class Failure(Exception):
    """Stop the command with one sentence for the user and an exit code."""

    def __init__(self, message: str, code: int = EXIT_UNUSABLE) -> None:
        super().__init__(message)
        self.code = code


_OUTPUT = Output()
_say = _OUTPUT.say


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
    _guard(lambda: _check_input(workbook, args.ecb_fallback), args.debug)

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
    given = str(args.out if args.out is not None else target)  # as the user typed it
    _guard(lambda: check_output(target, given), args.debug)
    from bdt_xl.files.reading_thread import Opening
    opening = Opening(workbook)  # calamine parses while the engine is imported
    report = _guard(lambda: _build(opening, target, given, options(), args.quiet), args.debug)
    if not args.quiet:
        _print_summary(report, target)
    return EXIT_OK


def _check_input(workbook: Path, ecb_fallback: bool | None) -> None:
    check_input(workbook)
    if ecb_fallback:
        check_ecb_package()


#: Set by ``main``, which ends the process with ``os._exit``: what a refresh built is kept
#: here rather than freed object by object when the command returns (about 25 ms for the
#: cells of 50,000 rows and calamine's copy of them, that nobody waits for).
_KEPT_UNTIL_EXIT: list[object] | None = None


def _build(opening, target: Path, given: str, options, quiet: bool):
    from bdt_xl.core.pipeline import run
    from bdt_xl.files.reader import read_workbook
    from bdt_xl.files.report_file import load_engine

    progress = Progress(quiet)
    try:
        progress.step("Reading the workbook…")
        load_engine()  # while calamine still parses (without the GIL), not after it
        tables = read_workbook(opening.result())  # raises the opening's WorkbookError
        outcome = run(tables, options, progress.step)
        progress.step(f"Writing {target.name}…")
        failure = _write(outcome.report, target, given)
        if _KEPT_UNTIL_EXIT is not None:
            _KEPT_UNTIL_EXIT.append((opening, outcome))  # the opening holds the tables read
    finally:
        progress.done()
    if failure is not None:
        raise failure
    return outcome.report


def _write(report, target: Path, given: str) -> Exception | None:
    """Write the report file; a failed write (full disk) becomes one sentence. The writer's
    half-written zip archive is then collected here, its own close error kept quiet (it is
    the same failure, already told)."""
    from bdt_xl.files.report_file import write_report_file

    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        try:
            write_report_file(report, target)
            return None
        except OSError as exc:
            failure = write_failure(exc, target, given)
        gc.collect()  # only after a failure: the run is over
        return failure
    finally:
        sys.unraisablehook = hook


def _refresh_in_place(workbook: Path, options, force: bool, backup: bool):
    from bdt_xl.files.inplace import refresh_in_place
    return refresh_in_place(workbook, options, force=force, backup=backup)


def _print_summary(report, target: Path) -> None:
    from bdt_xl import schema as s
    accepted = report.rows_read - report.rows_excluded
    _say(f"Read {counted(report.rows_read, 'agreement row')}: {accepted:,} used, "
         f"{report.rows_excluded:,} excluded with errors, {counted(report.warnings, 'warning')}.")
    if report.fallback_rates_used:
        _say(f"{counted(report.fallback_rates_used, 'amount')} "
             f"{'was' if report.fallback_rates_used == 1 else 'were'} converted with ECB "
             "reference rates (fallback); see the Issues sheet.")
    if report.periods:
        years = ", ".join(p.label for p in report.years)
        windows = " vs ".join(p.label for p in report.windows)
        _say(f"Periods: {years}; year over year: {windows}.")
        summary = report.tables[s.SUMMARY]
        row = summary[summary[s.PERIOD] == str(report.report_year)]
        if not row.empty:
            r = row.iloc[0]
            _say(f"{report.report_year}: {counted(int(r[s.AGREEMENTS_N]), 'agreement')} "
                 f"({int(r[s.FINANCIAL_N]):,} financial) with "
                 f"{counted(int(r[s.PARTNERS_N]), 'partner')}, {r[s.FUNDS_USD]:,.0f} USD.")
    for note in report.notes:
        _say(f"Note: {note}")
    for notice in report.notices:  # sentences that already start with "Warning:"
        _say(notice)
    if report.rows_excluded:
        _say(f"The problems are listed on the Issues sheet of {target.name}; "
             "`bdt-xl validate` lists them here.")
    _say(f"Report written to {target}")


# -- validate ----------------------------------------------------------------------------------

def validate(args: argparse.Namespace) -> int:
    """List every problem in the input tables; exit code 1 if any row has an error."""
    checked = _guard(lambda: _checked(args.workbook), args.debug)
    colour = sys.stdout.isatty()
    for issue in checked.issues:
        where = f"{issue.sheet} row {issue.row}" if issue.row else issue.sheet
        if issue.agreement_id:
            where += f" ({issue.agreement_id})"
        cell = f", {issue.column}" + (f" = {issue.value!r}" if issue.value else "")
        label = issue.severity
        if colour:
            label = f"\033[{31 if issue.severity == 'Error' else 33}m{label}\033[0m"
        line = plain(f"{where}{cell if issue.column else ''}: {issue.problem}")
        _say(f"{label} {line}", safe=True)  # cell text neutralised, our colour kept
    errors = len(checked.errors)
    _say(f"{counted(checked.rows_read, 'row')} checked: {counted(errors, 'error')} in "
         f"{counted(checked.rows_excluded, 'row')} (excluded from the report), "
         f"{counted(len(checked.issues) - errors, 'warning')}.")
    return EXIT_ERRORS if errors else EXIT_OK


def _checked(workbook: Path):
    """The checked rows of ``workbook``, after the checks that make one sentence of many."""
    from bdt_xl.core.pipeline import require_rates, validate_tables
    from bdt_xl.files.reader import read_workbook

    check_input(workbook)
    tables = read_workbook(workbook)
    checked = validate_tables(tables)
    require_rates(tables, checked)
    return checked


# -- document ----------------------------------------------------------------------------------

def document(args: argparse.Namespace) -> int:
    """Draft the TDAG document of the workbook as a .docx beside it (or at --out)."""
    from bdt_xl.document.writer import document_file

    result = _guard(lambda: document_file(args.workbook, args.out, args.language), args.debug)
    for note in result.notes:
        _say(f"Note: {note}")
    _say(f"Document ({result.language}) written to {result.path}")
    return EXIT_OK


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
        from bdt_xl.workbooks.macro_workbook import build_macro_workbook, write_entry_module
        from bdt_xl.workbooks.sample_data import (
            empty_settings,
            sample_agreements,
            sample_rates,
            sample_settings,
        )
        agreements = [] if args.empty else sample_agreements()
        settings = empty_settings() if args.empty else sample_settings()
        build_macro_workbook(path, agreements, sample_rates(), settings)
        return write_entry_module(path), len(agreements)

    module, rows = _guard(build, args.debug)
    _say(f"Created {path} ({counted(rows, 'sample agreement')}) and {module.name} beside "
         "it; keep the two files together.")
    return EXIT_OK


# -- rates import ------------------------------------------------------------------------------

def rates_import(args: argparse.Namespace) -> int:
    """Append the UN operational rates of SOURCE missing from WORKBOOK's Rates table."""
    from bdt_xl.files.rates_import import import_rates_in_place, import_rates_to_file

    if args.out is None:
        work = partial(import_rates_in_place, args.source, args.workbook, force=args.force,
                       backup=not args.no_backup)
    elif args.no_backup:
        raise Failure("--no-backup only applies without --out (the workbook is not touched).")
    else:
        work = partial(import_rates_to_file, args.source, args.workbook, args.out,
                       force=args.force)
    result = _guard(work, args.debug)
    if not args.quiet:
        from bdt_xl.core.rates_merge import summary_sentence
        _say(f"{result.source.name}: {summary_sentence(result.merge)}")
        for note in result.notes:
            _say(f"Note: {note}")
        if result.backup is not None:
            _say(f"Backup of the previous version: {result.backup.name}")
        if args.out is not None:
            _say(f"Workbook written to {result.target}")
        elif result.appended is not None:
            _say(f"{result.target} updated.")
        else:
            _say(f"{result.target} left as it was.")
    return EXIT_OK


# -- parser and entry points -------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="bdt-xl", description="BDT partnerships report to TDAG: validate agreement rows "
        "and build the report workbook (tables and charts) from an Excel workbook.")
    from bdt_xl import __version__

    top.add_argument("--version", action="version", version=f"bdt-xl {__version__}")
    top.add_argument("--debug", action="store_true", help="show full details of unexpected "
                     "errors (also accepted after the command)")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, function, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=function)
        # SUPPRESS: given after the command it sets debug, absent it keeps the top's value
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
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

    sub = add("document", document, "Draft the TDAG document (the partnership sections, "
              "with native charts and the annex of agreements) as a Word .docx.")
    sub.add_argument("workbook", type=Path, help="the agreements workbook (.xlsx or .xlsm)")
    sub.add_argument("--language", help="fr or en (default: the Settings table's Language)")
    sub.add_argument("--out", "-o", type=Path, help="document to write (default: "
                     "'<name> document (<language>).docx' beside the workbook)")

    sub = add("new-workbook", new_workbook, "Create a workbook with the input tables, "
              "drop-downs, the Refresh report button and xlwings' VBA of the installed "
              "xlwings, and the .py file its button runs, beside it.")
    sub.add_argument("path", type=Path, help="where to create the workbook (.xlsm)")
    sub.add_argument("--empty", action="store_true", help="no sample agreements (the sample "
                     "rates and the lists are still included)")
    sub.add_argument("--force", action="store_true", help="replace an existing file")

    rates = commands.add_parser("rates", help="UN operational rates of exchange",
                                description="UN operational rates of exchange")
    sub = rates.add_subparsers(dest="rates_command", metavar="ACTION", required=True).add_parser(
        "import", help="Append the rates of a file saved from the UN Treasury's operational "
        "rates page (XML or text) that the workbook's Rates table lacks.")
    sub.set_defaults(run=rates_import)
    sub.add_argument("source", type=Path, help="the XML or text file saved from the UN page")
    sub.add_argument("workbook", type=Path, help="the agreements workbook (.xlsx or .xlsm)")
    sub.add_argument("--out", "-o", type=Path, help="write the result to this new file (the "
                     "workbook is not touched); without it the workbook itself is updated")
    sub.add_argument("--force", action="store_true", help="go ahead even if parts of the "
                     "workbook that cannot be kept are found (they are named first)")
    sub.add_argument("--no-backup", action="store_true", help="in place: keep no backup copy")
    sub.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    sub.add_argument("--debug", action="store_true",
                     help="show full details of unexpected errors")
    return top


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (messages go to stdout/stderr)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return exc.code if isinstance(exc.code, int) else EXIT_UNUSABLE
    _OUTPUT.closed = False
    try:
        return args.run(args)
    except Failure as failure:
        _say(f"Error: {failure}", err=True)
        return failure.code
    except BrokenPipeError:  # the reader of stdout has gone (``… | head -1``): end quietly
        _OUTPUT.pipe_closed()
        return EXIT_OK


def main() -> None:
    """Console entry point. Once the command is done and its output flushed (every file it
    wrote is closed), leave without the interpreter's clean-up of pandas' and openpyxl's
    objects, which costs about 0.2 s on a large workbook, nor the freeing of the rows read
    (``_KEPT_UNTIL_EXIT``). The garbage collector is off for this one-shot process: its
    passes over the per-cell objects of a 50,000-row workbook cost about a sixth of the run,
    and pydantic's scan for plugins (none are used) is skipped."""
    import gc
    global _KEPT_UNTIL_EXIT
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _KEPT_UNTIL_EXIT = []
    code = run()
    _OUTPUT.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
