"""`vanban eval`: measure every stage against exact ground truth.

Three questions, one table each:

1. OCR — on the generated scanned corpus (``corpus.evalset``), per degradation
   level: CER/WER of raw Tesseract on the page image as scanned, of vanban's
   cleanup + OCR, and of that text after diacritic restoration; pages/min.
2. Restoration — word accuracy on the real garbled dump 001 against its
   hand-restored gold, and on 003/004 with every diacritic stripped; with
   ``--archive`` again with an LM trained on that archive (``vanban train-lm``).
3. Extraction — precision/recall/F1 per field on the seed texts against
   ../shared/gold, and on the generated documents through OCR + restoration.
4. Annex tables — ruled "Phụ lục" tables (``corpus.annex_pages``) scanned at
   each level: tables found, grid shape, cells read exactly, cell CER.

Error rates are micro-averaged (total edits / total reference length).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytesseract

from corpus.degrade import EVAL_LEVELS
from corpus.metrics import calibration, edit_counts, item_outcomes, prf, score_extraction, score_header
from pipeline.document import MENTION_FIELDS, Document, InputError, Page
from pipeline.run.process import Settings, extract_document, read_document, restore_document
from pipeline.restore.restorer import Restorer, RestorerOptions
from pipeline.script import strip_diacritics

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "corpus" / "seeds"
DEFAULT_SHARED = Path(os.environ.get("VANBAN_SHARED", REPO.parent / "shared"))
STAGES = ("raw", "ocr", "restored")  # raw Tesseract, cleanup+OCR, after restoration
ANNEX_PAGES = 2  # generated annex pages per level (about 10 s of one core each)
ANNEX_ROWS = 10  # body rows of each annex table (55 cells with the header)


@dataclass
class ErrorTally:
    """Edit counts summed over pages, so rates are micro-averages."""

    char_errors: int = 0
    chars: int = 0
    word_errors: int = 0
    words: int = 0

    def add(self, reference: str, hypothesis: str) -> None:
        """Count the edits that turn ``hypothesis`` into ``reference``."""
        ce, cn = edit_counts(reference, hypothesis, "char")
        we, wn = edit_counts(reference, hypothesis, "word")
        self.char_errors += ce
        self.chars += cn
        self.word_errors += we
        self.words += wn

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else 0.0

    @property
    def wer(self) -> float:
        return self.word_errors / self.words if self.words else 0.0


@dataclass
class FieldTally:
    """True/false positives and negatives per extraction field, summed over documents."""

    counts: dict = field(default_factory=lambda: {f: [0, 0, 0] for f in MENTION_FIELDS})
    header_right: int = 0
    header_total: int = 0
    outcomes: list = field(default_factory=list)  # (confidence, right) of every predicted item

    def add(self, predicted: dict, gold: dict) -> None:
        """Score one document's extraction against its gold answer."""
        self.outcomes += [(item["confidence"], right) for _, item, right in item_outcomes(predicted, gold)
                          if "confidence" in item]
        for name, score in score_extraction(predicted, gold).items():
            tally = self.counts[name]
            tally[0] += score["tp"]
            tally[1] += score["fp"]
            tally[2] += score["fn"]
        header = score_header(predicted.get("self", {}), gold.get("self", {}))
        self.header_right += sum(header.values())
        self.header_total += len(header)

    def scores(self) -> dict:
        """P/R/F1 per field, the share of header fields right, and the items' calibration table
        (confidence bin -> share right, :func:`corpus.metrics.calibration`)."""
        out: dict = {name: prf(*tally) for name, tally in self.counts.items()}
        out["header"] = {"accuracy": self.header_right / self.header_total if self.header_total else None}
        out["calibration"] = calibration(self.outcomes)
        return out


def ocrmypdf_available() -> bool:
    """OCRmyPDF (a comparison column only, never a dependency) is on PATH and not switched off
    with ``VANBAN_EVAL_OCRMYPDF=0``; its --clean needs unpaper, its text needs pdftotext."""
    if os.environ.get("VANBAN_EVAL_OCRMYPDF", "1") == "0":
        return False
    return all(shutil.which(tool) for tool in ("ocrmypdf", "unpaper", "pdftotext"))


