"""Learn the OCR channel P(observed | intended) from rendered + OCR'd pages.

Writes ``pipeline/data/channel.json`` (committed package data), the confusion tables
that :mod:`pipeline.restore.channel` loads.  Rebuild with::

    python -m models.build_channel            # ~11 min on one core (351 pages; --cache DIR: ~3 s again)
    python -m models.build_channel --only vie # the vie tables only, eng kept
    python -m models.build_channel --cache DIR --drop fax   # measure what a level adds

How the pairs are made (nothing from the evaluation documents is used):

* text: sentences of the VLSP running text bundled in the ``underthesea`` wheel
  (the same file ``models.build`` reads; the package is never imported), then
  definitions of the underthesea 6.8.4 dictionary (``make setup`` fetches it); every
  plan reads sentences of its own;
* pages: :func:`corpus.generate.render_pages` lays the text out in Liberation
  Serif or TeX Gyre Termes (the two Times-metric faces) at 100-300 DPI and degrades it
  as a scan of an original (clean, moderate, heavy), a photocopy or a standard-mode fax
  (:mod:`corpus.degrade`), the conditions of real archives (:data:`PLANS`);
* two channels:
  - ``eng``: Tesseract ``-l eng`` — the legacy text dumps made with an English model
    (marks dropped, ``ô`` -> ``6``, ``ư`` -> ``w``, ``ủ`` -> ``ii``);
  - ``vie``: Tesseract ``-l vie`` — the modern case, where stacked marks get confused
    (hỏi read as sắc on ê/ô/â, a dot or hook lost);
* alignment: words by Levenshtein over the page's token sequence, then letters
  inside each aligned word pair (lower case, NFC).  Counted: letter
  substitutions/deletions ``sub[intended][observed]`` (``""`` = deleted),
  insertions ``ins[observed]``, and whole-word readings ``words[observed]
  [intended]`` seen at least twice (``ciia`` -> ``của``), with ``word_seen[observed]``, how
  often that OCR word was aligned at all (read right or not).

What it buys is measured on text it never saw by ``vanban eval --garbled``
(:mod:`corpus.eval_garbled`), per condition.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from pipeline.resources import CHANNEL_PATH  # noqa: E402

CHANNEL_FILE = CHANNEL_PATH  # package data of pipeline (pipeline/resources.py)
FORMAT_VERSION = 2
# (channel name, tesseract language, font face, degradation level, dpi, pages, seed).
# The conditions of real archives: both Times-metric faces, 100-300 DPI, scans of originals
# (clean/moderate/heavy), photocopies and standard-mode faxes (corpus/degrade.py).
# Measured on held-out garbled documents (`vanban eval --garbled`, eng restored WER over all
# ten conditions; 0.2350 with the former 18 clean eng pages): these plans at a third of
# the pages 0.2048, as here 0.1748; 106 more eng pages (faces and DPIs crossed the other
# way) 0.1750, so no more.  Without the photocopy, fax and heavy pages: eng 0.2087 against
# 0.2048 (a third of the pages), vie 0.1114 against 0.1083 with its clean and moderate
# conditions unchanged, so the noisy conditions stay: they do not make the channel too
# permissive for the clean dump 001 (41 wrong words with them and without).
PLANS = (
    ("eng", "eng", "liberation", "clean", 300, 24, 11),
    ("eng", "eng", "termes", "clean", 300, 24, 12),
    ("eng", "eng", "liberation", "clean", 200, 15, 21),
    ("eng", "eng", "termes", "clean", 200, 15, 22),
    ("eng", "eng", "liberation", "moderate", 150, 15, 23),
    ("eng", "eng", "termes", "moderate", 200, 15, 24),
    ("eng", "eng", "liberation", "photocopy", 200, 15, 25),
    ("eng", "eng", "termes", "photocopy", 300, 15, 26),
    ("eng", "eng", "termes", "clean", 100, 12, 27),
    ("eng", "eng", "liberation", "heavy", 150, 12, 28),
    ("eng", "eng", "liberation", "fax", 200, 12, 29),
    ("vie", "vie", "liberation", "moderate", 200, 24, 13),
    ("vie", "vie", "liberation", "moderate", 150, 24, 14),
    ("vie", "vie", "liberation", "heavy", 150, 15, 15),
    ("vie", "vie", "liberation", "clean", 300, 12, 16),
    ("vie", "vie", "termes", "clean", 300, 12, 31),
    ("vie", "vie", "termes", "moderate", 200, 15, 32),
    ("vie", "vie", "liberation", "photocopy", 200, 15, 33),
    ("vie", "vie", "termes", "photocopy", 300, 15, 34),
    ("vie", "vie", "liberation", "clean", 100, 12, 35),
    ("vie", "vie", "termes", "fax", 200, 12, 36),
)
# Words of running text a 13 pt A4 page holds (~35 lines of ~14 words), so each plan takes
# the text it renders and the next plan starts on fresh sentences.
WORDS_PER_PAGE = 520
_ALLOWED = re.compile(r"^[\w\s.,;:()\-/%\"'?!]+$")
MIN_WORD_PAIR = 2


def _renderable(text: str) -> bool:
    """Plain punctuation and letters of the Vietnamese alphabet only (``\\w`` also lets
    through ``⅔`` and other signs the fonts lack or the documents never hold)."""
    import unicodedata

    return bool(_ALLOWED.match(text)) and all(
        c.isascii() or unicodedata.normalize("NFD", c)[0] in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZđĐ"
        for c in text)


def vlsp_sentences() -> list[str]:
    """Sentences of underthesea's bundled VLSP text, tokens joined back with spaces."""
    from models.build import _UNDERTHESEA_FILES, _underthesea_dir

    path = _underthesea_dir() / _UNDERTHESEA_FILES["running_text"]
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        token = line.split("\t", 1)[0].strip()
        if token:
            current.append(token)
            continue
        if current:
            text = " ".join(current)
            text = re.sub(r" ([.,;:)?!%])", r"\1", text).replace("( ", "(")
            if 6 <= len(current) <= 60 and _renderable(text):
                sentences.append(text)
        current = []
    return sentences


