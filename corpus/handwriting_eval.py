"""Measure :mod:`pipeline.ocr.handwriting` on the real scans (``../shared/realscans``).

For every page of ``manifest.tsv`` whose truth has ``number_handwritten`` true: render
the page (300 DPI, as vanban rasterises it), run Tesseract ``vie`` (psm 6) on the
top 40% of the page for word boxes, find the "Số:" blank and the date blanks with
:func:`pipeline.ocr.handwriting.find_number_blank` / :func:`find_date_blanks`, read them
with :func:`read_digits` on the original raster and compare with the truth: the
number's digits before the first "/", the day where the notes say it is handwritten,
the month likewise ("month 'X' printed" otherwise).

Prints one row per field read, then accuracy, and accuracy/coverage at confidence
thresholds (the product stores a reading below the threshold as uncertain).

    .venv/bin/python -m corpus.handwriting_eval [--shared ../shared] [--cache /tmp/hw-eval] [--crops DIR]

``--cache`` keeps rendered pages' Tesseract words between runs (a page's words do not
depend on this module).  ``--crops`` writes each blank's crop as PNG for eyeballing
(outside the repository: the scans must not be copied into it).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from pathlib import Path

import cv2
import numpy as np

from pipeline.ocr.handwriting import (HandwritingSettings, default_model_path, find_date_blanks,
                                  find_number_blank, read_digits)
from pipeline.io.rasterize import load_image_page, rasterize_pdf_page

THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
IN_FORCE = HandwritingSettings().min_confidence


def handwritten_fields(truth: dict) -> dict[str, str]:
    """Truth digits of the handwritten fields of a page: number, and day/month when the
    notes name them as handwritten."""
    out = {}
    if not truth.get("number_handwritten") or not truth.get("number"):
        return out
    out["number"] = re.match(r"\s*(\d+)", truth["number"]).group(1)
    notes = truth.get("notes") or ""
    date = truth.get("date")
    sentence = next((s for s in re.split(r"(?<=\.)\s+", notes) if "andwritten" in s), "")
    if date:
        y, m, d = date.split("-")
        day = re.search(r"day '(\d+)'", sentence)
        if day:
            out["day"] = day.group(1)
        month = re.search(r"month '(\d+)'(\s+printed)?", sentence)
        if month and not month.group(2):
            out["month"] = month.group(1)
    return out


def page_words(image: np.ndarray) -> list[dict]:
    import pytesseract

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    top = gray[: int(gray.shape[0] * 0.4)]
    d = pytesseract.image_to_data(top, lang="vie", config="--psm 6", output_type=pytesseract.Output.DICT)
    return [dict(text=t, left=left, top=tp, width=w, height=h)
            for t, left, tp, w, h in zip(d["text"], d["left"], d["top"], d["width"], d["height"]) if t.strip()]


def load_page(realscans: Path, row: dict) -> np.ndarray:
    f = realscans / "scans" / row["scan_file"]
    n = int(row["page_in_file"])
    page = rasterize_pdf_page(f, n) if f.suffix.lower() == ".pdf" else load_image_page(f, n)
    return page.image


def evaluate(realscans: Path, cache: Path | None, crops: Path | None, model: Path,
             settings: HandwritingSettings) -> list[dict]:
    rows = []
    for row in csv.DictReader(open(realscans / "manifest.tsv", encoding="utf-8"), delimiter="\t"):
        truth = json.loads((realscans / "truth" / f"{row['page_stem']}.fields.json").read_text("utf-8"))
        fields = handwritten_fields(truth)
        if not fields:
            continue
        image = load_page(realscans, row)
        cached = cache / f"{row['page_stem']}.words.json" if cache else None
        if cached and cached.is_file():
            words = json.loads(cached.read_text("utf-8"))
        else:
            words = page_words(image)
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(words, ensure_ascii=False), "utf-8")
        blanks = {}
        nb = find_number_blank(words, page_height=image.shape[0])
        if nb:
            blanks["number"] = nb
        blanks.update(find_date_blanks(words, page_height=image.shape[0]))
        for field, want in fields.items():
            res = {"id": row["id"], "field": field, "truth": want, "read": None, "conf": 0.0,
                   "uncertain": bool(truth.get("number_uncertain") if field == "number" else truth.get("date_uncertain"))}
            if field in blanks:
                box, h = blanks[field]
                r = read_digits(image, box, text_height=h, model_path=model, settings=settings)
                if r:
                    res["read"], res["conf"] = r.text, r.confidence
                    res["digits"] = " ".join(f"{c}:{p:.2f}" for c, p in r.digits)
                if crops:
                    crops.mkdir(parents=True, exist_ok=True)
                    x0, y0, x1, y1 = box
                    crop = image[max(0, y0):y1, max(0, x0):x1]
                    if crop.ndim == 3:
                        crop = cv2.cvtColor(crop, cv2.COLOR_RGB2BGR)
                    cv2.imwrite(str(crops / f"{row['id']}_{field}.png"), crop)
            else:
                res["read"] = None
                res["note"] = "blank not found"
            # number: the whole string; day/month: the value (a leading 0 is optional on paper)
            if field == "number":
                res["ok"] = res["read"] == want
            else:
                res["ok"] = res["read"] is not None and res["read"].isdigit() and int(res["read"]) == int(want) \
                    and len(res["read"]) <= 2
            rows.append(res)
    return rows


def summarise(rows: list[dict]) -> str:
    lines = [f"{'page':4} {'field':6} {'truth':>6} {'read':>8} {'conf':>5}  ok  digits   "
             f"(threshold in force: {IN_FORCE}; below it a reading is stored as uncertain)"]
    for r in rows:
        flag = "yes" if r["ok"] else "NO "
        note = r.get("note", "") + (" (truth uncertain)" if r["uncertain"] else "")
        lines.append(f"{r['id']:4} {r['field']:6} {r['truth']:>6} {str(r['read']):>8} {r['conf']:5.2f}  {flag} "
                     f"{r.get('digits', '')} {note}")
    for field in ("number", "day", "month", "all"):
        sel = [r for r in rows if field == "all" or r["field"] == field]
        if not sel:
            continue
        right = sum(r["ok"] for r in sel)
        lines.append(f"\n{field}: {right}/{len(sel)} right ({right / len(sel):.0%})")
        for t in THRESHOLDS:
            ans = [r for r in sel if r["read"] is not None and r["conf"] >= t]
            ok = sum(r["ok"] for r in ans)
            wrong = len(ans) - ok
            lines.append(f"  conf >= {t:.1f}: answered {len(ans):2}/{len(sel)} (coverage {len(ans) / len(sel):4.0%}),"
                         f" right {ok:2}, wrong {wrong:2}" + (f" (precision {ok / len(ans):.0%})" if ans else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("VANBAN_SHARED", "../shared")))
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--crops", type=Path, default=None)
    ap.add_argument("--model", type=Path, default=default_model_path())
    ap.add_argument("--json", type=Path, default=None, help="write the per-field rows as JSON")
    args = ap.parse_args(argv)
    realscans = args.shared / "realscans"
    if not (realscans / "manifest.tsv").is_file():
        print(f"{realscans}/manifest.tsv not found (--shared)", file=sys.stderr)
        return 2
    rows = evaluate(realscans, args.cache, args.crops, args.model, HandwritingSettings())
    print(summarise(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
