"""Datasette's metadata: the dictionary's words for every table, the search query's folding."""
from __future__ import annotations

from pipeline.run.dictionary import COLUMNS, TABLES
from pipeline.serve.metadata import fts_match, metadata


def test_queries_are_read_as_vanban_search_reads_them():
    assert fts_match("QUẢNG Ngãi") == fts_match("quang ngai") == '"quang" AND "ngai"'
    assert fts_match('"giam doc" so*') == '"giam doc" AND "so"*'
    assert fts_match("") == fts_match(None) == fts_match("!!") == '""'  # matches no line, raises nothing


def test_every_table_described_and_internal_ones_hidden():
    tables = metadata("store")["databases"]["store"]["tables"]
    assert {t: m["description"] for t, m in tables.items()} == TABLES
    assert {t: m["columns"] for t, m in tables.items()} == COLUMNS
    assert [t for t, m in tables.items() if m.get("hidden")] == ["page_cache", "page_claims", "meta", "lines_search"]
