"""The worksheet functions under the module name the SPEC and ``xlwings.conf`` give
(``UDF Modules = bdt_xl.udfs``). They are declared in ``bdt_xl.excel.udfs``."""

from bdt_xl.excel.udfs import (
                               BDT_CONVERT,
                               BDT_COUNT,
                               BDT_FUNDS,
                               BDT_PARTNERS,
                               BDT_SHARE,
                               BDT_TOP_PARTNERS,
                               BDT_YOY,
)

__all__ = ["BDT_CONVERT", "BDT_COUNT", "BDT_FUNDS", "BDT_PARTNERS", "BDT_SHARE",
           "BDT_TOP_PARTNERS", "BDT_YOY"]
