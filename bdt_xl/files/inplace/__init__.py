"""Rewriting the user's own workbook safely: the transaction (``transaction``), the refresh
that uses it (``refresh``), what openpyxl loses and is put back (``repair``), locks, backups
and fingerprints (``file_safety``) and the check before the replace (``verification``)."""

from bdt_xl.files.inplace.file_safety import backup_name, backups
from bdt_xl.files.inplace.refresh import InPlaceResult, refresh_in_place
from bdt_xl.files.inplace.transaction import InPlaceTransaction, RewriteResult, rewrite_in_place
from bdt_xl.files.safe_write import lock_files

__all__ = ["InPlaceResult", "InPlaceTransaction", "RewriteResult", "backup_name", "backups",
           "lock_files", "refresh_in_place", "rewrite_in_place"]
