"""Datasette's metadata for a store: every table and column described (from the one data
dictionary, :mod:`pipeline.run.dictionary`), and full-text search over the lines.

``lines_search`` holds each line folded by :func:`pipeline.script.search_fold` under rowid
``document_id << 32 | line``: Datasette's own search (``fts_table`` / ``fts_pk``) would match the
query as typed against a column of the table, so it finds neither "Quảng Ngãi" nor the lines.
Instead the query is read as ``vanban search`` reads it (:func:`pipeline.run.search.parse_query`:
marks and case do not matter, "phrases", prefix*, document numbers) by the SQL function
:data:`MATCH_SQL`, registered on Datasette's connections (:mod:`pipeline.serve.app`), and used
by the ``search`` query below and by the search box of the ``lines`` table.
"""
from __future__ import annotations

from ..errors import BadArgs
from ..run.dictionary import COLUMNS, TABLES
from ..run.search import _LINE_BITS, parse_query

MATCH_SQL = "vanban_match"  # SQL: vanban_match(query as typed) -> the FTS5 expression
_NOTHING = '""'  # an FTS5 expression that matches no line (a query without a letter or digit)
# The `lines` row of a lines_search row (store.py: rowid = document_id << 32 | line).
LINE_OF_MATCH = f"l.document_id = s.rowid >> 32 AND l.line = (s.rowid & {_LINE_BITS})"

SEARCH_QUERY = f"""SELECT d.id AS document_id, d.name, l.page, l.line, l.text
FROM lines_search s
JOIN lines l ON {LINE_OF_MATCH}
JOIN documents d ON d.id = l.document_id
WHERE lines_search MATCH {MATCH_SQL}(:q)
ORDER BY bm25(lines_search), d.id, l.line
LIMIT 200"""

# Tables of the store's own bookkeeping, hidden from the database page (still described, still served).
INTERNAL = ("page_cache", "page_claims", "meta", "lines_search")


def fts_match(query: str | None) -> str:
    """The FTS5 expression of a query as typed (``vanban search``'s reading of it); one that
    matches nothing when the query has no letter or digit."""
    try:
        return parse_query(query or "").fts()
    except BadArgs:
        return _NOTHING


def metadata(database: str) -> dict:
    """Datasette's metadata for the store served as ``database``."""
    tables = {
        table: {"description": TABLES[table], "columns": dict(COLUMNS[table]),
                **({"hidden": True} if table in INTERNAL else {})}
        for table in TABLES
    }
    tables["documents"].update(label_column="name", facets=["kind", "type"])
    return {
        "title": "vanban",
        "description_html": (
            "Scanned Vietnamese government documents as text and tables, read-only. "
            "Each document's pages with its words and extracted items: <code>/document/&lt;id&gt;</code> "
            "(the <b>name</b> column of <code>documents</code> links there)."),
        "databases": {
            database: {
                "description": "The store written by `vanban run`: documents, their pages, lines and words, "
                               "and what was extracted from them (doc_refs, dates, counts, money).",
                "tables": tables,
                "queries": {
                    "search": {
                        "title": "Search the lines",
                        "description": "Lines holding every word of q, typed with or without marks, in any "
                                       "case (\"phrases\", prefix*, document numbers), best first.",
                        "sql": SEARCH_QUERY,
                    },
                },
            },
        },
    }
