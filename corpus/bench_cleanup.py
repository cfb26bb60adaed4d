"""Cleanup cost against Tesseract's own time, on the same page images (for ``make bench``).

The issue's budget: cleanup adds at most 30% to Tesseract's time per page.  For
each page (one clean 300-DPI, one moderate 150-200-DPI, one heavy 150-DPI scan of
the generated corpus, in turn) this times, single-threaded (``OMP_THREAD_LIMIT=1``):

* ``tesseract_raw_s``: Tesseract (``vie``, our OCR settings) on the page image as scanned;
* ``cleanup_s``: :func:`pipeline.image.cleanup.clean_page` on the decoded page;
* ``tesseract_s``: Tesseract on the cleaned page (what the pipeline actually runs).

``ratio`` = total cleanup time / total Tesseract time on the cleaned pages, and
``ratio_vs_raw`` the same against Tesseract on the pages as scanned.  Usage::

    python -m corpus.bench_cleanup [--pages 3] [--corpus DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from corpus.degrade import EVAL_LEVELS as LEVELS  # noqa: E402


def _page_images(pages: int, corpus: Path | None) -> list[tuple[str, Path]]:
    """(level, image path) of ``pages`` generated pages, levels in turn (built if missing)."""
    from corpus.evalset import build_eval_set, load_eval_set

    if corpus is not None:  # an existing eval set (e.g. out/eval/corpus): read, never rebuilt
        loaded = load_eval_set(corpus)
        if loaded is None:
            raise SystemExit(f"{corpus}: no complete eval set there (see corpus.evalset)")
        docs = loaded[1]
    else:
        folder = Path(tempfile.gettempdir()) / "vanban-bench-cleanup"
        per_level = max(1, -(-pages // len(LEVELS)))
        docs = build_eval_set(folder, levels=LEVELS, docs_per_level=per_level, seed=0)
    by_level = {level: [p.image_path for d in docs if d.level == level for p in d.pages]
                for level in LEVELS}
    chosen: list[tuple[str, Path]] = []
    i = 0
    while len(chosen) < pages and any(by_level.values()):
        level = LEVELS[i % len(LEVELS)]
        if by_level[level]:
            chosen.append((level, by_level[level].pop(0)))
        i += 1
    return chosen


def bench_cleanup(pages: int = 3, corpus: Path | None = None) -> dict:
    """Time cleanup and Tesseract per page on ``pages`` generated page images."""
    import pytesseract

    from pipeline.image.cleanup import clean_page
    from pipeline.ocr.tesseract import OcrSettings, ocr_page
    from pipeline.io.rasterize import load_image_page

    settings = OcrSettings()
    rows = []
    for level, path in _page_images(pages, corpus):
        page = load_image_page(path, 1)
        start = time.perf_counter()
        pytesseract.image_to_string(page.image, lang=settings.lang, config=settings.config())
        raw_s = time.perf_counter() - start
        start = time.perf_counter()
        cleaned = clean_page(page)
        cleanup_s = time.perf_counter() - start
        start = time.perf_counter()
        ocr_page(cleaned, settings)
        ocr_s = time.perf_counter() - start
        rows.append({"level": level, "image": path.name, "dpi": page.dpi,
                     "tesseract_raw_s": round(raw_s, 3), "cleanup_s": round(cleanup_s, 3),
                     "tesseract_s": round(ocr_s, 3), "ratio": round(cleanup_s / ocr_s, 3)})
    cleanup = sum(r["cleanup_s"] for r in rows)
    ocr = sum(r["tesseract_s"] for r in rows)
    raw = sum(r["tesseract_raw_s"] for r in rows)
    n = max(len(rows), 1)
    return {"pages": rows, "cleanup_s_per_page": round(cleanup / n, 3),
            "tesseract_s_per_page": round(ocr / n, 3), "tesseract_raw_s_per_page": round(raw / n, 3),
            "ratio": round(cleanup / ocr, 3) if ocr else None,
            "ratio_vs_raw": round(cleanup / raw, 3) if raw else None,
            "budget": 0.30, "within_budget": bool(ocr) and cleanup / ocr <= 0.30}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=None, help="eval-set folder to reuse")
    args = parser.parse_args(argv)
    report = bench_cleanup(args.pages, args.corpus)
    for row in report["pages"]:
        print(f"{row['level']:9s} {row['image']:34s} {row['dpi']:4d} DPI  "
              f"tesseract raw {row['tesseract_raw_s']:.2f} s  cleanup {row['cleanup_s']:.2f} s  "
              f"tesseract on cleaned {row['tesseract_s']:.2f} s  ratio {row['ratio']:.2f}")
    print(f"per page: cleanup {report['cleanup_s_per_page']:.2f} s, Tesseract "
          f"{report['tesseract_s_per_page']:.2f} s (raw page {report['tesseract_raw_s_per_page']:.2f} s)"
          f" -> cleanup adds {100 * report['ratio']:.0f}% (vs raw page "
          f"{100 * report['ratio_vs_raw']:.0f}%), budget 30%")
    print(json.dumps({k: v for k, v in report.items() if k != "pages"}))
    return 0 if report["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
