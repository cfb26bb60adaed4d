"""How faithfully the searchable PDF carries vanban's text: ``pdftotext`` of ``vanban pdf``'s
output against the exact truth and against the text the store holds.

For each page (a generated page with its ``truth/*.gt.txt``, or an annotated real page with the
project's proofread transcription), the page is read by the product as ``vanban run`` reads it
(:func:`corpus.eval_real.read_real_page`'s way: one page, one document), its PDF is written with
:func:`pipeline.export.pdf.write_pdf` (only that page of the file gets the text layer), and

- ``stored``: line CER of the stored page text against the truth,
- ``pdf``: line CER of ``pdftotext -f N -l N`` (its default reading order) against the truth,
- ``pdf_vs_stored``: CER of the pdftotext text against the stored text,

with the line CER of :mod:`corpus.eval_real` (whitespace collapsed, "…"/"...", dashes alike).
Also checks the page's image streams are byte-identical and the file passes the PDF/A-2b check
(:func:`pipeline.export.pdf.pdfa_problems`).

    python -m corpus.pdf_eval --generated corpus/generated [--real ../shared/realscans] [--cache DIR]
"""
from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from corpus.eval_real import _same_marks, load_pages
from corpus.metrics import edit_counts
from pipeline.document import Document
from pipeline.export.pdf import pdfa_problems, write_pdf
from pipeline.export.words import out_page
from pipeline.io.ingest import detect_kind, sha256_of
from pipeline.restore.restorer import Restorer, RestorerOptions
from pipeline.run.process import Settings, finish_document, read_page


def _line_cer(reference: str, hypothesis: str) -> tuple[int, int]:
    return edit_counts(_same_marks(reference), _same_marks(hypothesis), "char")


def _read(scan: Path, number: int, settings: Settings, cache: Path | None):
    kind = detect_kind(scan)
    cached = cache / f"{scan.name}.p{number}.{settings.ocr_key()}.pickle" if cache else None
    if cached is not None and cached.is_file():
        page = pickle.loads(cached.read_bytes())
    else:
        page = read_page(scan, kind, number, settings)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(pickle.dumps(page))
    doc = Document(path=scan, sha256=sha256_of(scan), kind=kind, pages=[replace(page, number=1)])
    restored, _ = finish_document(doc, Restorer(RestorerOptions.find()), settings)
    return kind, page, restored.pages[0].text


def _images(path: Path, number: int) -> dict[str, bytes]:
    """The encoded bytes of the images a page draws directly (the scan), by resource name."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        page = pdf.pages[number - 1]
        images = page.get_images(recursive=False) if hasattr(page, "get_images") else page.images
        return {name: im.read_raw_bytes() for name, im in images.items()}


def evaluate_page(scan: Path, number: int, truth: str, settings: Settings, cache: Path | None,
                  work: Path) -> dict:
    """The figures of one page (see the module docstring)."""
    kind, page, stored = _read(scan, number, settings, cache)
    out = work / f"{scan.stem}.p{number}.pdf"
    row = {"scan": scan.name, "page": number}
    if page.source != "ocr":
        return {**row, "skipped": f"text from its {page.source}"}
    started = time.perf_counter()
    result = write_pdf(scan, kind, [out_page(page, stored)], out)
    row["pdf_seconds"] = round(time.perf_counter() - started, 2)
    def pdftotext(*args):
        return subprocess.run(["pdftotext", *args, "-enc", "UTF-8", "-f", str(number), "-l", str(number),
                               str(out), "-"], capture_output=True, text=True, check=True).stdout

    text, raw = pdftotext(), pdftotext("-raw")
    for name, (ref, hyp) in {"stored": (truth, stored), "pdf": (truth, text), "pdf_vs_stored": (stored, text),
                             "pdf_raw": (truth, raw), "pdf_raw_vs_stored": (stored, raw)}.items():
        errors, length = _line_cer(ref, hyp)
        row[name] = [errors, length]
    if kind == "pdf":
        before, after = _images(scan, number), _images(out, number)
        row["images_identical"] = bool(before) and all(after.get(n) == b for n, b in before.items())
    row["pdfa_problems"] = pdfa_problems(out)
    row["note"] = result.note
    return row


def generated_pages(root: Path) -> list[tuple[Path, int, str]]:
    """(scan, page, truth) of ``corpus.generate`` 's output: ``scans/`` and ``truth/<stem>.gt.txt``
    (pages separated by form feeds)."""
    items = []
    for scan in sorted((root / "scans").iterdir()):
        truth = root / "truth" / f"{scan.stem}.gt.txt"
        if not truth.is_file():
            continue
        for number, text in enumerate(truth.read_text(encoding="utf-8").split("\f"), 1):
            items.append((scan, number, text))
    return items


def summarize(rows: list[dict]) -> dict:
    scored = [r for r in rows if "stored" in r]

    def rate(key):
        errors = sum(r[key][0] for r in scored)
        length = sum(r[key][1] for r in scored)
        return round(errors / length, 5) if length else None

    def mean(key):
        values = [r[key][0] / r[key][1] for r in scored if r[key][1]]
        return round(sum(values) / len(values), 5) if values else None

    return {"pages": len(scored), "skipped": len(rows) - len(scored),
            "cer_stored": rate("stored"), "cer_pdf": rate("pdf"), "cer_pdf_vs_stored": rate("pdf_vs_stored"),
            "cer_pdf_raw": rate("pdf_raw"), "cer_pdf_raw_vs_stored": rate("pdf_raw_vs_stored"),
            "line_cer_stored_mean": mean("stored"), "line_cer_pdf_mean": mean("pdf"),
            "line_cer_pdf_raw_mean": mean("pdf_raw"),
            "max_page_gap": max((abs(r["pdf"][0] - r["stored"][0]) / r["stored"][1]
                                 for r in scored if r["stored"][1]), default=None),
            "max_page_gap_raw": max((abs(r["pdf_raw"][0] - r["stored"][0]) / r["stored"][1]
                                     for r in scored if r["stored"][1]), default=None),
            "images_identical": all(r.get("images_identical", True) for r in scored),
            "pdfa_ok": sum(not r["pdfa_problems"] for r in scored),
            "pdf_seconds": round(sum(r["pdf_seconds"] for r in scored), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus.pdf_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=Path, help="a corpus.generate output folder (scans/, truth/)")
    parser.add_argument("--real", type=Path, help="../shared/realscans (pages with a proofread transcription)")
    parser.add_argument("--cache", type=Path, default=None, help="keep the pages read here (pickles)")
    parser.add_argument("--json", type=Path, default=None, help="write every row here")
    args = parser.parse_args(argv)
    settings = Settings()
    report = {}
    with tempfile.TemporaryDirectory(prefix="vanban-pdf-eval-") as tmp:
        work = Path(tmp)
        if args.generated:
            rows = [evaluate_page(scan, n, truth, settings, args.cache, work)
                    for scan, n, truth in generated_pages(args.generated)]
            report["generated"] = {"summary": summarize(rows), "rows": rows}
        if args.real:
            rows = [evaluate_page(p.scan, p.page, p.transcription, settings, args.cache, work)
                    for p in load_pages(args.real) if p.transcription is not None]
            report["real"] = {"summary": summarize(rows), "rows": rows}
    for name, part in report.items():
        print(name, json.dumps(part["summary"], ensure_ascii=False))
        for r in part["rows"]:
            if r.get("pdfa_problems") or r.get("note") or r.get("images_identical") is False:
                print("  ", r["scan"], r["page"], r.get("note"), r.get("pdfa_problems"), r.get("images_identical"))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