def dictionary_sentences() -> list[str]:
    """Definitions of the underthesea 6.8.4 dictionary (``make setup`` fetches it into
    models/built/sources) as sentences, in a fixed shuffled order; [] when it is absent.

    The VLSP text has only ~1,650 usable sentences (~60 pages); the channel needs several
    times that, each page with text of its own."""
    import random

    from models.build import DICTIONARY_DATA, SOURCES_DIR, _PlainDataUnpickler

    path = SOURCES_DIR / DICTIONARY_DATA
    if not path.is_file():
        return []
    with path.open("rb") as f:
        entries = _PlainDataUnpickler(f).load()
    out = []
    for word in sorted(entries):
        for sense in entries[word]:
            text = (sense.get("definition") or "").strip()
            if len(text.split()) >= 6 and _renderable(text):
                out.append(text[0].upper() + text[1:].rstrip(".,;:") + ".")
    random.Random(17).shuffle(out)
    return out


def training_sentences() -> list[str]:
    """The channel's text: the VLSP sentences, then the dictionary's."""
    return vlsp_sentences() + dictionary_sentences()


def plan_chunks(sentences: list[str], scale: float = 1.0) -> list[list[str]]:
    """For each plan, the sentences it renders: consecutive and disjoint, ``WORDS_PER_PAGE``
    words a page."""
    chunks, i = [], 0
    for *_, pages, _seed in PLANS:
        budget = WORDS_PER_PAGE * max(1, round(pages * scale))
        chunk: list[str] = []
        while i < len(sentences) and budget > 0:
            chunk.append(sentences[i])
            budget -= len(sentences[i].split())
            i += 1
        chunks.append(chunk)
    return chunks


def _tokens(text: str) -> list[str]:
    from pipeline.script import nfc

    return [t for t in (re.sub(r"^\W+|\W+$", "", w) for w in nfc(text).lower().split()) if t]


def align_pair(truth: str, ocr: str, sub: dict, ins: Counter, words: dict,
               seen: Counter | None = None) -> None:
    """Add one (truth, OCR) page to the tallies (``seen``: how often each OCR word was aligned)."""
    from rapidfuzz.distance import Levenshtein

    t, o = _tokens(truth), _tokens(ocr)
    pairs: list[tuple[str, str]] = []
    ti = oi = 0
    for op in Levenshtein.editops(t, o):
        while ti < op.src_pos and oi < op.dest_pos:
            pairs.append((t[ti], o[oi]))
            ti, oi = ti + 1, oi + 1
        if op.tag == "replace":
            pairs.append((t[op.src_pos], o[op.dest_pos]))
            ti, oi = op.src_pos + 1, op.dest_pos + 1
        elif op.tag == "delete":
            ti = op.src_pos + 1
        else:
            oi = op.dest_pos + 1
    while ti < len(t) and oi < len(o):
        pairs.append((t[ti], o[oi]))
        ti, oi = ti + 1, oi + 1
    for tw, ow in pairs:
        if Levenshtein.distance(tw, ow) > max(2, len(tw) // 2 + 1):
            continue  # a misalignment, not a reading
        if seen is not None:
            seen[ow] += 1
        if tw != ow:
            words[ow][tw] += 1
        ci = oj = 0
        for op in Levenshtein.editops(tw, ow):
            while ci < op.src_pos:
                sub[tw[ci]][ow[oj]] += 1
                ci, oj = ci + 1, oj + 1
            if op.tag == "replace":
                sub[tw[ci]][ow[oj]] += 1
                ci, oj = ci + 1, oj + 1
            elif op.tag == "delete":
                sub[tw[ci]][""] += 1
                ci += 1
            else:
                ins[ow[oj]] += 1
                oj += 1
        while ci < len(tw):
            sub[tw[ci]][ow[oj]] += 1
            ci, oj = ci + 1, oj + 1


def _read_plan(plan: tuple, text: str, n_pages: int, cache: Path | None) -> list[tuple[str, str]]:
    """(truth, OCR) of each page of one plan; kept in ``cache`` (keyed by the plan, the text and
    Tesseract's version) so that choosing which plans to count needs no new OCR."""
    import hashlib

    import pytesseract

    from corpus.generate import render_pages

    name, lang, font, level, dpi, _pages, seed = plan
    # What the pages depend on (not the plan's nominal page count: --scale may change it).
    key = hashlib.sha256(repr((lang, font, level, dpi, seed, n_pages, text,
                               str(pytesseract.get_tesseract_version()))).encode()).hexdigest()
    path = cache / f"{name}-{font}-{level}-{dpi}-{key[:12]}.json" if cache else None
    if path is not None and path.is_file():
        return [tuple(p) for p in json.loads(path.read_text(encoding="utf-8"))]
    pairs = []
    for page in render_pages(text, dpi=dpi, seed=seed, level=level, max_pages=n_pages, font=font):
        pairs.append((page.text, pytesseract.image_to_string(page.image, lang=lang, config="--oem 1 --psm 6")))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(pairs, ensure_ascii=False), encoding="utf-8")
    return pairs


