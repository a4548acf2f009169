"""Property tests of the shortcuts validation takes: a value a cell-rule shortcut
(``cells.UNCHANGED_BY_RULE``) keeps is exactly what the column's pydantic adapter returns for
it, on arbitrary strings (surrogates and odd whitespace included) and other objects; the
one-scan check over many values says what the value-by-value check says; and the pruned
"did you mean" search answers what ``difflib.get_close_matches`` answers."""

from __future__ import annotations

import difflib
from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bdt_xl import schema as s
from bdt_xl.core.cells import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_AMOUNT,
    UNCHANGED_BY_RULE,
    agreement_cell_adapters,
    unchanged_texts,
)
from bdt_xl.core.lists import DEFAULT_LISTS, KINDS, closest, normalize


class Text(str):
    """A str subclass, which the shortcuts must leave to pydantic."""


_TRICKY = " \t\n\r\x0b\x0c\x1c\x85\u00a0\u2003\u3000\u200b#\x00\x01aZ-é"
_ANY_CHARS = st.characters(exclude_categories=())  # surrogates too
texts = st.one_of(st.text(_ANY_CHARS), st.text(st.sampled_from(_TRICKY)),
                  st.text(st.sampled_from("ab -#"), min_size=1, max_size=4),
                  st.sampled_from(["#N/A", "#n/a", " #REF! ", "#hashtag", "A-1", "a b"]))
class Day(date):
    """A date subclass, which the shortcuts must leave to pydantic."""


class Number(float):
    """A float subclass, which the shortcuts must leave to pydantic."""


_IN_RANGE = st.dates(EARLIEST_DATE, LATEST_DATE)
_AMOUNTS = st.one_of(st.floats(), st.floats(0, MAX_AMOUNT),
                     st.sampled_from([0.0, -0.0, MAX_AMOUNT, 1e15 + 1, 5e-324, -5e-324]))
cells = st.one_of(texts, texts.map(Text), st.none(), st.booleans(), st.integers(),
                  st.sampled_from([0, 1, 2, -1, 10**20]), _AMOUNTS, _AMOUNTS.map(Number),
                  st.dates(), _IN_RANGE, _IN_RANGE.map(lambda d: Day(d.year, d.month, d.day)),
                  st.sampled_from([EARLIEST_DATE, LATEST_DATE, date(1989, 12, 31),
                                   date(2201, 1, 1)]),
                  st.datetimes(), st.just(datetime(2020, 1, 1)), st.just(datetime(2020, 1, 1, 12)))


def _array(values: list[object]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


@settings(max_examples=300)
@given(st.lists(cells, max_size=8))
def test_a_value_kept_by_a_shortcut_is_what_the_adapter_returns(values):
    for column, shortcut in UNCHANGED_BY_RULE.items():
        kept = shortcut(_array(values))
        assert kept.dtype == bool and len(kept) == len(values)
        adapter = agreement_cell_adapters()[column]
        for value, keep in zip(values, kept):
            if not keep:
                continue
            try:
                [result] = adapter.validate_python([value])
            except ValidationError as exc:  # pragma: no cover - the failure being tested
                raise AssertionError(f"{column}: {value!r} was kept but the rule refuses it: "
                                     f"{exc}") from exc
            assert (type(result), repr(result)) == (type(value), repr(value))  # -0.0 != 0.0


_tidy = st.lists(st.sampled_from(["a", "b", "É", "a b", "b-a", "日"]), min_size=1, max_size=6)
#: Spoilt texts the rule changes or refuses (so the shortcut must not keep them) ...
_DEFECTS = (lambda v: " " + v, lambda v: v + " ", lambda v: "", lambda v: "#" + v,
            lambda v: v + "\t", lambda v: v + "  a", lambda v: v + "\u00a0a", lambda v: " ")
#: ... and texts with the separator of the one-scan check, which the rule keeps.
_SEPARATOR = (lambda v: v + "\x00", lambda v: "\x00" + v, lambda v: "\x00")


@st.composite
def _near_misses(draw):
    """Tidy texts, one of which (anywhere) is spoiled: what the one-scan check must catch."""
    values = draw(_tidy)
    where = draw(st.integers(0, len(values) - 1))
    values[where] = draw(st.sampled_from(_DEFECTS + _SEPARATOR))(values[where])
    return values


@given(st.sampled_from(sorted(UNCHANGED_BY_RULE)),
       st.one_of(_near_misses(), st.lists(st.one_of(texts, cells), max_size=12)))
def test_the_one_scan_check_agrees_with_the_value_by_value_check(column, values):
    shortcut = UNCHANGED_BY_RULE[column]
    one_by_one = [bool(shortcut(_array([value]))[0]) for value in values]
    assert shortcut(_array(values)).tolist() == one_by_one


@pytest.mark.parametrize("defect", _DEFECTS + _SEPARATOR)
@pytest.mark.parametrize("size", [1, 2, 3])
def test_a_spoilt_text_anywhere_among_tidy_ones_is_seen(defect, size):
    shortcut = unchanged_texts
    for where in range(size):
        values = ["a b", "é", "x-1"][:size]
        values[where] = defect(values[where])
        kept = shortcut(_array(values)).tolist()
        assert kept == [i != where or defect in _SEPARATOR for i in range(size)], values


@given(st.lists(st.text(st.sampled_from("abc-É日 "), min_size=1, max_size=6), max_size=12))
def test_tidy_texts_are_kept(values):
    tidy = [" ".join(v.split()) for v in values if v.split()]
    assert unchanged_texts(_array(tidy)).all()


@given(st.lists(st.one_of(_IN_RANGE, st.floats(0, MAX_AMOUNT)), max_size=12))
def test_dates_and_amounts_in_range_are_kept(values):
    for column in (s.SIGNED_ON, s.PARTNER_AMOUNT, s.ITU_AMOUNT):
        wanted = float if column != s.SIGNED_ON else date
        assert UNCHANGED_BY_RULE[column](_array(values)).tolist() == \
            [type(v) is wanted for v in values]


_WORDS = st.one_of(st.text(st.sampled_from("abcde -"), max_size=8),
                   st.text(st.sampled_from("abc"), max_size=4))  # ties of ratio and of bound


@settings(max_examples=500)
@given(_WORDS, st.lists(_WORDS, max_size=10, unique=True),
       st.sampled_from([0.0, 0.3, 0.5, 0.6, 0.8, 1.0]))
@example("acbb", ["bacc", "ccba", "ccbc", "bca"], 0.3)  # a tie the pruning must not cut
def test_closest_is_difflibs_closest_match(word, possibilities, cutoff):
    expected = difflib.get_close_matches(word, possibilities, n=1, cutoff=cutoff)
    assert closest(word, possibilities, cutoff) == (expected[0] if expected else None)


@given(st.sampled_from(KINDS), st.text(st.sampled_from("aeiouxyzntrscl -/&"), max_size=30))
def test_a_hint_is_difflibs_closest_label(kind, text):
    keys = {normalize(name): item.label for item in DEFAULT_LISTS.items if item.kind == kind
            for name in (item.label, *item.aliases)}
    close = difflib.get_close_matches(normalize(text), list(keys), n=1, cutoff=0.6)
    assert DEFAULT_LISTS.suggest(kind, text) == (keys[close[0]] if close else None)
