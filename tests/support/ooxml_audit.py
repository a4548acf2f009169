"""Excel's own opinion of a file, before Excel sees it: the Open XML validator's verdict.

``openxml-audit -f microsoft365`` predicts whether Microsoft 365 opens a package cleanly or
repairs/rewrites it. The console script is installed beside the test interpreter; a missing
validator is a failure, never a skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path


def _validator() -> str:
    beside = Path(sys.executable).with_name("openxml-audit")
    found = str(beside) if beside.exists() else shutil.which("openxml-audit")
    assert found, "openxml-audit is not installed: pip install openxml-audit"
    return found


def audit(path: str | Path) -> dict:
    """The validator's JSON result for one file."""
    run = subprocess.run([_validator(), "-f", "microsoft365", "-o", "json", str(path)],
                         capture_output=True, text=True, timeout=300)
    assert run.stdout.strip(), run.stderr
    (result,) = json.loads(run.stdout)
    return result


def assert_opens_clean(path: str | Path) -> None:
    result = audit(path)
    findings = [f"{e.get('part', '')}: {e.get('description', e)}" for e in result["errors"]]
    assert result["verdict"]["prediction"] == "opens-clean", (result["verdict"], findings[:5])
