"""`vanban eval --real DIR`: header fields and text CER on real scanned pages.

``DIR`` is a folder like ../shared/realscans: ``manifest.tsv`` (one row per page:
page stem, scan file, page in that file), ``scans/`` and ``truth/<stem>.fields.json``
(hand-read header fields).  Exact line transcriptions made by this project live in
``corpus/realscans/transcriptions/<stem>.txt`` (never the scans themselves).

Every page is read by the product as ``vanban run`` reads it (rasterize, cleanup,
layout, OCR, mending, extraction), one page as one document, and each header field
is scored against the truth as one of:

- ``right``: equal after normalisation (NFC, case, whitespace, old/new tone
  placement "uỷ"/"ủy", "UBND" = "Ủy ban nhân dân");
- ``wrong``: a value stored as certain that is not the truth (the worst outcome);
- ``unsure``: a wrong value stored with its ``*_uncertain`` flag set;
- ``missing``: nothing stored where the page shows the field;
- ``invented``: a value stored where the page shows none.

Which fields a page scores depends on its ``page_kind``: a first page scores the
top of the document (type, number, date, place, issuer, issuer_parent, subject),
a last page the foot (signer, signer_title); a page with both scores both.
"""
from __future__ import annotations

import csv
import json
import pickle
import re
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from corpus.metrics import calibration, edit_counts, item_outcomes, number_key
from pipeline.document import Document
from pipeline.io.ingest import detect_kind, sha256_of
from pipeline.restore.restorer import Restorer, RestorerOptions
from pipeline.run.process import Settings, finish_document, read_page

TRANSCRIPTIONS = Path(__file__).with_name("realscans") / "transcriptions"
TOP_FIELDS = ("type", "number", "date", "place", "issuer", "issuer_parent", "subject")
FOOT_FIELDS = ("signer", "signer_title")
FIELDS = TOP_FIELDS + FOOT_FIELDS
OUTCOMES = ("right", "wrong", "unsure", "missing", "invented")


@dataclass(frozen=True)
class RealPage:
    """One annotated page of the real-scan set."""

    stem: str
    scan: Path
    page: int  # 1-based page in the scan file
    dpi: int
    truth: dict
    transcription: str | None  # exact lines (our own proofread transcription), when made

    @property
    def fields(self) -> tuple[str, ...]:
        """The header fields this page shows (by its kind: first, last, first+last)."""
        kind = self.truth.get("page_kind") or ""
        return ((TOP_FIELDS if "first" in kind else ()) + (FOOT_FIELDS if "last" in kind else ()))


