"""run_batch: incremental re-runs, the OCR page cache, parallel pages, bad inputs, the event log."""
from __future__ import annotations

import json
import os
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import SHORT_TEXT, db_rows, seed_text
from corpus.generate import render_pages, write_image, write_pdf
from pipeline.run.batch import run_batch
from pipeline.io.legacy import TCVN3_TO_UNICODE
from pipeline.options import RasterSettings
from pipeline.restore.restorer import Restorer, RestorerOptions
from pipeline.run.process import Settings, mend_page
from pipeline.run.workers import LocalPool, PageOutcome, PageTask, run_page


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def two_page_batch(tmp_path_factory, short_scan_pages) -> Path:
    """A two-page PDF and a one-page PNG of different content, plus a text dump."""
    folder = tmp_path_factory.mktemp("two_page_batch")
    other = render_pages(SHORT_TEXT, dpi=300, seed=5)
    write_pdf([short_scan_pages[0], other[0]], folder / "two.pdf", 300)
    write_image(render_pages(SHORT_TEXT, dpi=300, seed=9)[0], folder / "one.png")
    (folder / "dump.txt").write_text(seed_text("003"), encoding="utf-8")
    return folder


def test_parallel_run_stores_every_page_and_logs_json_lines(tmp_path, two_page_batch):
    out, log = tmp_path / "out", tmp_path / "run.jsonl"
    summary = run_batch([two_page_batch], out, workers=2, log_path=log)
    assert not summary.failed and len(summary.processed) == 3
    assert summary.pages == 4 and summary.pages_read == 3 and summary.pages_cached == 0
    db = out / "vanban.sqlite"
    assert db_rows(db, "SELECT d.name, p.number, p.source FROM pages p JOIN documents d "
                     "ON d.id = p.document_id ORDER BY d.name, p.number") == [
        ("dump.txt", 1, "text"), ("one.png", 1, "ocr"), ("two.pdf", 1, "ocr"), ("two.pdf", 2, "ocr")]
    assert db_rows(db, "SELECT COUNT(*) FROM page_cache") == [(3,)]
    events = _events(log)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "summary"
    assert kinds.count("page_done") == 3 and kinds.count("document_done") == 3
    assert len({e["worker"] for e in events if e["event"] == "page_done"}) >= 1
    assert events[-1]["documents"] == 3 and events[-1]["failed"] == []


def test_rerun_skips_unchanged_and_force_redoes_everything(tmp_path, two_page_batch):
    out = tmp_path / "out"
    run_batch([two_page_batch], out, workers=1)
    stamp = db_rows(out / "vanban.sqlite", "SELECT path, processed_at, id FROM documents ORDER BY path")
    again = run_batch([two_page_batch], out, workers=1)
    assert again.unchanged == 3 and not again.processed and again.pages_read == 0
    assert db_rows(out / "vanban.sqlite", "SELECT path, processed_at, id FROM documents ORDER BY path") == stamp
    forced = run_batch([two_page_batch], out, workers=1, force=True)
    assert len(forced.processed) == 3 and forced.pages_read == 3 and forced.pages_cached == 0
    assert db_rows(out / "vanban.sqlite", "SELECT COUNT(*) FROM documents") == [(3,)]
    assert db_rows(out / "vanban.sqlite", "SELECT COUNT(*) FROM pages") == [(4,)]


def test_a_changed_file_is_redone_and_only_its_new_pages_are_read(tmp_path, two_page_batch,
                                                                    short_scan_pages):
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("two.pdf", "one.png"):
        (folder / name).write_bytes((two_page_batch / name).read_bytes())
    out = tmp_path / "out"
    run_batch([folder], out, workers=1)
    write_pdf([short_scan_pages[0]], folder / "two.pdf", 300)  # new content, one page
    summary = run_batch([folder], out, workers=1)
    assert [r.path.name for r in summary.processed] == ["two.pdf"] and summary.unchanged == 1
    assert summary.pages_read == 1
    assert db_rows(out / "vanban.sqlite", "SELECT n_pages FROM documents WHERE name = 'two.pdf'") == [(1,)]


