"""A run's temporary files live in one folder, removed at the end; a killed run's is removed by the next."""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import SHORT_TEXT, VANBAN, seed_text
from corpus.generate import render_pages, write_pdf
from pipeline.run.runs import OWNER_FILE, RUN_FOLDER_PREFIX, RunId, run_folder, sweep_run_folders, this_run
from pipeline.run.workers import LocalPool

TIMEOUT_S = 240


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _stale_folders(base: Path) -> dict[str, Path]:
    """Run folders as runs leave them: of a live run, of a dead one, of a reused pid, unfinished."""
    me = this_run()
    made = {
        "live": (me.pid, str(me)),
        "dead": (_dead_pid(), str(RunId(me.host, _dead_pid(), me.started))),
        "pid reused": (me.pid, str(RunId(me.host, me.pid, me.started - 3600))),
        "no owner yet, live": (me.pid, None),
        "no owner, dead": (_dead_pid(), None),
    }
    folders = {}
    for name, (pid, owner) in made.items():
        folder = base / f"{RUN_FOLDER_PREFIX}{pid}-{name.replace(' ', '_').replace(',', '')}"
        folder.mkdir()
        (folder / "tess_page.tsv").write_bytes(b"x" * 1000)
        if owner is not None:
            (folder / OWNER_FILE).write_text(owner)
        folders[name] = folder
    return folders


def test_sweep_removes_the_folders_of_ended_runs_only(tmp_path):
    folders = _stale_folders(tmp_path)
    removed = sweep_run_folders(tmp_path)
    assert sorted(p.name for p in removed) == sorted(
        folders[k].name for k in ("dead", "pid reused", "no owner, dead"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        folders[k].name for k in ("live", "no owner yet, live"))


def test_run_folder_is_removed_on_errors_too(tmp_path):
    with pytest.raises(KeyError):
        with run_folder(tmp_path) as folder:
            (folder / "page.ppm").write_bytes(b"P6")
            assert RunId.parse((folder / OWNER_FILE).read_text()) == this_run()
            raise KeyError("boom")
    assert list(tmp_path.iterdir()) == []


def test_workers_keep_their_temporary_files_in_the_run_folder(tmp_path):
    pool = LocalPool(1, temp_dir=tmp_path)
    try:
        # What pytesseract (tempfile) and the programs it runs (TMPDIR) see inside a worker.
        assert pool._pool.submit(tempfile.gettempdir).result(timeout=60) == str(tmp_path)
        assert pool._pool.submit(os.getenv, "TMPDIR").result(timeout=60) == str(tmp_path)
    finally:
        pool.close()


def test_a_run_leaves_nothing_and_sweeps_what_killed_runs_left(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    folders = _stale_folders(tmp)
    text = tmp_path / "note.txt"
    text.write_text("\n".join(seed_text("004").split("\n")[:30]), encoding="utf-8")
    proc = subprocess.run([VANBAN, "run", str(text), "--out", str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=TIMEOUT_S, env={**os.environ, "TMPDIR": str(tmp)})
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp.iterdir()) == sorted(
        folders[k].name for k in ("live", "no owner yet, live"))


def test_kill_9_leaves_one_run_folder_that_the_next_run_removes(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    pdf = write_pdf(render_pages(SHORT_TEXT, dpi=300, seed=7) * 4, tmp_path / "four.pdf", 300)
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen([VANBAN, "run", str(pdf), "--out", str(tmp_path / "out"), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    descendants: list[int] = []
    try:
        deadline = time.monotonic() + TIMEOUT_S
        # Killed while pages are in flight: a worker's page image or Tesseract's output exists.
        while not any(p.name != OWNER_FILE for p in tmp.glob(f"{RUN_FOLDER_PREFIX}*/**/*")):
            assert proc.poll() is None, "the run ended before a page was in flight"
            assert time.monotonic() < deadline, "no temporary file appeared in time"
            descendants = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)] or descendants
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    for pid in descendants:  # workers die with the run; Tesseract finishes its page
        try:
            psutil.Process(pid).wait(timeout=60)
        except psutil.NoSuchProcess:
            pass
    left = sorted(p.name for p in tmp.iterdir())
    # pymp-*: the socket folder of Python's own forkserver (a few bytes), not a vanban file.
    assert [n for n in left if not n.startswith("pymp-")] and all(
        n.startswith((RUN_FOLDER_PREFIX, "pymp-")) for n in left), left

    text = tmp_path / "note.txt"
    text.write_text("\n".join(seed_text("004").split("\n")[:30]), encoding="utf-8")
    again = subprocess.run([VANBAN, "run", str(text), "--out", str(tmp_path / "out2")], capture_output=True,
                           text=True, timeout=TIMEOUT_S, env=env)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in tmp.iterdir() if not p.name.startswith("pymp-")] == []
