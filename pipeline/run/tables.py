"""The exported tables, ``tables/*.parquet`` and ``*.csv``: one schema per table, whatever a batch holds.

Each table's Arrow schema is derived from the store's DDL (:data:`pipeline.run.store.SCHEMA`:
the declared type of each column, in the order a store made by this code has them), with the
data dictionary's words (:mod:`pipeline.run.dictionary`) as field and schema metadata.  Written
from the rows with that schema, not inferred from a pandas frame: pandas typed a column NULL in
every row of a batch ``null`` and an INTEGER column with a NULL ``double``, so two batches' files
did not concatenate (``counts.total`` was ``null`` in one and ``double`` in the other).

Imported by :meth:`pipeline.run.store.Store.export` only when it exports (pyarrow.parquet costs ~0.3 s).
"""
from __future__ import annotations

import csv
import functools
import os
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .dictionary import COLUMNS
from .dictionary import TABLES as DESCRIPTIONS
from .store import DICTIONARY_FILE, SCHEMA, TABLES

# A SQLite declared type -> its Arrow type.  Every field is nullable: a column the DDL declares
# NOT NULL today would otherwise change the schema the day it may be NULL.
ARROW_TYPES = {"INTEGER": pa.int64(), "REAL": pa.float64(), "TEXT": pa.string(), "BLOB": pa.binary()}
# Rows read from SQLite at a time (as Python tuples: ~10x their Arrow size), and rows per Parquet
# row group (as Arrow columns until written: ~50 MB of `words`).  A store's `words` runs to millions
# of rows, never all in memory.  Row groups of 50,000 made a 300,000-word file 24% larger than one
# group (4.42 vs 3.56 MB: each group has its own string dictionary); pyarrow's default is 1 Mi rows.
_BATCH_ROWS = 50_000
_ROW_GROUP_ROWS = 1 << 20


@functools.cache
def _declared() -> dict[str, list[tuple[str, str]]]:
    """Table -> (column, declared type) of every exported table, as a store made by this code has them."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(SCHEMA)
        return {table: [(row[1], row[2]) for row in conn.execute(f"PRAGMA table_info({table})")]
                for table in TABLES}
    finally:
        conn.close()


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of the exported ``table``: one type per column, forever, and its descriptions."""
    return pa.schema([pa.field(column, ARROW_TYPES[declared], nullable=True,
                               metadata={"description": COLUMNS[table][column]})
                      for column, declared in _declared()[table]],
                     metadata={"table": table, "description": DESCRIPTIONS[table]})


def export_table(conn: sqlite3.Connection, table: str, directory: Path) -> list[Path]:
    """Write ``table`` as ``directory/TABLE.csv`` and ``.parquet`` (each replaced atomically)."""
    schema = arrow_schema(table)
    # Named in the declared order (a column added to an older store by ALTER TABLE comes last in
    # its `SELECT *`) and cast to the declared type: SQLite keeps a value it cannot convert as it
    # was given (2.5 in an INTEGER column), and one such row would change the file's type.
    columns = ", ".join(f'CAST("{f.name}" AS {declared}) AS "{f.name}"'
                        for f, (_, declared) in zip(schema, _declared()[table]))
    cursor = conn.execute(f"SELECT {columns} FROM {table}")
    targets = [directory / f"{table}.csv", directory / f"{table}.parquet"]
    tmps = [_tmp(target) for target in targets]  # two runs may export at once
    with open(tmps[0], "w", newline="", encoding="utf-8") as text, pq.ParquetWriter(tmps[1], schema) as parquet:
        rows = csv.writer(text, lineterminator="\n")
        rows.writerow(schema.names)
        group: list[pa.RecordBatch] = []
        while batch := cursor.fetchmany(_BATCH_ROWS):
            rows.writerows(batch)  # NULL as an empty field; an integer as an integer ("13", not "13.0")
            group.append(pa.RecordBatch.from_arrays(
                [pa.array(values, type=f.type) for values, f in zip(zip(*batch), schema)], schema=schema))
            if sum(b.num_rows for b in group) >= _ROW_GROUP_ROWS:
                parquet.write_table(pa.Table.from_batches(group), row_group_size=_ROW_GROUP_ROWS)
                group = []
        if group:
            parquet.write_table(pa.Table.from_batches(group), row_group_size=_ROW_GROUP_ROWS)
    for tmp, target in zip(tmps, targets):
        os.replace(tmp, target)
    return targets


def export_dictionary(directory: Path) -> Path:
    """Write ``directory/columns.csv``: table, column, type (the Parquet one), description of every column."""
    target = directory / DICTIONARY_FILE
    tmp = _tmp(target)
    with open(tmp, "w", newline="", encoding="utf-8") as text:
        rows = csv.writer(text, lineterminator="\n")
        rows.writerow(["table", "column", "type", "description"])
        rows.writerows([table, f.name, str(f.type), COLUMNS[table][f.name]]
                       for table in TABLES for f in arrow_schema(table))
    os.replace(tmp, target)
    return target


def _tmp(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")
