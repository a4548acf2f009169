"""openpyxl switches its XML reader and writer when lxml is installed (Anaconda ships it; so
does the Open XML validator of the tests). The in-place refresh must behave the same with
either: formulas inside the Agreements table and cached values of formulas elsewhere
(an external link here) read exactly as before. Each case runs in a fresh interpreter,
because openpyxl reads ``OPENPYXL_LXML`` once, at import."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import io, sys, zipfile
    from pathlib import Path
    import python_calamine as pc
    from openpyxl import load_workbook
    from openpyxl.xml import LXML
    from bdt_xl.workbooks.synthetic import write_synthetic_workbook
    from bdt_xl.files.inplace import refresh_in_place
    from bdt_xl.files.reader import read_workbook

    folder = Path(sys.argv[1])
    # formulas (=NA() error cells) inside the Agreements table
    path = folder / "Errors.xlsx"
    write_synthetic_workbook(path, 120, seed=3, error_rate=0.2)
    before = read_workbook(path)
    refresh_in_place(path)
    after = read_workbook(path)
    same = all(after[n].rows == t.rows and after[n].header == t.header
               for n, t in before.items())
    # a formula reading another workbook: its last value is all a headless reader has
    wb = load_workbook(path)
    wb.create_sheet("Links")["B2"] = "='[Other.xlsx]Sheet1'!A1"
    wb.save(path)
    with zipfile.ZipFile(path) as src:
        items = [(i, src.read(i.filename)) for i in src.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:   # give the formula the cached value Excel would
        for info, data in items:
            if b"[Other.xlsx]" in data and info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</f><v></v>", b"</f><v>42</v>").replace(
                    b"</f><v />", b"</f><v>42</v>")
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    def linked():
        wb = pc.CalamineWorkbook.from_path(str(path))
        try:
            return wb.get_sheet_by_name("Links").to_python(skip_empty_area=False)[1][1]
        finally:
            wb.close()
    cached_before = linked()
    refresh_in_place(path)
    print(LXML, same, cached_before, linked())
""")


@pytest.mark.parametrize("lxml", ["True", "False"])
def test_in_place_refresh_with_and_without_lxml(tmp_path, lxml):
    import lxml as installed  # the package must be there for the "True" case to mean it
    assert installed
    env = {**os.environ, "OPENPYXL_LXML": lxml, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == [lxml, "True", "42.0", "42.0"]