def build(out: Path = CHANNEL_FILE, scale: float = 1.0, log=print, only: str | None = None,
          cache: Path | None = None, drop: tuple[str, ...] = ()) -> Path:
    """Render, OCR and align every plan (or only the plans of channel ``only``, merging the
    other channels from the existing ``out``); write the tables to ``out``.  ``drop``: levels
    whose pages are not counted (to measure what they add); ``cache``: see :func:`_read_plan`."""
    import pytesseract

    tables: dict[str, dict] = {}
    used = []
    for plan, chunk in zip(PLANS, plan_chunks(training_sentences(), scale)):
        name, lang, font, level, dpi, pages, seed = plan
        if (only and name != only) or level in drop:
            continue
        if not chunk:
            raise RuntimeError(f"build_channel: no text left for plan {plan}")
        n_pages = max(1, round(pages * scale))
        table = tables.setdefault(name, {"sub": defaultdict(Counter), "ins": Counter(),
                                         "words": defaultdict(Counter), "seen": Counter(),
                                         "pages": 0, "words_seen": 0})
        started = time.perf_counter()
        for truth, ocr in _read_plan(plan, "\n".join(chunk), n_pages, cache):
            align_pair(truth, ocr, table["sub"], table["ins"], table["words"], table["seen"])
            table["pages"] += 1
            table["words_seen"] += len(truth.split())
        used.append(list(plan))
        log(f"build_channel: {name} {font} {level} {dpi} dpi: {n_pages} pages in {time.perf_counter() - started:.0f}s")
    model = {"format": FORMAT_VERSION,
             "source": "underthesea VLSP running text and underthesea 6.8.4 dictionary definitions rendered "
                       f"by the project scan generator, OCR'd by Tesseract {pytesseract.get_tesseract_version()}",
             "plans": used, "channels": {}}
    if only and out.exists():
        previous = json.loads(out.read_text(encoding="utf-8"))
        model["channels"].update({k: v for k, v in previous.get("channels", {}).items() if k != only})
        model["plans"] = [p for p in previous.get("plans", []) if p[0] != only] + used
    for name, table in tables.items():
        model["channels"][name] = {
            "pages": table["pages"],
            "words_seen": table["words_seen"],
            "sub": {c: dict(sorted(obs.items())) for c, obs in sorted(table["sub"].items())},
            "ins": dict(sorted(table["ins"].items())),
            "words": {o: dict(sorted(ts.items())) for o, ts in sorted(table["words"].items())
                      if sum(ts.values()) >= MIN_WORD_PAIR},
        }
        # How often each OCR word of the table was aligned at all (misread or not), so that
        # P(intended | OCR word) can be told: "sin" is nearly always "sản", "chi" often "chi".
        model["channels"][name]["word_seen"] = {o: table["seen"][o] for o in model["channels"][name]["words"]}
    out.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CHANNEL_FILE)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the page counts (speed/quality)")
    parser.add_argument("--only", choices=sorted({p[0] for p in PLANS}), default=None,
                        help="rebuild one channel, keeping the others from --out")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep each plan's OCR here (re-runs and --drop then skip Tesseract)")
    parser.add_argument("--drop", action="append", default=[], metavar="LEVEL",
                        help="do not count the pages of this degradation level (repeatable)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    path = build(args.out, args.scale, only=args.only, cache=args.cache, drop=tuple(args.drop))
    print(f"build_channel: wrote {path} ({path.stat().st_size // 1024} kB) in {time.perf_counter() - start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
