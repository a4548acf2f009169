"""Hostile files never take the machine down (issue 8, C1 and C2).

Each file is built in the test; the real command runs in a subprocess whose only child is
the command, so that ``getrusage(RUSAGE_CHILDREN)`` is that command's own peak memory.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile

import pytest
from hostile_files import small_table, zip_bomb

PEAK_LIMIT_MIB = 300
_MEASURE = r"""
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"rc": done.returncode, "out": done.stdout, "err": done.stderr,
                  "peak_mib": peak}))
"""


def run_cli(*args: str) -> dict:
    command = [sys.executable, "-m", "bdt_xl.cli", *args]
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True,
                          text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def _one_sentence(text: str) -> None:
    assert "Traceback" not in text and "panicked" not in text
    assert len(text.strip().splitlines()) == 1, text


@pytest.mark.parametrize("stray", ["XFD1048576", "XFD5000", "A1048576"])
def test_far_away_cell_reads_the_table_in_bounded_memory(tmp_path, stray):
    path = small_table(tmp_path / "far.xlsx", stray)
    assert path.stat().st_size < 10_000  # a few kilobytes
    out = tmp_path / "far report.xlsx"
    result = run_cli("refresh", str(path), "--out", str(out))
    assert result["rc"] == 0, result["err"]
    # the two rows sum to 1,000 + 500 + 500 + 200 = 2,200 USD (typed by hand in the file)
    assert "2 agreement rows" in result["out"] and "2,200 USD" in result["out"]
    assert result["peak_mib"] <= PEAK_LIMIT_MIB, result["peak_mib"]
    assert zipfile.ZipFile(out).testzip() is None


def test_table_resized_to_the_whole_sheet_reads_only_its_rows(tmp_path):
    path = small_table(tmp_path / "whole.xlsx")
    whole = tmp_path / "whole-columns.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(whole, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/tables/"):  # Resize Table to J1048576
                data = re.sub(rb'ref="A1:J3"', b'ref="A1:J1048576"', data)
            target.writestr(info, data)
    result = run_cli("validate", str(whole))
    assert result["rc"] == 0, result["err"]
    assert result["out"].startswith("2 rows checked")
    assert result["peak_mib"] <= PEAK_LIMIT_MIB, result["peak_mib"]


def test_zip_bomb_is_refused_in_one_sentence_before_memory_grows(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx", mib=1024)
    assert path.stat().st_size < 2 * 2**20
    with zipfile.ZipFile(path) as archive:  # a real bomb: the directory says 1 GiB
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 2**30
    result = run_cli("validate", str(path))
    assert result["rc"] == 2
    _one_sentence(result["err"])
    assert "xl/sharedStrings.xml" in result["err"] and "refused" in result["err"]
    assert result["peak_mib"] <= PEAK_LIMIT_MIB, result["peak_mib"]


def test_zip_directory_lying_about_the_size_is_refused_in_one_sentence(tmp_path):
    path = zip_bomb(tmp_path / "liar.xlsx", mib=1024, declared=2**20)
    result = run_cli("validate", str(path))
    assert result["rc"] == 2
    _one_sentence(result["err"])
    assert "liar.xlsx" in result["err"]
    assert result["peak_mib"] <= PEAK_LIMIT_MIB, result["peak_mib"]
