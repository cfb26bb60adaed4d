"""A small, deterministic evaluation set of scanned documents with exact truth.

Per degradation level (clean / moderate / heavy, see :mod:`corpus.degrade`):
``docs_per_level`` composed documents (:mod:`corpus.compose` rendered by
:mod:`corpus.layout`, 1-2 pages, all five document types) plus one page of a
real seed report (its first two pages, 003 or 004, via
:func:`corpus.generate.render_pages`; no extraction truth). Layout::

    out_dir/manifest.json
    out_dir/<level>/<doc_id>_p<n>.png|.jpg   page images (PNG for clean), DPI-tagged
    out_dir/<level>/<doc_id>.pdf             image-only PDF of the document
    out_dir/<level>/<doc_id>.gt.txt          truth text, pages joined by "\\n\\f\\n"
    out_dir/<level>/<doc_id>.extract.json    SCHEMA.md truth (composed documents only)

A second call with the same arguments re-uses the files when the manifest
matches. CLI: ``python -m corpus.evalset OUT_DIR [--docs-per-level N] [--seed S]``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from corpus.compose import DOC_TYPES, compose
from corpus.degrade import EVAL_LEVELS, degrade_scan, scan_dpi
from corpus.generate import render_pages, seed_text, write_image, write_pdf
from corpus.layout import render_document

__all__ = ["EvalPage", "EvalDocument", "build_eval_set", "load_eval_set", "composed_document",
           "VERSION", "main"]

# Bump when templates, layout or degradation change, so stale caches are rebuilt.
VERSION = 4
SEED_DOCS = ("003", "004")


@dataclass
class EvalPage:
    """One scanned page of the set."""

    doc_id: str
    level: str
    number: int
    image_path: Path
    dpi: int
    truth: str
    notes: dict = field(default_factory=dict)


@dataclass
class EvalDocument:
    """One document of the set: its pages, PDF, truth text and (composed only) truth extraction."""

    doc_id: str
    level: str
    kind: str                      # "composed" | "seed"
    pdf_path: Path
    pages: list[EvalPage]
    truth_text: str                # pages joined by "\n\f\n"
    truth_extraction: dict | None


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return re.sub(r"[^a-z0-9]+", "-", "".join(c for c in folded if not unicodedata.combining(c)).lower()).strip("-")


def _doc_seed(seed: int, level_index: int, number: int) -> int:
    return seed * 1_000_003 + level_index * 1009 + number


def _save_pages(folder: Path, doc_id: str, level: str, images, truths: list[str], doc_seed: int,
                in_dpi: int) -> list[EvalPage]:
    """Degrade, write and describe the pages of one document (one scanner DPI per document)."""
    out_dpi = scan_dpi(level, doc_seed)
    suffix = ".png" if level in ("clean", "none") else ".jpg"
    pages = []
    for n, (image, truth) in enumerate(zip(images, truths), start=1):
        scanned = degrade_scan(image, level, doc_seed * 100 + n, in_dpi, out_dpi=out_dpi)
        path = folder / f"{doc_id}_p{n}{suffix}"
        if suffix == ".png":  # fastest zlib level: noisy scans barely compress anyway
            scanned.image.save(path, format="PNG", compress_level=1, dpi=(scanned.dpi, scanned.dpi))
        else:
            write_image(scanned.image, path, scanned.dpi)
        pages.append(EvalPage(doc_id, level, n, path, scanned.dpi, truth, scanned.notes))
    return pages


def _finish(folder: Path, doc_id: str, level: str, kind: str, pages: list[EvalPage],
            truth_text: str, extraction: dict | None) -> EvalDocument:
    from PIL import Image

    images = [Image.open(p.image_path) for p in pages]
    pdf = write_pdf(images, folder / f"{doc_id}.pdf", pages[0].dpi)
    (folder / f"{doc_id}.gt.txt").write_text(truth_text + "\n", encoding="utf-8")
    if extraction is not None:
        extraction = {**extraction, "doc": f"{doc_id}.gt.txt"}
        (folder / f"{doc_id}.extract.json").write_text(
            json.dumps(extraction, ensure_ascii=False, indent=1), encoding="utf-8")
    return EvalDocument(doc_id, level, kind, pdf, pages, truth_text, extraction)


def composed_document(level_index: int, number: int, seed: int):
    """The composed document at this place of the set: all types in turn, short and long bodies."""
    doc_type = DOC_TYPES[(number + level_index) % len(DOC_TYPES)]
    return compose(_doc_seed(seed, level_index, number), doc_type=doc_type, long=number % 2 == 1)


def _composed(folder: Path, level: str, level_index: int, number: int, seed: int) -> EvalDocument:
    doc_seed = _doc_seed(seed, level_index, number)
    doc = composed_document(level_index, number, seed)
    # Truth in the document's own reading order: each header and footer column whole, left
    # before right, as the product reads a page since it finds its layout (pipeline/ocr/layout.py).
    rendered = render_document(doc, dpi=300, seed=doc_seed, reading_order="columns")
    doc_id = f"{level}-{number:02d}-{_slug(doc.doc_type)}"
    pages = _save_pages(folder, doc_id, level, [p.image for p in rendered.pages],
                        [p.text for p in rendered.pages], doc_seed, 300)
    return _finish(folder, doc_id, level, "composed", pages, rendered.truth_text, rendered.extraction)


def _seed_doc(folder: Path, level: str, level_index: int, seed: int) -> EvalDocument:
    prefix = SEED_DOCS[level_index % len(SEED_DOCS)]
    doc_seed = _doc_seed(seed, level_index, 999)
    rendered = render_pages(seed_text(prefix), dpi=300, seed=doc_seed, level="none", max_pages=2)
    doc_id = f"{level}-seed-{prefix}"
    pages = _save_pages(folder, doc_id, level, [p.image for p in rendered],
                        [p.text for p in rendered], doc_seed, 300)
    return _finish(folder, doc_id, level, "seed", pages, "\n\f\n".join(p.text for p in rendered), None)


# ---------------------------------------------------------------- manifest

def _key(levels, docs_per_level: int, seed: int) -> dict:
    return {"version": VERSION, "seed": seed, "levels": list(levels), "docs_per_level": docs_per_level}


def _to_json(docs: list[EvalDocument], root: Path) -> list[dict]:
    return [{"doc_id": d.doc_id, "level": d.level, "kind": d.kind,
             "pdf": str(d.pdf_path.relative_to(root)),
             "pages": [{"number": p.number, "image": str(p.image_path.relative_to(root)),
                        "dpi": p.dpi, "notes": p.notes} for p in d.pages]} for d in docs]


def load_eval_set(out_dir: Path) -> tuple[dict, list[EvalDocument]] | None:
    """The manifest key and documents of a built set, or None if missing or incomplete."""
    out_dir = Path(out_dir)
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    docs = []
    for entry in manifest.get("documents", []):
        folder = out_dir / entry["level"]
        gt, ex = folder / f"{entry['doc_id']}.gt.txt", folder / f"{entry['doc_id']}.extract.json"
        paths = [out_dir / entry["pdf"], gt] + [out_dir / p["image"] for p in entry["pages"]]
        if not all(p.is_file() for p in paths) or (entry["kind"] == "composed" and not ex.is_file()):
            return None
        truth_text = gt.read_text(encoding="utf-8")[:-1]
        truths = truth_text.split("\n\f\n")
        pages = [EvalPage(entry["doc_id"], entry["level"], p["number"], out_dir / p["image"],
                          p["dpi"], truths[p["number"] - 1], p["notes"]) for p in entry["pages"]]
        extraction = json.loads(ex.read_text(encoding="utf-8")) if entry["kind"] == "composed" else None
        docs.append(EvalDocument(entry["doc_id"], entry["level"], entry["kind"],
                                 out_dir / entry["pdf"], pages, truth_text, extraction))
    return manifest.get("key", {}), docs


def build_eval_set(out_dir: Path, *, levels=EVAL_LEVELS, docs_per_level: int = 6,
                   seed: int = 0) -> list[EvalDocument]:
    """Build (or re-use) the evaluation set under ``out_dir``; deterministic in its arguments."""
    out_dir = Path(out_dir)
    key = _key(levels, docs_per_level, seed)
    cached = load_eval_set(out_dir)
    if cached is not None and cached[0] == key:
        return cached[1]
    docs: list[EvalDocument] = []
    for level_index, level in enumerate(levels):
        folder = out_dir / level
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(docs_per_level):
            docs.append(_composed(folder, level, level_index, number, seed))
        docs.append(_seed_doc(folder, level, level_index, seed))
    manifest = {"key": key, "pages": sum(len(d.pages) for d in docs), "documents": _to_json(docs, out_dir)}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    return docs


def main(argv: list[str] | None = None) -> int:
    """CLI: build the set and print its size and build time."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs-per-level", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--levels", default=",".join(EVAL_LEVELS))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    docs = build_eval_set(args.out, levels=tuple(args.levels.split(",")),
                          docs_per_level=args.docs_per_level, seed=args.seed)
    pages = sum(len(d.pages) for d in docs)
    print(f"{len(docs)} documents, {pages} pages in {args.out} "
          f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