def _ocrmypdf_text(image_path: str, dpi: int) -> str:
    """Text of OCRmyPDF with its own cleanup (--rotate-pages --deskew --clean) on one page image."""
    with tempfile.TemporaryDirectory(prefix="vanban-ocrmypdf-") as tmp:
        out = Path(tmp) / "out.pdf"
        cmd = ["ocrmypdf", "-q", "-l", "vie", "--rotate-pages", "--deskew", "--clean",
               "--image-dpi", str(dpi), "--jobs", "1", "--optimize", "0", "--output-type", "pdf",
               image_path, str(out)]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        if done.returncode != 0 or not out.is_file():
            return ""  # counted as all errors, like a page vanban cannot read
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True,
                              text=True, timeout=120)
        return text.stdout.replace("\f", "")


def _ocr_both(image_path: str, dpi: int, with_ocrmypdf: bool = False) -> dict:
    """Raw Tesseract and vanban cleanup+OCR on one page image (runs in a worker process).

    Both run single-threaded: the vanban CLI set OMP_THREAD_LIMIT=1 (pipeline/io/tools.py).
    """
    start = time.perf_counter()
    raw = pytesseract.image_to_string(image_path, lang="vie")
    raw_s = time.perf_counter() - start
    start = time.perf_counter()
    try:
        read = read_document(Path(image_path), Settings()).pages[0]
    except InputError:
        read = None  # nothing readable: every reference character counts as an error
    result = {"raw": raw, "ocr": read.text if read else "", "page": read, "raw_s": raw_s,
              "ocr_s": time.perf_counter() - start}
    if with_ocrmypdf:
        start = time.perf_counter()
        result["ocrmypdf"] = _ocrmypdf_text(image_path, dpi)
        result["ocrmypdf_s"] = time.perf_counter() - start
    return result


def ocr_generated(documents: list, workers: int, with_ocrmypdf: bool = False) -> tuple[dict, float]:
    """OCR every generated page (raw Tesseract, cleanup+OCR, optionally OCRmyPDF) in parallel;
    returns the results keyed by (doc_id, level, page number) and the wall time."""
    pages = [p for d in documents for p in d.pages]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_ocr_both, [str(p.image_path) for p in pages],
                                [p.dpi for p in pages], [with_ocrmypdf] * len(pages)))
    wall = time.perf_counter() - started
    return dict(zip(((p.doc_id, p.level, p.number) for p in pages), results)), wall


def _ocr_and_restored(doc, by_page: dict, restorer: Restorer) -> tuple[Document, Document]:
    """A generated document as cleanup+OCR read it (words and layout kept, so extraction reads
    the header region by region as `vanban run` does), and that read through ``restorer``."""
    pages = []
    for page in doc.pages:
        read = by_page[(page.doc_id, page.level, page.number)].get("page")
        pages.append(replace(read, number=page.number) if read is not None else
                     Page(number=page.number, text="", source="ocr"))
    ocr_doc = Document(path=Path(doc.pdf_path), sha256="", kind="pdf", pages=pages)
    return ocr_doc, restore_document(ocr_doc, restorer)


