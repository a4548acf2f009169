"""The core: models and rules, lists, validation, FX, periods, aggregation, the report and the
one pipeline. Knows nothing of files or Excel."""
