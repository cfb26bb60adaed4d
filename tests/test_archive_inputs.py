"""Every file an archive holds: odd names, unreadable folders, pixel formats, very long texts.

Rule for each: the input is processed or named in the run's failures (summary, ``failures``
table, console) with a one-line reason; the batch goes on; nothing already stored is lost.
"""
from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import requires_tesseract_vie, seed_text
from pipeline.batch import run_batch
from pipeline.names import raw_path, shown_path, stored_path
from pipeline.store import SCHEMA, SCHEMA_VERSION, Store

# A short real document: extraction stays quick, and it is Vietnamese enough to be kept.
TEXT = "\n".join(seed_text("003").split("\n")[:15])
WINDOWS_NAME = b"caf\xe9.txt"  # "café.txt" in Windows-1252: not UTF-8
NFD_NAME = unicodedata.normalize("NFD", "Quyết định 779.txt")


def _rows(db: Path, sql: str, params: tuple = ()) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _write_bytes_name(folder: Path, name: bytes, data: bytes) -> Path:
    """A file whose name is these bytes (as a Windows share copied to Linux has them)."""
    with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
        fh.write(data)
    return Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))


# ------------------------------------------------------------------ names


def test_name_forms():
    real = os.fsdecode(b"/a/caf\xe9 \xe1\xba\xbf.txt")  # one byte not UTF-8, one good letter
    assert stored_path(real) == "/a/caf\\xe9 ế.txt" and shown_path(real) == "/a/caf\ufffd ế.txt"
    assert raw_path(real) == b"/a/caf\xe9 \xe1\xba\xbf.txt"
    nfd = unicodedata.normalize("NFD", "/a/Quyết.txt")
    assert stored_path(nfd) == shown_path(nfd) == "/a/Quyết.txt" and raw_path(nfd) == nfd.encode()
    assert raw_path("/a/Quyết.txt") is None and raw_path("/a/b.txt") is None
    # Different bytes keep different stored names (the store's path is unique).
    assert stored_path(os.fsdecode(b"caf\xe9")) != stored_path(os.fsdecode(b"caf\xe8"))


def test_a_name_that_is_not_utf8_is_processed_stored_reversibly_and_shown(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    odd = _write_bytes_name(folder, WINDOWS_NAME, TEXT.encode("utf-8"))
    (folder / "good.txt").write_text(TEXT, encoding="utf-8")
    out, log = tmp_path / "out", tmp_path / "run.jsonl"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out),
                           "--workers", "1", "--log", str(log)], capture_output=True, timeout=300)
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr
    assert "caf\ufffd.txt" in stdout and "0 failed" in stdout, stdout
    db = out / "vanban.sqlite"
    rows = _rows(db, "SELECT path, name, path_raw FROM documents ORDER BY name")
    assert [(Path(p).name, n) for p, n, _ in rows] == [("caf\\xe9.txt", "caf\\xe9.txt"), ("good.txt", "good.txt")]
    assert rows[0][2] == os.fsencode(odd) and rows[1][2] is None
    assert Path(os.fsdecode(rows[0][2])).read_text(encoding="utf-8") == TEXT  # back to the file
    assert _rows(db, "SELECT COUNT(*) FROM failures") == [(0,)]
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {Path(e["path"]).name for e in events if e["event"] == "document_done"} == {
        "caf\\xe9.txt", "good.txt"}
    # The next run finds it unchanged.
    again = run_batch([folder], out, workers=1)
    assert again.unchanged == 2 and not again.failed


def test_a_decomposed_name_is_stored_nfc_and_found_by_like(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / NFD_NAME).write_text(TEXT, encoding="utf-8")
    summary = run_batch([folder], tmp_path / "out", workers=1)
    assert not summary.failed and [r.path.name for r in summary.processed] == [NFD_NAME]
    db = tmp_path / "out" / "vanban.sqlite"
    rows = _rows(db, "SELECT name, path, path_raw FROM documents WHERE name LIKE ?", ("Quyết định%",))
    assert [r[0] for r in rows] == ["Quyết định 779.txt"]
    assert rows[0][1] == str(folder / "Quyết định 779.txt") and rows[0][2] == str(folder / NFD_NAME).encode()
    assert run_batch([folder], tmp_path / "out", workers=1).unchanged == 1


def test_the_same_name_composed_and_decomposed_keeps_one_and_names_the_other(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / NFD_NAME).write_text(TEXT, encoding="utf-8")
    (folder / unicodedata.normalize("NFC", NFD_NAME)).write_text(TEXT + "\nThêm một dòng.", encoding="utf-8")
    summary = run_batch([folder], tmp_path / "out", workers=1)
    assert len(summary.processed) == 1 and len(summary.failed) == 1
    (failed, why), = summary.failed
    assert "once stored (names are stored NFC): rename one" in why
    db = tmp_path / "out" / "vanban.sqlite"
    assert _rows(db, "SELECT COUNT(*) FROM documents") == [(1,)]
    assert _rows(db, "SELECT reason FROM failures") == [(why,)]


def test_a_store_from_before_path_raw_gains_it_and_redoes_nothing(tmp_path):
    from pipeline.document import Document, Page

    old = re.sub(r",\n    path_raw BLOB.*", "", SCHEMA)
    assert "path_raw BLOB" not in old
    conn = sqlite3.connect(tmp_path / "v.sqlite")
    conn.executescript(old)
    nfd = f"/in/{NFD_NAME}"  # how the version before stored a decomposed name: as it was
    for path in ("/in/a.txt", nfd):
        conn.execute("INSERT INTO documents (path, name, sha256, kind, n_pages, restored, pipeline_key, "
                     "processed_at) VALUES (?, ?, 's1', 'text', 1, 0, 'k1', 'then')", (path, Path(path).name))
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Store(tmp_path / "v.sqlite") as store:
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert store.is_current(Path("/in/a.txt"), "s1", "k1")
        doc = Document(path=Path(nfd), sha256="s1", kind="text", pages=[Page(1, TEXT, "text")])
        store.save_document(doc, {"self": {}}, "k1")
        # The decomposed row is replaced by the stored (NFC) one, not kept twice.
        assert sorted(r[0] for r in store.conn.execute("SELECT path FROM documents")) == [
            "/in/Quyết định 779.txt", "/in/a.txt"]


# ------------------------------------------------------------------ folders


def test_an_unreadable_folder_is_named_in_the_failures(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "inside.txt").write_text(TEXT, encoding="utf-8")
    (folder / "good.txt").write_text(TEXT, encoding="utf-8")
    # chmod 000 does not stop root (CI), so the folder's listing is refused as it is for a user.
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(os.fsdecode(path)) == folder / "locked":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    summary = run_batch([folder], tmp_path / "out", workers=1)
    monkeypatch.undo()
    assert [r.path.name for r in summary.processed] == ["good.txt"]
    assert summary.failed == [(folder / "locked", "cannot read folder: permission denied")]
    assert _rows(tmp_path / "out" / "vanban.sqlite", "SELECT path, reason FROM failures") == [
        (str(folder / "locked"), "cannot read folder: permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a chmod 000 folder anyway")
def test_a_chmod_000_folder_is_named_in_the_failures(tmp_path):
    locked = tmp_path / "in" / "locked"
    locked.mkdir(parents=True)
    (locked / "inside.txt").write_text(TEXT, encoding="utf-8")
    locked.chmod(0)
    try:
        summary = run_batch([tmp_path / "in"], tmp_path / "out", workers=1)
    finally:
        locked.chmod(0o755)
    assert summary.failed == [(locked, "cannot read folder: permission denied")]