def evaluate_scans(documents: list, workers: int, restorer: Restorer,
                   ocr: tuple[dict, float] | None = None) -> dict:
    """OCR and extraction figures per level on the generated corpus (``ocr``: the result of
    :func:`ocr_generated` when it was already run)."""
    with_ocrmypdf = ocrmypdf_available()
    by_page, wall = ocr or ocr_generated(documents, workers, with_ocrmypdf)
    with_ocrmypdf = with_ocrmypdf and all("ocrmypdf" in r for r in by_page.values())

    stages = STAGES + (("ocrmypdf",) if with_ocrmypdf else ())
    tallies: dict[str, dict[str, ErrorTally]] = defaultdict(lambda: {s: ErrorTally() for s in stages})
    fields: dict[str, FieldTally] = defaultdict(FieldTally)
    seconds: dict[str, float] = defaultdict(float)
    n_pages: dict[str, int] = defaultdict(int)
    for doc in documents:
        for page in doc.pages:
            result = by_page[(page.doc_id, page.level, page.number)]
            tallies[doc.level]["raw"].add(page.truth, result["raw"])
            tallies[doc.level]["ocr"].add(page.truth, result["ocr"])
            if with_ocrmypdf:
                tallies[doc.level]["ocrmypdf"].add(page.truth, result["ocrmypdf"])
            seconds[doc.level] += result["ocr_s"]
            n_pages[doc.level] += 1
        ocr_doc, restored = _ocr_and_restored(doc, by_page, restorer)
        for page, restored_page in zip(doc.pages, restored.pages):
            tallies[doc.level]["restored"].add(page.truth, restored_page.text)
        if doc.truth_extraction is not None:
            fields[doc.level].add(extract_document(restored, ocr_doc), doc.truth_extraction)
    levels = {}
    for level, stage_tallies in tallies.items():
        levels[level] = {
            "pages": n_pages[level],
            **{f"cer_{s}": t.cer for s, t in stage_tallies.items()},
            **{f"wer_{s}": t.wer for s, t in stage_tallies.items()},
            "pages_per_min_one_core": 60 * n_pages[level] / seconds[level] if seconds[level] else 0.0,
            "extraction": fields[level].scores() if level in fields else None,
        }
    total_pages = sum(n_pages.values())
    return {"levels": levels, "pages": total_pages, "wall_s": wall,
            "calibration": calibration(o for tally in fields.values() for o in tally.outcomes),
            "pages_per_min": 60 * total_pages / wall if wall else 0.0, "workers": workers,
            "ocrmypdf": with_ocrmypdf or
            "not measured: ocrmypdf, unpaper or pdftotext not on PATH (or VANBAN_EVAL_OCRMYPDF=0)"}


def _line_word_accuracy(reference: str, hypothesis: str) -> float:
    """1 - WER computed line for line (the restorer keeps line count), case kept."""
    errors = words = 0
    for ref, hyp in zip(reference.split("\n"), hypothesis.split("\n")):
        e, n = edit_counts(ref, hyp, "word")
        errors += e
        words += n
    return 1 - errors / words if words else 1.0


def _seed(prefix: str, folder: Path) -> Path:
    return next(folder.glob(f"{prefix}_*.txt"))


def restoration_on_seeds(shared: Path, restorer: Restorer) -> dict:
    """Word accuracy of ``restorer``: 001's garbled OCR against its gold, 003/004 stripped."""
    out = {}
    garbled = _seed("001", SEEDS).read_text(encoding="utf-8")
    out["001_vs_gold"] = _line_word_accuracy(
        (shared / "gold" / "001_restored.txt").read_text(encoding="utf-8"), restorer.restore_text(garbled))
    for prefix in ("003", "004"):
        clean = _seed(prefix, SEEDS).read_text(encoding="utf-8")
        out[f"{prefix}_stripped"] = _line_word_accuracy(clean, restorer.restore_text(strip_diacritics(clean)))
    return out


def restoration_on_scans(documents: list, by_page: dict, restorer: Restorer) -> dict:
    """Per level, WER/CER of the OCR pages before and after ``restorer``."""
    tallies: dict[str, dict[str, ErrorTally]] = defaultdict(lambda: {"ocr": ErrorTally(), "restored": ErrorTally()})
    for doc in documents:
        ocr_doc, restored = _ocr_and_restored(doc, by_page, restorer)
        for page, ocr_page, restored_page in zip(doc.pages, ocr_doc.pages, restored.pages):
            tallies[doc.level]["ocr"].add(page.truth, ocr_page.text)
            tallies[doc.level]["restored"].add(page.truth, restored_page.text)
    return {level: {f"{m}_{s}": getattr(t, m) for s, t in st.items() for m in ("cer", "wer")}
            for level, st in tallies.items()}


def evaluate_archive(archive: list[Path], out_dir: Path, documents: list, by_page: dict,
                     shared: Path, restorer: Restorer) -> dict:
    """Restoration figures again, with an LM trained on the user's own archive (``vanban
    train-lm``) interpolated into the shipped one: the archivist's setup, ``restorer`` with that
    user LM. The model is written under ``out_dir`` and used only for these figures."""
    from pipeline.restore.lm import train_lm

    started = time.perf_counter()
    lm_path = train_lm(archive, Path(out_dir) / "archive_lm.npz")
    train_s = time.perf_counter() - started
    with_archive = Restorer(replace(restorer.options, user_lm=lm_path))
    seeds = restoration_on_seeds(shared, with_archive) if (shared / "gold").is_dir() else None
    levels = restoration_on_scans(documents, by_page, with_archive)
    return {"archive": [str(p) for p in archive], "lm": str(lm_path), "train_s": train_s,
            "seeds": seeds, "levels": levels}


