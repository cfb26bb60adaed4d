"""Store: the embedded SQLite file analysts query, and its CSV/Parquet exports.

A document is identified by its file's content: (``sha256``, ``first_page``).  The paths a
content is found under are rows of ``files``: a copy, a move or a rename adds a path, never a
second document, so no figure counts twice; ``documents.path`` is the path that holds it now
(the first found, until that file goes or changes).  A document keeps its id when it is
extracted again (``--force``, new settings) and when its file is changed in place (the old
content's rows go, the new ones take their ids); a file gone from the inputs keeps its documents.

One document is written in one transaction: its old rows are deleted and the new
ones inserted together, so a crash never leaves a half-written document visible.  The file is in WAL mode: a process
killed mid-write leaves the last committed state, which the next open recovers.

Besides the analysts' tables, ``page_cache`` keeps every page read by OCR
(text, words, quality) keyed by file content, page number and the OCR settings
key: a re-run after a crash, or after a change of extraction or restoration
settings, reads pages from there instead of running Tesseract again.
``page_claims`` holds the pages being read right now, with the run reading
them: two runs on one store never read the same page (:meth:`Store.claim_page`).
"""
from __future__ import annotations

import errno
import functools
import json
import os
import sqlite3
import time
import zlib
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterator, cast

from ..document import Document, Page, Region, TableCell, Word
from ..errors import BadArgs, StoreError
from ..script import search_fold
from .runs import RunId
from ..extract.gazetteer import COLUMNS as PLACE_COLUMNS
from ..io.names import is_text, raw_path, stored_path

if TYPE_CHECKING:  # pandas costs ~0.4 s to import: only queries and exports need it
    import pandas as pd

