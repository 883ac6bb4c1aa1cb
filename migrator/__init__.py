"""probe-migrator: lint and migrate kernel probe modules from raw addresses to symbol_name/offset."""

__version__ = "0.1.0"
