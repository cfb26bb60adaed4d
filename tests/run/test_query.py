"""`vanban query` can never change any file: odd paths, writing SQL, read-only folders."""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from tests.conftest import VANBAN, requires_mount_namespace, run_in_mount_namespace
from pipeline.cli.main import main
from pipeline.errors import ExitCode
from pipeline.run.store import Store, read_only_uri, read_query

# A folder name that a naive "file:{path}?mode=ro" URI cuts at '#' (fragment) or '?' (query).
ODD_FOLDER = "Báo cáo #3 ?v=1 100%"
# SQLite's own files beside a store in WAL mode: any reader may create them, they are not new data.
SIDECARS = ("-wal", "-shm")


@pytest.fixture
def store(tmp_path) -> Path:
    """A real store (schema and one row) in a folder whose name needs quoting in a URI."""
    path = tmp_path / ODD_FOLDER / "vanban.sqlite"
    with Store(path) as s:
        s.record_failure(Path("/in/broken.pdf"), "corrupt PDF")
    return path


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if not str(p).endswith(SIDECARS)}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _query(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([VANBAN, "query", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def _one_line(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr
    return proc.stderr.strip()


def test_a_path_with_hash_question_mark_percent_and_spaces(tmp_path, store):
    before, files = _digest(store), _files(tmp_path)
    rel = store.relative_to(tmp_path)
    proc = _query("--db", rel, "--csv", "SELECT path, reason FROM failures", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["path,reason", "/in/broken.pdf,corrupt PDF"]

    # The DROP that used to land in another file ("Báo cáo ", opened read-write) is refused.
    proc = _query("--db", rel, "DROP TABLE failures", cwd=tmp_path)
    assert proc.returncode == ExitCode.bad_args
    assert _one_line(proc).startswith("error: refused: `vanban query` only reads the store")
    assert _digest(store) == before and _files(tmp_path) == files


def test_the_uri_quotes_the_path():
    path = Path("/data") / ODD_FOLDER / "vanban.sqlite"
    uri = read_only_uri(path)
    assert uri.startswith("file:///") and "#" not in uri and uri.count("?") == 1
    assert unquote(urlsplit(uri).path) == str(path)
    assert urlsplit(uri).query == "mode=ro&immutable=1"  # /data does not exist: not writable


@pytest.mark.parametrize("sql", [
    "DROP TABLE failures",
    "DELETE FROM failures",
    "UPDATE failures SET reason = 'x'",
    "INSERT INTO failures (path, reason, failed_at) VALUES ('a', 'b', 'c')",
    "CREATE TABLE t (x)",
    "CREATE TEMP TABLE t (x)",
    "CREATE VIEW v AS SELECT 1",
    "ATTACH DATABASE 'attached.sqlite' AS other",
    "VACUUM INTO 'copy.sqlite'",
    "VACUUM",
    "DETACH DATABASE main",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA wal_checkpoint(TRUNCATE)",
    "BEGIN IMMEDIATE",
])
def test_every_write_is_refused_and_no_file_changes(tmp_path, store, sql, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where ATTACH and VACUUM INTO would write their file
    before, files = _digest(store), _files(tmp_path)
    result = CliRunner().invoke(main, ["query", "--db", str(store), sql])
    assert result.exit_code == ExitCode.bad_args, result.output
    assert result.stderr.strip().startswith("error: refused: `vanban query` only reads the store")
    assert result.stderr.strip().count("\n") == 0
    assert _digest(store) == before
    assert _files(tmp_path) == files


def test_reads_are_allowed(store):
    assert read_query(store, "PRAGMA user_version").iloc[0, 0] >= 2
    assert "reason" in set(read_query(store, "PRAGMA table_info(failures)")["name"])
    assert list(read_query(store, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                  "WHERE i < 3) SELECT i, upper('đ') AS u FROM n")["i"]) == [1, 2, 3]


@pytest.mark.parametrize("sql, code, message", [
    ("", ExitCode.bad_args, "error: empty SQL"),
    ("   ", ExitCode.bad_args, "error: empty SQL"),
    (";", ExitCode.bad_args, "error: nothing to run"),
    ("SELEC 1", ExitCode.bad_args, 'error: near "SELEC": syntax error'),
    ("SELECT 1; SELECT 2", ExitCode.bad_args, "error: You can only execute one statement at a time."),
    ("SELECT * FROM nowhere", ExitCode.bad_args, "error: no such table: nowhere"),
])
def test_bad_sql_is_one_line(tmp_path, store, sql, code, message):
    proc = _query("--db", store, sql, cwd=tmp_path)
    assert proc.returncode == code
    assert _one_line(proc).startswith(message)


def test_a_missing_store_or_a_file_that_is_not_one(tmp_path):
    proc = _query("--db", tmp_path / "nothing.sqlite", "SELECT 1", cwd=tmp_path)
    assert proc.returncode == ExitCode.store_error
    assert _one_line(proc).startswith("store error: no store here")
    (tmp_path / "notes.sqlite").write_text("not a database")
    proc = _query("--db", tmp_path / "notes.sqlite", "SELECT COUNT(*) FROM documents", cwd=tmp_path)
    assert proc.returncode == ExitCode.store_error
    assert _one_line(proc).startswith("store error: not a vanban store (file is not a database)")
    assert (tmp_path / "notes.sqlite").read_text() == "not a database"


def test_a_store_that_cannot_be_written_is_opened_immutable(store, monkeypatch):
    """As root, chmod does not stop writes: the decision is tested on os.access's answer."""
    assert urlsplit(read_only_uri(store)).query == "mode=ro"
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert urlsplit(read_only_uri(store)).query == "mode=ro&immutable=1"
    assert read_query(store, "SELECT reason FROM failures")["reason"].tolist() == ["corrupt PDF"]


@requires_mount_namespace
def test_a_store_in_a_read_only_folder_can_be_queried(store):
    """A read-only file system (root cannot write there either), the store's WAL index absent."""
    folder = store.parent
    proc = run_in_mount_namespace(f"""
        mount --bind '{folder}' '{folder}' && mount -o remount,ro,bind '{folder}'
        cd '{folder}' && {VANBAN} query --db vanban.sqlite --csv "SELECT reason FROM failures"
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["reason", "corrupt PDF"]