_SCHEMA_TEMPLATE = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,           -- kept by --force, a moved or renamed file, a re-extraction
    path TEXT NOT NULL UNIQUE,        -- its file's primary path (`files` lists every path it has had);
                                      -- later documents of one file: "path#2"… (first_page > 1)
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,             -- its file's content: a document is (sha256, first_page)
    kind TEXT NOT NULL,               -- pdf | image | text
    n_pages INTEGER NOT NULL,
    restored INTEGER NOT NULL,        -- 1 when diacritics were restored
    number TEXT, date TEXT, place TEXT, type TEXT,   -- the document's own header (số, ngày, loại)
    issuer TEXT, subject TEXT, signer TEXT,
    issuer_parent TEXT, signer_title TEXT,          -- cơ quan chủ quản; "TL. CHỦ TỊCH / CHÁNH VĂN PHÒNG"
    number_uncertain INTEGER, date_uncertain INTEGER,  -- 1: read from handwriting or a blurred blank
    first_page INTEGER,               -- its first page in the file (a file may hold several documents)
    pipeline_key TEXT NOT NULL,       -- version + settings that made these rows
    processed_at TEXT NOT NULL,
    path_raw BLOB                     -- the path's exact bytes when `path` does not give them back
                                      -- (a name not UTF-8 or not NFC: pipeline/io/names.py), else NULL
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
{mention_tables}CREATE TABLE IF NOT EXISTS regions (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    seq INTEGER NOT NULL,             -- reading order on the page
    kind TEXT NOT NULL,               -- header_left header_right number_line date_line body recipients
                                      -- signature stamp note page_number handwriting noise
                                      -- (pipeline/ocr/layout.py)
    role TEXT,                        -- handwriting: the header field it fills (number, day, month)
    text TEXT, confidence REAL,
    line_first INTEGER, line_last INTEGER,  -- 1-based lines of the document text it holds (NULL: none)
    bbox_x0 INTEGER, bbox_y0 INTEGER, bbox_x1 INTEGER, bbox_y1 INTEGER
);
CREATE TABLE IF NOT EXISTS recipients (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,             -- order in the "Nơi nhận:" list
    name TEXT NOT NULL                -- "Sở Tài chính", "Lưu: VT, KTTH"
);
CREATE TABLE IF NOT EXISTS annex_cells (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    table_no INTEGER NOT NULL,        -- 1-based ruled table on the page (Phụ lục)
    row INTEGER NOT NULL, col INTEGER NOT NULL, rowspan INTEGER, colspan INTEGER,
    text TEXT NOT NULL, confidence REAL,
    bbox_x0 INTEGER, bbox_y0 INTEGER, bbox_x1 INTEGER, bbox_y1 INTEGER
);
-- What the extraction doubts (what `vanban extract` prints as "uncertain"): an item whose confidence
-- is low or that fails a cross-check, or a header field read from handwriting.
CREATE TABLE IF NOT EXISTS uncertain (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    line INTEGER,
    why TEXT NOT NULL,
    item_table TEXT,                  -- doc_refs | dates | counts | money; NULL: not about one item
    item_id INTEGER                   -- the item's row in item_table
);
{files_table}CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    reason TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    path_raw BLOB                     -- as documents.path_raw
);
CREATE TABLE IF NOT EXISTS page_cache (
    sha256 TEXT NOT NULL,             -- content of the input file
    number INTEGER NOT NULL,          -- 1-based page
    ocr_key TEXT NOT NULL,            -- Settings.ocr_key() that read it
    page BLOB NOT NULL,               -- zlib-compressed JSON of the Page
    created_at TEXT NOT NULL,
    PRIMARY KEY (sha256, number, ocr_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS page_claims (
    sha256 TEXT NOT NULL, number INTEGER NOT NULL, ocr_key TEXT NOT NULL,  -- a page_cache key
    run TEXT NOT NULL,                -- pipeline.run.runs.RunId (host:pid:start) of the run reading it
    claimed_at REAL NOT NULL,         -- seconds since the epoch
    PRIMARY KEY (sha256, number, ocr_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', '0');
CREATE INDEX IF NOT EXISTS idx_pages_doc ON pages(document_id);
CREATE INDEX IF NOT EXISTS idx_lines_doc ON lines(document_id);
CREATE INDEX IF NOT EXISTS idx_words_doc ON words(document_id);
CREATE INDEX IF NOT EXISTS idx_refs_number ON doc_refs(number);
CREATE INDEX IF NOT EXISTS idx_dates_value ON dates(value);
-- Full-text search (`vanban search`, pipeline/run/search.py): one row per `lines` row holding the
-- line folded by pipeline.script.search_fold (lower case, no marks, đ as d: FTS5's remove_diacritics
-- keeps đ) so that a query typed with or without marks finds it; the original text is read from
-- `lines`.  rowid = document_id << 32 | line: a search filters and ranks by document on the rowid
-- alone, without reading a row of `lines` for each match.  Filled in the transaction that saves
-- the document; the trigger drops a line's row whatever deletes the line (a re-run's DELETE cascades).
CREATE VIRTUAL TABLE IF NOT EXISTS lines_search USING fts5(text, tokenize = 'unicode61 remove_diacritics 0');
CREATE TRIGGER IF NOT EXISTS lines_search_delete AFTER DELETE ON lines BEGIN
    DELETE FROM lines_search WHERE rowid = (old.document_id << 32) + old.line;
END;
"""

# The input files: schema 5 (older stores gain it on open, filled from their documents: _merge_copies).
FILES_TABLE = """-- The input files: every path a content has been found under (a copy, a move, a rename adds a row;
-- the content's documents are stored once, under `documents.sha256`).
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,        -- as documents.path (pipeline/io/names.py)
    path_raw BLOB,                    -- as documents.path_raw
    sha256 TEXT NOT NULL,             -- its content when a run last read it
    first_seen TEXT NOT NULL,         -- when a run first found this path (no last_seen: a run that
                                      -- finds every file as it was writes nothing, so the exports stay current)
    gone_at TEXT                      -- when a run over its folder no longer found it (NULL: still there);
                                      -- the documents of its content are kept
);
CREATE INDEX IF NOT EXISTS idx_files_sha ON files(sha256);
"""

# One row per mention (trích xuất): where it is (provenance) and what it says.
_MENTION_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_id INTEGER REFERENCES pages(id) ON DELETE CASCADE,  -- NULL only for a page-less mention
    page INTEGER, line INTEGER, span_start INTEGER, span_end INTEGER,
    bbox_x0 INTEGER, bbox_y0 INTEGER, bbox_x1 INTEGER, bbox_y1 INTEGER,  -- OCR'd pages only
    {fields},
    raw TEXT, confidence REAL
);"""
# A figure's place in a breakdown (pipeline/extract/hierarchy.py): role total|part|repeat|single,
# parent_id the row of its total (of the first statement for a repeat).  Rows with parent_id NULL
# add up without counting a headline and its breakdown twice.
_FIGURE_FIELDS = ",\n    role TEXT, parent_id INTEGER REFERENCES {name}(id)"
_MENTION_FIELDS = {
    "doc_refs": "number TEXT NOT NULL, kind TEXT, date TEXT",
    "dates": "value TEXT NOT NULL",
    "counts": "value INTEGER NOT NULL, value_max INTEGER, total INTEGER,\n    unit TEXT, stars TEXT, "
              "subject_type TEXT, locality TEXT, as_of TEXT" + _FIGURE_FIELDS.format(name="counts")
              # the locality resolved (pipeline/extract/gazetteer.py): its code, the province it was in,
              # today's province and commune (since 1 July 2025); NULL when not certain
              + "".join(f", {c} TEXT" for c in PLACE_COLUMNS),
    "money": "value_vnd INTEGER NOT NULL, kind TEXT"  # kind: allocated|disbursed|support|revenue
             + _FIGURE_FIELDS.format(name="money"),
}
SCHEMA = _SCHEMA_TEMPLATE.replace("{mention_tables}", "".join(
    _MENTION_TABLE.format(name=name, fields=fields) for name, fields in _MENTION_FIELDS.items()
).lstrip("\n") + "\n").replace("{files_table}", FILES_TABLE)

TABLES = ["documents", "files", "pages", "lines", "words", "doc_refs", "dates", "counts", "money",
          "regions", "recipients", "annex_cells", "uncertain", "failures"]
# Written next to the exports: the store generation they were made from.
EXPORT_STAMP = ".generation"
# The data dictionary beside the CSV files (pipeline/run/tables.py): a CSV, not Markdown, so that
# whoever reads the tables as CSV reads their descriptions with the same tool (pandas, a spreadsheet).
DICTIONARY_FILE = "columns.csv"
# What Store.export writes: every table as CSV and Parquet, and the data dictionary.
EXPORTED_FILES = [f"{t}{s}" for t in TABLES for s in (".csv", ".parquet")] + [DICTIONARY_FILE]

# Columns of each mention table, in the order of the extraction JSON items.
_MENTION_COLUMNS = {
    "doc_refs": ["number", "kind", "date"],
    "dates": ["value"],
    "counts": ["value", "value_max", "total", "unit", "stars", "subject_type", "locality", "as_of", "role",
               *PLACE_COLUMNS],
    "money": ["value_vnd", "kind", "role"],
}
# PRAGMA user_version of a store made by this code.  Bump it when a table gains a column
# (added to the DDL above, nullable): Store() adds the column to an older file and marks
# its documents stale, so the next run re-extracts them (OCR'd pages come from page_cache).
#   1: money.kind
#   2: documents.issuer_parent, signer_title, number_uncertain, date_uncertain, first_page (tables regions,
#      recipients are created as new)
#   3: documents.path_raw, failures.path_raw (NULL is right for every older row: nothing is redone)
#   4: lines_search (full-text index), filled from the stored lines: nothing is redone.
#   5: files (paths as aliases of a content), filled from the documents' paths; documents of a content
#      stored under several paths (copies, a moved file) merged into those of the first one stored (the
#      others counted its figures twice; their paths stay, in files); unique (sha256, first_page).
#   6: counts.role, counts.parent_id, money.role, money.parent_id (totals and their parts)
#   7: counts.locality_code, province_old, province_code_old, province, province_code, commune, commune_code
#      (the locality in the gazetteer, mapped through the 2025 reorganisation)
#   8: uncertain (what the extraction doubts), created as new and empty: nothing is redone, so documents
#      stored before keep their rule-constant confidences and no uncertain rows until extracted again
#      (run --force, or any change of the pipeline key)
SCHEMA_VERSION = 8
# The version that made documents one per content (files, _merge_copies): an older store is merged on open.
IDENTITY_SCHEMA_VERSION = 5
# The version that last changed what lines_search holds: a store older than it has every line folded
# again on open.  When pipeline.script.search_fold changes, bump SCHEMA_VERSION and set this to it.
SEARCH_SCHEMA_VERSION = 4
# The SQL name of pipeline.script.search_fold on a Store's connection (it fills lines_search).
_FOLD_SQL = "vanban_search_fold"
_SEARCH_ROWID = "(document_id << 32) + line"  # of a `lines` row in lines_search (unique: a line is one row)
# A page claim older than this is taken over even when its run seems alive (a run on another
# host, whose process cannot be looked up): no page takes half an hour to read.
CLAIM_STALE_S = 1800
_SELF_FIELDS = ["number", "date", "place", "type", "issuer", "subject", "signer",
                "issuer_parent", "signer_title", "number_uncertain", "date_uncertain"]
# Columns added to tables after their first release: (table, declaration).
_ADDED_COLUMNS = [(table, decl.strip()) for table, fields in _MENTION_FIELDS.items() for decl in fields.split(",")] + [
    ("documents", "issuer_parent TEXT"), ("documents", "signer_title TEXT"),
    ("documents", "number_uncertain INTEGER"), ("documents", "date_uncertain INTEGER"),
    ("documents", "first_page INTEGER")]
# Added columns whose NULL in older rows is already right: adding them redoes no document.
_ADDED_NAME_COLUMNS = [("documents", "path_raw BLOB"), ("failures", "path_raw BLOB")]



def part_path(path: str, n: int) -> str:
    """The stored path of the ``n``-th document (1-based) of the file at ``path``: the path itself,
    then "path#2", "path#3"… (pipeline.run.process.split_document)."""
    return path if n == 1 else f"{path}#{n}"


def file_of_part(path: str, first_page: int | None) -> str:
    """:func:`part_path` undone: the file a document's stored path names ("a.pdf#2" -> "a.pdf")."""
    return path.rsplit("#", 1)[0] if (first_page or 1) > 1 else path


def _part_raw(raw: bytes | None, n: int) -> bytes | None:
    """The path_raw of the ``n``-th document of a file whose path_raw is ``raw``."""
    return raw if raw is None or n == 1 else raw + f"#{n}".encode()


def _merge_copies(cur: sqlite3.Cursor) -> int:
    """Schema 5 on an older store: ``files`` filled from the documents' paths, and the documents of a
    content stored under several paths (copies; a moved or renamed file, processed again) deleted
    but those of the first path stored, so its figures count once.  Their paths stay in ``files``,
    and the deleted rows were the same content read again: nothing of the archive is lost.
    Returns how many documents were deleted."""
    kept: dict[str, str] = {}  # content -> the file whose documents stay
    drop = []
    for doc_id, path, raw, sha, first, at in cur.execute(
            "SELECT id, path, path_raw, sha256, first_page, processed_at FROM documents ORDER BY id").fetchall():
        file = file_of_part(path, first)
        if file == path:  # not a later document of a file ("path#2")
            cur.execute("INSERT OR IGNORE INTO files (path, path_raw, sha256, first_seen) VALUES (?,?,?,?)",
                        (path, raw, sha, at))
        if kept.setdefault(sha, file) != file:
            drop.append((doc_id,))
    cur.executemany("DELETE FROM documents WHERE id = ?", drop)
    return len(drop)


def _under(folder: str) -> tuple[str, tuple]:
    """SQL (on ``path``) and its parameters: the files inside ``folder``, at any depth."""
    prefix = folder.rstrip("/") + "/"
    return "substr(path, 1, ?) = ?", (len(prefix), prefix)


def _column_value(value):
    """A header value as SQLite stores it (flags as 0/1)."""
    return int(value) if isinstance(value, bool) else value


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# What SQLite's and the file system's messages mean for the user, by a piece of their text.
_STORE_FAULTS = [("disk is full", "disk full"), ("no space left", "disk full"),
                 ("not a database", "not a vanban store"), ("readonly", "read-only"),
                 ("read-only", "read-only"), ("permission denied", "no permission to write"),
                 ("unable to open", "cannot open"), ("not a directory", "not a folder"),
                 ("file exists", "not a folder")]


def store_error(path: Path, exc: Exception) -> StoreError:
    """``exc`` (sqlite3 or OS) as one :class:`StoreError` line: what it means, then SQLite's words."""
    if isinstance(exc, OSError):
        text = exc.strerror or str(exc)
        path = Path(exc.filename) if isinstance(exc.filename, str) else path
        if exc.errno == errno.ENOSPC:
            return StoreError(path, f"disk full ({text})")
    else:
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    what = next((w for needle, w in _STORE_FAULTS if needle in text.lower()), None)
    return StoreError(path, f"{what} ({text})" if what else text)


def _is_file_fault(exc: BaseException) -> bool:
    """A fault of the file or the disk (full, read-only, locked, not a database, corrupt), not of
    the rows written: an IntegrityError or a ProgrammingError is a bug and stays one."""
    return isinstance(exc, (OSError, sqlite3.OperationalError)) or type(exc) is sqlite3.DatabaseError


def _guarded(method):
    """Turn the file and disk errors of a Store method into :class:`StoreError`."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            if not _is_file_fault(exc):
                raise
            raise store_error(self.path, exc) from exc
    return wrapper


# Pages whose text a store can trust as running Vietnamese (Store.trusted_texts); ? = min confidence.
_TRUSTED_PAGES = ("FROM pages p JOIN documents d ON d.id = p.document_id "
                  "WHERE p.source = 'text-layer' OR (p.source = 'text' AND d.restored = 0) "
                  "OR (p.source = 'ocr' AND p.mean_conf >= ?)")


class Store:
    """The SQLite file ``OUT/vanban.sqlite``."""

    @_guarded
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(self.path.parent, os.W_OK | os.X_OK):
            # SQLite would only say "unable to open database file" (its WAL lives beside the file).
            raise StoreError(self.path.parent, "read-only folder")
        self.conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.create_function(_FOLD_SQL, 1, search_fold, deterministic=True)
            self._use_wal()
            self.conn.executescript(SCHEMA)
            self._upgrade()
        except BaseException:
            self.conn.close()
            raise

    def _use_wal(self, wait_s: float = 60) -> None:
        """Put the file in WAL mode (kept in the file: a no-op afterwards).  Two runs creating a
        store at once race here, and SQLite does not wait for the lock this change needs."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        """BEGIN IMMEDIATE … COMMIT; on any error the transaction is rolled back."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            # SQLite has already rolled back after some errors (a full disk at COMMIT): a second
            # ROLLBACK would raise "no transaction is active" and hide the real error.
            if self.conn.in_transaction:
                try:
                    cur.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the file is unusable: the error being raised says why
            raise

    def _upgrade(self) -> None:
        """Bring a store written by an older version up to :data:`SCHEMA_VERSION`."""
        if self.conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        with self._transaction() as cur:
            version = cur.execute("PRAGMA user_version").fetchone()[0]  # another process may have done it
            if version < SCHEMA_VERSION:
                added = []
                for table, decl in _ADDED_COLUMNS + _ADDED_NAME_COLUMNS:
                    have = {row[1] for row in cur.execute(f"PRAGMA table_info({table})")}
                    if decl.split()[0] not in have:
                        cur.execute(f"ALTER TABLE {table} ADD COLUMN {decl}")
                        if (table, decl) not in _ADDED_NAME_COLUMNS:
                            added.append(f"{table}.{decl.split()[0]}")
                if added:
                    # Rows written before the column have it NULL: re-extract those documents.
                    cur.execute("UPDATE documents SET pipeline_key = ? || pipeline_key",
                                (f"stale-schema{SCHEMA_VERSION}:",))
                    self._bump_generation(cur)
                if version < SEARCH_SCHEMA_VERSION:
                    # Every line folded again, in this one transaction (~1.5 s per 100,000 lines).
                    cur.execute("DELETE FROM lines_search")
                    cur.execute(f"INSERT INTO lines_search (rowid, text) SELECT {_SEARCH_ROWID}, {_FOLD_SQL}(text) "
                                "FROM lines")
                    cur.execute("INSERT INTO lines_search (lines_search) VALUES ('optimize')")
                if version < IDENTITY_SCHEMA_VERSION and _merge_copies(cur):
                    self._bump_generation(cur)
                cur.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_documents_content ON documents(sha256, first_page)")
                cur.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed into the main file)."""
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @_guarded
    def is_current(self, sha256: str, pipeline_key: str) -> bool:
        """True when this content's documents are stored, made with this pipeline key."""
        keys = {k for (k,) in self.conn.execute("SELECT pipeline_key FROM documents WHERE sha256 = ?", (sha256,))}
        return keys == {pipeline_key}

    @_guarded
    def primary_path(self, sha256: str) -> str | None:
        """The path this content's documents are stored under (``documents.path``), None when not stored."""
        row = self.conn.execute("SELECT path FROM documents WHERE sha256 = ? ORDER BY COALESCE(first_page, 1) "
                                "LIMIT 1", (sha256,)).fetchone()
        return row[0] if row else None

    @_guarded
    def see_files(self, paths: list[Path], sha256: str) -> list[Path]:
        """Record that each of ``paths`` holds this content, already stored (a copy, a move, a
        rename adds a path and no document); the paths new to the store are returned.

        A path that held other content lets it go (:meth:`_let_go`); when the file the documents
        are stored under has gone or changed, they move to the first of ``paths``.  Nothing is
        written for a path already recorded with this content: a re-run that changes nothing
        leaves the exports current.
        """
        with self._transaction() as cur:
            before = self.conn.total_changes
            new = [path for path in paths if self._point_file(cur, path, sha256)[0]]
            if self._live_primary(cur, sha256) is None:
                self._move_documents(cur, sha256, stored_path(paths[0]))
            if self.conn.total_changes != before:
                self._bump_generation(cur)
        return new

    def save_document(self, doc: Document, extraction: dict, pipeline_key: str) -> int:
        """Replace everything stored for ``doc``'s content with this result, atomically."""
        return self.save_documents([(doc, extraction, 1)], pipeline_key)[0]

    @_guarded
    def save_documents(self, parts: list[tuple[Document, dict, int]], pipeline_key: str,
                       files: list[Path] | None = None) -> list[int]:
        """Replace everything stored for one content with its documents, atomically.

        ``parts``: (document, extraction, first page in the file) of each document the content
        holds (:func:`pipeline.run.process.split_document`); ``files``: every path found holding
        it (default: the first document's path), recorded in ``files``.  The documents are stored
        under the path they had while its file holds this content, else under the first of
        ``files`` the store had seen (a file changed in place), else the first.  They keep their ids: those of this content by first page (``--force``, a
        re-extraction), else those of the content a file held before and no other file holds
        now (a file changed in place).
        """
        sha = parts[0][0].sha256
        paths = files or [parts[0][0].path]
        with self._transaction() as cur:
            for legacy in map(str, paths):
                if legacy != stored_path(legacy) and is_text(legacy):
                    # An NFD name as a store before path_raw kept it (as it was): not kept twice.
                    cur.execute("DELETE FROM documents WHERE path = ?", (legacy,))
                    cur.execute("DELETE FROM files WHERE path = ?", (legacy,))
            freed: list[int] = []
            known = []  # paths the store had seen: a file changed in place keeps its path and ids
            for path in paths:
                new, let_go = self._point_file(cur, path, sha)
                freed += let_go
                known += [] if new else [path]
            own = dict(cur.execute("SELECT COALESCE(first_page, 1), id FROM documents WHERE sha256 = ?",
                                   (sha,)).fetchall())
            primary = self._live_primary(cur, sha) or stored_path((known or paths)[0])
            cur.execute("DELETE FROM documents WHERE sha256 = ?", (sha,))
            targets = [part_path(primary, n) for n in range(1, len(parts) + 1)]
            freed += self._vacate(cur, targets, sha)
            firsts = {first for *_, first in parts}
            pool = [i for first, i in sorted(own.items()) if first not in firsts] + freed
            raw = self._raw_of(cur, primary)
            ids = [self._insert_document(cur, doc, extraction, first, pipeline_key, target, _part_raw(raw, n),
                                         own.get(first) or (pool.pop(0) if pool else None))
                   for n, ((doc, extraction, first), target) in enumerate(zip(parts, targets), 1)]
            cur.executemany("DELETE FROM failures WHERE path = ?", [(stored_path(p),) for p in paths])
            self._bump_generation(cur)
        return ids

    def _point_file(self, cur: sqlite3.Cursor, path: Path, sha256: str) -> tuple[bool, list[int]]:
        """``files``: ``path`` holds ``sha256`` now.  Returns whether the path is new to the store,
        and the ids of the documents let go of with the content it held before (:meth:`_let_go`)."""
        stored = stored_path(path)
        row = cur.execute("SELECT sha256, gone_at FROM files WHERE path = ?", (stored,)).fetchone()
        if row is None:
            cur.execute("INSERT INTO files (path, path_raw, sha256, first_seen) VALUES (?,?,?,?)",
                        (stored, raw_path(path), sha256, _now()))
            return True, []
        if tuple(row) == (sha256, None):
            return False, []
        cur.execute("UPDATE files SET sha256 = ?, gone_at = NULL WHERE path = ?", (sha256, stored))
        return False, (self._let_go(cur, row[0], {stored}) if row[0] != sha256 else [])

    def _let_go(self, cur: sqlite3.Cursor, sha256: str, paths: set[str]) -> list[int]:
        """Content ``sha256`` may no longer be stored under ``paths``: its documents move to another
        file that holds it (not gone), or, when none does, are deleted (a file changed in place:
        its old figures must not count on) and their ids returned for the new content.
        A file gone from the inputs still holds its content: its documents are never deleted."""
        holders = [p for (p,) in cur.execute("SELECT path FROM files WHERE sha256 = ? AND gone_at IS NULL "
                                             "ORDER BY id", (sha256,)) if p not in paths]
        if holders:
            self._move_documents(cur, sha256, holders[0])
            return []
        ids = [i for (i,) in cur.execute("SELECT id FROM documents WHERE sha256 = ? "
                                         "ORDER BY COALESCE(first_page, 1)", (sha256,))]
        cur.execute("DELETE FROM documents WHERE sha256 = ?", (sha256,))
        return ids

    def _vacate(self, cur: sqlite3.Cursor, targets: list[str], sha256: str) -> list[int]:
        """Free the document paths ``targets`` for content ``sha256``: other contents stored there
        are let go of (:meth:`_let_go`); returns the ids of those deleted."""
        marks = ",".join("?" * len(targets))
        others = {s for (s,) in cur.execute(f"SELECT sha256 FROM documents WHERE path IN ({marks}) "
                                            "AND sha256 != ?", (*targets, sha256))}
        return [i for other in sorted(others) for i in self._let_go(cur, other, set(targets))]

    @staticmethod
    def _live_primary(cur: sqlite3.Cursor, sha256: str) -> str | None:
        """The path the documents of ``sha256`` are stored under, while that file holds this content."""
        row = cur.execute("SELECT d.path FROM documents d JOIN files f ON f.path = d.path "
                          "WHERE d.sha256 = ? AND f.sha256 = d.sha256 AND f.gone_at IS NULL", (sha256,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _raw_of(cur: sqlite3.Cursor, path: str) -> bytes | None:
        row = cur.execute("SELECT path_raw FROM files WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def _move_documents(self, cur: sqlite3.Cursor, sha256: str, path: str) -> None:
        """Store the documents of ``sha256`` under the file ``path`` (their ids and rows unchanged)."""
        ids = [i for (i,) in cur.execute("SELECT id FROM documents WHERE sha256 = ? "
                                         "ORDER BY COALESCE(first_page, 1)", (sha256,))]
        targets = [part_path(path, n) for n in range(1, len(ids) + 1)]
        if not ids:
            return
        self._vacate(cur, targets, sha256)
        raw = self._raw_of(cur, path)
        # Two steps: a document's new path may be another one's old path (UNIQUE).
        cur.executemany("UPDATE documents SET path = '#moving#' || id WHERE id = ?", [(i,) for i in ids])
        cur.executemany("UPDATE documents SET path = ?, name = ?, path_raw = ? WHERE id = ?",
                        [(t, PurePosixPath(t).name, _part_raw(raw, n), i)
                         for n, (i, t) in enumerate(zip(ids, targets), 1)])

    @_guarded
    def mark_gone(self, folders: list[Path], present: set[str],
                  unread: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """Files recorded inside ``folders`` that a run over them did not find (``present``: the
        stored paths it found; ``unread``: prefixes of folders it could not list, whose files were
        not looked for): marked gone, their documents kept.  Returns (path, content) of each newly
        gone file."""
        found: dict[str, str] = {}  # (folders may nest)
        with self._transaction() as cur:
            for folder in folders:
                where, params = _under(stored_path(folder))
                found.update((p, sha) for p, sha in cur.execute(
                    f"SELECT path, sha256 FROM files WHERE gone_at IS NULL AND {where}", params)
                    if p not in present and not p.startswith(unread))
            gone = sorted(found.items())
            if gone:
                cur.executemany("UPDATE files SET gone_at = ? WHERE path = ?", [(_now(), p) for p, _ in gone])
                self._bump_generation(cur)
        return gone

    @_guarded
    def content_page_texts(self, sha256: str) -> list[tuple[str, int, str, str]]:
        """The stored pages of every document of this content, in its file's page numbers:
        (kind, page number in the file, final text, source) each."""
        return [(kind, (first or 1) + number - 1, text, source) for kind, first, number, text, source in
                self.conn.execute(
                    "SELECT d.kind, d.first_page, p.number, p.text, p.source FROM documents d "
                    "JOIN pages p ON p.document_id = d.id WHERE d.sha256 = ? ORDER BY d.first_page, p.number",
                    (sha256,))]

    def _insert_document(self, cur: sqlite3.Cursor, doc: Document, extraction: dict, first_page: int,
                         pipeline_key: str, path: str, raw: bytes | None, doc_id: int | None) -> int:
        """Insert one document at ``path`` (stored form; ``raw``: its path_raw) with id ``doc_id``
        (None: a new one)."""
        own = extraction.get("self", {})
        cur.execute(
            "INSERT INTO documents (id, path, name, sha256, kind, n_pages, restored, "
            + ", ".join(_SELF_FIELDS)
            + ", first_page, pipeline_key, processed_at, path_raw) VALUES ("
            + ",".join("?" * (len(_SELF_FIELDS) + 11)) + ")",
            (doc_id, path, PurePosixPath(path).name, doc.sha256, doc.kind, len(doc.pages), int(doc.restored),
             *[_column_value(own.get(f)) for f in _SELF_FIELDS], first_page, pipeline_key, _now(), raw),
        )
        doc_id = cast(int, cur.lastrowid)  # set: a row was inserted
        self._insert_pages(cur, doc_id, doc)
        cur.execute(f"INSERT INTO lines_search (rowid, text) SELECT {_SEARCH_ROWID}, {_FOLD_SQL}(text) "
                    "FROM lines WHERE document_id = ?", (doc_id,))
        cur.executemany("INSERT INTO recipients (document_id, seq, name) VALUES (?,?,?)",
                        [(doc_id, i, name) for i, name in enumerate(own.get("recipients") or [], 1)])
        rows = {table: self._insert_mentions(cur, doc_id, table, columns, extraction.get(table, []))
                for table, columns in _MENTION_COLUMNS.items()}
        cur.executemany("INSERT INTO uncertain (document_id, line, why, item_table, item_id) VALUES (?,?,?,?,?)",
                        [(doc_id, u.get("line"), u["why"], u.get("field"),
                          rows[u["field"]][u["item"]] if u.get("field") in rows else None)
                         for u in extraction.get("uncertain") or []])
        return doc_id

    @_guarded
    def record_failure(self, path: Path, reason: str) -> None:
        """Remember a file (or folder) that could not be processed (its earlier good rows are kept)."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM failures WHERE path = ?", (stored_path(path),))
            cur.execute(
                "INSERT INTO failures (path, reason, failed_at, path_raw) VALUES (?,?,?,?)",
                (stored_path(path), reason, _now(), raw_path(path)),
            )
            self._bump_generation(cur)

    @_guarded
    def generation(self) -> int:
        """A counter bumped by every change to the exported tables."""
        return int(self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    @_guarded
    def meta_value(self, key: str) -> str | None:
        """A value of the ``meta`` table (None when unset)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @_guarded
    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the ``meta`` table (no table an export reads changes)."""
        with self._transaction() as cur:
            cur.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                        (key, value, value))

    @_guarded
    def trusted_texts(self, min_conf: float) -> Iterator[str]:
        """The text of every page the store can trust as Vietnamese running text: a PDF's own
        text layer, a text file that carried its marks (not restored from a garbled dump), an
        OCR page read at mean confidence ``min_conf`` or more (its marks mended)."""
        rows = self.conn.execute(f"SELECT p.text {_TRUSTED_PAGES} ORDER BY p.id", (min_conf,))
        for (text,) in rows:
            yield text

    @_guarded
    def trusted_words(self, min_conf: float) -> int:
        """About how many words :meth:`trusted_texts` holds: spaces and line breaks counted in SQL,
        so double spaces and blank lines count too (+17% on seed 003); enough to see the text grow."""
        row = self.conn.execute(
            "SELECT COALESCE(SUM(LENGTH(p.text) - LENGTH(REPLACE(REPLACE(p.text, ' ', ''), char(10), '')) + 1), 0) "
            f"{_TRUSTED_PAGES}", (min_conf,)).fetchone()
        return int(row[0])

    @staticmethod
    def _bump_generation(cur: sqlite3.Cursor) -> None:
        cur.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    @_guarded
    def cached_pages(self, sha256: str, ocr_key: str) -> dict[int, Page]:
        """Pages of this content already read with these OCR settings, by page number."""
        rows = self.conn.execute(
            "SELECT number, page FROM page_cache WHERE sha256 = ? AND ocr_key = ?", (sha256, ocr_key)
        ).fetchall()
        return {number: page_from_blob(blob) for number, blob in rows}

    @_guarded
    def cached_count(self, sha256: str, ocr_key: str) -> int:
        """How many pages of this content are cached for these OCR settings."""
        return self.conn.execute("SELECT COUNT(*) FROM page_cache WHERE sha256 = ? AND ocr_key = ?",
                                 (sha256, ocr_key)).fetchone()[0]

    @_guarded
    def cached_page(self, sha256: str, number: int, ocr_key: str) -> Page | None:
        """One cached page, or None."""
        row = self.conn.execute("SELECT page FROM page_cache WHERE sha256 = ? AND number = ? AND ocr_key = ?",
                                (sha256, number, ocr_key)).fetchone()
        return page_from_blob(row[0]) if row else None

    @_guarded
    def cache_page(self, sha256: str, ocr_key: str, page: Page) -> None:
        """Keep one read page, and end its claim (one small transaction: a crash loses at most this page)."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO page_cache (sha256, number, ocr_key, page, created_at) "
                "VALUES (?,?,?,?,?)",
                (sha256, page.number, ocr_key, page_to_blob(page), _now()),
            )
            cur.execute("DELETE FROM page_claims WHERE sha256 = ? AND number = ? AND ocr_key = ?",
                        (sha256, page.number, ocr_key))

    @_guarded
    def claim_page(self, sha256: str, number: int, ocr_key: str, run: RunId) -> str:
        """Claim a page for ``run`` before reading it, so that runs sharing this store never
        read a page twice: ``"claimed"`` (read it), ``"cached"`` (another run has read it since
        this one looked) or ``"busy"`` (another run is reading it: wait for it in the cache).

        A claim whose run has ended (killed, or it failed the page), or older than
        :data:`CLAIM_STALE_S`, is taken over.
        """
        key = (sha256, number, ocr_key)
        with self._transaction() as cur:
            if cur.execute("SELECT 1 FROM page_cache WHERE sha256 = ? AND number = ? AND ocr_key = ?",
                           key).fetchone():
                return "cached"
            row = cur.execute("SELECT run, claimed_at FROM page_claims WHERE sha256 = ? AND number = ? "
                              "AND ocr_key = ?", key).fetchone()
            if row is not None and row[0] != str(run) and time.time() - row[1] < CLAIM_STALE_S:
                owner = RunId.parse(row[0])
                if owner is not None and owner.alive():
                    return "busy"
            cur.execute("INSERT OR REPLACE INTO page_claims (sha256, number, ocr_key, run, claimed_at) "
                        "VALUES (?,?,?,?,?)", (*key, str(run), time.time()))
        return "claimed"

    @_guarded
    def release_claims(self, run: RunId, sha256: str | None = None, number: int | None = None) -> None:
        """End ``run``'s claims: all of them, or the one on page ``number`` of ``sha256``."""
        if sha256 is None:
            self.conn.execute("DELETE FROM page_claims WHERE run = ?", (str(run),))
        else:
            self.conn.execute("DELETE FROM page_claims WHERE run = ? AND sha256 = ? AND number = ?",
                              (str(run), sha256, number))

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
            cur.executemany(
                "INSERT INTO annex_cells (document_id, page_id, page, table_no, row, col, rowspan, "
                "colspan, text, confidence, bbox_x0, bbox_y0, bbox_x1, bbox_y1) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, page_id, page.number, c.table, c.row, c.col, c.rowspan, c.colspan,
                  c.text, c.conf, *c.box) for c in page.tables],
            )
            cur.executemany(
                "INSERT INTO regions (document_id, page_id, page, seq, kind, role, text, confidence, "
                "line_first, line_last, bbox_x0, bbox_y0, bbox_x1, bbox_y1) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, page_id, page.number, seq, r.kind, r.role or None, r.text, r.conf,
                  first_line + r.lines[0] if r.lines != (0, 0) else None,
                  first_line + r.lines[1] - 1 if r.lines != (0, 0) else None, *r.box)
                 for seq, r in enumerate(page.regions, 1)],
            )
            first_line += len(page_lines) + 1  # +1: the form-feed line between pages

    @staticmethod
    def _insert_mentions(cur, doc_id: int, table: str, columns: list[str], items: list[dict]) -> list[int]:
        """Insert a document's items of one mention table; their row ids, in order."""
        # page_id is looked up from the page number so every mention points at its pages row.
        sql = (
            f"INSERT INTO {table} (document_id, page_id, page, line, span_start, span_end, "
            "bbox_x0, bbox_y0, bbox_x1, bbox_y1, "
            + ", ".join(columns)
            + ", raw, confidence) VALUES (?, "
            "(SELECT id FROM pages WHERE document_id = ? AND number = ?), "
            + ",".join("?" * (len(columns) + 10))
            + ")"
        )
        rows = []
        for item in items:
            span = item.get("span") or (None, None)
            bbox = item.get("bbox") or (None, None, None, None)
            rows.append((doc_id, doc_id, item.get("page"), item.get("page"), item.get("line"),
                         span[0], span[1], *bbox,
                         *[item.get(c) for c in columns], item.get("raw"), item.get("confidence")))
        cur.executemany(sql, rows)
        if not items:
            return []
        # The rows just inserted are the document's only ones, and get ids in insert order.
        ids = [row[0] for row in cur.execute(f"SELECT id FROM {table} WHERE document_id = ? ORDER BY id",
                                             (doc_id,))]
        # "parent" is an index into the document's items: now a row id (figures only have one).
        if any(item.get("parent") is not None for item in items):
            cur.executemany(f"UPDATE {table} SET parent_id = ? WHERE id = ?",
                            [(ids[item["parent"]], ids[n]) for n, item in enumerate(items)
                             if item.get("parent") is not None])
        return ids

    def query(self, sql: str, params: tuple = ()) -> "pd.DataFrame":
        """Run a read-only SQL query and return a DataFrame."""
        import pandas as pd

        return pd.read_sql_query(sql, self.conn, params=params)

    def exports_current(self, directory: Path) -> bool:
        """True when ``directory`` holds every export, made from the store as it is now."""
        directory = Path(directory)
        stamp = directory / EXPORT_STAMP
        try:
            current = int(stamp.read_text().strip()) == self.generation()
        except (OSError, ValueError):
            return False
        return current and all((directory / name).is_file() for name in EXPORTED_FILES)

    @_guarded
    def export(self, directory: Path) -> list[Path]:
        """Write every table as CSV and Parquet, one schema per table (:mod:`pipeline.run.tables`), and
        the data dictionary beside them, into ``directory`` (atomic renames)."""
        from .tables import export_dictionary, export_table  # pyarrow: only when exporting

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        generation = self.generation()
        written = [path for table in TABLES for path in export_table(self.conn, table, directory)]
        written.append(export_dictionary(directory))
        # Stamped last: a run killed mid-export leaves a stale stamp, so the next run re-exports.
        stamp = directory / EXPORT_STAMP
        tmp = stamp.with_name(f"{EXPORT_STAMP}.{os.getpid()}.tmp")
        tmp.write_text(str(generation))
        os.replace(tmp, stamp)
        return written


# ``vanban query``: what an analyst's SQL may do.  Read tables, call functions, recurse in a CTE;
# everything else (CREATE, DROP, INSERT, UPDATE, DELETE, ATTACH, DETACH, VACUUM [INTO], BEGIN,
# a PRAGMA that writes) is refused before it runs.  ATTACH and VACUUM INTO would create or
# overwrite any file, even on a connection opened read-only.
_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
# PRAGMAs that only describe the store, whatever their argument (a table or an index name).
_DESCRIBING_PRAGMAS = {"table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
                       "foreign_key_list", "foreign_key_check", "collation_list", "function_list",
                       "pragma_list", "database_list", "compile_options", "integrity_check", "quick_check"}
# PRAGMAs that read a setting when given no value (given one, they would write it).
_SETTING_PRAGMAS = {"user_version", "schema_version", "application_id", "page_count", "page_size",
                    "freelist_count", "encoding", "journal_mode", "auto_vacuum", "data_version"}


def _only_reads(action: int, arg1, arg2, db_name, trigger) -> int:
    """SQLite authorizer of ``vanban query``: allow reading, deny anything else."""
    if action in _READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (
            arg1 in _DESCRIBING_PRAGMAS or (arg1 in _SETTING_PRAGMAS and arg2 is None)):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def read_only_uri(path: Path) -> str:
    """A URI that opens the SQLite file ``path`` read-only, whatever its name holds (``#``,
    ``?``, ``%``, spaces are quoted).  ``immutable`` when the file or its folder cannot be
    written: SQLite then reads the file as it is, without the WAL index it could not create."""
    path = Path(path).absolute()
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    return path.as_uri() + ("?mode=ro" if writable else "?mode=ro&immutable=1")


def open_read_only(path: Path) -> sqlite3.Connection:
    """The store at ``path`` opened so that no statement can change any file."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(path, "no store here (`vanban run --out DIR` writes DIR/vanban.sqlite)")
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise store_error(path, exc) from None
    conn.set_authorizer(_only_reads)
    return conn


def read_query(path: Path, sql: str) -> "pd.DataFrame":
    """The result of an analyst's SQL on the store at ``path`` (see :func:`open_read_only`).

    SQL that is empty, does not parse or would write is :class:`BadArgs`; a store that is
    missing or is not a database is :class:`StoreError`.
    """
    import pandas as pd

    if not sql.strip():
        raise BadArgs("empty SQL: give a SELECT statement")
    conn = open_read_only(path)
    try:
        cur = conn.execute(sql)
        if cur.description is None:
            raise BadArgs("nothing to run: give a SELECT statement")
        columns = [d[0] for d in cur.description]
        return pd.DataFrame.from_records(cur.fetchall(), columns=columns, coerce_float=True)
    except sqlite3.Error as exc:
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if "not authorized" in text or "authorization denied" in text:  # _only_reads said no
            raise BadArgs("refused: `vanban query` only reads the store (SELECT, read-only PRAGMAs)") from None
        fault = store_error(path, exc)
        if fault.reason != text:  # SQLite's words name a fault of the file, not of the SQL
            raise fault from None
        raise BadArgs(f"{text} (in the SQL given to `vanban query`)") from None
    finally:
        conn.close()


def page_to_blob(page: Page) -> bytes:
    """A Page as compressed JSON (words as compact lists)."""
    data = {
        "number": page.number, "text": page.text, "source": page.source,
        "width": page.width, "height": page.height, "dpi": page.dpi, "quality": page.quality,
        "words": [[w.text, w.conf, *w.box, w.line] for w in page.words],
        "tables": [asdict(c) for c in page.tables],
        "regions": [asdict(r) for r in page.regions],
    }
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 6)


def page_from_blob(blob: bytes) -> Page:
    """The Page stored by :func:`page_to_blob`."""
    data = json.loads(zlib.decompress(blob).decode("utf-8"))
    words = [Word(text=t, conf=c, box=(left, tp, w, h), line=ln) for t, c, left, tp, w, h, ln in data["words"]]
    tables = [TableCell(**{**c, "box": tuple(c["box"])}) for c in data.get("tables", [])]
    regions = [Region(**{**r, "box": tuple(r["box"])}) for r in data.get("regions", [])]
    return Page(number=data["number"], text=data["text"], source=data["source"], words=words,
                width=data["width"], height=data["height"], dpi=data["dpi"], quality=data["quality"],
                tables=tables, regions=regions)
