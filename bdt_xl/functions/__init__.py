"""The worksheet functions' logic without Excel (``bdt_xl.excel.udfs`` declares them to Excel).

``arguments`` parses what a user types, ``cache`` remembers the tables' content keys and what
was built from them, ``dataset`` holds the validated data and its figures, ``rates`` the
Rates table of ``BDT_CONVERT``, ``worksheet`` the seven functions.
"""

from bdt_xl.functions.cache import (
    CacheStats,
    FunctionCache,
    cache_info,
    clear_cache,
    content_key,
    freeze,
)
from bdt_xl.functions.dataset import TABLES, Dataset, dataset
from bdt_xl.functions.worksheet import (
    convert,
    count,
    funds,
    in_cell,
    partners,
    share,
    top_partners_table,
    yoy,
)

__all__ = ["TABLES", "CacheStats", "Dataset", "FunctionCache", "cache_info", "clear_cache",
           "content_key", "convert", "count", "dataset", "freeze", "funds", "in_cell",
           "partners", "share", "top_partners_table", "yoy"]