def test_changing_extraction_settings_re_extracts_from_cached_ocr(tmp_path, two_page_batch):
    out = tmp_path / "out"
    first = run_batch([two_page_batch], out, Settings(restore=True), workers=1)
    assert first.pages_read == 3
    second = run_batch([two_page_batch], out, Settings(restore=False), workers=1)
    assert len(second.processed) == 3 and second.unchanged == 0
    assert second.pages_read == 0 and second.pages_cached == 3  # no Tesseract this time
    keys = {k for (k,) in db_rows(out / "vanban.sqlite", "SELECT pipeline_key FROM documents")}
    assert keys == {Settings(restore=False).key()}


def test_a_new_user_lm_re_restores_from_cached_ocr(tmp_path, two_page_batch, monkeypatch):
    """`vanban train-lm` changes what restoration gives, so the next run redoes every document,
    from its cached OCR pages (no Tesseract), and a run after that skips them again."""
    from pipeline.restore.lm import train_lm

    out = tmp_path / "out"
    monkeypatch.setenv("VANBAN_USER_LM", str(tmp_path / "none_yet.npz"))
    run_batch([two_page_batch], out, workers=1)
    archive = tmp_path / "archive.txt"
    archive.write_text("Ủy ban nhân dân tỉnh giao Sở Tài chính chủ trì thực hiện kế hoạch.\n",
                       encoding="utf-8")
    monkeypatch.setenv("VANBAN_USER_LM", str(train_lm([archive], tmp_path / "user.npz")))
    second = run_batch([two_page_batch], out, workers=1)
    assert len(second.processed) == 3 and second.pages_read == 0 and second.pages_cached == 3
    third = run_batch([two_page_batch], out, workers=1)
    assert third.unchanged == 3 and not third.processed


def test_identical_files_are_read_once(tmp_path, short_scan_pages):
    folder = tmp_path / "dups"
    folder.mkdir()
    write_pdf(short_scan_pages, folder / "a.pdf", 300)
    (folder / "b.pdf").write_bytes((folder / "a.pdf").read_bytes())
    summary = run_batch([folder], tmp_path / "out", workers=2)
    assert len(summary.processed) == 1 and summary.pages_read == 1  # one content: one document
    assert db_rows(tmp_path / "out" / "vanban.sqlite", "SELECT COUNT(*) FROM pages") == [(1,)]
    assert db_rows(tmp_path / "out" / "vanban.sqlite", "SELECT COUNT(*) FROM files") == [(2,)]


def test_workers_read_pages_the_same_as_one_process(tmp_path, two_page_batch):
    one = run_batch([two_page_batch], tmp_path / "one", workers=1)
    two = run_batch([two_page_batch], tmp_path / "two", workers=2)
    assert one.pages_read == two.pages_read == 3
    sql = "SELECT d.name, p.number, p.text FROM pages p JOIN documents d ON d.id = p.document_id ORDER BY 1, 2"
    assert db_rows(tmp_path / "one" / "vanban.sqlite", sql) == db_rows(tmp_path / "two" / "vanban.sqlite", sql)


