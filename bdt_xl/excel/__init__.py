"""Inside Excel: the only modules that import xlwings -- the live-book tables, the live writer,
the buttons' macros, the worksheet-function declarations and the recalculation bursts."""
