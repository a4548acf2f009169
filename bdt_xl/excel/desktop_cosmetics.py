"""Desktop Excel (COM, Windows) only: the cosmetics xlwings has no API for.

Tab colours, page setup, frozen panes, data labels, title fonts, gaps and holes: each is
applied through the COM object behind an xlwings sheet or chart, best effort. An engine
without COM (macOS, the remote engine) gets none of them and the refresh goes on; the
cells, tables and charts themselves never depend on this module.
"""

from __future__ import annotations

import logging

from bdt_xl.layout.model import BAR, COLUMN, DOUGHNUT, LETTER, PIE, ChartSpec, SheetLayout
from bdt_xl.layout.rendering import is_pie

log = logging.getLogger(__name__)


def _com(obj):
    """The COM object behind an xlwings sheet or chart on Windows, else None."""
    try:
        api = obj.api
    except Exception:
        return None
    if isinstance(api, tuple):  # a chart: (ChartObject, Chart)
        api = api[-1]
    return api if hasattr(api, "Application") and not isinstance(api, dict) else None


def _best_effort(what: str, action) -> bool:
    try:
        action()
        return True
    except Exception as exc:
        log.debug("skipped %s: %s", what, exc)
        return False


def desktop_sheet(ws, sheet: SheetLayout) -> None:
    api = _com(ws)
    if api is None:
        return
    if sheet.tab_color:
        rgb = int(sheet.tab_color, 16)  # Excel colours are BGR
        bgr = (rgb & 0xFF) << 16 | (rgb & 0xFF00) | rgb >> 16
        _best_effort("tab colour", lambda: setattr(api.Tab, "Color", bgr))
    _best_effort("column width", lambda: setattr(api, "StandardWidth",
                                                 sheet.default_column_width))

    def page() -> None:
        app, layout = api.Application, sheet.page
        app.PrintCommunication = False
        try:
            setup = api.PageSetup
            if layout.landscape:
                setup.Orientation = 2  # xlLandscape
            setup.PaperSize = 1 if layout.paper == LETTER else 9  # xlPaperLetter, xlPaperA4
            setup.Zoom = layout.scale
            if layout.repeat_rows:
                setup.PrintTitleRows = "${}:${}".format(*layout.repeat_rows)
            setup.CenterFooter = layout.footer
            setup.LeftMargin = setup.RightMargin = layout.margin_inches * 72
            setup.TopMargin = setup.BottomMargin = layout.top_bottom_inches * 72
            setup.FooterMargin = layout.footer_inches * 72
        finally:
            app.PrintCommunication = True
        for row in layout.row_breaks:
            api.HPageBreaks.Add(api.Rows(row))
    _best_effort("page setup", page)


def desktop_freeze(ws, rows: int) -> bool:
    api = _com(ws)
    if api is None:
        return False

    def freeze() -> None:
        api.Activate()
        window = api.Application.ActiveWindow
        window.FreezePanes = False
        window.SplitColumn = 0
        window.SplitRow = rows
        window.FreezePanes = True
    return _best_effort("freeze panes", freeze)


def desktop_chart(chart, spec: ChartSpec, hidden_labels: bool) -> None:
    api = _com(chart)
    if api is None:
        return
    pie = is_pie(spec)
    if hidden_labels:
        _best_effort("hidden label cells", lambda: setattr(api, "PlotVisibleOnly", False))

    def labels() -> None:
        for i in range(1, api.SeriesCollection().Count + 1):
            series = api.SeriesCollection(i)
            series.HasDataLabels = True
            found = series.DataLabels()
            found.ShowValue = not pie and spec.show_values
            found.ShowPercentage = pie and spec.show_percent
            found.ShowCategoryName = False
            found.ShowSeriesName = False
            found.NumberFormat = spec.number_format
            if spec.kind == PIE and i == 1:
                found.ShowLeaderLines = True  # pies only; doughnuts have none
                for point in spec.unlabelled_points:  # thin slices: no label piled up
                    series.Points(point + 1).HasDataLabel = False
    _best_effort("data labels", labels)

    def title() -> None:
        font = api.ChartTitle.Format.TextFrame2.TextRange.Font
        font.Size = spec.title_size
        font.Bold = True
    _best_effort("title font", title)
    if spec.kind == DOUGHNUT:
        _best_effort("hole size", lambda: setattr(api.ChartGroups(1), "DoughnutHoleSize",
                                                  spec.hole_size))
    if spec.kind in (BAR, COLUMN):
        _best_effort("gap width", lambda: setattr(api.ChartGroups(1), "GapWidth",
                                                  spec.gap_width))
        _best_effort("gridlines", lambda: setattr(api.Axes(2), "HasMajorGridlines",
                                                  spec.gridlines))
