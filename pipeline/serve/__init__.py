"""Serving the store: ``vanban serve`` (Datasette, read-only) and each document's page view."""
