"""File-system safety of an in-place rewrite: who else has the workbook, our own lock, the
fingerprint re-checked before the replace, backups, and one sentence for each OS failure.

Why: a tool that rewrites people's own workbooks must never replace a file someone is saving,
a read-only file, or leave half a file under a name the user trusts.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import socket
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bdt_xl.errors import InPlaceError, NotWritten, WorkbookInUse
from bdt_xl.files.safe_write import copy_atomically, open_elsewhere, unlink_quietly

BACKUP_STAMP = "%Y%m%d-%H%M%S"
KEEP_BACKUPS = 5
#: How long a second refresh of the same workbook waits for the first one (seconds).
LOCK_WAIT = 5.0


# -- other programs ---------------------------------------------------------------------------
def check_not_open(path: Path) -> None:
    """Refuse (exit 5) a workbook open in Excel or LibreOffice, or read-only."""
    sentence = open_elsewhere(path, "first, then refresh again")
    if sentence:
        raise WorkbookInUse(sentence)
    # the permission bits, not os.access: an administrator may write anything, but a file
    # the user marked read-only must stay as it is
    if not stat.S_IMODE(path.stat().st_mode) & 0o222 or not os.access(path, os.W_OK):
        raise WorkbookInUse(f"{path.name} is read-only; clear its read-only attribute or "
                            "refresh a copy.")
    try:  # on Windows a workbook open in Excel cannot be opened for writing
        with open(path, "r+b"):
            pass
    except PermissionError:
        raise WorkbookInUse(f"{path.name} is open in another program (such as Excel); close "
                            "it there first, then refresh again.") from None


# -- our own lock -----------------------------------------------------------------------------
def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.bdt-lock")


def _holder(lock: Path) -> tuple[str, int] | None:
    try:
        host, pid = lock.read_text(encoding="utf-8").split()
        return host, int(pid)
    except (OSError, ValueError):
        return None


def _stale(lock: Path) -> bool:
    """A lock left by a killed refresh on this machine (its process is gone)."""
    holder = _holder(lock)
    if holder is None or holder[0] != socket.gethostname():
        return False
    try:
        os.kill(holder[1], 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


@contextlib.contextmanager
def workbook_lock(path: Path, wait: float = LOCK_WAIT) -> Iterator[Path]:
    """Hold ``.<name>.bdt-lock`` beside the workbook (created atomically) for the whole
    rewrite; a second rewrite waits up to ``wait`` seconds, then exits 5."""
    lock = lock_path(path)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            if _stale(lock):
                unlink_quietly(lock)
                continue
            if time.monotonic() >= deadline:
                raise WorkbookInUse(f"{path.name} is being refreshed by another run of bdt-xl "
                                    f"(lock file {lock.name}); wait for it to finish and try "
                                    f"again (if none is running, delete {lock.name}).") from None
            time.sleep(0.1)
        except OSError as exc:
            raise write_error(exc, path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"{socket.gethostname()} {os.getpid()}\n")
        yield lock
    finally:
        unlink_quietly(lock)


# -- the file that was read -------------------------------------------------------------------
@dataclass(frozen=True)
class Fingerprint:
    """What identifies the file on disk: a save in between changes at least one of these."""
    device: int
    inode: int
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        info = path.stat()
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, digest(path))


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def check_unchanged(path: Path, read: Fingerprint, shown: Path | None = None) -> None:
    """Exit 5 when the file at ``path`` is no longer the one that was read (``shown``: the
    workbook named in the sentence, if ``path`` is a swapped-out temporary name)."""
    try:
        now = Fingerprint.of(path)
    except OSError:
        now = None
    if now != read:
        name = (shown or path).name
        raise WorkbookInUse(f"{name} was changed by someone else while it was being "
                            "refreshed; it was left as they saved it, refresh again.")


# -- backups ----------------------------------------------------------------------------------
def backup_name(path: Path, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now()).strftime(BACKUP_STAMP)
    return path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")


def backups(path: Path) -> list[Path]:
    """Backups of ``path`` beside it, oldest first."""
    pattern = re.compile(re.escape(f"{path.stem}.backup-") + r"(\d{8}-\d{6})(?:-(\d+))?" +
                         re.escape(path.suffix) + "$")
    found = []
    for entry in path.parent.iterdir():
        match = pattern.match(entry.name)
        if match:
            found.append(((match.group(1), int(match.group(2) or 0)), entry))
    return [entry for _, entry in sorted(found)]


def make_backup(path: Path) -> Path:
    """Copy ``path`` to a new ``<stem>.backup-YYYYMMDD-HHMMSS<ext>`` beside it, atomically."""
    target = backup_name(path)
    base, n = target.name[:-len(path.suffix)], 1
    while target.exists():
        n += 1
        target = path.with_name(f"{base}-{n}{path.suffix}")
    return copy_atomically(path, target)


def prune_backups(path: Path, keep: int) -> None:
    if keep <= 0:
        return
    try:
        for old in backups(path)[:-keep]:
            unlink_quietly(old)
    except OSError:
        pass


# -- one sentence for each failure ------------------------------------------------------------
def write_error(exc: OSError, path: Path, replacing: bool = False) -> InPlaceError:
    """The refusal an OS failure while writing beside ``path`` ends in."""
    if isinstance(exc, InPlaceError):
        return exc
    name, folder = path.name, path.parent.resolve()
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return NotWritten(f"there is not enough disk space in {folder} to write the refreshed "
                          f"workbook; free some space and try again ({name} was not changed).")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM,
                                                         errno.EROFS):
        if replacing:
            return WorkbookInUse(f"{name} could not be replaced: it is open in another program "
                                 f"(such as Excel) or read-only; close it and try again ({name} "
                                 "was not changed).")
        return NotWritten(f"cannot write in the folder {folder} (permission denied); copy "
                          f"{name} to a folder you may write to, or write the report to a "
                          f"separate file ({name} was not changed).")
    return NotWritten(f"could not write the refreshed workbook in {folder} "
                      f"({exc.strerror or exc}); {name} was not changed.")
