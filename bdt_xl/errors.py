"""One tree of failures, each carrying the command-line exit code it ends in.

Every entry point (CLI, macros, worksheet functions) catches ``BdtError`` and shows its
message, one sentence the user can act on; anything else is a bug ("unexpected problem").
"""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_ERRORS = 1          # ``validate`` found rows with errors
EXIT_UNUSABLE = 2        # the workbook, a file or an option cannot be used
EXIT_UNEXPECTED = 3      # a bug: send the --debug output to the maintainers
EXIT_WOULD_LOSE = 4      # an in-place rewrite would lose something the user made
EXIT_IN_USE = 5          # the workbook is open, locked, read-only or changed meanwhile
EXIT_NOT_WRITTEN = 6     # the result could not be written (the original is intact)


class BdtError(Exception):
    """Base of every failure told to the user in one sentence."""
    exit_code: int = EXIT_UNUSABLE


# -- input: the workbook, its tables, the options ---------------------------------------------
class WorkbookError(BdtError):
    """The workbook as a whole cannot be used (missing file, missing table, wrong header…)."""


class NotAWorkbook(WorkbookError):
    """The file is not an .xlsx/.xlsm package (or is encrypted)."""


class PasswordProtected(NotAWorkbook):
    """The workbook is encrypted with a password to open."""


class UsageError(BdtError):
    """A command-line option or argument cannot be used."""


class RatesFileError(BdtError):
    """A file given to ``rates import`` is not a usable UN operational rates file."""


class MissingPackage(BdtError):
    """An optional Python package that the chosen feature needs is not installed."""

    def __init__(self, feature: str, package: str, extra: str) -> None:
        super().__init__(f"{feature} needs the '{package}' package: install it with "
                         f"pip install 'bdt_xl[{extra}]' (or pip install {package}).")
        self.package = package


# -- output: writing the report -----------------------------------------------------------------
class ReportWriteError(BdtError):
    """The report cannot be written into this workbook (e.g. a table name already taken)."""


class TableNameTaken(ReportWriteError):
    """A user's Excel Table already has the name of a report table."""


# -- in-place rewrites of the user's own workbook --------------------------------------------
class InPlaceError(BdtError):
    """The workbook was not refreshed in place; the message says why in one sentence."""


class WouldLoseFeatures(InPlaceError):
    """The workbook holds things the rewrite would drop; ``--force`` accepts the loss."""
    exit_code = EXIT_WOULD_LOSE

    def __init__(self, message: str, features: list[Any] | None = None) -> None:
        super().__init__(message)
        self.features = list(features or [])


class WorkbookInUse(InPlaceError):
    """The workbook is open elsewhere (lock file, sharing violation), read-only or changed."""
    exit_code = EXIT_IN_USE


class NotWritten(InPlaceError):
    """The refreshed workbook could not be written (folder, disk, verification)."""
    exit_code = EXIT_NOT_WRITTEN


# -- worksheet functions ---------------------------------------------------------------------
class FunctionArgumentError(BdtError):
    """A worksheet function's argument or data is unusable; the message is the cell's result."""


def exit_code(exc: BaseException) -> int:
    """The exit code a failure ends in (3 for anything that is not a ``BdtError``)."""
    return exc.exit_code if isinstance(exc, BdtError) else EXIT_UNEXPECTED
