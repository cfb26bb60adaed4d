"""Shared fixtures: small generated scans (never committed binaries) and paths to ../shared."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corpus.evaluate import DEFAULT_SHARED as SHARED
from corpus.generate import SEEDS_DIR as SEEDS
from corpus.generate import render_pages, seed_text, write_image, write_pdf  # noqa: F401 (re-export)
from pipeline.io.tools import use_tool_environment

VANBAN = str(Path(sys.executable).with_name("vanban"))

# Tests run Tesseract in this process too: with the environment the CLI and the workers give it.
use_tool_environment()


def _has_tesseract_vie() -> bool:
    if shutil.which("tesseract") is None:
        return False
    import pytesseract

    return "vie" in pytesseract.get_languages(config="")


requires_tesseract_vie = pytest.mark.skipif(not _has_tesseract_vie(),
                                            reason="tesseract with 'vie' not installed")


def _has_mount_namespace() -> bool:
    try:
        return subprocess.run(["unshare", "-Urm", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


# A private mount namespace lets a test mount a tiny or read-only file system without root
# (and defeats root's right to write anywhere, which chmod does not).
requires_mount_namespace = pytest.mark.skipif(
    not _has_mount_namespace(), reason="needs user and mount namespaces (unshare -Urm) to mount a test file system")


def run_in_mount_namespace(script: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a shell script in its own user and mount namespaces (its mounts vanish with it)."""
    return subprocess.run(["unshare", "-Urm", "sh", "-c", textwrap.dedent(script)], capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared (seeds, gold, corpus); tests that need the gold files skip without it."""
    if not (SHARED / "gold").is_dir():
        pytest.skip(f"{SHARED}/gold not found (set VANBAN_SHARED)")
    return SHARED


def db_rows(db: Path, sql: str, params: tuple = ()) -> list:
    """The rows ``sql`` selects in the SQLite file ``db`` (a store as a user's own tool reads it)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def load_gold(shared: Path, prefix: str) -> dict:
    """The hand-made extraction answer of a seed document."""
    return json.loads(next((shared / "gold").glob(f"{prefix}_*.extract.json")).read_text())


# A short paragraph of real program text: one OCR'd page stays fast.
SHORT_TEXT = "\n".join(seed_text("004").split("\n")[20:32])


@pytest.fixture(scope="session")
def short_scan_pages():
    """One clean 300-DPI rendered page of a dozen lines of 004, with its ground truth."""
    return render_pages(SHORT_TEXT, dpi=300, seed=1)


@pytest.fixture(scope="session")
def mixed_folder(tmp_path_factory, short_scan_pages) -> Path:
    """A batch as an archivist has it: PDF, image, text, a corrupt PDF and an empty file."""
    folder = tmp_path_factory.mktemp("batch")
    write_pdf(short_scan_pages, folder / "scan.pdf", 300)
    write_image(short_scan_pages[0], folder / "page.png")
    shutil.copy(next(SEEDS.glob("003_*.txt")), folder / "report.txt")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage")
    (folder / "empty.pdf").write_bytes(b"")
    return folder
