"""Builders of the workbooks the product ships and tests with: input and macro workbooks,
the bundled sample rows, synthetic data."""
