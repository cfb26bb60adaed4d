"""Store: a real SQLite file, atomic replacement of a document, exports."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from pipeline.document import Document, Page, Word
from pipeline.run.store import DICTIONARY_FILE, TABLES, Store


def _doc(path="a.pdf", sha="s1", text="Quyết định số 148/QĐ-TTg\nngày 24/02/2023"):
    words = [Word("Quyết", 95.0, (10, 10, 50, 20), 0), Word("định", 91.0, (70, 10, 40, 20), 0)]
    return Document(path=Path(path), sha256=sha, kind="pdf", pages=[
        Page(1, text, "ocr", words=words, width=100, height=200, dpi=300,
             quality={"mean_conf": 93.0, "skew_deg": 0.4}),
        Page(2, "trang hai", "ocr"),
    ])


EXTRACTION = {
    "self": {"number": "1/BC-UBND", "type": "Báo cáo"},
    "doc_refs": [{"line": 1, "page": 1, "span": [0, 24], "number": "148/QĐ-TTg",
                  "kind": "Quyết định", "date": "2023-02-24", "raw": "Quyết định số 148/QĐ-TTg",
                  "confidence": 0.9}],
    "dates": [{"line": 2, "page": 1, "span": [25, 40], "value": "2023-02-24", "raw": "ngày 24/02/2023"}],
    "counts": [{"line": 1, "value": 3, "total": 13, "unit": "huyện", "raw": "3/13 huyện"}],
    "money": [{"line": 2, "value_vnd": 446000000, "raw": "446 triệu đồng"}],
}


def test_saves_a_document_with_pages_words_and_mentions(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        store.save_document(_doc(), EXTRACTION, "k1")
    conn = sqlite3.connect(tmp_path / "v.sqlite")
    assert conn.execute("SELECT name, n_pages, number, type FROM documents").fetchall() == [
        ("a.pdf", 2, "1/BC-UBND", "Báo cáo")]
    assert conn.execute("SELECT page, line, text FROM lines ORDER BY line").fetchall() == [
        (1, 1, "Quyết định số 148/QĐ-TTg"), (1, 2, "ngày 24/02/2023"), (2, 4, "trang hai")]
    assert conn.execute("SELECT page, line, text, conf FROM words").fetchall()[0] == (1, 1, "Quyết", 95.0)
    assert conn.execute("SELECT number, kind, date, span_start, span_end FROM doc_refs").fetchone() == (
        "148/QĐ-TTg", "Quyết định", "2023-02-24", 0, 24)
    assert conn.execute("SELECT value, total, unit FROM counts").fetchone() == (3, 13, "huyện")
    assert conn.execute("SELECT value_vnd FROM money").fetchone() == (446000000,)
    assert conn.execute("SELECT mean_conf, skew_deg FROM pages WHERE number = 1").fetchone() == (93.0, 0.4)


def test_resaving_replaces_rows_and_keeps_other_documents(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        store.save_document(_doc("a.pdf"), EXTRACTION, "k1")
        store.save_document(_doc("b.pdf", sha="sb"), EXTRACTION, "k1")
        store.save_document(_doc("a.pdf", sha="s2"), {"self": {}}, "k1")
        assert store.is_current("s2", "k1")
        assert not store.is_current("s1", "k1")
        assert not store.is_current("s2", "k2")
        refs = store.query("SELECT d.name FROM doc_refs r JOIN documents d ON d.id = r.document_id")
        assert refs["name"].tolist() == ["b.pdf"]
        assert store.query("SELECT COUNT(*) AS n FROM pages")["n"][0] == 4


def test_a_failed_write_leaves_the_previous_result(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        store.save_document(_doc(), EXTRACTION, "k1")
        broken = {"self": {}, "money": [{"line": 1, "value_vnd": None}]}  # NOT NULL violation
        with pytest.raises(sqlite3.IntegrityError):
            store.save_document(_doc(sha="s2"), broken, "k1")
        assert store.query("SELECT sha256 FROM documents")["sha256"].tolist() == ["s1"]
        assert store.query("SELECT COUNT(*) AS n FROM money")["n"][0] == 1


def test_exports_every_table_as_csv_and_parquet(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        store.save_document(_doc(), EXTRACTION, "k1")
        store.record_failure(Path("bad.pdf"), "corrupt PDF (bad header)")
        written = store.export(tmp_path / "tables")
    assert sorted(p.name for p in written) == sorted(
        [f"{t}{s}" for t in TABLES for s in (".csv", ".parquet")] + [DICTIONARY_FILE])
    assert pd.read_parquet(tmp_path / "tables" / "doc_refs.parquet")["number"].tolist() == ["148/QĐ-TTg"]
    assert pd.read_csv(tmp_path / "tables" / "failures.csv")["reason"].tolist() == ["corrupt PDF (bad header)"]


def test_page_cache_round_trips_pages_by_content_and_ocr_key(tmp_path):
    from pipeline.run.store import page_from_blob, page_to_blob

    page = _doc().pages[0]
    assert page_from_blob(page_to_blob(page)) == page
    with Store(tmp_path / "v.sqlite") as store:
        store.cache_page("sha", "ocr-a", page)
        store.cache_page("sha", "ocr-a", Page(2, "trang hai", "ocr"))
        store.cache_page("sha", "ocr-b", Page(1, "other settings", "ocr"))
        cached = store.cached_pages("sha", "ocr-a")
        assert sorted(cached) == [1, 2] and cached[1] == page
        assert cached[1].words[0] == Word("Quyết", 95.0, (10, 10, 50, 20), 0)
        assert [p.text for p in store.cached_pages("sha", "ocr-b").values()] == ["other settings"]
        assert store.cached_pages("other", "ocr-a") == {}


def test_store_is_in_wal_mode_and_counts_changes_for_exports(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        start = store.generation()
        store.save_document(_doc(), EXTRACTION, "k1")
        store.record_failure(Path("bad.pdf"), "corrupt PDF (bad header)")
        assert store.generation() == start + 2
        store.cache_page("sha", "ocr", Page(1, "x", "ocr"))  # not exported: no new generation
        assert store.generation() == start + 2
        assert not store.exports_current(tmp_path / "tables")
        store.export(tmp_path / "tables")
        assert store.exports_current(tmp_path / "tables")
        store.save_document(_doc("b.pdf", sha="sb"), EXTRACTION, "k1")
        assert not store.exports_current(tmp_path / "tables")
        (tmp_path / "tables" / "money.csv").unlink()
        store.export(tmp_path / "tables")
        (tmp_path / "tables" / "money.csv").unlink()
        assert not store.exports_current(tmp_path / "tables")


def test_a_failed_failure_record_rolls_back(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        store.record_failure(Path("a.pdf"), "first")
        with pytest.raises(sqlite3.IntegrityError):
            store.record_failure(Path("a.pdf"), None)  # NOT NULL reason
        assert store.query("SELECT reason FROM failures")["reason"].tolist() == ["first"]
        assert not store.conn.in_transaction


def test_mentions_point_at_their_page_row_and_box(tmp_path):
    extraction = {**EXTRACTION, "dates": [{"line": 2, "page": 1, "span": [25, 40], "value": "2023-02-24",
                                           "raw": "ngày 24/02/2023", "bbox": [10, 40, 210, 62]}]}
    with Store(tmp_path / "v.sqlite") as store:
        store.save_document(_doc(), extraction, "k1")
        row = store.query("SELECT p.number, d.bbox_x0, d.bbox_y1 FROM dates d "
                          "JOIN pages p ON p.id = d.page_id")
    assert row.values.tolist() == [[1, 10, 62]]
