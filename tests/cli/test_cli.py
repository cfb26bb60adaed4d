"""The command-line contract, run as a user runs it: the installed `vanban` script."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from tests.conftest import SEEDS, SHORT_TEXT, VANBAN, load_gold, seed_text
from corpus.generate import render_pages, write_image, write_pdf
from corpus.metrics import cer, score_extraction


def vanban(*args, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([VANBAN, *map(str, args)], capture_output=True, text=True, input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"vanban {args} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def test_ocr_of_a_generated_300dpi_page_of_003_has_cer_below_one_percent(tmp_path):
    page = render_pages(seed_text("003"), dpi=300, seed=3)[0]
    pdf = write_pdf([page], tmp_path / "003_page1.pdf", 300)
    out = vanban("ocr", pdf).stdout
    assert cer(page.text, out) <= 0.01


def test_ocr_separates_pages_with_a_form_feed_line(tmp_path, short_scan_pages):
    pdf = write_pdf(short_scan_pages * 2, tmp_path / "two.pdf", 300)
    pages = vanban("ocr", pdf).stdout.rstrip("\n").split("\n\f\n")
    assert len(pages) == 2 and pages[0] == pages[1] and pages[0].strip()


def test_ocr_prints_the_text_run_stores_and_raw_the_text_as_read(tmp_path):
    from pipeline.run.store import page_from_blob

    # A moderately degraded scan: Tesseract misreads a mark there that mending puts right ("Phố" -> "Phổ").
    image = write_image(render_pages(SHORT_TEXT, dpi=300, seed=1, level="moderate")[0], tmp_path / "scan.png")
    out = tmp_path / "out"
    vanban("run", image, "--out", out, "--workers", "1")
    conn = sqlite3.connect(out / "vanban.sqlite")
    stored = "\n\f\n".join(t for (t,) in conn.execute(
        "SELECT p.text FROM pages p JOIN documents d ON d.id = p.document_id ORDER BY d.first_page, p.number"))
    read = "\n\f\n".join(page_from_blob(b).text for (b,) in conn.execute("SELECT page FROM page_cache ORDER BY number"))
    assert vanban("ocr", image).stdout == stored + "\n"
    raw = vanban("ocr", "--raw", image).stdout
    assert raw == read + "\n" and raw != stored + "\n"


def test_ocr_reports_a_bad_file_in_one_line(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing else")
    proc = vanban("ocr", bad, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "broken.pdf" in proc.stderr and "corrupt PDF" in proc.stderr


def test_restore_keeps_the_number_of_lines():
    text = (SEEDS / next(p.name for p in SEEDS.glob("001_*.txt"))).read_text(encoding="utf-8")
    out = vanban("restore", "-", input=text).stdout
    assert out.count("\n") == text.count("\n")
    assert out != text  # the garbled dump has lost its diacritics: something must be restored


def test_extract_003_matches_gold_doc_refs_and_dates(shared):
    seed = next((shared / "seeds").glob("003_*.txt"))
    result = json.loads(vanban("extract", seed).stdout)
    scores = score_extraction(result, load_gold(shared, "003"))
    assert scores["doc_refs"]["f1"] >= 0.8, scores["doc_refs"]
    assert scores["dates"]["f1"] >= 0.8, scores["dates"]
    assert result["doc"] == seed.name


def test_extract_reads_a_scanned_pdf(tmp_path, short_scan_pages):
    pdf = write_pdf(short_scan_pages, tmp_path / "scan.pdf", 300)
    result = json.loads(vanban("extract", pdf).stdout)
    assert set(result) >= {"doc", "self", "doc_refs", "dates", "counts", "money"}
    for item in result["dates"] + result["doc_refs"] + result["counts"] + result["money"]:
        assert item["page"] == 1


def test_run_processes_good_files_and_reports_bad_ones(tmp_path, mixed_folder):
    out = tmp_path / "out"
    proc = vanban("run", mixed_folder, "--out", out)
    failed = [ln for ln in proc.stdout.splitlines() if ln.startswith("FAILED")]
    assert len(failed) == 2
    assert any("broken.pdf" in ln and "corrupt PDF" in ln for ln in failed)
    assert any("empty.pdf" in ln and "empty file" in ln for ln in failed)
    conn = sqlite3.connect(out / "vanban.sqlite")
    names = sorted(r[0] for r in conn.execute("SELECT name FROM documents"))
    assert names == ["page.png", "report.txt", "scan.pdf"]
    kinds = dict(conn.execute("SELECT name, kind FROM documents"))
    assert kinds == {"page.png": "image", "report.txt": "text", "scan.pdf": "pdf"}
    assert conn.execute("SELECT COUNT(*) FROM words w JOIN documents d ON d.id = w.document_id "
                        "WHERE d.name = 'scan.pdf'").fetchone()[0] > 50
    assert conn.execute("SELECT COUNT(*) FROM doc_refs").fetchone()[0] > 5
    assert sorted(r[0] for r in conn.execute("SELECT path FROM failures")) == [
        str(mixed_folder / "broken.pdf"), str(mixed_folder / "empty.pdf")]
    for table in ("documents", "pages", "doc_refs", "dates", "counts", "money"):
        assert (out / "tables" / f"{table}.csv").is_file()
        assert (out / "tables" / f"{table}.parquet").is_file()

    # A re-run skips the unchanged files and loses nothing.
    again = vanban("run", mixed_folder, "--out", out)
    assert again.stdout.count("unchanged since the last run") == 3
    assert sorted(r[0] for r in sqlite3.connect(out / "vanban.sqlite").execute(
        "SELECT name FROM documents")) == names


def test_run_exits_non_zero_when_nothing_could_be_processed(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bad.pdf").write_bytes(b"junk")
    proc = vanban("run", tmp_path, "--out", tmp_path / "out", check=False)
    assert proc.returncode == 1
    assert proc.stdout.count("FAILED") == 2


def test_run_refuses_text_that_is_not_vietnamese(tmp_path):
    (tmp_path / "english.txt").write_text(
        "The committee approved the annual budget and asked every department "
        "to report its spending before the end of the fiscal year.\n" * 3)
    proc = vanban("run", tmp_path, "--out", tmp_path / "out", check=False)
    assert proc.returncode == 1
    assert "not Vietnamese text" in proc.stdout


def test_run_options_and_json_lines_log(tmp_path, short_scan_pages):
    from corpus.generate import write_image

    folder = tmp_path / "in"
    folder.mkdir()
    write_image(short_scan_pages[0], folder / "page.png")
    (folder / "notes.txt").write_text(seed_text("003"), encoding="utf-8")
    out, log = tmp_path / "out", tmp_path / "run.jsonl"
    proc = vanban("run", folder, "--out", out, "--workers", "1", "--log", log,
                  "--keep-images", tmp_path / "pages")
    assert "2 documents, 2 pages processed, 0 skipped, 0 failed" in proc.stdout
    assert "pages read: 1 by 1 local worker" in proc.stdout
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["event"] for e in events][0] == "started" and events[-1]["event"] == "summary"
    assert {"page_done", "document_done"} <= {e["event"] for e in events}
    assert len(list((tmp_path / "pages").glob("*-p0001.png"))) == 1

    # The same run again appends to the log: both files skipped, with the reason.
    vanban("run", folder, "--out", out, "--log", log)
    again = [json.loads(line) for line in log.read_text().splitlines()][len(events):]
    assert [e["reason"] for e in again if e["event"] == "skipped"] == ["unchanged since the last run"] * 2
    assert again[-1]["unchanged"] == 2 and again[-1]["documents"] == 0


def test_run_max_pixels_refuses_large_pages_with_a_reason(tmp_path, short_scan_pages):
    from corpus.generate import write_image

    write_image(short_scan_pages[0], tmp_path / "page.png")
    proc = vanban("run", tmp_path / "page.png", "--out", tmp_path / "out", "--max-pixels", "1000000",
                  check=False)
    assert proc.returncode == 1
    assert "FAILED" in proc.stdout and "image too large (2480x3508 = 8,699,840 pixels, cap 1,000,000)" \
        in proc.stdout


def test_the_product_never_imports_the_evaluation():
    code = ("import pkgutil, importlib, sys, pipeline\n"
            "for m in pkgutil.walk_packages(pipeline.__path__, 'pipeline.'):\n"
            "    if m.name != 'pipeline.__main__':\n"
            "        importlib.import_module(m.name)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] == 'corpus'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_eval_is_listed_and_imported_by_name_from_the_checkout():
    from click.testing import CliRunner

    from pipeline.cli.main import main

    listing = CliRunner().invoke(main, ["--help"])
    assert listing.exit_code == 0 and "eval " in listing.output
    usage = CliRunner().invoke(main, ["eval", "--help"])
    assert usage.exit_code == 0 and "--real DIRECTORY" in usage.output


def test_eval_outside_a_checkout_is_one_line(monkeypatch):
    from click.testing import CliRunner

    import pipeline.cli.main as cli

    monkeypatch.setattr(cli, "_checkout_commands", lambda: {"eval": "no_such_package.cli_eval:eval_command"})
    result = CliRunner().invoke(cli.main, ["eval", "--real", "somewhere"])
    assert result.exit_code == 2
    assert "needs the project's checkout" in result.output
    assert len(result.output.strip().splitlines()) == 1
