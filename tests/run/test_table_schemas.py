"""Exported tables keep one schema whatever a batch holds: two batches' Parquet files concatenate."""
from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.document import Document, Page, Word
from pipeline.run.dictionary import COLUMNS
from pipeline.run.dictionary import TABLES as DESCRIPTIONS
from pipeline.run.store import DICTIONARY_FILE, SCHEMA, TABLES, Store
from pipeline.run.tables import arrow_schema


def _doc(name: str, sha: str) -> Document:
    words = [Word("Có", 95.0, (10, 10, 30, 20), 0), Word("3/13", 91.0, (50, 10, 40, 20), 0)]
    return Document(path=Path(name), sha256=sha, kind="pdf", pages=[
        Page(1, "Có 3/13 huyện\nđã giải ngân 446 triệu đồng", "ocr", words=words,
             width=100, height=200, dpi=300, quality={"mean_conf": 93.0})])


# Batch one: every nullable column of counts and money NULL (no fraction, no range, no kind, no role).
SPARSE = {"self": {}, "counts": [{"line": 1, "value": 3, "unit": "huyện", "raw": "3 huyện"}],
          "money": [{"line": 2, "value_vnd": 446_000_000, "raw": "446 triệu đồng"}]}
# Batch two: the same columns with values.
FULL = {"self": {"number": "1/BC-UBND", "number_uncertain": True},
        "counts": [{"line": 1, "page": 1, "span": [3, 12], "value": 3, "value_max": 4, "total": 13,
                    "unit": "huyện", "stars": "3", "as_of": "2024", "role": "single", "raw": "3/13 huyện",
                    "confidence": 0.9}],
        "money": [{"line": 2, "page": 1, "span": [14, 40], "value_vnd": 446_000_000, "kind": "disbursed",
                   "role": "single", "raw": "446 triệu đồng", "confidence": 0.8}]}


def _batch(folder: Path, extraction: dict, failure: bool) -> Path:
    with Store(folder / "vanban.sqlite") as store:
        store.save_document(_doc(f"{folder.name}.pdf", folder.name), extraction, "k1")
        if failure:
            store.record_failure(Path("bad.pdf"), "corrupt PDF (bad header)")
        store.export(folder / "tables")
    return folder / "tables"


def test_two_batches_parquet_files_concatenate_with_one_schema(tmp_path):
    one = _batch(tmp_path / "one", SPARSE, failure=False)
    two = _batch(tmp_path / "two", FULL, failure=True)
    for table in TABLES:
        first, second = pq.read_table(one / f"{table}.parquet"), pq.read_table(two / f"{table}.parquet")
        assert first.schema.equals(second.schema, check_metadata=True), table  # no unify_schemas needed
        both = pa.concat_tables([first, second])
        assert both.num_rows == first.num_rows + second.num_rows
        frames = [pd.read_parquet(folder / f"{table}.parquet", dtype_backend="numpy_nullable")
                  for folder in (one, two)]
        assert frames[0].dtypes.equals(frames[1].dtypes), table
    counts = pq.read_table([one / "counts.parquet", two / "counts.parquet"])  # one dataset of both files
    assert counts.column("total").to_pylist() == [None, 13]
    assert counts.schema.field("total").type == pa.int64()


def test_parquet_fields_carry_the_data_dictionary(tmp_path):
    tables = _batch(tmp_path / "one", SPARSE, failure=False)
    schema = pq.read_schema(tables / "counts.parquet")
    assert schema.field("total").metadata == {b"description": COLUMNS["counts"]["total"].encode()}
    assert schema.metadata[b"description"] == DESCRIPTIONS["counts"].encode()
    assert schema.metadata[b"table"] == b"counts"


def _declared_types() -> dict[str, dict[str, str]]:
    """Table -> column -> SQLite declared type, read from a store made by this code."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    return {t: {row[1]: row[2] for row in conn.execute(f"PRAGMA table_info({t})")} for t in TABLES}


def test_every_exported_parquet_schema_is_the_declared_one(tmp_path):
    tables = _batch(tmp_path / "one", SPARSE, failure=False)  # failures: no row at all
    sql_to_arrow = {"INTEGER": pa.int64(), "REAL": pa.float64(), "TEXT": pa.string(), "BLOB": pa.binary()}
    for table, declared in _declared_types().items():
        schema = pq.read_schema(tables / f"{table}.parquet")
        assert schema.equals(arrow_schema(table), check_metadata=True), table
        assert [(f.name, f.type) for f in schema] == [(c, sql_to_arrow[t]) for c, t in declared.items()]
        assert all(f.nullable for f in schema)


def test_an_upgraded_store_exports_the_columns_in_the_declared_order(tmp_path):
    # A store from before money.kind gains it by ALTER TABLE, as the last column of its table.
    old = SCHEMA.replace("value_vnd INTEGER NOT NULL, kind TEXT", "value_vnd INTEGER NOT NULL")
    assert old != SCHEMA
    conn = sqlite3.connect(tmp_path / "vanban.sqlite")
    conn.executescript(old)
    conn.close()
    with Store(tmp_path / "vanban.sqlite") as store:
        assert [r[1] for r in store.conn.execute("PRAGMA table_info(money)")][-1] == "kind"
        store.save_document(_doc("a.pdf", "a"), FULL, "k1")
        store.export(tmp_path / "tables")
    assert pq.read_schema(tmp_path / "tables" / "money.parquet").equals(arrow_schema("money"), check_metadata=True)
    assert pd.read_csv(tmp_path / "tables" / "money.csv").columns.tolist() == list(COLUMNS["money"])


def test_csv_keeps_integers_and_has_the_dictionary_beside_it(tmp_path):
    tables = _batch(tmp_path / "two", FULL, failure=True)
    with open(tables / "counts.csv", newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    assert (row["value"], row["total"], row["value_max"], row["locality"]) == ("3", "13", "4", "")
    with open(tables / DICTIONARY_FILE, newline="", encoding="utf-8") as f:
        described = list(csv.DictReader(f))
    assert [(r["table"], r["column"]) for r in described] == [
        (t, c) for t in TABLES for c in COLUMNS[t]]
    total = next(r for r in described if (r["table"], r["column"]) == ("counts", "total"))
    assert total == {"table": "counts", "column": "total", "type": "int64",
                     "description": COLUMNS["counts"]["total"]}


def test_a_table_is_read_in_batches_and_written_in_row_groups(tmp_path, monkeypatch):
    import pipeline.run.tables as tables

    monkeypatch.setattr(tables, "_BATCH_ROWS", 1)
    monkeypatch.setattr(tables, "_ROW_GROUP_ROWS", 2)
    with Store(tmp_path / "vanban.sqlite") as store:
        store.save_document(_doc("a.pdf", "a"), {**FULL, "counts": FULL["counts"] + SPARSE["counts"] * 2}, "k1")
        expected = store.query("SELECT * FROM counts")
        store.export(tmp_path / "tables")
    parquet = pq.ParquetFile(tmp_path / "tables" / "counts.parquet")
    assert [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)] == [2, 1]
    assert parquet.read().to_pylist() == [{k: (None if pd.isna(v) else v) for k, v in row.items()}
                                          for row in expected.to_dict("records")]
    assert len(pd.read_csv(tmp_path / "tables" / "counts.csv")) == 3
