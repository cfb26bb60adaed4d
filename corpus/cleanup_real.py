"""Does cleanup lose printed text on real scans?  (issue 12, part 2)

For every page of the real-scan development set (``../shared/realscans/manifest.tsv``):

1. rasterise it as the pipeline does (:func:`pipeline.io.rasterize.rasterize_pdf_page` at
   300 DPI for PDFs, :func:`pipeline.io.rasterize.load_image_page` for images);
2. run *plain* Tesseract on that ORIGINAL raster -- ``vie``, ``--oem 1``, ``--psm 6``
   by default (the pipeline's segmentation, so that only cleanup differs between the
   two readings; ``--psm 3`` is what ``tesseract page.png - -l vie`` does, and also
   counts words that psm 6 itself splits or joins differently) -- and keep the words
   it reads with confidence >= 80 that hold at least two letters: the *reference
   words*, text that is certainly on the page and readable without any cleanup;
3. run :func:`pipeline.image.cleanup.clean_page` and the pipeline's :func:`pipeline.ocr.tesseract.ocr_page`
   and count how many reference words are still read (a multiset match of NFC words,
   case-sensitive, punctuation stripped at both ends).

Prints per page: reference words, kept, share kept (``marks``: read with other tone or
vowel marks; ``lost``: not read at all), the time of cleanup, and the lost words; then the
total.  Plain Tesseract's confident words are not always right (on one bilevel page it
reads every "bố" as "bô" at conf >= 80), so where the project has a proofread
transcription of the page (``corpus/realscans/transcriptions/<stem>.txt``) the share of
its words that plain Tesseract (``T-plain``) and cleanup + OCR (``T-clean``) read exactly
is printed too.  ``--json`` saves the figures so that runs before and after a
change can be compared (``--compare OLD.json`` prints both side by side).

Evaluation code: the product never imports it.  Scans and crops are never written
into the repository (``--keep-images`` writes cleaned pages to a /tmp folder)::

    .venv/bin/python -m corpus.cleanup_real [--realscans ../shared/realscans]
        [--json /tmp/cleanup_real.json] [--compare OLD.json] [--pages 01,12] [--jobs 2]
    .venv/bin/python -m corpus.cleanup_real --generated /tmp/evalX/corpus --jobs 2

The second form measures the generated corpus the same way (cleanup + ``ocr_page``,
CER per level against its exact truth), so that a change made for real scans can be
checked not to cost the corpus the cleanup was tuned on.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DEFAULT_REALSCANS = Path(__file__).resolve().parents[2] / "shared" / "realscans"
MIN_CONF = 80.0
MIN_LETTERS = 2
# Stripped from both ends of a word before matching (quotes, brackets, stops, dashes).
PUNCT = "".join(chr(c) for c in range(0x10000)
                if unicodedata.category(chr(c)).startswith(("P", "S"))) + " \t"


def norm_word(raw: str) -> str:
    """NFC, punctuation and symbols stripped at both ends, case kept."""
    return unicodedata.normalize("NFC", raw).strip(PUNCT)


def _letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


def load_manifest(realscans: Path) -> list[dict]:
    with open(realscans / "manifest.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def rasterise(path: Path, page: int):
    """The page as the pipeline rasterises it (PageImage)."""
    from pipeline.io.ingest import detect_kind
    from pipeline.io.rasterize import load_image_page, rasterize_pdf_page

    if detect_kind(path) == "pdf":
        return rasterize_pdf_page(path, page, 300)
    return load_image_page(path, page)


def plain_words(image, psm: int) -> list[tuple[str, float]]:
    """Every word plain Tesseract reads on ``image`` (normalised, with its confidence)."""
    import pytesseract

    data = pytesseract.image_to_data(image, lang="vie", config=f"--oem 1 --psm {psm}",
                                     output_type=pytesseract.Output.DICT)
    return [(norm_word(t), float(c)) for t, c in zip(data["text"], data["conf"]) if norm_word(t)]


def reference_words(words: list[tuple[str, float]]) -> list[str]:
    """The words read with conf >= MIN_CONF that hold >= MIN_LETTERS letters."""
    return [w for w, conf in words if conf >= MIN_CONF and _letters(w) >= MIN_LETTERS]


def _cached_plain(path: Path, row: dict, image, psm: int) -> list[tuple[str, float]]:
    """:func:`plain_words`, cached in /tmp by file, page and psm (the reference does not
    depend on cleanup, so repeated runs need not read it again)."""
    import hashlib

    key = hashlib.sha1(f"{path.stat().st_size}|{path.stat().st_mtime_ns}|{path.name}|"
                       f"{row['page_in_file']}|{psm}|all".encode()).hexdigest()[:16]
    cache = Path(os.environ.get("TMPDIR", "/tmp")) / "vanban-cleanup-real" / f"{row['id']}-{key}.json"
    if cache.is_file():
        return [tuple(x) for x in json.loads(cache.read_text())]
    words = plain_words(image, psm)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(words, ensure_ascii=False))
    return words


TRANSCRIPTIONS = Path(__file__).with_name("realscans") / "transcriptions"


def truth_words(stem: str) -> list[str] | None:
    """Words (>= 2 letters) of this project's proofread transcription of the page's print
    (``corpus/realscans/transcriptions/<stem>.txt``; stamps and handwriting are apart)."""
    path = TRANSCRIPTIONS / f"{stem}.txt"
    if not path.is_file():
        return None
    words = (norm_word(w) for w in path.read_text(encoding="utf-8").split())
    return [w for w in words if _letters(w) >= MIN_LETTERS]


def _recall(truth: list[str], read: list[str]) -> int:
    """How many of the ``truth`` words (a multiset) ``read`` holds."""
    have = Counter(read)
    return sum(min(n, have.get(w, 0)) for w, n in Counter(truth).items())


def fold(word: str) -> str:
    """``word`` without its marks (tone and vowel marks, đ -> d), case kept."""
    base = "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))
    return base.replace("đ", "d").replace("Đ", "D")


def _missing(ref: list[str], words) -> tuple[list[str], list[str]]:
    """Reference words (a multiset) that the Tesseract ``words`` do not hold: (lost, changed).

    ``changed``: ``ref->read`` pairs where a word with the same letters but other marks
    was read instead (plain Tesseract's confident reading is not always the right one:
    on one bilevel page it reads every "bố" as "bô" at conf >= 80, the cleaned page
    reads "bố"); ``lost``: the rest, not read even without marks.
    """
    read = Counter(w for w in (norm_word(x.text) for x in words) if w)
    missing: list[str] = []
    for word, count in Counter(ref).items():
        have = min(count, read.get(word, 0))
        missing.extend([word] * (count - have))
        read[word] -= have
    spare: dict[str, list[str]] = {}
    for word, count in read.items():
        spare.setdefault(fold(word), []).extend([word] * max(count, 0))
    lost, changed = [], []
    for word in missing:
        other = spare.get(fold(word))
        if other:
            changed.append(f"{word}->{other.pop()}")
        else:
            lost.append(word)
    return lost, changed


def measure_page(row: dict, realscans: Path, psm: int, keep_images: Path | None = None,
                 raw: bool = False) -> dict:
    from pipeline.image.cleanup import clean_page
    from pipeline.document import PageImage
    from pipeline.ocr.tesseract import ocr_page

    path = realscans / "scans" / row["scan_file"]
    page = rasterise(path, int(row["page_in_file"]))
    plain = _cached_plain(path, row, page.image, psm)
    ref = reference_words(plain)
    start = time.perf_counter()
    cleaned = clean_page(page)
    seconds = time.perf_counter() - start
    if keep_images is not None:
        import cv2

        keep_images.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(keep_images / f"{row['id']}.png"), cleaned.image)
    read = ocr_page(cleaned).words
    lost, changed = _missing(ref, read)
    extra = {}
    truth = truth_words(row["page_stem"])
    if truth:  # against the proofread transcription: plain Tesseract's words and ours
        extra["truth"] = len(truth)
        extra["truth_plain"] = _recall(truth, [w for w, _ in plain])
        extra["truth_clean"] = _recall(truth, [norm_word(w.text) for w in read])
    if raw:  # the pipeline's OCR (psm 6) on the raster without cleanup: what segmentation costs
        raw_lost, raw_changed = _missing(ref, ocr_page(PageImage(page.number, page.image, page.dpi)).words)
        extra["raw_kept"] = len(ref) - len(raw_lost) - len(raw_changed)
    notes = {k: v for k, v in cleaned.notes.items() if not k.startswith("_")}
    return {"id": row["id"], "stem": row["page_stem"], "dpi": row["approx_dpi"],
            "ref": len(ref), "kept": len(ref) - len(lost) - len(changed), "marks": len(changed),
            "share": round((len(ref) - len(lost) - len(changed)) / len(ref), 4) if ref else 1.0,
            "cleanup_s": round(seconds, 3), "lost": sorted(lost), "changed": sorted(changed), "notes": notes, **extra}


def _run(args) -> dict:
    return measure_page(*args)


def _generated_page(args) -> tuple[str, int, int, float]:
    """(level, character errors, reference length, cleanup seconds) of one generated page."""
    level, image_path, dpi, truth = args
    from pipeline.image.cleanup import clean_page
    from corpus.metrics import edit_counts
    from pipeline.ocr.tesseract import ocr_page
    from pipeline.io.rasterize import load_image_page

    page = load_image_page(Path(image_path), 1)
    start = time.perf_counter()
    cleaned = clean_page(page)
    seconds = time.perf_counter() - start
    errors, length = edit_counts(truth, ocr_page(cleaned).text)
    return level, errors, length, seconds


def measure_generated(corpus: Path, jobs: int) -> dict:
    """CER of cleanup + the pipeline's OCR per level on a ``vanban eval`` corpus (the
    ``CER cleanup+OCR`` column without the layout and region steps of ``read_page``)."""
    from corpus.evalset import load_eval_set

    loaded = load_eval_set(corpus)
    if loaded is None:
        raise SystemExit(f"{corpus}: no complete eval set (run vanban eval --out DIR first)")
    work = [(p.level, str(p.image_path), p.dpi, p.truth) for d in loaded[1] for p in d.pages]
    with ProcessPoolExecutor(max(1, jobs)) as pool:
        results = list(pool.map(_generated_page, work))
    levels: dict[str, dict] = {}
    for level, errors, length, seconds in results:
        row = levels.setdefault(level, {"pages": 0, "errors": 0, "chars": 0, "cleanup_s": 0.0})
        row["pages"] += 1
        row["errors"] += errors
        row["chars"] += length
        row["cleanup_s"] += seconds
    for row in levels.values():
        row["cer"] = row["errors"] / max(row["chars"], 1)
    return levels


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--realscans", type=Path, default=DEFAULT_REALSCANS)
    ap.add_argument("--psm", "--ref-psm", dest="psm", type=int, default=6,
                    help="page segmentation of the reference (plain) Tesseract run: 6 (default) "
                         "is the pipeline's own, so only cleanup differs; 3 is tesseract's default")
    ap.add_argument("--pages", help="comma-separated manifest ids (default: all)")
    ap.add_argument("--json", type=Path, default=Path("/tmp/cleanup_real.json"))
    ap.add_argument("--compare", type=Path, help="an earlier --json to print side by side")
    ap.add_argument("--jobs", type=int, default=1,
                    help="pages measured at once (cleanup times are only comparable at 1)")
    ap.add_argument("--keep-images", type=Path, help="write cleaned pages here (outside the repo)")
    ap.add_argument("--raw", action="store_true",
                    help="also count the words the pipeline's OCR keeps on the raster without cleanup")
    ap.add_argument("--generated", type=Path,
                    help="instead: CER of cleanup + OCR per level on this vanban eval corpus "
                         "(e.g. /tmp/evalX/corpus)")
    ap.add_argument("--max-lost", type=int, default=40, help="lost words printed per page")
    args = ap.parse_args(argv)

    if args.generated:
        levels = measure_generated(args.generated, args.jobs)
        for level, row in levels.items():
            print(f"{level:9s} {row['pages']:3d} pages  CER cleanup+OCR {100 * row['cer']:.2f}%"
                  f"  ({row['errors']}/{row['chars']})  cleanup {row['cleanup_s'] / row['pages']:.2f} s a page")
        args.json.write_text(json.dumps({"generated": str(args.generated), "levels": levels}, indent=1))
        print(f"saved {args.json}")
        return 0

    rows = load_manifest(args.realscans)
    if args.pages:
        wanted = set(args.pages.split(","))
        rows = [r for r in rows if r["id"] in wanted]
    jobs = [(r, args.realscans, args.psm, args.keep_images, args.raw) for r in rows]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(_run, jobs))
    else:
        results = [_run(j) for j in jobs]

    old = {}
    if args.compare and args.compare.is_file():
        old = {r["id"]: r for r in json.loads(args.compare.read_text())["pages"]}
    print(f"reference: plain Tesseract vie --oem 1 --psm {args.psm} on the original raster, "
          f"words conf >= {MIN_CONF:g} with >= {MIN_LETTERS} letters")
    raw = all("raw_kept" in r for r in results)
    head = f"{'id':>3} {'dpi':>4} {'ref':>5} {'kept':>5} {'share':>7} {'marks':>5} {'lost':>4} {'clean_s':>7}"
    if raw:
        head += f" {'raw6':>6}"
    head += f" {'truth':>5} {'T-plain':>7} {'T-clean':>7}"
    if old:
        head += f" | {'before':>7}"
    print(head + "  lost words | marks changed (reference->read)")
    for r in results:
        line = (f"{r['id']:>3} {r['dpi']:>4} {r['ref']:>5} {r['kept']:>5} {100 * r['share']:6.1f}%"
                f" {r.get('marks', 0):5d} {len(r['lost']):4d} {r['cleanup_s']:7.2f}")
        if raw:
            line += f" {100 * r['raw_kept'] / max(r['ref'], 1):5.1f}%"
        if r.get("truth"):
            line += (f" {r['truth']:5d} {100 * r['truth_plain'] / r['truth']:6.1f}%"
                     f" {100 * r['truth_clean'] / r['truth']:6.1f}%")
        else:
            line += f" {'-':>5} {'-':>7} {'-':>7}"
        if old:
            o = old.get(r["id"])
            line += f" | {100 * o['share']:6.1f}%" if o else " |       -"
        shown = r["lost"][: args.max_lost]
        more = f" …(+{len(r['lost']) - len(shown)})" if len(r["lost"]) > len(shown) else ""
        changed = r.get("changed", [])[: args.max_lost]
        print(f"{line}  {' '.join(shown)}{more}" + (f" | {' '.join(changed)}" if changed else ""))
    ref = sum(r["ref"] for r in results)
    kept = sum(r["kept"] for r in results)
    secs = [r["cleanup_s"] for r in results]
    marks = sum(r.get("marks", 0) for r in results)
    print(f"total: {kept}/{ref} = {100 * kept / max(ref, 1):.2f}% kept, {marks} read with other marks, "
          f"{ref - kept - marks} lost; cleanup mean "
          f"{sum(secs) / max(len(secs), 1):.2f} s, max {max(secs, default=0):.2f} s a page")
    truth = sum(r.get("truth", 0) for r in results)
    if truth:
        print(f"proofread transcriptions: {truth} words; plain Tesseract reads "
              f"{100 * sum(r.get('truth_plain', 0) for r in results) / truth:.2f}%, "
              f"cleanup + OCR {100 * sum(r.get('truth_clean', 0) for r in results) / truth:.2f}%")
    if raw:
        print(f"raw6 (pipeline OCR, psm 6, on the raster without cleanup): "
              f"{sum(r['raw_kept'] for r in results)}/{ref} kept")
    if old:
        oref = sum(old[r["id"]]["ref"] for r in results if r["id"] in old)
        okept = sum(old[r["id"]]["kept"] for r in results if r["id"] in old)
        print(f"before: {okept}/{oref} = {100 * okept / max(oref, 1):.2f}% kept")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"psm": args.psm, "min_conf": MIN_CONF, "pages": results,
                                     "total": {"ref": ref, "kept": kept}},
                                    ensure_ascii=False, indent=1))
    print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
