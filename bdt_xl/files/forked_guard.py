"""The guard's look at a workbook, taken by a forked copy of the command-line process.

Before python-calamine may open a workbook, the guard reads every byte of its input sheets'
XML: about 0.15 s for 50,000 rows, holding the GIL, while the main thread imports the engine
(pandas, pydantic), which needs the GIL too. A copy of the process forked at the start,
before anything heavy is loaded, takes that look on the other core and answers twice: first
whether and what calamine may open (the file, or a copy cut to the tables), then the cells
calamine hides (formulas, error values), which the reader needs only once calamine has
parsed, so that the parse starts as early as it safely can.

Only on Linux and in a process with one thread, where a fork is cheap and safe. Whenever
the forked copy cannot answer (it was killed, its answer does not arrive or does not load),
the reading thread takes the look itself: the result is the same, only later.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from bdt_xl.files.guarded_package import Package

_LENGTH_BYTES = 8


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


class ForkedGuard:
    """The answers of a forked guard, read by the reading thread: ``package()``, then
    ``complete(package)``."""

    def __init__(self, path: Path, pid: int, answers: BinaryIO) -> None:
        self.path, self._pid, self._answers = path, pid, answers
        self._whole = False  # the package came from the guard here, hidden cells included

    @classmethod
    def start(cls, path: str | os.PathLike[str]) -> ForkedGuard | None:
        """Fork the guard for ``path`` (None where this process does not fork)."""
        path = Path(path)
        if not can_fork() or not path.is_file():
            return None
        # loaded before the fork, once for both: the copy then starts its look at once
        import bdt_xl.files.guarded_package  # noqa: F401
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the copy: answer, then leave at once (no clean-up of the parent's state)
            try:
                os.close(read_end)
                _answer(path, write_end)
            finally:
                os._exit(0)
        os.close(write_end)
        return cls(path, pid, os.fdopen(read_end, "rb"))

    def package(self) -> Package:
        """What calamine may open; raises what the guard raises (``WorkbookError``)."""
        answer = self._next()
        if answer is None:
            return self._here()
        done, value = answer
        if not done:
            self._end()
            raise value
        return value

    def complete(self, package: Package) -> None:
        """Add the hidden cells to ``package`` (the second answer)."""
        if self._whole:
            return
        answer = self._next()
        self._end()
        if answer is None or not answer[0]:
            from bdt_xl.files.guarded_package import with_hidden_cells
            with_hidden_cells(package, self.path)
            return
        for sheet, (formulas, errors) in answer[1].items():
            package.looks[sheet].formulas.update(formulas)
            package.looks[sheet].errors.update(errors)

    def close(self) -> None:
        """Stop waiting for answers (the reading failed): the copy is stopped and reaped."""
        self._end()

    def _here(self) -> Package:
        from bdt_xl.files.guarded_package import guarded
        self._end()
        self._whole = True
        return guarded(self.path)

    def _next(self) -> tuple[bool, object] | None:
        """The next answer, or None when it does not come or does not load."""
        import pickle

        try:
            head = self._answers.read(_LENGTH_BYTES)
            if len(head) < _LENGTH_BYTES:
                return None
            size = int.from_bytes(head, "little")
            data = self._answers.read(size)
            return pickle.loads(data) if len(data) == size else None
        except Exception:  # a truncated or foreign answer: the guard is taken here
            return None

    def _end(self) -> None:
        """Close the pipe and reap the copy (stopped first if it is still at work)."""
        if self._pid is None:
            return
        self._answers.close()
        try:
            if os.waitpid(self._pid, os.WNOHANG) == (0, 0):
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
        except ChildProcessError:
            pass
        self._pid = None


def _answer(path: Path, pipe_end: int) -> None:
    """In the forked copy: the package without hidden cells, then the hidden cells."""
    from bdt_xl.files.guarded_package import guarded, with_hidden_cells

    with os.fdopen(pipe_end, "wb") as pipe:
        try:
            package = guarded(path, hidden=False)
        except BaseException as exc:  # the parent raises it, as the guard there would
            _send(pipe, (False, exc))
            return
        if not _send(pipe, (True, package)):
            return
        try:  # meanwhile calamine parses: the rest may only use a core nothing else needs
            os.nice(19)
        except OSError:
            pass
        try:
            with_hidden_cells(package, path)
        except BaseException as exc:
            _send(pipe, (False, exc))
            return
        _send(pipe, (True, {sheet: (seen.formulas, seen.errors)
                            for sheet, seen in package.looks.items()}))


def _send(pipe: BinaryIO, answer: tuple[bool, object]) -> bool:
    import pickle

    try:
        data = pickle.dumps(answer)
    except Exception:  # nothing sent: the parent takes the look itself
        return False
    pipe.write(len(data).to_bytes(_LENGTH_BYTES, "little") + data)
    pipe.flush()
    return True
