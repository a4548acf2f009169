"""Reads shared by one Excel recalculation (the workbook's tables behind the BDT_* formulas)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass
class _Entry:
    value: object
    read_at: float
    used_at: float


class BurstCache:
    """Share one read of the workbook between the calls of one recalculation.

    A recalculation calls every BDT_* formula in a quick burst; the first call reads the
    tables and the next ones reuse that read as long as calls keep coming less than
    ``idle`` seconds apart, for at most ``max_age`` seconds. After a pause (the user
    editing a cell) the next call reads again, so an edit is always seen by the
    recalculation it triggers. Values should be frozen (``functions.freeze``) so that their
    content key is computed once per read, not once per call.
    """

    def __init__(self, idle: float = 0.5, max_age: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle, self.max_age, self.clock = idle, max_age, clock
        self._entries: dict[Hashable, _Entry] = {}
        self._lock = threading.Lock()
        self.reads = 0

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and now - entry.used_at <= self.idle and \
                    now - entry.read_at <= self.max_age:
                entry.used_at = now
                return entry.value  # type: ignore[return-value]
        value = read()
        done = self.clock()
        with self._lock:
            self.reads += 1
            self._entries[key] = _Entry(value, now, done)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
