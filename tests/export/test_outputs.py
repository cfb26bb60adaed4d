"""`vanban run … --pdf --alto --hocr` and `vanban pdf`: outputs written as documents are saved,
from the store for unchanged files, a failure one warning line with the store unaffected."""
from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from corpus.metrics import cer
from pipeline.export import outputs
from pipeline.export.files import output_stem
from pipeline.export.pdf import pdfa_problems
from pipeline.run.batch import run_batch
from tests.conftest import VANBAN
from tests.export.conftest import SETTINGS, make_scan


def _stored_texts(out) -> dict[str, str]:
    with sqlite3.connect(out / "vanban.sqlite") as db:
        rows = db.execute("SELECT d.name, p.text FROM documents d JOIN pages p ON p.document_id = d.id "
                          "ORDER BY d.name, p.number").fetchall()
    texts: dict[str, list[str]] = {}
    for name, text in rows:
        texts.setdefault(name, []).append(text)
    return {name: "\n".join(t) for name, t in texts.items()}


def _pdftotext(path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    from tests.conftest import _has_tesseract_vie

    if not _has_tesseract_vie():
        pytest.skip("tesseract with 'vie' not installed")
    folder = tmp_path_factory.mktemp("run-inputs")
    make_scan(folder, "công văn.png", read=False)
    make_scan(folder, "báo cáo.pdf", turn=90, read=False)
    (folder / "ghi chú.txt").write_text("Ủy ban nhân dân tỉnh Quảng Ngãi đề nghị các sở thực hiện.\n",
                                        encoding="utf-8")
    return folder


def test_run_writes_pdf_alto_hocr_per_scanned_file(inputs, tmp_path):
    out = tmp_path / "out"
    summary = run_batch([inputs], out, SETTINGS, workers=1,
                        exports=outputs.requested(out, pdf=True, alto=True, hocr=True))
    assert not summary.failed
    stored = _stored_texts(out)
    for name in ("công văn.png", "báo cáo.pdf"):
        stem = output_stem(name)
        pdf, alto, hocr = out / "pdf" / f"{stem}.pdf", out / "alto" / f"{stem}.xml", out / "hocr" / f"{stem}.hocr"
        assert pdf.is_file() and alto.is_file() and hocr.is_file()
        assert cer(stored[name], _pdftotext(pdf)) <= 0.001
        assert pdfa_problems(pdf) == []
    assert not (out / "pdf" / "ghi chú.pdf").exists()  # a text file is not a scan: no outputs

    # unchanged on the next run: nothing is redone, a missing output is written from the store
    (out / "pdf" / "công văn.pdf").unlink()
    (out / "alto" / "báo cáo.xml").unlink()
    before = (out / "hocr" / "công văn.hocr").stat().st_mtime_ns
    again = run_batch([inputs], out, SETTINGS, workers=1,
                      exports=outputs.requested(out, pdf=True, alto=True, hocr=True))
    assert again.unchanged == 3 and not again.processed
    assert cer(stored["công văn.png"], _pdftotext(out / "pdf" / "công văn.pdf")) <= 0.001
    assert (out / "alto" / "báo cáo.xml").is_file()
    assert (out / "hocr" / "công văn.hocr").stat().st_mtime_ns == before  # present: not rewritten


def test_a_pdf_that_cannot_be_written_is_one_warning_and_the_store_is_kept(inputs, tmp_path, caplog):
    out = tmp_path / "out"
    out.mkdir()
    (out / "pdf").write_text("a file where the pdf folder would be")
    with caplog.at_level(logging.WARNING):
        summary = run_batch([inputs], out, SETTINGS, workers=1, exports=outputs.requested(out, pdf=True))
    assert not summary.failed and len(summary.processed) == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING
                and r.name.startswith("pipeline.export")]
    assert len(warnings) == 2 and all(w.startswith("could not write ") and "\n" not in w for w in warnings)
    assert any("công văn.pdf" in w for w in warnings)
    assert set(_stored_texts(out)) == {"công văn.png", "báo cáo.pdf", "ghi chú.txt"}


def test_no_outputs_unless_asked(inputs, tmp_path):
    out = tmp_path / "out"
    run_batch([inputs / "công văn.png"], out, SETTINGS, workers=1)
    assert not any((out / folder).exists() for folder in ("pdf", "alto", "hocr"))


def test_vanban_pdf_and_run_pdf_on_the_command_line(inputs, tmp_path):
    scan = inputs / "công văn.png"
    target = tmp_path / "searchable.pdf"
    proc = subprocess.run([VANBAN, "pdf", str(scan), str(target), "--alto", str(tmp_path / "a.xml"),
                           "--hocr", str(tmp_path / "a.hocr")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "PDF/A-2b" in proc.stdout and target.is_file()
    assert (tmp_path / "a.xml").is_file() and (tmp_path / "a.hocr").is_file()
    again = subprocess.run([VANBAN, "pdf", str(target), str(tmp_path / "copy.pdf")], capture_output=True, text=True)
    assert again.returncode == 0 and "copied unchanged" in again.stdout
    assert (tmp_path / "copy.pdf").read_bytes() == target.read_bytes()
    missing = subprocess.run([VANBAN, "pdf", str(tmp_path / "nope.png"), str(tmp_path / "x.pdf")],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and missing.stderr.strip().count("\n") == 0

    out = tmp_path / "out"
    run = subprocess.run([VANBAN, "run", str(scan), "--out", str(out), "--workers", "1", "--pdf"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (out / "pdf" / "công văn.pdf").is_file() and not (out / "alto").exists()

    # a PDF that cannot be written: its warning reaches the terminal (OCRmyPDF's output check
    # once left sys.stderr on a StringIO, and every later line of the run vanished)
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "pdf").write_text("not a folder")
    run = subprocess.run([VANBAN, "run", str(scan), str(inputs / "báo cáo.pdf"), "--out", str(blocked),
                          "--workers", "1", "--pdf"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "300"})
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("could not write") == 2 and "công văn.pdf" in run.stderr
    assert "2 documents" in run.stdout


def test_output_names_are_the_file_names_without_extension():
    assert output_stem("004_scan.pdf") == "004_scan"
    assert output_stem("file.pdf#2") == "file#2"
    assert output_stem("Quyết định 12.png") == "Quyết định 12"
    req = outputs.Requested(Path("/out"), pdf=True, alto=True)
    assert req.targets(Path("/in/a.png"), "a.png") == {"pdf": Path("/out/pdf/a.pdf"), "alto": Path("/out/alto/a.xml")}
    assert req.targets(Path("/in/a.png"), "a.png")["pdf"] == Path("/out/pdf/a.pdf")  # the same file again
    assert req.targets(Path("/in/a.pdf"), "a.pdf")["pdf"] == Path("/out/pdf/a_pdf.pdf")  # another file, same stem


def test_vanban_pdf_refuses_a_text_file(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("Ủy ban nhân dân tỉnh Quảng Ngãi.\n", encoding="utf-8")
    proc = subprocess.run([VANBAN, "pdf", str(text), str(tmp_path / "a.pdf")], capture_output=True, text=True)
    assert proc.returncode == 2 and "text file" in proc.stderr and proc.stderr.strip().count("\n") == 0
