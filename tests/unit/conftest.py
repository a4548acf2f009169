"""Fixtures of the worksheet-function tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def fresh_caches():
    """The worksheet functions' caches emptied before and after a test."""
    from bdt_xl import functions as udf_core
    from bdt_xl.excel import udfs

    udf_core.clear_cache()
    udfs._book_reads.clear()
    yield
    udf_core.clear_cache()
    udfs._book_reads.clear()


@pytest.fixture
def tiny():
    """The hand-checked tiny Agreements and Rates ranges of ``udf_tables``."""
    from udf_tables import tiny_tables

    return tiny_tables()
