"""What the command line prints: counted nouns, text made safe for a terminal, a status line,
and an output that a closed pipe (``bdt-xl validate … | head -1``) ends quietly.

Cell contents reach the terminal inside messages (a partner name, a Value quoted back);
a cell holding an escape sequence must not recolour, retitle or clear the user's terminal,
so every control character is shown as a visible escape instead.
"""

from __future__ import annotations

import os
import re
import sys

#: C0 and C1 control characters, DEL, and the Unicode bidirectional overrides/isolates
#: (which can make a line read differently from what it holds).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: object) -> str:
    """``text`` with every control character shown as ``\\xNN``/``\\uNNNN``, not executed."""
    value = str(text)

    def visible(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return _CONTROL.sub(visible, value) if _CONTROL.search(value) else value


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,204 warnings``."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


class Output:
    """stdout and stderr of one command; once the reader of stdout has gone (a closed pipe)
    the rest of stdout is dropped and the command still ends with its own exit code."""

    def __init__(self) -> None:
        self.closed = False

    def say(self, text: str = "", *, err: bool = False, safe: bool = False) -> None:
        """Print one line; ``safe`` when the text was already passed through ``plain``."""
        line = text if safe else plain(text)
        if err:
            print(line, file=sys.stderr)
            return
        if self.closed:
            return
        try:
            print(line, file=sys.stdout)
        except BrokenPipeError:
            self.pipe_closed()

    def flush(self) -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BrokenPipeError:
                self.pipe_closed()
            except (OSError, ValueError):
                pass

    def pipe_closed(self) -> None:
        """Point stdout at the null device: what is still buffered cannot fail at exit."""
        self.closed = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # stdout is not a real file (tests)
            pass


class Progress:
    """One status line on a terminal's stderr ("Validating 50,000 rows…"), nothing otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.live = not quiet and sys.stderr.isatty()

    def step(self, text: str) -> None:
        if self.live:
            sys.stderr.write(f"\r\033[K{text}")
            sys.stderr.flush()

    def done(self) -> None:
        self.step("")
