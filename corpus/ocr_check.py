"""Check that generated scans are OCR-able: Tesseract CER against the ground truth.

    python -m corpus.ocr_check [--pages 2] [--psm 3] [--level clean]

Prints the character error rate of every page of seeds 003 and 004.
"""
from __future__ import annotations

import argparse
import time
from typing import Sequence

from rapidfuzz.distance import Levenshtein

# One project-wide definition of CER and of the text it compares.
from corpus.metrics import cer, normalize_for_cer


def ocr(image, psm: int = 3, lang: str = "vie") -> str:
    """Tesseract text of a PIL image."""
    import pytesseract

    return pytesseract.image_to_string(image, lang=lang, config=f"--psm {psm}")


def main(argv: Sequence[str] | None = None) -> int:
    """Render the first pages of 003/004 and print per-page CER."""
    from corpus.generate import CLI_SEEDS, render_pages, seed_text

    parser = argparse.ArgumentParser(prog="python -m corpus.ocr_check")
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--psm", type=int, default=3)
    parser.add_argument("--level", default="clean")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--font-size", type=float, default=13)
    parser.add_argument("--show", action="store_true", help="print the OCR diff material")
    args = parser.parse_args(argv)
    for prefix in CLI_SEEDS:
        pages = render_pages(seed_text(prefix), dpi=args.dpi, level=args.level,
                             font_size_pt=args.font_size)[: args.pages]
        for i, page in enumerate(pages, 1):
            start = time.perf_counter()
            text = ocr(page.image, args.psm)
            print(f"{prefix} page {i}: CER {cer(page.text, text):.4%} "
                  f"({len(normalize_for_cer(page.text))} chars, {time.perf_counter() - start:.1f}s OCR)")
            if args.show:
                _show_diff(page.text, text)
    return 0


def _show_diff(reference: str, hypothesis: str) -> None:
    """Print the edit operations, to see which characters Tesseract gets wrong."""
    ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
    for op in Levenshtein.opcodes(ref, hyp):
        if op.tag != "equal":
            print(f"   {op.tag:8} {ref[max(0, op.src_start - 12):op.src_end + 12]!r} -> "
                  f"{hyp[op.dest_start:op.dest_end]!r}")


if __name__ == "__main__":
    raise SystemExit(main())
