"""bdt_xl: the BDT partnerships report to TDAG, from agreement rows, in Excel or headless.

The public Python API (imported on first use, so ``import bdt_xl`` stays instant)::

    from bdt_xl import refresh_file, validate_file, Options
    report = refresh_file("BDT_Partnerships.xlsm", options=Options(language="fr"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS = {
    "refresh_file": "bdt_xl.api",
    "validate_file": "bdt_xl.api",
    "run_file": "bdt_xl.api",
    "Options": "bdt_xl.core.pipeline",
    "Report": "bdt_xl.core.report",
    "BdtError": "bdt_xl.errors",
    "WorkbookError": "bdt_xl.errors",
    "UsageError": "bdt_xl.errors",
    "MissingPackage": "bdt_xl.errors",
    "InPlaceError": "bdt_xl.errors",
    "WouldLoseFeatures": "bdt_xl.errors",
    "WorkbookInUse": "bdt_xl.errors",
    "NotWritten": "bdt_xl.errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from bdt_xl.api import refresh_file, run_file, validate_file  # noqa: F401
    from bdt_xl.core.pipeline import Options  # noqa: F401
    from bdt_xl.core.report import Report  # noqa: F401
    from bdt_xl.errors import (  # noqa: F401
        BdtError,
        InPlaceError,
        MissingPackage,
        NotWritten,
        UsageError,
        WorkbookError,
        WorkbookInUse,
        WouldLoseFeatures,
    )


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bdt_xl' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