def load_pages(root: Path, transcriptions: Path = TRANSCRIPTIONS) -> list[RealPage]:
    """The pages of ``root/manifest.tsv`` with their truth (and our transcription when there is one)."""
    pages = []
    with open(root / "manifest.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            stem = row["page_stem"]
            truth = json.loads((root / "truth" / f"{stem}.fields.json").read_text(encoding="utf-8"))
            tr = transcriptions / f"{stem}.txt"
            pages.append(RealPage(stem, root / "scans" / row["scan_file"], int(row["page_in_file"]),
                                  int(float(row["approx_dpi"] or 0)), truth,
                                  tr.read_text(encoding="utf-8") if tr.is_file() else None))
    return pages


# Old and new tone placement on oa/oe/uy ("hoà"/"hòa", "uỷ"/"ủy") are the same word.
_TONE_PLACEMENT = {old: new for tone in "\u0300\u0301\u0309\u0303\u0323" for old, new in (
    (unicodedata.normalize("NFC", "o" + tone + "a"), unicodedata.normalize("NFC", "oa" + tone)),
    (unicodedata.normalize("NFC", "o" + tone + "e"), unicodedata.normalize("NFC", "oe" + tone)),
    (unicodedata.normalize("NFC", "u" + tone + "y"), unicodedata.normalize("NFC", "uy" + tone)),
)}
_ABBREVIATIONS = {"ubnd": "ủy ban nhân dân", "hđnd": "hội đồng nhân dân", "tp.": "thành phố",
                  "gd&đt": "giáo dục và đào tạo", "gdđt": "giáo dục và đào tạo"}


def normalize_value(field: str, value) -> str | None:
    """The comparable form of one header value (see the module docstring)."""
    if value is None or str(value).strip() == "":
        return None
    if field == "number":
        return number_key(str(value))
    s = unicodedata.normalize("NFC", str(value)).lower()
    s = re.sub(r"\s*/\s*", " / ", s)
    s = re.sub(r"\s+", " ", s).strip(" .,;:")
    if field in ("issuer", "issuer_parent"):
        s = " ".join(_ABBREVIATIONS.get(w, w) for w in s.split())
    for old, new in _TONE_PLACEMENT.items():
        s = s.replace(old, new)
    return s


def score_field(field: str, predicted: dict, truth: dict) -> str:
    """One of :data:`OUTCOMES` for ``field`` of a page."""
    want, got = normalize_value(field, truth.get(field)), normalize_value(field, predicted.get(field))
    if want is None:
        return "right" if got is None else "invented"
    if got is None:
        return "missing"
    if got == want:
        return "right"
    return "unsure" if predicted.get(f"{field}_uncertain") else "wrong"


def read_real_page(page: RealPage, settings: Settings, restorer: Restorer, cache: Path | None = None):
    """(stored page text, extraction, seconds) for one real page, read by the product."""
    t0 = time.perf_counter()
    kind = detect_kind(page.scan)
    cached = None
    if cache is not None:
        cached = cache / f"{page.stem}.{settings.ocr_key()}.pickle"
    if cached is not None and cached.is_file():
        read = pickle.loads(cached.read_bytes())
    else:
        read = read_page(page.scan, kind, page.page, settings)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(pickle.dumps(read))
    doc = Document(path=page.scan, sha256=sha256_of(page.scan), kind=kind, pages=[replace(read, number=1)])
    restored, extraction = finish_document(doc, restorer, settings)
    return restored.text, extraction, time.perf_counter() - t0


def _same_marks(text: str) -> str:
    """Punctuation a scan cannot tell apart written one way (the transcriptions' README):
    the ellipsis character and three dots, en and em dashes and the hyphen."""
    return text.replace("…", "...").replace("–", "-").replace("—", "-")


def _evaluate_one(args) -> dict:
    from pipeline.run.workers import worker_restorer

    page, settings, options, cache = args
    try:
        text, extraction, seconds = read_real_page(page, settings, worker_restorer(options), cache)
    except Exception as exc:  # noqa: BLE001 - a page that fails scores every field missing
        text, extraction, seconds, error = "", {}, 0.0, f"{type(exc).__name__}: {exc}"
    else:
        error = None
    header = extraction.get("self") or {}
    row = {"stem": page.stem, "seconds": seconds, "error": error, "predicted": header,
           "outcomes": {f: score_field(f, header, page.truth) for f in page.fields}}
    if page.transcription is not None:
        errors, length = edit_counts(_same_marks(page.transcription), _same_marks(text), "char")
        row["line_cer"] = errors / length if length else None
        row["cer_counts"] = [errors, length]
        row["items"] = read_items(extraction, page.transcription)
    return row


def read_items(extraction: dict, transcription: str) -> list[tuple[float, bool]]:
    """(confidence, right) of every item extracted from a real page: right when the same
    extractors find it in the page's exact transcription (so this measures how the page was read,
    OCR and restoration, not the extractors themselves: the pages have no item truth)."""
    from pipeline.extract import extract_text

    return [(item["confidence"], right)
            for _, item, right in item_outcomes(extraction, extract_text(_same_marks(transcription)))]


def run_real_eval(root: Path, workers: int = 2, cache: Path | None = None,
                  settings: Settings = Settings(), transcriptions: Path = TRANSCRIPTIONS,
                  restorer_options: RestorerOptions | None = None) -> dict:
    """Score every page of ``root``: per-page outcomes, per-field tallies, line CER.
    ``restorer_options``: the restorer measured (default: the product's, :meth:`RestorerOptions.find`)."""
    pages = load_pages(root, transcriptions)
    t0 = time.perf_counter()
    options = restorer_options or RestorerOptions.find()
    jobs = [(p, settings, options, cache) for p in pages]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            rows = list(pool.map(_evaluate_one, jobs))
    else:
        rows = [_evaluate_one(j) for j in jobs]
    tally = {f: dict.fromkeys(OUTCOMES, 0) for f in FIELDS}
    for row in rows:
        for f, outcome in row["outcomes"].items():
            tally[f][outcome] += 1
    scored = sum(sum(t.values()) for t in tally.values())
    right = sum(t["right"] for t in tally.values())
    cers = [r["line_cer"] for r in rows if r.get("line_cer") is not None]
    return {
        "root": str(root), "pages": len(rows), "rows": rows, "fields": tally,
        "header_right": right / scored if scored else None, "scored": scored,
        "line_cer_mean": sum(cers) / len(cers) if cers else None,
        "line_cer_max": max(cers) if cers else None, "transcribed_pages": len(cers),
        "calibration": calibration(item for r in rows for item in r.get("items") or []),
        "seconds": time.perf_counter() - t0,
    }
