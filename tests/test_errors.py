"""Bad situations end in one line on stderr and an exit code that says which (pipeline/errors.py)."""
from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import VANBAN, SHORT_TEXT, requires_mount_namespace, run_in_mount_namespace, seed_text
from corpus.generate import render_pages, write_image
from pipeline.cli.main import main
from pipeline.errors import ExitCode, InputError, MissingDependency, StoreError, VanbanError
from pipeline.document import InputError as DocumentInputError


def _vanban(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([VANBAN, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def _one_error_line(stderr: str, label: str = "error") -> str:
    """The one line of an error (no traceback, nothing after it)."""
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    assert lines and lines[-1].startswith(f"{label}: "), stderr
    assert sum(ln.startswith(("error:", "store error:", "interrupted:")) for ln in lines) == 1, stderr
    return lines[-1]


@pytest.fixture(scope="module")
def texts(tmp_path_factory) -> Path:
    """Two short Vietnamese text files: two documents with no OCR."""
    folder = tmp_path_factory.mktemp("texts")
    (folder / "a.txt").write_text("\n".join(seed_text("003").split("\n")[:40]), encoding="utf-8")
    (folder / "b.txt").write_text(seed_text("004"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def page_png(tmp_path_factory, short_scan_pages) -> Path:
    path = tmp_path_factory.mktemp("png") / "page.png"
    write_image(short_scan_pages[0], path)
    return path


def _documents(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [r[0] for r in conn.execute("SELECT name FROM documents ORDER BY name")]
    finally:
        conn.close()


def test_every_expected_error_is_a_vanban_error_with_its_code():
    assert DocumentInputError is InputError  # pipeline.document's users keep working
    assert issubclass(InputError, VanbanError) and InputError("x.pdf", "corrupt").exit_code == 1
    assert str(StoreError("/o/vanban.sqlite", "disk full")) == "disk full: /o/vanban.sqlite"
    assert StoreError("x", "y").exit_code == ExitCode.store_error == 4
    assert ExitCode.bad_args == 2 and ExitCode.interrupted == 130


# ------------------------------------------------------------------ a full disk


class _DiskFullAtCommit:
    """A connection whose COMMIT fails as on a full disk: SQLite rolls the transaction back
    itself, then reports SQLITE_FULL (a ROLLBACK after that finds no transaction)."""

    def __init__(self, conn):
        self._conn = conn

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def cursor(self):
        return _DiskFullCursor(self._conn.cursor())


class _DiskFullCursor:
    def __init__(self, cur):
        self._cur = cur

    def __getattr__(self, name):
        return getattr(self._cur, name)

    def execute(self, sql, *args):
        if sql == "COMMIT":
            self._cur.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return self._cur.execute(sql, *args)


def test_disk_full_while_saving_is_one_store_error_and_keeps_the_store(tmp_path, texts, monkeypatch):
    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["run", str(texts / "a.txt"), "--out", str(out)])
    assert first.exit_code == 0, first.output
    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: _DiskFullAtCommit(real_connect(*a, **k)))
    result = CliRunner().invoke(main, ["run", str(texts / "b.txt"), "--out", str(out)])
    monkeypatch.undo()
    assert result.exit_code == ExitCode.store_error, result.output
    line = _one_error_line(result.stderr, "store error")
    assert line.startswith("store error: disk full (database or disk is full)") and "rollback" not in line
    assert _documents(out / "vanban.sqlite") == ["a.txt"]


@requires_mount_namespace
def test_disk_full_on_a_tiny_file_system(tmp_path, texts):
    """The same on a real 8 MB file system filled up after the first run."""
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    out = tiny / "out"
    proc = run_in_mount_namespace(f"""
        mount -t tmpfs -o size=8m tmpfs {tiny}
        {VANBAN} run {texts / 'a.txt'} --out {out} > /dev/null || exit 90
        dd if=/dev/zero of={tiny}/fill bs=4k 2>/dev/null
        truncate -s -40K {tiny}/fill  # room for SQLite's WAL index, not for b.txt's rows
        {VANBAN} run {texts / 'b.txt'} --out {out}
        echo "exit $?"
        {Path(VANBAN).with_name('python')} -c "import sqlite3; c = sqlite3.connect('{out}/vanban.sqlite'); \\
print(c.execute('PRAGMA integrity_check').fetchone()[0], [r[0] for r in c.execute('SELECT name FROM documents')])"
    """)
    assert f"exit {ExitCode.store_error.value}" in proc.stdout, proc.stdout + proc.stderr
    assert "ok ['a.txt']" in proc.stdout
    line = _one_error_line(proc.stderr, "store error")
    assert line.startswith("store error: disk full") and "rollback" not in line


# ------------------------------------------------------------------ where the store cannot be


def test_out_holding_a_file_that_is_not_a_database(tmp_path, texts):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "vanban.sqlite").write_text("notes, not a database\n")
    proc = _vanban("run", texts / "a.txt", "--out", tmp_path / "out")
    assert proc.returncode == ExitCode.store_error
    assert "not a vanban store" in _one_error_line(proc.stderr, "store error")
    assert (tmp_path / "out" / "vanban.sqlite").read_text() == "notes, not a database\n"


def test_out_that_is_a_file(tmp_path, texts):
    (tmp_path / "out").write_text("x")
    proc = _vanban("run", texts / "a.txt", "--out", tmp_path / "out")
    assert proc.returncode == ExitCode.store_error
    assert "not a folder" in _one_error_line(proc.stderr, "store error")


@requires_mount_namespace
def test_out_in_a_read_only_folder(tmp_path, texts):
    """A read-only file system refuses root too (chmod would not)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    proc = run_in_mount_namespace(f"""
        mount --bind {folder} {folder} && mount -o remount,ro,bind {folder}
        {VANBAN} run {texts / 'a.txt'} --out {folder}
        echo "exit $?"
        {VANBAN} run {texts / 'a.txt'} --out {folder}/new
        echo "exit $?"
    """)
    assert proc.stdout.split() == ["exit", "4", "exit", "4"], proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines == [f"store error: read-only folder: {folder}",
                     f"store error: read-only (Read-only file system): {folder}/new"], proc.stderr


# ------------------------------------------------------------------ arguments and dependencies


@pytest.mark.parametrize("address", ["garbage", "http://127.0.0.1:8786", "tcp://host-without-port"])
def test_malformed_scheduler_is_a_bad_argument(tmp_path, page_png, address):
    proc = _vanban("run", page_png, "--out", tmp_path / "out", "--scheduler", address)
    assert proc.returncode == ExitCode.bad_args
    assert "is not a Dask scheduler address" in _one_error_line(proc.stderr)
    assert not (tmp_path / "out").exists()  # refused before anything was done


def test_missing_tesseract_is_a_missing_dependency(tmp_path, page_png):
    (tmp_path / "bin").mkdir()
    proc = _vanban("run", page_png, "--out", tmp_path / "out", env={"PATH": str(tmp_path / "bin")})
    assert proc.returncode == ExitCode.missing_dependency
    assert "tesseract not found" in _one_error_line(proc.stderr)


# ------------------------------------------------------------------ models `make setup` builds


def _restorer_without(monkeypatch, gone: Path) -> None:
    """The run's models folder ($VANBAN_MODELS) made without the model file ``gone`` (models/built
    untouched): the lexicon is missing, or the lexicon is there (a copy) and its LM is not."""
    from pipeline import resources

    gone.parent.mkdir(parents=True, exist_ok=True)
    if gone.name != resources.LEXICON_FILE:
        (gone.parent / resources.LEXICON_FILE).write_bytes(resources.model_file(resources.LEXICON_FILE).read_bytes())
    monkeypatch.setenv("VANBAN_MODELS", str(gone.parent))


@pytest.mark.parametrize("missing", ["restore_lexicon.json", "lm.npz"])
def test_a_missing_restorer_model_stops_the_run_at_once_in_one_line(tmp_path, texts, monkeypatch, missing):
    gone = tmp_path / "built" / missing
    _restorer_without(monkeypatch, gone)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(texts), "--out", str(out)])
    assert result.exit_code == ExitCode.missing_dependency == 3, result.output
    line = _one_error_line(result.stderr)
    assert str(gone) in line and "make setup" in line
    assert "internal error" not in result.output
    assert not (out / "vanban.sqlite").exists() or _documents(out / "vanban.sqlite") == []


@pytest.mark.parametrize("command", ["restore", "extract"])
def test_restore_and_extract_without_the_lexicon_fail_in_one_line(tmp_path, texts, monkeypatch, command):
    gone = tmp_path / "built" / "restore_lexicon.json"
    _restorer_without(monkeypatch, gone)
    result = CliRunner().invoke(main, [command, str(texts / "a.txt")])
    assert result.exit_code == ExitCode.missing_dependency, result.output
    line = _one_error_line(result.stderr)
    assert str(gone) in line and "make setup" in line
    assert result.stdout == ""


def test_a_corrupt_restorer_model_is_a_missing_dependency(tmp_path, monkeypatch):
    from pipeline.restore.restorer import Restorer, RestorerOptions
    from pipeline.run.process import check_models

    bad = tmp_path / "restore_lexicon.json"
    bad.write_text("{half a file", encoding="utf-8")
    with pytest.raises(MissingDependency, match="cannot be loaded .*make setup"):
        check_models(Restorer(RestorerOptions(lexicon=bad)), digits=False)


def test_a_missing_digit_model_is_one_warning_at_start(tmp_path, monkeypatch, caplog):
    # Handwritten blanks then stay unread (tests/ocr/test_handwriting.py): the run goes on.
    from pipeline.run.process import check_models

    monkeypatch.setenv("VANBAN_MODELS", str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="pipeline.run.process"):
        check_models(restorer=None)
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "digits_mlp.npz" in warnings[0] and "make setup" in warnings[0]


# ------------------------------------------------------------------ Ctrl-C


def test_ctrl_c_stops_the_run_with_130_and_keeps_what_was_saved(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # Eight one-page files, one worker: while the parent restores and saves the first document
    # the worker reads at most IN_FLIGHT_PER_WORKER (2) pages ahead, so at least five pages
    # (~1 s each) are still unread when the first "document_done" is logged (with four files
    # the run could finish before the signal arrived).
    n_files = 8
    for i in range(n_files):
        write_image(render_pages(SHORT_TEXT, dpi=300, seed=40 + i)[0], folder / f"p{i}.png")
    out, log = tmp_path / "out", tmp_path / "run.jsonl"
    # SIGINT back to its default in the child: a test session started in the background (`make
    # test &`) ignores SIGINT, and a child inherits that, so the run would never see the signal.
    proc = subprocess.Popen([VANBAN, "run", str(folder), "--out", str(out), "--workers", "1",
                             "--log", str(log)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not (log.exists() and '"document_done"' in log.read_text()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no document finished in time"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == ExitCode.interrupted, stderr
    assert _one_error_line(stderr, "interrupted").startswith("interrupted: stopped by the user")
    saved = _documents(out / "vanban.sqlite")
    assert 1 <= len(saved) < n_files
    assert json.loads(log.read_text().splitlines()[-1])["event"] == "summary"
