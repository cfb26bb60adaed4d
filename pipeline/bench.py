"""`make bench`: speed and memory of vanban against raw Tesseract, measured in one run.

For each generated page: wall time and peak memory (max RSS of the child
process) of ``tesseract PAGE - -l vie`` and of ``vanban ocr PAGE``; then the
restorer's throughput in words per second.  Figures are printed as a table and
as ratios; ``--json FILE`` keeps them for tracking.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus.generate import render_pages, seed_text, write_image

from .vietnamese import strip_diacritics


def _measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-300:]}")
    return wall, usage.ru_maxrss / 1024


def bench_ocr(pages: int, level: str, workdir: Path) -> dict:
    """Per-page time and memory of raw Tesseract and `vanban ocr` on the same page images."""
    rendered = render_pages(seed_text("003"), dpi=300, seed=7, level=level)[:pages]
    vanban = str(Path(sys.executable).with_name("vanban"))
    rows = []
    for i, page in enumerate(rendered, 1):
        image = write_image(page, workdir / f"page{i}.png")
        raw_s, raw_mb = _measure(["tesseract", str(image), "-", "-l", "vie"])
        van_s, van_mb = _measure([vanban, "ocr", str(image)])
        rows.append({"page": i, "tesseract_s": raw_s, "tesseract_mb": raw_mb,
                     "vanban_s": van_s, "vanban_mb": van_mb})
    total = {k: sum(r[k] for r in rows) for k in ("tesseract_s", "vanban_s")}
    return {
        "level": level,
        "pages": rows,
        "time_ratio": total["vanban_s"] / total["tesseract_s"],
        "peak_mb": {"tesseract": max(r["tesseract_mb"] for r in rows),
                    "vanban": max(r["vanban_mb"] for r in rows)},
    }


def bench_restore() -> dict:
    """Restorer load time and words per second on the seeds stripped of diacritics."""
    from . import restore

    text = strip_diacritics(seed_text("003") + "\n" + seed_text("004"))
    start = time.perf_counter()
    restore.restore_line("khoi dong")  # loads the lexicon
    load_s = time.perf_counter() - start
    words = len(text.split())
    start = time.perf_counter()
    restore.restore_text(text)
    seconds = time.perf_counter() - start
    return {"load_s": load_s, "words": words, "words_per_s": words / seconds}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m pipeline.bench``."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3, help="pages per level (default 3)")
    parser.add_argument("--level", default="clean", help="degradation level of the pages")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ocr = bench_ocr(args.pages, args.level, Path(tmp))
    rest = bench_restore()
    print(f"{'page':>4} {'tesseract s':>12} {'vanban s':>9} {'tesseract MB':>13} {'vanban MB':>10}")
    for r in ocr["pages"]:
        print(f"{r['page']:>4} {r['tesseract_s']:>12.2f} {r['vanban_s']:>9.2f} "
              f"{r['tesseract_mb']:>13.0f} {r['vanban_mb']:>10.0f}")
    print(f"vanban ocr / tesseract wall time: {ocr['time_ratio']:.2f}x "
          f"({ocr['level']} pages, same images, vanban includes Python start-up)")
    print(f"peak memory: tesseract {ocr['peak_mb']['tesseract']:.0f} MB, "
          f"vanban {ocr['peak_mb']['vanban']:.0f} MB")
    print(f"restore: {rest['words_per_s']:,.0f} words/s over {rest['words']:,} words, "
          f"model load {rest['load_s']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"ocr": ocr, "restore": rest}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
