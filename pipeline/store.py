"""Store: the embedded SQLite file analysts query, and its CSV/Parquet exports.

One document is written in one transaction: its old rows (a changed file
re-processed) are deleted and the new ones inserted together, so a crash never
leaves a half-written document visible.
"""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .document import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,               -- pdf | image | text
    n_pages INTEGER NOT NULL,
    restored INTEGER NOT NULL,        -- 1 when diacritics were restored
    number TEXT, date TEXT, place TEXT, type TEXT,   -- the document's own header (số, ngày, loại)
    issuer TEXT, subject TEXT, signer TEXT,
    pipeline_key TEXT NOT NULL,       -- version + settings that made these rows
    processed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    source TEXT NOT NULL,             -- ocr | text-layer | text
    width INTEGER, height INTEGER, dpi INTEGER,
    mean_conf REAL,
    skew_deg REAL,
    quality TEXT,                     -- JSON: everything cleanup and OCR measured
    text TEXT NOT NULL,
    UNIQUE (document_id, number)
);
CREATE TABLE IF NOT EXISTS lines (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    line INTEGER NOT NULL,            -- 1-based line in the document text
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS words (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    line INTEGER NOT NULL,
    text TEXT NOT NULL,
    conf REAL,
    left INTEGER, top INTEGER, width INTEGER, height INTEGER
);
CREATE TABLE IF NOT EXISTS doc_refs (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page INTEGER, line INTEGER, span_start INTEGER, span_end INTEGER,
    number TEXT NOT NULL, kind TEXT, date TEXT,
    raw TEXT, confidence REAL
);
CREATE TABLE IF NOT EXISTS dates (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page INTEGER, line INTEGER, span_start INTEGER, span_end INTEGER,
    value TEXT NOT NULL,
    raw TEXT, confidence REAL
);
CREATE TABLE IF NOT EXISTS counts (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page INTEGER, line INTEGER, span_start INTEGER, span_end INTEGER,
    value INTEGER NOT NULL, value_max INTEGER, total INTEGER,
    unit TEXT, stars TEXT, subject_type TEXT, locality TEXT, as_of TEXT,
    raw TEXT, confidence REAL
);
CREATE TABLE IF NOT EXISTS money (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page INTEGER, line INTEGER, span_start INTEGER, span_end INTEGER,
    value_vnd INTEGER NOT NULL,
    raw TEXT, confidence REAL
);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    reason TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_pages_doc ON pages(document_id);
CREATE INDEX IF NOT EXISTS idx_lines_doc ON lines(document_id);
CREATE INDEX IF NOT EXISTS idx_words_doc ON words(document_id);
CREATE INDEX IF NOT EXISTS idx_refs_number ON doc_refs(number);
CREATE INDEX IF NOT EXISTS idx_dates_value ON dates(value);
"""

TABLES = ["documents", "pages", "lines", "words", "doc_refs", "dates", "counts", "money", "failures"]

# Columns of each mention table, in the order of the extraction JSON items.
_MENTION_COLUMNS = {
    "doc_refs": ["number", "kind", "date"],
    "dates": ["value"],
    "counts": ["value", "value_max", "total", "unit", "stars", "subject_type", "locality", "as_of"],
    "money": ["value_vnd"],
}
_SELF_FIELDS = ["number", "date", "place", "type", "issuer", "subject", "signer"]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """The SQLite file ``OUT/vanban.sqlite``."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed into the main file)."""
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def is_current(self, path: Path, sha256: str, pipeline_key: str) -> bool:
        """True when this exact content was already processed with the same pipeline."""
        row = self.conn.execute(
            "SELECT sha256, pipeline_key FROM documents WHERE path = ?", (str(path),)
        ).fetchone()
        return row is not None and row == (sha256, pipeline_key)

    def save_document(self, doc: Document, extraction: dict, pipeline_key: str) -> int:
        """Replace everything stored for ``doc.path`` with this result, atomically."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("DELETE FROM documents WHERE path = ?", (str(doc.path),))
            cur.execute("DELETE FROM failures WHERE path = ?", (str(doc.path),))
            own = extraction.get("self", {})
            cur.execute(
                "INSERT INTO documents (path, name, sha256, kind, n_pages, restored, "
                + ", ".join(_SELF_FIELDS)
                + ", pipeline_key, processed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (str(doc.path), doc.name, doc.sha256, doc.kind, len(doc.pages), int(doc.restored),
                 *[own.get(f) for f in _SELF_FIELDS], pipeline_key, _now()),
            )
            doc_id = cur.lastrowid
            self._insert_pages(cur, doc_id, doc)
            for table, columns in _MENTION_COLUMNS.items():
                self._insert_mentions(cur, doc_id, table, columns, extraction.get(table, []))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return doc_id

    def record_failure(self, path: Path, reason: str) -> None:
        """Remember a file that could not be processed (its earlier good rows are kept)."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        cur.execute("DELETE FROM failures WHERE path = ?", (str(path),))
        cur.execute(
            "INSERT INTO failures (path, reason, failed_at) VALUES (?,?,?)",
            (str(path), reason, _now()),
        )
        cur.execute("COMMIT")

    def _insert_pages(self, cur: sqlite3.Cursor, doc_id: int, doc: Document) -> None:
        first_line = 1  # 1-based line of the page's first line in Document.text
        for page in doc.pages:
            cur.execute(
                "INSERT INTO pages (document_id, number, source, width, height, dpi, mean_conf, "
                "skew_deg, quality, text) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (doc_id, page.number, page.source, page.width, page.height, page.dpi,
                 page.quality.get("mean_conf"), page.quality.get("skew_deg"),
                 json.dumps(page.quality, ensure_ascii=False), page.text),
            )
            page_id = cur.lastrowid
            page_lines = page.text.split("\n")
            cur.executemany(
                "INSERT INTO lines (document_id, page_id, page, line, text) VALUES (?,?,?,?,?)",
                [(doc_id, page_id, page.number, first_line + i, t)
                 for i, t in enumerate(page_lines) if t.strip()],
            )
            cur.executemany(
                "INSERT INTO words (document_id, page_id, page, line, text, conf, left, top, "
                "width, height) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, page_id, page.number, first_line + w.line, w.text, w.conf, *w.box)
                 for w in page.words],
            )
            first_line += len(page_lines) + 1  # +1: the form-feed line between pages

    @staticmethod
    def _insert_mentions(cur, doc_id: int, table: str, columns: list[str], items: list[dict]):
        sql = (
            f"INSERT INTO {table} (document_id, page, line, span_start, span_end, "
            + ", ".join(columns)
            + ", raw, confidence) VALUES ("
            + ",".join("?" * (len(columns) + 7))
            + ")"
        )
        rows = []
        for item in items:
            span = item.get("span") or (None, None)
            rows.append((doc_id, item.get("page"), item.get("line"), span[0], span[1],
                         *[item.get(c) for c in columns], item.get("raw"), item.get("confidence")))
        cur.executemany(sql, rows)

    def query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        """Run a read-only SQL query and return a DataFrame."""
        return pd.read_sql_query(sql, self.conn, params=params)

    def export(self, directory: Path) -> list[Path]:
        """Write every table as CSV and Parquet into ``directory`` (atomic renames)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for table in TABLES:
            frame = self.query(f"SELECT * FROM {table}")
            for suffix, write in ((".csv", _write_csv), (".parquet", _write_parquet)):
                target = directory / f"{table}{suffix}"
                tmp = target.with_name(f".{target.name}.tmp")
                write(frame, tmp)
                os.replace(tmp, target)
                written.append(target)
        return written


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)

