"""A store made by a real `vanban run` of a generated scan, served by a real `vanban serve`.

The scan is the archivist's-outputs page (tests/export/conftest.py: Vietnamese lines drawn at
200 DPI, saved as a PDF), run twice under two names: ``upright.pdf`` stays, ``gone.pdf`` is
deleted after the run (its page view must still show its text and items).  The second file is
the first with a PDF comment after its end: another content (a copy of the same bytes would be
one more path of the same document, pipeline/run/store.py), the same page.
"""
from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import VANBAN
from tests.export.conftest import make_scan


@dataclass
class Served:
    """A running `vanban serve` and what it serves."""

    url: str  # http://127.0.0.1:PORT
    db: Path
    scan: Path  # the file of document `upright`
    ids: dict[str, int]  # file name -> document id

    def get(self, path: str) -> tuple[int, bytes, str]:
        """(status, body, content type) of GET path."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=60) as r:
                return r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers.get("Content-Type", "")

    def json(self, path: str):
        status, body, _ = self.get(path)
        assert status == 200, body[:500]
        return json.loads(body)


def start_serve(db: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """`vanban serve --db DB --port 0`, once it listens: (process, base URL)."""
    proc = subprocess.Popen([VANBAN, "serve", "--db", str(db), "--port", "0", *args], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()  # "serving … at http://127.0.0.1:PORT/ …", printed once the port is bound
    found = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not found:
        proc.kill()
        raise AssertionError(f"vanban serve did not start: {line}{proc.stderr.read()}")
    url = found.group(0)
    deadline = time.monotonic() + 30
    while True:  # the socket is bound before the server accepts: wait for an answer
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=5).close()
            return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="package")
def served(tmp_path_factory):
    from tests.conftest import _has_tesseract_vie

    if not _has_tesseract_vie():
        pytest.skip("tesseract with 'vie' not installed")
    root = tmp_path_factory.mktemp("serve")
    scans = root / "in"
    scans.mkdir()
    scan = make_scan(scans, "upright.pdf", read=False).path
    (scans / "gone.pdf").write_bytes(scan.read_bytes() + b"\n% the same page in another file\n")
    run = subprocess.run([VANBAN, "run", str(scans), "--out", str(root / "out"), "--workers", "1"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    (scans / "gone.pdf").unlink()
    db = root / "out" / "vanban.sqlite"
    proc, url = start_serve(db)
    try:
        served = Served(url, db, scan, {})
        served.ids = {d["name"]: d["id"] for d in served.json("/vanban/documents.json?_shape=array")}
        yield served
    finally:
        stop(proc)
