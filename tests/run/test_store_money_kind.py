"""Store: the money table's kind column, its exports, and a store from before the column."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from pipeline.document import Document, Page
from pipeline.run.store import SCHEMA, SCHEMA_VERSION, Store

MONEY = [{"line": 1, "value_vnd": 120_000_000, "kind": "allocated", "raw": "120 triệu đồng"},
         {"line": 1, "value_vnd": 80_000_000, "kind": "disbursed", "raw": "80 triệu đồng"},
         {"line": 2, "value_vnd": 5_000_000, "kind": None, "raw": "5 triệu đồng"}]


def _doc(path="m.pdf", sha="s1"):
    text = "Được giao 120 triệu đồng, đã giải ngân 80 triệu đồng.\nChi phí 5 triệu đồng."
    return Document(path=Path(path), sha256=sha, kind="pdf", pages=[Page(1, text, "ocr")])


def test_money_kind_is_stored_and_exported(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        store.save_document(_doc(), {"self": {}, "money": MONEY}, "k1")
        store.save_document(_doc("old.pdf", sha="s0"), {"self": {}, "money": [{"line": 1, "value_vnd": 1}]}, "k1")
        by_kind = store.conn.execute(
            "SELECT kind, SUM(value_vnd) FROM money GROUP BY kind ORDER BY kind").fetchall()
        store.export(tmp_path / "tables")
    assert by_kind == [(None, 5_000_001), ("allocated", 120_000_000), ("disbursed", 80_000_000)]
    for frame in (pd.read_csv(tmp_path / "tables" / "money.csv"),
                  pd.read_parquet(tmp_path / "tables" / "money.parquet")):
        assert [None if pd.isna(k) else k for k in frame["kind"]] == [
            "allocated", "disbursed", None, None]


def test_a_new_store_has_the_current_schema_version(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        store.save_document(_doc(), {"self": {}, "money": MONEY}, "k1")
    with Store(tmp_path / "v.sqlite") as store:  # re-opening changes nothing
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert store.is_current("s1", "k1")


def _old_store(path: Path) -> None:
    """A store as the version before money.kind wrote it (user_version 0, no kind column)."""
    old = SCHEMA.replace("value_vnd INTEGER NOT NULL, kind TEXT", "value_vnd INTEGER NOT NULL")
    assert old != SCHEMA
    conn = sqlite3.connect(path)
    conn.executescript(old)
    conn.execute("INSERT INTO documents (path, name, sha256, kind, n_pages, restored, pipeline_key, "
                 "processed_at) VALUES ('m.pdf', 'm.pdf', 's1', 'pdf', 1, 0, 'k1', 'then')")
    conn.execute("INSERT INTO money (document_id, line, value_vnd, raw) VALUES (1, 1, 120000000, '120 triệu')")
    conn.commit()
    conn.close()


def test_an_older_store_gains_the_column_and_its_documents_are_redone(tmp_path):
    _old_store(tmp_path / "v.sqlite")
    with Store(tmp_path / "v.sqlite") as store:
        generation = store.generation()
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        # The old rows are kept (kind NULL) until the next run re-extracts the document.
        assert store.query("SELECT value_vnd, kind FROM money").values.tolist() == [[120_000_000, None]]
        assert not store.is_current("s1", "k1")
        assert generation == 1  # exports made before the upgrade are stale
        store.save_document(_doc(), {"self": {}, "money": MONEY}, "k1")
        assert store.is_current("s1", "k1")
        assert store.query("SELECT kind FROM money WHERE kind IS NOT NULL")["kind"].tolist() == [
            "allocated", "disbursed"]
    with Store(tmp_path / "v.sqlite") as store:  # upgraded once: the redone document stays current
        assert store.is_current("s1", "k1")
        assert store.generation() == generation + 1
