"""Reading a workbook on a thread of its own, started before anything heavy is imported.

The command line starts it first thing. The reader's own imports (zipfile, python-calamine,
the guard), the guard's pass over the sheet XML and calamine's parse, which runs without
holding the GIL, then overlap with the engine's imports (pandas, pydantic) on the main
thread, which take about as long as parsing 50,000 rows. Where it can, the guard's look
is taken by a forked copy of the process (``forked_guard``). This module imports only
``threading`` and that module, so that the thread starts at once.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from bdt_xl.files.forked_guard import ForkedGuard

if TYPE_CHECKING:
    from bdt_xl.files.reader import OpenedWorkbook


class Opening:
    """A workbook being opened and read on a worker thread."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._outcome: tuple[bool, object] | None = None
        # forked first, while this process has one thread and little memory
        self._guard = ForkedGuard.start(path)
        # a daemon: a command that ends early (an error, Ctrl+C) does not wait for it
        self._thread = threading.Thread(target=self._read, args=(path,), name="bdt-open",
                                        daemon=True)
        self._thread.start()

    def _read(self, path: str | os.PathLike[str]) -> None:
        try:
            from bdt_xl.files.reader import open_and_read
            self._outcome = (True, open_and_read(path, self._guard))
        except BaseException as exc:  # handed to the caller of result()
            self._outcome = (False, exc)

    def result(self) -> OpenedWorkbook:
        """The opened workbook, once read; raises what reading raised (``WorkbookError``)."""
        self._thread.join()
        assert self._outcome is not None
        done, value = self._outcome
        if not done:
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]