def evaluate_seeds(shared: Path, restorer: Restorer) -> dict:
    """Restoration word accuracy and extraction scores on the real seed documents."""
    out: dict = {"restoration": restoration_on_seeds(shared, restorer), "extraction": {}}
    gold_dir = shared / "gold"
    total = FieldTally()
    for prefix in ("001", "003", "004"):
        path = _seed(prefix, SEEDS)
        doc = Document(path=Path(path.name), sha256="", kind="text",
                       pages=[Page(number=1, text=path.read_text(encoding="utf-8"), source="text")])
        predicted = extract_document(restore_document(doc, restorer), doc)
        gold = json.loads(next(gold_dir.glob(f"{prefix}_*.extract.json")).read_text(encoding="utf-8"))
        one = FieldTally()
        one.add(predicted, gold)
        total.add(predicted, gold)
        out["extraction"][prefix] = one.scores()
    out["extraction"]["all"] = total.scores()
    return out


def evaluate_annex(levels: tuple[str, ...], pages_per_level: int, seed: int, workers: int,
                   rows: int = ANNEX_ROWS) -> dict:
    """Ruled annex tables ("Phụ lục" lists, :mod:`corpus.annex_pages`) read from scans, per level.

    The same ``pages_per_level`` generated pages are scanned at every level, cleaned and
    their tables read as :func:`pipeline.run.process.read_page` does; per level: tables found
    (one per page expected), grids of the drawn shape, share of cells read exactly and the
    cell CER."""
    from corpus.annex_pages import score_annex_page, tally_annex

    jobs = [(level, seed * 1000 + i) for level in levels for i in range(pages_per_level)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs) or 1))) as pool:
        scores = list(pool.map(score_annex_page, [lv for lv, _ in jobs], [s for _, s in jobs],
                               [rows] * len(jobs)))
    return {"pages_per_level": pages_per_level, "rows_per_page": rows, "levels": tally_annex(scores),
            "wall_s": time.perf_counter() - started, "pages": scores}


def run_eval(out_dir: Path, levels: tuple[str, ...] = EVAL_LEVELS, docs_per_level: int = 6,
             seed: int = 0, workers: int | None = None, shared: Path = DEFAULT_SHARED,
             annex_pages: int = ANNEX_PAGES, archive: list[Path] | None = None,
             restorer: Restorer | None = None) -> dict:
    """Build (or reuse) the generated set, measure everything, return the report dict.

    ``archive``: text files/folders to train a user LM on (:func:`evaluate_archive`); the
    restoration figures are then reported a second time with it.  ``restorer``: the one
    measured (default: the product's, :meth:`RestorerOptions.find`)."""
    from corpus.evalset import build_eval_set

    restorer = restorer or Restorer(RestorerOptions.find())
    started = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    documents = build_eval_set(Path(out_dir) / "corpus", levels=levels,
                               docs_per_level=docs_per_level, seed=seed)
    report = {"settings": {"levels": list(levels), "docs_per_level": docs_per_level, "seed": seed,
                           "settings_key": Settings().key(restorer.options)}}
    ocr = ocr_generated(documents, workers, ocrmypdf_available())
    report["scans"] = evaluate_scans(documents, workers, restorer, ocr)
    report["annex"] = evaluate_annex(levels, annex_pages, seed, workers) if annex_pages else None
    if (shared / "gold").is_dir():
        report["seeds"] = evaluate_seeds(shared, restorer)
    else:
        report["seeds"] = None
        report["note"] = f"{shared}/gold not found: seed figures skipped (set VANBAN_SHARED)"
    if archive:
        report["archive"] = evaluate_archive(archive, out_dir, documents, ocr[0], shared, restorer)
    report["total_s"] = time.perf_counter() - started
    return report
