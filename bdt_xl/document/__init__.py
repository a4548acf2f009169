"""The TDAG document: a Word draft of the report's partnership sections, in any language
with a template (``templates/<language>.json``), built from the one pipeline's report."""
