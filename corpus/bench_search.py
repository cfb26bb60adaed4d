"""`vanban search` speed on a 10,000-page store (part of `make bench`; alone: python -m corpus.bench_search).

The store is built through :meth:`pipeline.run.store.Store.save_documents`, as `vanban run`
writes it (index included, one transaction a document): 1,000 documents of 10 pages of 30
lines, the lines drawn at random from the seed documents (``corpus/seeds``), each document
with a number, a type and a date, and a "Số:" line on its first page.  Then 20 varied queries
(words with and without marks, in capitals, phrases, prefixes, document numbers typed with
spaces or D for Đ, type and date filters) are each timed as :func:`pipeline.run.search.search`
answers them: open the store read-only, search, close.  The bar is < 50 ms a query.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from corpus.generate import SEEDS_DIR
from pipeline.document import Document, Page
from pipeline.run.search import search
from pipeline.run.store import Store

PAGES, PAGES_PER_DOC, LINES_PER_PAGE = 10_000, 10, 30
BUDGET_MS = 50
TYPES = ["Công văn", "Báo cáo", "Kế hoạch", "Quyết định", "Tờ trình"]
CODES = ["KH-UBND", "BC-UBND", "QĐ-UBND", "SNNPTNT-NTM", "TTr-SNN", "CV-VPĐP"]
# (query, filters): what an archivist types; numbers 1..1000 of the synthetic documents exist.
QUERIES = [
    ("quang ngai", {}), ("QUẢNG NGÃI", {}), ("Quảng Ngãi", {}), ("ocop", {}),
    ("san pham ocop 3 sao", {}), ("đề án", {}), ("giai ngan", {}), ("kinh phí hỗ trợ", {}),
    ("hop tac xa", {}), ('"mỗi xã một sản phẩm"', {}), ("tham muu*", {}), ("doanh nghiep", {}),
    ("69/KH-UBND", {}), ("69 / KH - UBND", {}), ("148/QD-TTg", {}), ("416/QD-UBND", {}),
    ("quang ngai", {"doc_type": "cong van"}), ("ocop", {"date_from": "2023-01-01", "date_to": "2023-12-31"}),
    ("giai ngan", {"doc_type": "BÁO CÁO", "date_from": "2024"}), ("nong thon moi", {"limit": 50}),
]


def _seed_lines() -> list[str]:
    return [ln for path in sorted(SEEDS_DIR.glob("*.txt"))
            for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def build_store(path: Path, pages: int = PAGES, seed: int = 0) -> dict:
    """A store of ``pages`` pages as `vanban run` would write it; its build time and size."""
    rng = random.Random(seed)
    lines = _seed_lines()
    start = time.perf_counter()
    with Store(path) as store:
        for n in range(1, pages // PAGES_PER_DOC + 1):
            number = f"{n}/{CODES[n % len(CODES)]}"
            kind = TYPES[n % len(TYPES)]
            day = f"{2019 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            doc_pages = []
            for p in range(1, PAGES_PER_DOC + 1):
                body = rng.sample(lines, LINES_PER_PAGE)
                if p == 1:
                    body[:3] = ["UBND TỈNH QUẢNG NGÃI  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                f"Số: {number}  Quảng Ngãi, ngày {day[8:]} tháng {day[5:7]} năm {day[:4]}",
                                kind.upper()]
                doc_pages.append(Page(p, "\n".join(body), "ocr"))
            doc = Document(path=Path(f"/archive/{n:04d}.pdf"), sha256=f"{n:064x}", kind="pdf", pages=doc_pages)
            store.save_documents([(doc, {"self": {"number": number, "type": kind, "date": day}}, 1)], "bench")
        rows = store.conn.execute("SELECT COUNT(*) FROM lines").fetchone()[0]
    return {"pages": pages, "lines": rows, "build_s": time.perf_counter() - start,
            "store_mb": path.stat().st_size / 1e6}


def bench_search(pages: int = PAGES, repeats: int = 3) -> dict:
    """Build the store, then time every query of :data:`QUERIES` (best of ``repeats``, warm cache)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "vanban.sqlite"
        built = build_store(db, pages)
        rows = []
        for text, options in QUERIES:
            times, hits = [], 0
            for _ in range(repeats):
                start = time.perf_counter()
                result = search(db, text, **options)
                times.append((time.perf_counter() - start) * 1000)
                hits = len(result.hits)
            rows.append({"query": text, "options": options, "ms": min(times), "hits": hits,
                         "more": result.more})
    ms = [r["ms"] for r in rows]
    return {**built, "queries": rows, "median_ms": statistics.median(ms), "max_ms": max(ms),
            "within_budget": max(ms) < BUDGET_MS}


def print_search(figures: dict) -> None:
    print(f"\nvanban search on {figures['pages']:,} pages ({figures['lines']:,} lines, store "
          f"{figures['store_mb']:.0f} MB, built in {figures['build_s']:.0f} s):")
    for r in figures["queries"]:
        options = " ".join(f"--{k.replace('doc_', '').replace('date_', '')} {v!r}" for k, v in r["options"].items())
        print(f"  {r['ms']:6.1f} ms  {r['hits']:>3}{'+' if r['more'] else ' '} hits  {r['query']} {options}")
    ok = "ok" if figures["within_budget"] else "ABOVE TARGET"
    print(f"  median {figures['median_ms']:.1f} ms, max {figures['max_ms']:.1f} ms a query "
          f"(target < {BUDGET_MS} ms: {ok})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus.bench_search", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=PAGES, help=f"pages in the store (default {PAGES:,})")
    args = parser.parse_args(argv)
    print_search(bench_search(args.pages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
