"""The data dictionary describes every table and column of a fresh store, and nothing else."""
from __future__ import annotations

from pipeline.run.dictionary import COLUMNS, TABLES
from pipeline.run.store import Store


def _schema(tmp_path) -> dict[str, list[str]]:
    """Table -> columns of a store made by this code (FTS5's own shadow tables left out)."""
    with Store(tmp_path / "vanban.sqlite") as store:
        names = [n for (n,) in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'lines_search_%'")]
        return {n: [row[1] for row in store.conn.execute(f"PRAGMA table_info({n})")] for n in names}


def test_every_table_and_column_is_described(tmp_path):
    schema = _schema(tmp_path)
    assert sorted(schema) == sorted(TABLES) == sorted(COLUMNS)
    for table, columns in schema.items():
        assert TABLES[table].strip(), table
        assert list(COLUMNS[table]) == columns, f"{table}: described in another order or not all"
        assert all(text.strip() for text in COLUMNS[table].values()), table
