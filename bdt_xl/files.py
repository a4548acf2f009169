"""File helpers shared by every writer: atomic replacement of a target file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_target(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``target``.

    The temporary file sits beside the target so the final ``os.replace`` is atomic (same
    file system). If the body raises, the temporary file is removed and ``target`` is left
    exactly as it was.
    """
    target = Path(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=target.suffix,
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