def test_run_page_returns_a_reason_instead_of_raising(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing else")
    outcome = run_page(PageTask(str(bad), "pdf", 1, "x"), Settings())
    assert outcome.page is None and "corrupt PDF" in outcome.error and "\n" not in outcome.error


class _DyingPool(LocalPool):
    """A real pool whose worker dies (os._exit, as the OOM killer would) on one chosen page."""

    def __init__(self, workers, die_on: str):
        super().__init__(workers)
        self.die_on = die_on

    def submit(self, task, settings, keep_images):
        if Path(task.path).name == self.die_on:
            return self._pool.submit(os._exit, 9)
        return super().submit(task, settings, keep_images)


def test_a_page_that_kills_its_worker_fails_only_its_document(tmp_path, two_page_batch):
    pool = _DyingPool(2, "one.png")
    try:
        summary = run_batch([two_page_batch], tmp_path / "out", pool=pool)
    finally:
        pool.close()
    assert [(p.name, why) for p, why in summary.failed] == [
        ("one.png", "page 1: the worker process died reading it (killed or out of memory)")]
    assert sorted(r.path.name for r in summary.processed) == ["dump.txt", "two.pdf"]
    assert db_rows(tmp_path / "out" / "vanban.sqlite", "SELECT path FROM failures") == [
        (str(two_page_batch / "one.png"),)]


# ------------------------------------------------------------------ bad inputs


def _minimal_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A syntactically valid PDF with these objects (1 = catalog), with a correct xref."""
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer, xref)
    return out


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def zero_page_pdf() -> bytes:
    return _minimal_pdf([_CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"])


def encrypted_pdf() -> bytes:
    """Standard security handler with a user password (the O/U hashes of no empty password)."""
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"
    return _minimal_pdf(
        [_CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", encrypt],
        b"/Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] ")


def poster_pdf() -> bytes:
    """One 200 x 200 inch page: 3.6 billion pixels at 300 DPI."""
    return _minimal_pdf([_CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] >>"])


def to_tcvn3(text: str) -> bytes:
    """Encode Vietnamese as a .VnTime (TCVN3) font document stores it."""
    inverse = {v: k for k, v in TCVN3_TO_UNICODE.items()}
    return "".join(inverse.get(c, c) for c in unicodedata.normalize("NFC", text)).encode("latin-1")


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory, short_scan_pages) -> Path:
    """Every kind of bad input next to one good scan."""
    folder = tmp_path_factory.mktemp("bad_batch")
    good = write_pdf(short_scan_pages, folder / "good.pdf", 300)
    (folder / "truncated.pdf").write_bytes(good.read_bytes()[:300])
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage")
    (folder / "zero_pages.pdf").write_bytes(zero_page_pdf())
    (folder / "encrypted.pdf").write_bytes(encrypted_pdf())
    (folder / "poster.pdf").write_bytes(poster_pdf())
    (folder / "not_an_image.png").write_bytes(b"This is a note, not a picture.\n" * 20)
    small = short_scan_pages[0].image.resize((620, 877))
    png = write_image(small, folder / "cut.png").read_bytes()
    (folder / "cut.png").write_bytes(png[: len(png) // 3])
    # 4000x3000 = 12 Mpx: "huge" once the cap is lowered to 10 Mpx for the test (an A4 page
    # at 300 DPI is 8.7 Mpx); a blank image keeps the file small and quick to write.
    write_image(Image.new("L", (4000, 3000), 255), folder / "huge.png")
    (folder / "empty.txt").write_bytes(b"")
    text = "\n".join(seed_text("003").split("\n")[:15])
    (folder / "utf16.txt").write_bytes(text.encode("utf-16"))
    (folder / "tcvn3.txt").write_bytes(to_tcvn3(text))
    return folder


EXPECTED_REASONS = {
    "truncated.pdf": "corrupt PDF",
    "corrupt.pdf": "corrupt PDF",
    "zero_pages.pdf": "PDF has no pages",
    "encrypted.pdf": "encrypted PDF (password required)",
    "poster.pdf": "page 1 too large",
    "not_an_image.png": "corrupt image: not a image file (bad header)",
    "cut.png": "corrupt image",
    "huge.png": "image too large",
    "empty.txt": "empty file",
}


def test_bad_inputs_never_stop_the_batch_and_each_gets_a_reason(tmp_path, bad_batch):
    log = tmp_path / "bad.jsonl"
    settings = Settings(raster=RasterSettings(max_pixels=10_000_000))
    summary = run_batch([bad_batch], tmp_path / "out", settings, workers=2, log_path=log)
    failed = {p.name: why for p, why in summary.failed}
    assert set(failed) == set(EXPECTED_REASONS), (set(failed) ^ set(EXPECTED_REASONS), failed)
    for name, reason in EXPECTED_REASONS.items():
        assert reason in failed[name], (name, failed[name])
        assert "\n" not in failed[name]
    assert sorted(r.path.name for r in summary.processed) == ["good.pdf", "tcvn3.txt", "utf16.txt"]
    db = tmp_path / "out" / "vanban.sqlite"
    stored = dict(db_rows(db, "SELECT path, reason FROM failures"))
    assert {Path(p).name for p in stored} == set(EXPECTED_REASONS)
    assert {Path(p).name: r for p, r in stored.items()} == failed
    logged = {Path(e["path"]).name for e in _events(log) if e["event"] == "failed"}
    assert logged == set(EXPECTED_REASONS)
    tcvn3 = db_rows(db, "SELECT p.text FROM pages p JOIN documents d ON d.id = p.document_id "
                      "WHERE d.name = 'tcvn3.txt'")[0][0]
    assert "Chương trình mỗi xã một sản phẩm" in tcvn3
    assert tcvn3 == db_rows(db, "SELECT p.text FROM pages p JOIN documents d ON d.id = p.document_id "
                              "WHERE d.name = 'utf16.txt'")[0][0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_an_unreadable_file_is_reported(tmp_path):
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(b"%PDF-1.4\n")
    locked.chmod(0)
    try:
        summary = run_batch([tmp_path], tmp_path / "out", workers=1)
    finally:
        locked.chmod(0o644)
    assert [(p.name, why) for p, why in summary.failed] == [
        ("locked.pdf", "unreadable file (Permission denied)")]


def test_page_outcome_is_a_plain_picklable_value(short_scan_pages, tmp_path):
    import pickle

    pdf = write_pdf(short_scan_pages, tmp_path / "p.pdf", 300)
    options = RestorerOptions.find()
    outcome = run_page(PageTask(str(pdf), "pdf", 1, "sha", restorer=options), Settings())
    again = pickle.loads(pickle.dumps(outcome))
    assert isinstance(again, PageOutcome) and again.page.text == outcome.page.text
    assert again.page.words and again.worker_peak_mb > 0
    # The worker also mends the page's marks (restore stage, per page), as the parent would.
    assert again.mended is not None and again.mended == mend_page(outcome.page, Restorer(options))
    assert run_page(PageTask(str(pdf), "pdf", 1, "sha", restorer=options), Settings(restore=False)).mended is None
    assert run_page(PageTask(str(pdf), "pdf", 1, "sha"), Settings()).mended is None  # no restorer given


def test_worker_mended_text_is_what_the_document_keeps(short_scan_pages, tmp_path):
    """The parent uses the workers' mended pages: stored text equals a sequential run's."""
    from pipeline.run.process import process_file

    folder = tmp_path / "in"
    folder.mkdir()
    pdf = write_pdf(short_scan_pages, folder / "p.pdf", 300)
    run_batch([folder], tmp_path / "out", workers=1)
    conn = sqlite3.connect(tmp_path / "out" / "vanban.sqlite")
    stored = "\n".join(r[0] for r in conn.execute("SELECT text FROM pages ORDER BY number"))
    assert stored == process_file(pdf, Restorer(RestorerOptions.find()))[0].text


def test_a_crash_in_extraction_fails_that_document_only(tmp_path, monkeypatch):
    import pipeline.run.batch as batch

    for name in ("a.txt", "b.txt"):  # two contents (copies would be one document)
        (tmp_path / name).write_text(seed_text("003") + f"\nBản {name}.", encoding="utf-8")
    real = batch.finish_document

    def flaky(doc, restorer, settings, mended=None):
        if doc.name == "a.txt":
            raise KeyError("no such agency")
        return real(doc, restorer, settings, mended)

    monkeypatch.setattr(batch, "finish_document", flaky)
    summary = run_batch([tmp_path], tmp_path / "out")
    assert [r.path.name for r in summary.processed] == ["b.txt"]
    assert [(p.name, why) for p, why in summary.failed] == [
        ("a.txt", "internal error in restoration/extraction (KeyError: 'no such agency')")]


def test_progress_counts_the_pages_to_ocr_only(tmp_path, monkeypatch, short_scan_pages):
    """Text files and cached pages are not pages to OCR: counted, they made a run show
    "1637 pages/min" and an ETA that the OCR'd pages then blew."""
    import io

    from rich.console import Console

    import pipeline.run.batch as batch

    bars = []

    class Recorded(batch.Progress):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)

    monkeypatch.setattr(batch, "Progress", Recorded)
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"note{n}.txt").write_text(seed_text("003") + f"\nBản {n}.", encoding="utf-8")
    write_image(short_scan_pages[0], folder / "scan.png")
    console = Console(file=io.StringIO(), width=120)
    summary = run_batch([folder], tmp_path / "out", workers=1, console=console)
    assert len(summary.processed) == 4 and summary.pages_read == 1
    task = bars[0].tasks[0]
    assert (task.completed, task.total) == (1, 1)  # the image's page, not the text files'
    assert "1/1 pages to OCR" in console.file.getvalue()
    again = run_batch([folder], tmp_path / "out", Settings(restore=False), workers=1, console=console)
    assert len(again.processed) == 4 and again.pages_cached == 1  # re-extracted from the cache
    assert (bars[1].tasks[0].completed, bars[1].tasks[0].total) == (0, 0)
