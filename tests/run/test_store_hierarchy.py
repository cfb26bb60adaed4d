"""Store: counts and money as a hierarchy (role, parent_id), and a store from before the columns."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from pipeline.document import Document, Page
from pipeline.extract import extract_text
from pipeline.run.store import SCHEMA, SCHEMA_VERSION, Store

TEXT = ("Tính đến tháng 8/2024 có 13 sản phẩm đạt OCOP 3 sao của các huyện: Tư Nghĩa (04 sản phẩm), "
        "Bình Sơn (01 sản phẩm) và thành phố Quảng Ngãi (08 sản phẩm).\n"
        "Tổng kinh phí được giao: 446 triệu đồng, trong đó:\n"
        "+ Ngân sách tỉnh: 320 triệu đồng.\n"
        "+ Ngân sách huyện: 126 triệu đồng.\n")


def _save(store: Store, path: str) -> int:
    doc = Document(path=Path(path), sha256=path, kind="text", pages=[Page(1, TEXT, "text")])
    return store.save_document(doc, extract_text(TEXT, path), "k1")


def test_parent_id_points_at_the_total_row(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        _save(store, "a.txt")
        second = _save(store, "b.txt")  # its rows' ids are not its items' indexes
        rows = store.conn.execute(
            "SELECT c.value, c.role, p.value, p.role FROM counts c LEFT JOIN counts p ON p.id = c.parent_id "
            "WHERE c.document_id = ? ORDER BY c.id", (second,)).fetchall()
        assert rows == [(13, "total", None, None), (4, "part", 13, "total"), (1, "part", 13, "total"),
                        (8, "part", 13, "total")]
        # parent_id stays inside its document
        assert store.conn.execute("SELECT COUNT(*) FROM counts c JOIN counts p ON p.id = c.parent_id "
                                  "WHERE p.document_id != c.document_id").fetchone() == (0,)
        money = store.conn.execute(
            "SELECT role, SUM(value_vnd) FROM money WHERE document_id = ? GROUP BY parent_id IS NULL "
            "ORDER BY role DESC", (second,)).fetchall()
        assert money == [("total", 446_000_000), ("part", 446_000_000)]
        _save(store, "a.txt")  # re-saving a document replaces its rows, links included
        assert store.conn.execute("SELECT COUNT(*) FROM counts WHERE parent_id IS NOT NULL").fetchone() == (6,)


def test_an_older_store_gains_role_and_parent_id(tmp_path):
    old = SCHEMA.replace(",\n    role TEXT, parent_id INTEGER REFERENCES counts(id)", "").replace(
        ",\n    role TEXT, parent_id INTEGER REFERENCES money(id)", "")
    assert "role TEXT" not in old.split("CREATE TABLE IF NOT EXISTS regions")[0]
    conn = sqlite3.connect(tmp_path / "v.sqlite")
    conn.executescript(old)
    conn.execute("INSERT INTO documents (path, name, sha256, kind, n_pages, restored, pipeline_key, "
                 "processed_at) VALUES ('a.txt', 'a.txt', 'a.txt', 'text', 1, 0, 'k1', 'then')")
    conn.execute("INSERT INTO counts (document_id, line, value, unit) VALUES (1, 1, 13, 'sản phẩm')")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    with Store(tmp_path / "v.sqlite") as store:
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert store.query("SELECT value, role, parent_id FROM counts").values.tolist() == [[13, None, None]]
        assert not store.is_current("a.txt", "k1")  # its figures are linked on the next run
        _save(store, "a.txt")
        assert store.conn.execute("SELECT COUNT(*) FROM money WHERE parent_id IS NOT NULL").fetchone() == (2,)
