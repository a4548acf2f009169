"""What the worksheet functions remember between calls, in one object guarded by one lock.

Validating 10,000 rows takes a few tenths of a second; a sheet of formulas cannot pay that on
every cell. What is built from the input tables (the validated ``Dataset``, the ``Rates``
table) is kept, keyed by the *content* of the tables, so an edited cell gives a new key and
never a stale answer:

* a table passed as a list (an explicit range: xlwings hands a fresh list of rows on every
  call) is compared, cell by cell at C speed, with a private copy of the tables seen lately;
  only an unknown table is hashed (about 6× the comparison's cost) and copied;
* a tuple of tuples (``freeze``: the workbook's own tables, read once per recalculation)
  cannot change, so its key is remembered by identity.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

TableValues = Sequence[Sequence[object]]
T = TypeVar("T")

#: Datasets (and rate tables) kept: a workbook rarely passes more than a few distinct tables.
BUILT_KEPT = 4
#: Tables whose content key is remembered (by identity for tuples, by a copy for lists).
KEYS_KEPT = 8


def freeze(values: TableValues | None) -> tuple[tuple[object, ...], ...] | None:
    """An immutable copy of a range's values, whose content key is computed only once."""
    if values is None:
        return None
    return tuple(tuple(row) if isinstance(row, (list, tuple)) else (row,) for row in values)


def is_missing(values: TableValues | None) -> bool:
    return values is None or len(values) == 0


@dataclass
class CacheStats:
    parses: int = 0          # input tables validated (the expensive step)
    hits: int = 0            # calls answered from an already validated Dataset
    computed: int = 0        # figures computed after the parse, on first use (a cut-off
    compute_ms: float = 0.0  # window, a top-partners list, a rate lookup) and their time


def _hash_cells(values: TableValues) -> Hashable:
    # Python equality treats TRUE as 1 and 1.0 as 1: such a change of cell type (not of
    # value) keeps the key. Dates and datetimes, text and numbers all differ.
    try:
        rows = tuple(map(tuple, values))
        return (len(rows), hash(rows))
    except TypeError:  # a cell that is not hashable (does not come from Excel)
        return (len(values), hash(repr(values)))


def _private_copy(values: TableValues) -> list[object] | None:
    """A copy that later edits of ``values`` cannot reach (cells from Excel are immutable);
    None when a row is of a kind the comparison would not see changes in."""
    copied: list[object] = []
    for row in values:
        if isinstance(row, list):
            copied.append(list(row))
        elif isinstance(row, tuple):
            copied.append(row)
        else:
            return None
    return copied


class FunctionCache:
    """Content keys, built objects and statistics, always read and updated under its lock.

    Building (validation) runs outside the lock, so a slow parse never blocks lookups; two
    threads asking for the same new table may both build it, the first one kept.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._built: dict[str, OrderedDict[Hashable, object]] = {}
        self._frozen: OrderedDict[int, tuple[object, Hashable]] = OrderedDict()
        self._seen: list[tuple[int, list[object], Hashable]] = []  # (len, copy, key), newest 1st
        self._last: tuple[tuple[object, ...], object] | None = None
        self._stats = CacheStats()

    # -- content keys ------------------------------------------------------------------------
    def content_key(self, values: TableValues | None) -> Hashable:
        """A key that changes whenever any cell of ``values`` changes."""
        if values is None:
            return None
        if isinstance(values, tuple):
            with self._lock:
                hit = self._frozen.get(id(values))
            if hit is not None and hit[0] is values:
                return hit[1]
            key = _hash_cells(values)
            with self._lock:
                self._frozen[id(values)] = (values, key)  # holding it keeps its id unique
                while len(self._frozen) > KEYS_KEPT:
                    self._frozen.popitem(last=False)
            return key
        with self._lock:
            seen = list(self._seen)
        size = len(values)
        for length, copy, key in seen:
            if length == size and _same(copy, values):
                return key
        key = _hash_cells(values)
        copy = _private_copy(values)
        if copy is not None:
            with self._lock:
                self._seen = [(size, copy, key)] + [e for e in self._seen if e[2] != key]
                del self._seen[KEYS_KEPT:]
        return key

    # -- built objects -----------------------------------------------------------------------
    def built(self, kind: str, key: Hashable, build: Callable[[], T], counted: bool = False) -> T:
        """The object of ``kind`` built for ``key``, building it on first use. ``counted``
        objects (datasets) count as a parse or a hit in ``info``."""
        with self._lock:
            kept = self._built.setdefault(kind, OrderedDict())
            found = kept.get(key)
            if found is not None:
                kept.move_to_end(key)
                if counted:
                    self._stats.hits += 1
                return found  # type: ignore[return-value]
        made = build()  # outside the lock: validation takes a while
        with self._lock:
            if counted:
                self._stats.parses += 1
            kept = self._built.setdefault(kind, OrderedDict())
            made = kept.setdefault(key, made)  # type: ignore[assignment]
            while len(kept) > BUILT_KEPT:
                kept.popitem(last=False)
        return made

    def last_call(self, inputs: tuple[object, ...]) -> object | None:
        """What the previous call built, when it was given these very (frozen) tables."""
        with self._lock:
            last = self._last
            if last is not None and len(last[0]) == len(inputs) and \
                    all(a is b for a, b in zip(inputs, last[0])):
                self._stats.hits += 1
                return last[1]
        return None

    def remember_call(self, inputs: tuple[object, ...], found: object) -> None:
        if all(v is None or isinstance(v, tuple) for v in inputs):
            with self._lock:
                self._last = (inputs, found)

    # -- statistics --------------------------------------------------------------------------
    @contextmanager
    def computing(self) -> Iterator[None]:
        """Count and time a figure computed on first use (see ``info``)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            with self._lock:
                self._stats.computed += 1
                self._stats.compute_ms += (time.perf_counter() - start) * 1e3

    def info(self) -> CacheStats:
        with self._lock:
            return replace(self._stats)

    def clear(self) -> None:
        with self._lock:
            self._built.clear()
            self._frozen.clear()
            self._seen = []
            self._last = None
            self._stats = CacheStats()


def _same(copy: list[object], values: TableValues) -> bool:
    try:
        return copy == values if isinstance(values, list) else copy == list(values)
    except Exception:  # noqa: BLE001 - a cell whose == raises (not from Excel): not the same
        return False


#: The one cache of the worksheet functions (their answers are pure functions of the tables).
CACHE = FunctionCache()


def content_key(values: TableValues | None) -> Hashable:
    return CACHE.content_key(values)


def cache_info() -> CacheStats:
    """How many times the input was parsed and validated, and how many calls were lookups."""
    return CACHE.info()


def clear_cache() -> None:
    CACHE.clear()
