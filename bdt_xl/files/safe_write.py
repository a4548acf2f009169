"""File helpers shared by every writer: atomic replacement of a target file."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _default_mode() -> int:
    """The mode a new file gets from ``open()`` under the current umask (e.g. 0o644)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_target(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``target``.

    The temporary file sits beside the target so the final ``os.replace`` is atomic (same
    file system). It gets the permissions the target has (or a new file would get), not
    ``mkstemp``'s private 0600. If the body raises, the temporary file is removed and
    ``target`` is left exactly as it was.
    """
    target = Path(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=target.suffix,
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _default_mode()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
