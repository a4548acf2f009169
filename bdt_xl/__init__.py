"""bdt_xl: the BDT partnerships report to TDAG, from agreement rows, in Excel or headless."""

__version__ = "0.1.0"
