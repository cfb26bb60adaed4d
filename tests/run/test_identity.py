"""Documents identified by content: paths are aliases in `files`, ids survive --force, moves and edits."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from corpus.generate import write_image
from tests.conftest import db_rows, seed_text
from pipeline.document import Document, Page
from pipeline.run.batch import run_batch
from pipeline.run.store import FILES_TABLE, SCHEMA, SCHEMA_VERSION, Store


# What an analyst adds up: every figure, by document id.
FIGURES = ("SELECT d.id, d.number, d.date, (SELECT COUNT(*) FROM doc_refs r WHERE r.document_id = d.id), "
           "(SELECT COUNT(*) FROM dates t WHERE t.document_id = d.id), "
           "(SELECT COALESCE(SUM(value), 0) FROM counts c WHERE c.document_id = d.id), "
           "(SELECT COALESCE(SUM(value_vnd), 0) FROM money m WHERE m.document_id = d.id), "
           "(SELECT COUNT(*) FROM lines l WHERE l.document_id = d.id) FROM documents d ORDER BY d.id")


def _text_folder(root: Path) -> Path:
    folder = root / "in"
    folder.mkdir()
    (folder / "report.txt").write_text(seed_text("003"), encoding="utf-8")
    (folder / "plan.txt").write_text(seed_text("004"), encoding="utf-8")
    return folder


def test_moving_and_renaming_a_file_changes_no_figure_and_reads_nothing(tmp_path, short_scan_pages):
    folder = _text_folder(tmp_path)
    write_image(short_scan_pages[0], folder / "scan.png")
    out = tmp_path / "out"
    first = run_batch([folder], out, workers=1)
    assert not first.failed and len(first.processed) == 3 and first.pages_read == 1
    db = out / "vanban.sqlite"
    figures = db_rows(db, FIGURES)
    assert sum(f[5] + f[6] for f in figures) > 0  # there are figures to double

    (folder / "archive").mkdir()
    shutil.move(folder / "scan.png", folder / "archive" / "scan-2024.png")  # moved and renamed
    (folder / "report.txt").rename(folder / "bao-cao.txt")  # renamed
    again = run_batch([folder], out, workers=1)
    assert not again.processed and not again.failed and again.pages_read == 0 and again.pages_cached == 0
    assert again.unchanged == 3
    assert db_rows(db, FIGURES) == figures  # same ids, same figures: nothing counts twice
    assert sorted((Path(p).name, why.split(":")[0]) for p, why in again.gone) == [
        ("report.txt", "moved or renamed"), ("scan.png", "moved or renamed")]
    moved = {p.name: why for p, why in again.skipped}
    assert moved["scan-2024.png"].startswith("moved or renamed from ")
    # The documents are stored under the paths that hold them now; `files` keeps every path.
    assert sorted(Path(p).name for (p,) in db_rows(db, "SELECT path FROM documents")) == [
        "bao-cao.txt", "plan.txt", "scan-2024.png"]
    assert sorted((Path(p).name, gone is None) for p, gone in db_rows(db, "SELECT path, gone_at FROM files")) == [
        ("bao-cao.txt", True), ("plan.txt", True), ("report.txt", False), ("scan-2024.png", True),
        ("scan.png", False)]
    third = run_batch([folder], out, workers=1)  # reported once
    assert third.unchanged == 3 and not third.gone and db_rows(db, FIGURES) == figures


def test_force_re_extracts_and_keeps_every_document_id(tmp_path):
    folder = _text_folder(tmp_path)
    out = tmp_path / "out"
    run_batch([folder], out, workers=1)
    db = out / "vanban.sqlite"
    before = db_rows(db, "SELECT id, path, processed_at FROM documents ORDER BY id")
    lines = db_rows(db, "SELECT document_id, line, text FROM lines ORDER BY document_id, line")
    forced = run_batch([folder], out, workers=1, force=True)
    assert len(forced.processed) == 2
    assert [r[:2] for r in db_rows(db, "SELECT id, path FROM documents ORDER BY id")] == [r[:2] for r in before]
    assert db_rows(db, "SELECT document_id, line, text FROM lines ORDER BY document_id, line") == lines
    hits = db_rows(db, "SELECT COUNT(*) FROM lines_search WHERE lines_search MATCH 'ocop'")
    assert hits[0][0] > 0  # the search index follows the kept ids


def test_copies_in_one_batch_are_one_document_with_two_paths(tmp_path):
    folder = _text_folder(tmp_path)
    (folder / "copy").mkdir()
    shutil.copy(folder / "report.txt", folder / "copy" / "report.txt")
    summary = run_batch([folder], tmp_path / "out", workers=1)
    db = tmp_path / "out" / "vanban.sqlite"
    assert len(summary.processed) == 2 and not summary.failed
    assert [why for p, why in summary.skipped] == [f"same content as {folder / 'copy' / 'report.txt'}: stored once"]
    assert db_rows(db, "SELECT COUNT(*) FROM documents") == [(2,)]
    assert db_rows(db, "SELECT COUNT(*), COUNT(DISTINCT sha256) FROM files") == [(3, 2)]


def test_a_file_changed_in_place_replaces_its_documents_under_the_same_id(tmp_path):
    folder = _text_folder(tmp_path)
    out = tmp_path / "out"
    run_batch([folder], out, workers=1)
    db = out / "vanban.sqlite"
    ids = dict(db_rows(db, "SELECT name, id FROM documents"))
    (folder / "report.txt").write_text(seed_text("003") + "\nBản cập nhật.", encoding="utf-8")
    summary = run_batch([folder], out, workers=1)
    assert [r.path.name for r in summary.processed] == ["report.txt"] and not summary.gone
    assert dict(db_rows(db, "SELECT name, id FROM documents")) == ids  # the old content's rows are gone
    assert db_rows(db, "SELECT COUNT(*) FROM lines WHERE text = 'Bản cập nhật.'") == [(1,)]
    assert db_rows(db, "SELECT COUNT(DISTINCT sha256) FROM documents") == [(2,)]


def test_a_file_gone_from_the_inputs_is_reported_once_and_its_documents_kept(tmp_path):
    folder = _text_folder(tmp_path)
    out = tmp_path / "out"
    run_batch([folder], out, workers=1)
    db = out / "vanban.sqlite"
    figures = db_rows(db, FIGURES)
    (folder / "plan.txt").unlink()
    summary = run_batch([folder], out, workers=1)
    assert [(p.name, why) for p, why in summary.gone] == [
        ("plan.txt", "gone from the inputs: its documents are kept in the store")]
    assert db_rows(db, FIGURES) == figures
    assert run_batch([folder], out, workers=1).gone == []  # said once
    # A run over another folder says nothing of this one's files.
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text(seed_text("004") + "\nGhi chú.", encoding="utf-8")
    assert run_batch([other], out, workers=1).gone == []


def _doc(path: str, sha: str, pages: int = 1) -> Document:
    return Document(path=Path(path), sha256=sha, kind="text",
                    pages=[Page(n, f"Trang {n} của {path}", "text") for n in range(1, pages + 1)])


def test_a_store_from_before_files_is_merged_once_and_keeps_its_ids(tmp_path):
    """Schema 4 stored a copy (or a moved file run again) as a second document: the copies'
    documents are merged into the first one's, every path is kept in `files`."""
    db = tmp_path / "v.sqlite"
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA.replace(FILES_TABLE, ""))
    rows = [("/in/a.pdf", "X", 1), ("/in/a.pdf#2", "X", 3), ("/in/b.txt", "Y", 1),
            ("/old/a.pdf", "X", 1), ("/old/a.pdf#2", "X", 3)]
    for n, (path, sha, first) in enumerate(rows, 1):
        conn.execute("INSERT INTO documents (id, path, name, sha256, kind, n_pages, restored, first_page, "
                     "pipeline_key, processed_at) VALUES (?, ?, ?, ?, 'pdf', 1, 0, ?, 'k1', 'then')",
                     (n, path, Path(path).name, sha, first))
        conn.execute("INSERT INTO money (document_id, value_vnd, raw) VALUES (?, 1000, '1.000 đồng')", (n,))
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    with Store(db) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert store.generation() == 1  # exports made before are stale
        assert store.is_current("X", "k1") and store.is_current("Y", "k1")
        assert store.primary_path("X") == "/in/a.pdf"
    assert db_rows(db, "SELECT id, path FROM documents ORDER BY id") == [
        (1, "/in/a.pdf"), (2, "/in/a.pdf#2"), (3, "/in/b.txt")]
    assert db_rows(db, "SELECT SUM(value_vnd) FROM money") == [(3000,)]  # was 5000: X counted twice
    assert db_rows(db, "SELECT path, sha256, gone_at FROM files ORDER BY path") == [
        ("/in/a.pdf", "X", None), ("/in/b.txt", "Y", None), ("/old/a.pdf", "X", None)]
    with Store(db) as store:  # once: re-opening changes nothing
        assert store.generation() == 1
        # A document is its content and first page: the store refuses a second one.
        try:
            store.conn.execute("INSERT INTO documents (path, name, sha256, kind, n_pages, restored, first_page, "
                               "pipeline_key, processed_at) VALUES ('/x', 'x', 'X', 'pdf', 1, 0, 1, 'k', 't')")
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("a second document of the same content and first page was stored")


def test_saving_a_content_under_several_paths_stores_it_once(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:
        [first] = store.save_documents([(_doc("/in/a.txt", "X"), {"self": {}}, 1)], "k1",
                                       [Path("/in/a.txt"), Path("/in/copy.txt")])
        assert store.see_files([Path("/in/copy.txt"), Path("/elsewhere/a.txt")], "X") == [Path("/elsewhere/a.txt")]
        # /in/a.txt now holds other content: the documents of X move to a path that still holds it.
        [second] = store.save_documents([(_doc("/in/a.txt", "Z"), {"self": {}}, 1)], "k1")
        docs = store.conn.execute("SELECT id, path, sha256 FROM documents ORDER BY id").fetchall()
    assert docs == [(first, "/in/copy.txt", "X"), (second, "/in/a.txt", "Z")] and second != first
