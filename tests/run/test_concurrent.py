"""Two runs on one store never read the same page twice (the store's page claims)."""
from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.conftest import SHORT_TEXT, VANBAN
from corpus.generate import render_pages, write_image
from pipeline.document import Page
from pipeline.run.runs import RunId, this_run
from pipeline.run.store import CLAIM_STALE_S, Store

N_PAGES = 4


def _dead_run() -> RunId:
    proc = subprocess.Popen(["true"])
    proc.wait()
    me = this_run()
    return RunId(me.host, proc.pid, me.started)


def test_claims_keep_a_page_to_one_live_run(tmp_path, monkeypatch):
    me, dead = this_run(), _dead_run()
    other = RunId(me.host, me.pid, me.started + 0.5)  # alive (this very process), not the same run
    with Store(tmp_path / "v.sqlite") as store:
        assert store.claim_page("sha", 1, "ocr", other) == "claimed"
        assert store.claim_page("sha", 1, "ocr", me) == "busy"
        assert store.claim_page("sha", 1, "ocr", other) == "claimed"  # its own claim
        store.cache_page("sha", "ocr", Page(1, "trang một", "ocr"))
        assert store.claim_page("sha", 1, "ocr", me) == "cached"
        assert store.cached_page("sha", 1, "ocr").text == "trang một"

        assert store.claim_page("sha", 2, "ocr", dead) == "claimed"
        assert store.claim_page("sha", 2, "ocr", me) == "claimed"  # its run was killed: taken over
        assert store.claim_page("sha", 2, "ocr", other) == "busy"
        store.release_claims(me, "sha", 2)  # a page that failed: others may try it
        assert store.claim_page("sha", 2, "ocr", other) == "claimed"

        assert store.claim_page("sha", 3, "ocr", other) == "claimed"
        monkeypatch.setattr(time, "time", lambda: CLAIM_STALE_S + 10 ** 10)
        assert store.claim_page("sha", 3, "ocr", me) == "claimed"  # too old: taken over
        store.release_claims(me)
        store.release_claims(other)
        assert store.conn.execute("SELECT COUNT(*) FROM page_claims").fetchone()[0] == 0


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_two_concurrent_runs_read_every_page_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(N_PAGES):
        write_image(render_pages(SHORT_TEXT, dpi=300, seed=60 + i)[0], folder / f"page{i}.png")
    out = tmp_path / "out"
    logs = [tmp_path / f"run{i}.jsonl" for i in (1, 2)]
    procs = [subprocess.Popen([VANBAN, "run", str(folder), "--out", str(out), "--workers", "1",
                               "--log", str(log)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for log in logs]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, stderr) in zip(procs, outputs):
        assert proc.returncode == 0, stderr

    runs = [_events(log) for log in logs]
    # Both were at work at once (else this test would prove nothing): each read its inputs'
    # plan before the other's summary.
    first, second = ([e["time"] for e in events if e["event"] in ("started", "summary")] for events in runs)
    assert first[0] < second[1] and second[0] < first[1], (first, second)

    summaries = [events[-1] for events in runs]
    assert sum(s["pages_read"] for s in summaries) == N_PAGES, summaries
    read = [(e["path"], e["page"]) for events in runs for e in events if e["event"] == "page_done"]
    assert len(read) == len(set(read)) == N_PAGES
    assert all(s["failed"] == [] for s in summaries)

    conn = sqlite3.connect(out / "vanban.sqlite")
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM documents ORDER BY name")]
        assert names == [f"page{i}.png" for i in range(N_PAGES)]
        assert conn.execute("SELECT COUNT(*) FROM pages WHERE source = 'ocr' AND length(text) > 100"
                            ).fetchone()[0] == N_PAGES
        assert conn.execute("SELECT COUNT(*) FROM page_claims").fetchone()[0] == 0
    finally:
        conn.close()


def _open_store(path: str, barrier) -> None:
    barrier.wait()
    try:
        with Store(Path(path)) as store:
            store.claim_page("sha", 1, "ocr", this_run())
    except Exception:  # noqa: BLE001 - the exit code tells the test
        os._exit(1)
    os._exit(0)


def test_two_runs_creating_one_store_at_once(tmp_path):
    """Switching a new store to WAL takes a lock SQLite does not wait for: both must succeed."""
    ctx = multiprocessing.get_context("fork")
    for i in range(20):
        barrier = ctx.Barrier(2)
        procs = [ctx.Process(target=_open_store, args=(str(tmp_path / f"{i}.sqlite"), barrier))
                 for _ in range(2)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=120)
        assert [proc.exitcode for proc in procs] == [0, 0], f"attempt {i}"
