"""The package's version, defined once below every stage (a record names the version that wrote it)."""
__version__ = "0.1.0"
