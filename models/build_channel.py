"""Learn the OCR channel P(observed | intended) from rendered + OCR'd pages.

Writes ``pipeline/data/channel.json`` (committed package data, ~100 kB), the confusion tables
that :mod:`pipeline.restore.channel` loads.  Rebuild with::

    python -m models.build_channel            # ~3 min on one core
    python -m models.build_channel --only vie # ~75 s: the vie tables only, eng kept

How the pairs are made (nothing from the evaluation documents is used):

* text: sentences of the VLSP running text bundled in the ``underthesea`` wheel
  (the same file ``models.build`` reads; the package is never imported);
* pages: :func:`corpus.generate.render_pages` lays the text out in Liberation
  Serif and degrades it;
* two channels:
  - ``eng``: Tesseract ``-l eng`` on clean renders (300 and 200 DPI) — the
    legacy text dumps made with an English model (marks dropped, ``ô`` -> ``6``,
    ``ư`` -> ``w``, ``ủ`` -> ``ii``);
  - ``vie``: Tesseract ``-l vie`` on clean 300 DPI, moderately degraded 200 and 150 DPI and
    heavily degraded 150 DPI renders — the modern case, where stacked marks get confused
    (hỏi read as sắc on ê/ô/â, a dot or hook lost);
* alignment: words by Levenshtein over the page's token sequence, then letters
  inside each aligned word pair (lower case, NFC).  Counted: letter
  substitutions/deletions ``sub[intended][observed]`` (``""`` = deleted),
  insertions ``ins[observed]``, and whole-word readings ``words[observed]
  [intended]`` seen at least twice (``ciia`` -> ``của``).
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
FORMAT_VERSION = 1
# (channel name, tesseract language, degradation level, dpi, pages, seed)
PLANS = (
    ("eng", "eng", "clean", 300, 9, 11),
    ("eng", "eng", "clean", 200, 9, 12),
    ("vie", "vie", "moderate", 200, 10, 13),
    ("vie", "vie", "moderate", 150, 10, 14),
    ("vie", "vie", "heavy", 150, 6, 15),
    ("vie", "vie", "clean", 300, 4, 16),
)
_ALLOWED = re.compile(r"^[\w\s.,;:()\-/%\"'?!]+$")
MIN_WORD_PAIR = 2


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
            if 6 <= len(current) <= 60 and _ALLOWED.match(text):
                sentences.append(text)
        current = []
    return sentences


def _tokens(text: str) -> list[str]:
    from pipeline.script import nfc

    return [t for t in (re.sub(r"^\W+|\W+$", "", w) for w in nfc(text).lower().split()) if t]


def align_pair(truth: str, ocr: str, sub: dict, ins: Counter, words: dict) -> None:
    """Add one (truth, OCR) page to the tallies."""
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


def build(out: Path = CHANNEL_FILE, scale: float = 1.0, log=print, only: str | None = None) -> Path:
    """Render, OCR and align every plan (or only the plans of channel ``only``, merging the
    other channels from the existing ``out``); write the tables to ``out``."""
    import pytesseract

    from corpus.generate import render_pages

    sentences = vlsp_sentences()
    tables: dict[str, dict] = {}
    offset = 0
    for name, lang, level, dpi, pages, seed in PLANS:
        n_pages = max(1, round(pages * scale))
        # ~28 sentences fill a page; each plan reads different sentences.
        chunk = sentences[offset: offset + 28 * n_pages]
        offset += len(chunk)
        if only and name != only:
            continue
        text = "\n".join(chunk)
        table = tables.setdefault(name, {"sub": defaultdict(Counter), "ins": Counter(),
                                         "words": defaultdict(Counter), "pages": 0, "words_seen": 0})
        started = time.perf_counter()
        for page in render_pages(text, dpi=dpi, seed=seed, level=level, max_pages=n_pages):
            ocr = pytesseract.image_to_string(page.image, lang=lang, config="--oem 1 --psm 6")
            align_pair(page.text, ocr, table["sub"], table["ins"], table["words"])
            table["pages"] += 1
            table["words_seen"] += len(page.text.split())
        log(f"build_channel: {name} {level} {dpi} dpi: {n_pages} pages in {time.perf_counter() - started:.0f}s")
    model = {"format": FORMAT_VERSION,
             "source": "underthesea VLSP running text rendered by the project scan generator, OCR'd by Tesseract "
                       f"{pytesseract.get_tesseract_version()}",
             "plans": [list(p) for p in PLANS], "channels": {}}
    if only and out.exists():
        previous = json.loads(out.read_text(encoding="utf-8"))
        model["channels"].update({k: v for k, v in previous.get("channels", {}).items() if k != only})
    for name, table in tables.items():
        model["channels"][name] = {
            "pages": table["pages"],
            "words_seen": table["words_seen"],
            "sub": {c: dict(sorted(obs.items())) for c, obs in sorted(table["sub"].items())},
            "ins": dict(sorted(table["ins"].items())),
            "words": {o: dict(sorted(ts.items())) for o, ts in sorted(table["words"].items())
                      if sum(ts.values()) >= MIN_WORD_PAIR},
        }
    out.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CHANNEL_FILE)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the page counts (speed/quality)")
    parser.add_argument("--only", choices=sorted({p[0] for p in PLANS}), default=None,
                        help="rebuild one channel, keeping the others from --out")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    path = build(args.out, args.scale, only=args.only)
    print(f"build_channel: wrote {path} ({path.stat().st_size // 1024} kB) in {time.perf_counter() - start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
