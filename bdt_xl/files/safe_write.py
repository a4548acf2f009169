"""The one atomic write of the package: every file the product writes goes through here.

A file is written to a temporary file in the target's own folder (so the final rename is
atomic: same file system), flushed to disk (``fsync``), given the target's permission bits,
owner and group, renamed over the target (``os.replace``) and the folder entry itself is
flushed (``fsync`` of the folder), so that after a crash or a kill the target is either the
old file or the complete new one, never a mixture. Temporary files carry the writer's process
id, so that the next run can remove those a killed run left behind (``remove_stale_temps``).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

#: ``.Book.bdt-<pid>-<random>.xlsx``: hidden, beside the target, same extension.
_TEMP = ".{stem}.bdt-{pid}-{tag}{suffix}"
_TEMP_PATTERN = r"\.bdt-(\d+)-[0-9a-f]{8}"


def _default_mode() -> int:
    """The mode a new file gets from ``open()`` under the current umask (e.g. 0o644)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def temp_path(target: Path) -> Path:
    """Create (exclusively) and return an empty temporary file beside ``target``."""
    while True:
        tmp = target.with_name(_TEMP.format(stem=target.stem, pid=os.getpid(),
                                            tag=os.urandom(4).hex(), suffix=target.suffix))
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return tmp


def fsync_file(path: Path) -> None:
    """Flush ``path``'s content to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename is durable only once its folder is flushed)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def copy_identity(source: Path, target: Path) -> None:
    """Give ``target`` the permission bits, owner and group of ``source``.

    The owner can only be changed with administrator rights: without them the file keeps
    ours (the group is kept when we belong to it).
    """
    info = source.stat()
    os.chmod(target, stat.S_IMODE(info.st_mode))
    if hasattr(os, "chown"):
        for uid, gid in ((info.st_uid, info.st_gid), (-1, info.st_gid)):
            try:
                os.chown(target, uid, gid)
                break
            except OSError:
                continue


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two names atomically (Linux ``renameat2(RENAME_EXCHANGE)``): both always exist.
    False where the system or the file system cannot (the caller then renames)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def unlink_quietly(path: Path | None) -> None:
    if path is None:
        return
    try:
        path.unlink()
    except OSError:
        pass


@contextlib.contextmanager
def atomic_target(target: str | os.PathLike[str], *,
                  before_replace: Callable[[Path], None] | None = None,
                  like: Path | None = None,
                  replaced: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the body succeeds it replaces ``target``.

    The body writes the temporary file; then it is fsynced, given the target's mode, owner
    and group (those of ``like`` if given; the mode a new file would get if the target is
    new), ``before_replace(tmp)`` runs (a last check
    that may raise), and it is renamed over ``target`` and the folder is fsynced. If anything
    raises, the temporary file is removed and ``target`` is left exactly as it was.

    ``replaced(old)`` closes the gap between the last check and the rename: the new file
    and the target are swapped atomically (``exchange``), ``replaced`` examines the file
    that was at the target's name (now at ``old``); if it raises (someone saved meanwhile)
    the swap is undone and the saved file stays. Without ``exchange``, a plain rename.
    """
    target = Path(target)
    remove_stale_temps(target)  # those a killed writer of the same file left behind
    tmp = temp_path(target)
    try:
        yield tmp
        fsync_file(tmp)
        model = like if like is not None else target
        if model.exists():
            copy_identity(model, tmp)
        else:
            os.chmod(tmp, _default_mode())
        if before_replace is not None:
            before_replace(tmp)
        if replaced is not None and target.exists() and exchange(tmp, target):
            try:
                replaced(tmp)
            except BaseException:
                exchange(tmp, target)
                raise
        else:
            os.replace(tmp, target)
        sync_folder(target.parent)
    finally:
        unlink_quietly(tmp if tmp.exists() else None)


def write_bytes_atomically(target: str | os.PathLike[str], data: bytes, *,
                           before_replace: Callable[[Path], None] | None = None,
                           replaced: Callable[[Path], None] | None = None) -> Path:
    """Write ``data`` to ``target`` atomically (see ``atomic_target``)."""
    target = Path(target)
    with atomic_target(target, before_replace=before_replace, replaced=replaced) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
    return target


def copy_atomically(source: Path, target: Path) -> Path:
    """Copy ``source`` to a new ``target`` atomically, keeping its mode, owner and times:
    a kill never leaves a partial file under ``target``'s name."""
    with atomic_target(target, like=source) as tmp:
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        shutil.copystat(source, tmp)
    return target


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # on Windows the file cannot be deleted while its writer has it open
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove the temporary files that killed writers of ``target`` (or of its backups,
    ``<stem>.backup-…``) left beside it; returns those removed."""
    pattern = re.compile(re.escape(f".{target.stem}") + r"(?:\.backup-[0-9-]+)?" +
                         _TEMP_PATTERN + re.escape(target.suffix) + "$")
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    removed = []
    for entry in entries:
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))):
            unlink_quietly(entry)
            removed.append(entry)
    return removed


def lock_files(path: Path) -> list[Path]:
    """Lock files Excel (``~$name``, or ``~$`` over the first two letters of long names) and
    LibreOffice (``.~lock.name#``) leave beside a workbook they have open."""
    candidates = [f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"]
    return [path.with_name(name) for name in dict.fromkeys(candidates)
            if path.with_name(name).exists()]


def open_elsewhere(path: Path, advice: str) -> str | None:
    """The sentence for a file that Excel or LibreOffice has open (its lock file is beside
    it), ending with ``advice``; None when no lock file is there."""
    locks = lock_files(path)
    if not locks:
        return None
    app = "LibreOffice" if locks[0].name.startswith(".~lock.") else "Excel"
    return (f"{path.name} is open in {app} (its lock file {locks[0].name} is beside it); "
            f"close it in {app} {advice} (if {app} is not running, delete {locks[0].name}).")
