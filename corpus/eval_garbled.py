"""Restoration on generated garbled documents, per scanning condition (``vanban eval --garbled``).

The OCR channel (``pipeline/data/channel.json``, ``models/build_channel.py``) is learnt from
VLSP and dictionary sentences rendered under the conditions of real archives.  This measures
what it buys on text it never saw: the bodies of documents from :mod:`corpus.compose`
(administrative prose of the OCOP programme, a source the channel's text does not contain),
rendered under each condition of :data:`CONDITIONS`, read by the product's OCR
(:func:`pipeline.ocr.tesseract.ocr_page`) with ``-l eng`` (the old garbled dumps) and ``-l vie``
(modern scans), then restored as the product restores an OCR page
(:meth:`pipeline.restore.restorer.Restorer.restore_ocr_page`: eng pages lost their marks and
are restored as a text dump, without Tesseract's confidences; vie pages have their marks
mended, weighed by them).  Word error rate of the raw OCR and of the
restored text against the rendered truth, per condition (case and punctuation count, as
``vanban eval``'s seed figures).

OCR is slow (~2 s a page) and depends only on the rendering and Tesseract, so pages are
cached (``--cache``): measuring another channel or restorer re-runs only the restoration.

CLI::

    python -m corpus.eval_garbled [--cache DIR] [--channel FILE] [--lang eng|vie]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# (font face, degradation level, dpi): every kind of condition the channel is learnt from,
# some at a resolution or in a face its plans do not pair them with.
CONDITIONS = (
    ("liberation", "clean", 300),
    ("termes", "clean", 200),
    ("termes", "clean", 100),
    ("liberation", "moderate", 150),
    ("termes", "moderate", 200),
    ("liberation", "heavy", 150),
    ("termes", "photocopy", 200),
    ("liberation", "photocopy", 300),
    ("liberation", "fax", 200),
    ("termes", "fax", 200),
)
LANGS = ("eng", "vie")
PAGES = 2                 # pages per condition and language (~750 words)
DOCUMENTS = range(9000, 9008)  # compose() seeds of the held-out text (not used elsewhere)
RENDER_SEED = 4242


def heldout_text() -> str:
    """The held-out documents' titles and body paragraphs, one paragraph a line."""
    from corpus.compose import compose

    lines = []
    for seed in DOCUMENTS:
        doc = compose(seed)
        lines += [doc.subject] + [p.text for p in doc.paragraphs]
    return "\n".join(lines)


def _ocr_pages(font: str, level: str, dpi: int, lang: str, cache: Path | None) -> list[tuple[str, object]]:
    """(truth, OCR page) of each rendered page of one condition, from ``cache`` when there."""
    import numpy as np

    from corpus.generate import render_pages
    from pipeline.document import PageImage
    from pipeline.ocr.tesseract import ocr_page, tesseract_version
    from pipeline.options import OCR_STAGE_VERSION, OcrSettings

    settings = OcrSettings(lang=lang)
    text = heldout_text()
    key = hashlib.sha256(repr((font, level, dpi, lang, PAGES, RENDER_SEED, text, settings.config(),
                               tesseract_version(), OCR_STAGE_VERSION)).encode()).hexdigest()[:16]
    path = cache / f"{font}-{level}-{dpi}-{lang}-{key}.pickle" if cache else None
    if path is not None and path.is_file():
        return pickle.loads(path.read_bytes())
    out = []
    for i, page in enumerate(render_pages(text, dpi=dpi, seed=RENDER_SEED, level=level, max_pages=PAGES,
                                          font=font)):
        image = PageImage(number=i + 1, image=np.asarray(page.image), dpi=dpi)
        out.append((page.text, ocr_page(image, settings)))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(out))
    return out


def evaluate_garbled(restorer=None, cache: Path | None = None, langs=LANGS, conditions=CONDITIONS,
                     log=None) -> dict:
    """Per language and condition: words, raw OCR WER, restored WER (and the totals)."""
    from corpus.metrics import edit_counts
    from pipeline.restore.restorer import Restorer, RestorerOptions

    restorer = restorer or Restorer(RestorerOptions.find(user_lm=False))
    restorer.load()
    report: dict = {"channel": str(restorer.options.channel), "documents": list(DOCUMENTS), "langs": {}}
    for lang in langs:
        rows, total = [], {"words": 0, "raw": 0, "restored": 0}
        for font, level, dpi in conditions:
            started = time.perf_counter()
            words = raw = restored = 0
            for truth, page in _ocr_pages(font, level, dpi, lang, cache):
                # An eng page stands for an old text dump, which has no confidences; a vie page
                # is the product's own OCR, whose mending weighs them.
                confidences = ([w.conf for w in page.words]
                               if lang != "eng" and len(page.words) == len(page.text.split()) else None)
                fixed = restorer.restore_ocr_page(page.text, confidences)
                e_raw, n = edit_counts(truth, page.text, "word")
                e_fixed, _ = edit_counts(truth, fixed, "word")
                words, raw, restored = words + n, raw + e_raw, restored + e_fixed
            rows.append({"font": font, "level": level, "dpi": dpi, "words": words,
                         "raw_wer": raw / words, "restored_wer": restored / words})
            for k, v in (("words", words), ("raw", raw), ("restored", restored)):
                total[k] += v
            if log:
                log(f"eval_garbled: {lang} {font} {level} {dpi}: raw {raw / words:.4f} restored "
                    f"{restored / words:.4f} ({time.perf_counter() - started:.0f}s)")
        report["langs"][lang] = {"conditions": rows, "words": total["words"],
                                 "raw_wer": total["raw"] / total["words"],
                                 "restored_wer": total["restored"] / total["words"]}
    return report


def format_report(report: dict) -> str:
    """The report as a plain table, a row per language and condition."""
    lines = [f"{'lang':4} {'font':10} {'level':9} {'dpi':>4} {'words':>6} {'raw WER':>8} {'restored':>8}"]
    for lang, r in report["langs"].items():
        for row in r["conditions"]:
            lines.append(f"{lang:4} {row['font']:10} {row['level']:9} {row['dpi']:4} {row['words']:6} "
                         f"{row['raw_wer']:8.4f} {row['restored_wer']:8.4f}")
        lines.append(f"{lang:4} {'all':10} {'':9} {'':4} {r['words']:6} {r['raw_wer']:8.4f} {r['restored_wer']:8.4f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m corpus.eval_garbled``."""
    from pipeline.restore.restorer import Restorer, RestorerOptions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("out/eval/garbled_cache"),
                        help="folder keeping each condition's OCR")
    parser.add_argument("--channel", type=Path, default=None, help="a channel.json to measure instead of the shipped one")
    parser.add_argument("--lang", choices=LANGS, action="append", help="language(s) (default: both)")
    parser.add_argument("--json", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    options = RestorerOptions.find(user_lm=False)
    if args.channel is not None:
        from dataclasses import replace

        options = replace(options, channel=args.channel)
    report = evaluate_garbled(Restorer(options), args.cache, tuple(args.lang or LANGS), log=print)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
