"""The report's layout described once, renderer-agnostic: sheets, Excel Tables, formats and
charts, rendered by the file, in-place and live-Excel engines alike."""
