"""kill -9 in the middle of a batch: the store stays consistent and the next run finishes the rest."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import SHORT_TEXT, VANBAN
from corpus.generate import render_pages, write_pdf

N_DOCS = 4
TIMEOUT_S = 240


@pytest.fixture(scope="module")
def crash_batch(tmp_path_factory) -> Path:
    """Four small scanned PDFs of different content (one or two pages each)."""
    folder = tmp_path_factory.mktemp("crash_batch")
    for i in range(N_DOCS):
        pages = render_pages(SHORT_TEXT, dpi=300, seed=20 + i)
        write_pdf(pages * (1 + i % 2), folder / f"doc{i}.pdf", 300)
    return folder


def _count(db: Path, sql: str) -> int:
    # A reader of a WAL database never blocks the writer and sees only committed transactions.
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # schema not created yet
    finally:
        conn.close()


def _children(pid: int) -> list[int]:
    try:
        import psutil
    except ImportError:
        return []
    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def test_kill_9_after_the_first_document_then_resume(tmp_path, crash_batch):
    out = tmp_path / "out"
    db = out / "vanban.sqlite"
    proc = subprocess.Popen([VANBAN, "run", str(crash_batch), "--out", str(out), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + TIMEOUT_S
    descendants: list[int] = []
    try:
        while not (db.exists() and _count(db, "SELECT COUNT(*) FROM documents") >= 1):
            assert proc.poll() is None, "vanban run ended before the first document was committed"
            assert time.monotonic() < deadline, "no document committed in time"
            descendants = _children(proc.pid) or descendants
            time.sleep(0.05)
        descendants = _children(proc.pid) or descendants
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # Worker processes die with the parent instead of finishing orphaned pages.
    for _ in range(100):
        alive = [pid for pid in descendants if _alive(pid)]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, f"worker processes outlived the killed run: {alive}"

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    committed = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    assert 1 <= committed < N_DOCS, "the kill came too late to test a resume"
    # No document without all its pages, no page without its document.
    assert conn.execute("SELECT COUNT(*) FROM documents d WHERE d.n_pages != "
                        "(SELECT COUNT(*) FROM pages p WHERE p.document_id = d.id)").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM pages p LEFT JOIN documents d "
                        "ON d.id = p.document_id WHERE d.id IS NULL").fetchone()[0] == 0
    cached_before = conn.execute("SELECT COUNT(*) FROM page_cache").fetchone()[0]
    committed_pages = conn.execute("SELECT SUM(n_pages) FROM documents").fetchone()[0]
    conn.close()

    log = tmp_path / "resume.jsonl"
    again = subprocess.run([VANBAN, "run", str(crash_batch), "--out", str(out), "--workers", "2",
                            "--log", str(log)], capture_output=True, text=True, timeout=TIMEOUT_S)
    assert again.returncode == 0, again.stderr
    summary = [json.loads(line) for line in log.read_text().splitlines()][-1]
    assert summary["event"] == "summary" and summary["failed"] == []
    assert summary["unchanged"] == committed
    assert summary["documents"] == N_DOCS - committed
    # Pages read before the kill for the unfinished documents are not read again.
    assert summary["pages_cached"] == cached_before - committed_pages
    assert summary["pages_read"] == sum(1 + i % 2 for i in range(N_DOCS)) - cached_before

    conn = sqlite3.connect(db)
    names = [r[0] for r in conn.execute("SELECT name FROM documents ORDER BY name")]
    assert names == [f"doc{i}.pdf" for i in range(N_DOCS)]
    assert conn.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == sum(1 + i % 2 for i in range(N_DOCS))
    assert conn.execute("SELECT COUNT(*) FROM (SELECT document_id, number FROM pages "
                        "GROUP BY 1, 2 HAVING COUNT(*) > 1)").fetchone()[0] == 0
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert (out / "tables" / "documents.csv").read_text().count("\n") == N_DOCS + 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead: it only waits for its parent to read its status.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
