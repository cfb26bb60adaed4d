"""`vanban run --scheduler`: a real local Dask cluster (a scheduler and two workers) gives the
same store as a local run."""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SHORT_TEXT, VANBAN, seed_text
from corpus.generate import render_pages, write_image, write_pdf

pytest.importorskip("distributed", reason="dask[distributed] not installed")

DASK = str(Path(sys.executable).with_name("dask"))
START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """``dask scheduler`` + two ``dask worker --nthreads 1`` on 127.0.0.1; torn down afterwards."""
    logs = tmp_path_factory.mktemp("dask_logs")
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        log = open(logs / f"{name}.log", "w")
        procs.append(subprocess.Popen([DASK, *args], stdout=log, stderr=subprocess.STDOUT, env=env,
                                      cwd=logs))

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
              "--no-dashboard")
        for i in range(2):
            start(f"worker{i}", "worker", address, "--nthreads", "1", "--nworkers", "1",
                  "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}",
                  "--local-directory", str(logs / f"w{i}"))
        from distributed import Client

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=max(1, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                dead = [p.args for p in procs if p.poll() is not None]
                if dead or time.monotonic() > deadline:
                    text = "\n".join(f.read_text()[-1500:] for f in sorted(logs.glob("*.log")))
                    pytest.fail(f"Dask cluster did not start ({dead}):\n{text}")
                time.sleep(0.5)
        yield address
    finally:
        for proc in reversed(procs):  # workers first, then the scheduler
            _stop(proc)


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask_batch")
    write_pdf(render_pages(SHORT_TEXT, dpi=300, seed=31) * 2, folder / "two.pdf", 300)
    write_pdf(render_pages(SHORT_TEXT, dpi=300, seed=32), folder / "one.pdf", 300)
    write_image(render_pages(SHORT_TEXT, dpi=300, seed=33)[0], folder / "scan.png")
    (folder / "dump.txt").write_text(seed_text("004"), encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    return folder


SNAPSHOT = {
    "documents": "SELECT name, kind, n_pages, restored, number, date, place, type, issuer, subject, "
                 "signer FROM documents ORDER BY name",
    "pages": "SELECT d.name, p.number, p.source, p.text, p.mean_conf FROM pages p "
             "JOIN documents d ON d.id = p.document_id ORDER BY 1, 2",
    "words": "SELECT d.name, COUNT(*), SUM(w.left + w.top) FROM words w "
             "JOIN documents d ON d.id = w.document_id GROUP BY 1 ORDER BY 1",
    "doc_refs": "SELECT d.name, r.number, r.line, r.raw FROM doc_refs r "
                "JOIN documents d ON d.id = r.document_id ORDER BY 1, 2, 3",
    "dates": "SELECT d.name, r.value, r.line FROM dates r JOIN documents d ON d.id = r.document_id "
             "ORDER BY 1, 2, 3",
    "counts": "SELECT d.name, r.value, r.unit, r.line FROM counts r "
              "JOIN documents d ON d.id = r.document_id ORDER BY 1, 2, 3, 4",
    "money": "SELECT d.name, r.value_vnd, r.line FROM money r JOIN documents d ON d.id = r.document_id "
             "ORDER BY 1, 2, 3",
    "failures": "SELECT path, reason FROM failures ORDER BY path",
}


def _snapshot(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in SNAPSHOT.items()}
    finally:
        conn.close()


def test_dask_cluster_run_equals_local_run(tmp_path, dask_cluster, small_batch):
    log = tmp_path / "dask.jsonl"
    remote = subprocess.run([VANBAN, "run", str(small_batch), "--out", str(tmp_path / "dask"),
                             "--scheduler", dask_cluster, "--log", str(log)],
                            capture_output=True, text=True, timeout=600)
    assert remote.stdout.count("FAILED") == 1, remote.stdout + remote.stderr
    local = subprocess.run([VANBAN, "run", str(small_batch), "--out", str(tmp_path / "local"),
                            "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert local.returncode == 0, local.stderr

    got, want = _snapshot(tmp_path / "dask" / "vanban.sqlite"), _snapshot(tmp_path / "local" / "vanban.sqlite")
    assert [r[0] for r in want["documents"]] == ["dump.txt", "one.pdf", "scan.png", "two.pdf"]
    assert len(want["pages"]) == 5
    for table in SNAPSHOT:
        assert got[table] == want[table], table

    events = [json.loads(line) for line in log.read_text().splitlines()]
    workers = {e["worker"] for e in events if e["event"] == "page_done"}
    assert sum(e["event"] == "page_done" for e in events) == 4
    assert any("Dask cluster" in e.get("description", "") for e in events if e["event"] == "workers")
    assert len(workers) == 2, f"both Dask workers should have read pages: {workers}"


def test_unreachable_scheduler_is_a_one_line_error(tmp_path, small_batch):
    proc = subprocess.run([VANBAN, "run", str(small_batch / "one.pdf"), "--out", str(tmp_path / "o"),
                           "--scheduler", f"tcp://127.0.0.1:{_free_port()}"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"})
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error:") and proc.stderr.strip().count("\n") == 0, proc.stderr
