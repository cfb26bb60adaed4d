"""vanban: scanned Vietnamese government documents to searchable text and tables."""
__version__ = "0.1.0"
