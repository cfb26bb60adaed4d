"""`make bench`: speed and memory of vanban against raw Tesseract, measured in one run.

1. Per generated page: wall time and peak memory (max RSS of the child process)
   of ``tesseract PAGE - -l vie`` and of ``vanban ocr PAGE``.
2. The restorer's throughput in words per second.
3. Batch figures (``vanban run`` as a user runs it, on generated scans):
   pages/min with ``--workers 1`` and ``--workers 2`` on the same batch (speed-up),
   vanban's wall time per page against raw Tesseract's on the same pages,
   the re-run time of an unchanged 30-page batch, and peak memory per worker
   (worker + its Tesseract/pdftoppm children, sampled) on a 40-page 300-DPI PDF.
4. `vanban search` on a 10,000-page store: median and slowest of 20 varied queries
   (corpus/bench_search.py; target < 50 ms a query).

Figures are printed as tables and ratios; ``--json FILE`` keeps them for tracking.
``--quick`` shrinks every batch (figures are then indicative only).  Timings
depend on what else runs: re-run on an idle machine for figures to quote.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus.bench_cleanup import bench_cleanup
from corpus.bench_search import bench_search, print_search
from corpus.generate import render_pages, seed_text, write_image, write_pdf
from pipeline.script import strip_diacritics

# Pages of the 1-vs-2-worker batch.  An archive batch runs for hours, so the figure
# that matters is steady throughput; a run also has ~3 s of one-off start-up (imports,
# worker start, the extractors' first load, the final export), which 30 pages dilute
# to a few percent instead of the ~15% it is of a 10-page run.
WORKER_PAGES = 30
DEFAULT_THREAD_PAGES = 4


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
    from pipeline.restore.restorer import Restorer, RestorerOptions

    text = strip_diacritics(seed_text("003") + "\n" + seed_text("004"))
    start = time.perf_counter()
    restorer = Restorer(RestorerOptions.find())
    restorer.restore_line("khoi dong")  # loads the lexicon
    load_s = time.perf_counter() - start
    words = len(text.split())
    start = time.perf_counter()
    restorer.restore_text(text)
    seconds = time.perf_counter() - start
    return {"load_s": load_s, "words": words, "words_per_s": words / seconds}


# ---------------------------------------------------------------- batch figures

def _scan_pages(n: int, seed: int) -> list:
    """``n`` distinct generated 300-DPI pages (003 and 004 laid out again with new noise)."""
    pages: list = []
    round_ = 0
    while len(pages) < n:
        for prefix in ("003", "004"):
            pages += render_pages(seed_text(prefix), dpi=300, seed=seed + round_,
                                  max_pages=n - len(pages))
            if len(pages) >= n:
                break
        round_ += 1
    return pages[:n]


def _vanban_run(args: list[str], sample_workers: bool = False) -> dict:
    """Run ``vanban run ARGS --log ...`` and return its wall time, log summary and sampled memory."""
    vanban = str(Path(sys.executable).with_name("vanban"))
    out = Path(args[args.index("--out") + 1])
    log = out.with_name(out.name + ".jsonl")
    log.unlink(missing_ok=True)
    err = log.with_suffix(".stderr")
    load = os.getloadavg()[0]
    start = time.perf_counter()
    with open(err, "wb") as err_fh:  # a file, not a pipe: a chatty run cannot block on it
        proc = subprocess.Popen([vanban, "run", *args, "--log", str(log)],
                                stdout=subprocess.DEVNULL, stderr=err_fh)
    peaks: dict[int, float] = {}
    parent_peak = 0.0
    waited = None
    if sample_workers:
        import psutil

        root = psutil.Process(proc.pid)
        while True:
            # wait4, not poll(): the rusage of the reaped tree is what cpu_s is made of.
            waited = os.wait4(proc.pid, os.WNOHANG)
            if waited[0] != 0:
                break
            try:
                parent_peak = max(parent_peak, root.memory_info().rss / 2**20)
                for worker in _worker_processes(root):
                    tree = [worker, *worker.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in tree) / 2**20
                    peaks[worker.pid] = max(peaks.get(worker.pid, 0.0), rss)
            except psutil.Error:
                pass  # a process ended between listing and reading it
            time.sleep(0.05)
    # CPU seconds are far less sensitive than wall time to other jobs on a shared machine.
    _, status, usage = waited if waited and waited[0] else os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"vanban run {' '.join(args)} failed: {err.read_text()[-500:]}")
    events = [json.loads(line) for line in log.read_text().splitlines()]
    summary = events[-1]
    # Forkserver workers are not this run's children, so its rusage misses them: each
    # worker reports its own cumulative CPU (Tesseract included) with every page.
    worker_cpu: dict[str, float] = {}
    for event in events:
        if event["event"] == "page_done":
            worker_cpu[event["worker"]] = max(worker_cpu.get(event["worker"], 0.0), event["worker_cpu_s"])
    return {"wall_s": wall, "cpu_s": _children_cpu_of(usage) + sum(worker_cpu.values()),
            "summary": summary,
            "worker_peak_mb": peaks, "parent_peak_mb": parent_peak, "load_avg_1min": load}


def _children_cpu_of(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def _worker_processes(root) -> list:
    """Page workers of a run: forkserver children (the forkserver itself is not one)."""
    import psutil

    workers = []
    for proc in root.children(recursive=True):
        try:
            parent = proc.parent()
            if parent is not None and parent.pid != root.pid and "forkserver" in " ".join(parent.cmdline()):
                workers.append(proc)
        except psutil.Error:
            continue
    return workers


def bench_workers(pages: int, workdir: Path) -> dict:
    """Pages/min of ``vanban run`` with 1 and 2 workers, and wall time per page against raw
    Tesseract on the same page images (each run starts from an empty store)."""
    rendered = _scan_pages(pages, seed=101)
    batch = workdir / "workers_batch"
    batch.mkdir()
    images = []
    for i in range(0, len(rendered), 2):  # two-page PDFs: pages of one document in parallel too
        write_pdf(rendered[i:i + 2], batch / f"doc{i // 2:02d}.pdf", 300)
    png_batch = workdir / "png_batch"
    png_batch.mkdir()
    for i, page in enumerate(rendered):
        images.append(write_image(page, png_batch / f"page{i:02d}.png"))
    runs = {}
    for label, folder, workers in (("pdf", batch, 1), ("pdf", batch, 2), ("png", png_batch, 1)):
        run = _vanban_run([str(folder), "--out", str(workdir / f"{label}{workers}"),
                           "--workers", str(workers)])
        done = run["summary"]["pages_read"]
        if done != pages:
            raise RuntimeError(f"--workers {workers} read {done} of {pages} pages")
        runs[f"{label}{workers}"] = {
            "wall_s": run["wall_s"], "cpu_s": run["cpu_s"], "load_avg_1min": run["load_avg_1min"],
            "parent_cpu_s": run["summary"].get("parent_cpu_s"),
            "pages_per_min": 60 * pages / run["wall_s"],
            "read_pages_per_min": 60 * pages / max(run["summary"]["read_seconds"], 1e-9)}
    raw, raw_cpu = {}, {}
    # Tesseract's default OpenMP threads are ~5x slower per page here: a few pages tell.
    for label, env, sample in (("1 thread", {"OMP_THREAD_LIMIT": "1"}, images),
                               ("default threads", {}, images[:DEFAULT_THREAD_PAGES])):
        environ = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"} | env
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        for image in sample:
            subprocess.run(["tesseract", str(image), "-", "-l", "vie"], env=environ,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        raw[label] = (time.perf_counter() - start) / len(sample)
        raw_cpu[label] = (_children_cpu_of(resource.getrusage(resource.RUSAGE_CHILDREN))
                          - _children_cpu_of(before)) / len(sample)
    per_page = {"pdf": runs["pdf1"]["wall_s"] / pages, "png": runs["png1"]["wall_s"] / pages}
    return {
        "pages": pages, "runs": runs,
        "speedup_2_vs_1": runs["pdf2"]["pages_per_min"] / runs["pdf1"]["pages_per_min"],
        "vanban_s_per_page_1_worker": per_page,
        "tesseract_s_per_page": raw,
        "tesseract_cpu_s_per_page": raw_cpu,
        "vanban_cpu_s_per_page_png": runs["png1"]["cpu_s"] / pages,
        "cpu_ratio_vs_tesseract_1_thread": runs["png1"]["cpu_s"] / pages / raw_cpu["1 thread"],
        # The same PNG files for both: the acceptance figure.
        "time_ratio_vs_tesseract_1_thread": per_page["png"] / raw["1 thread"],
        "time_ratio_vs_tesseract_default": per_page["png"] / raw["default threads"],
        # From the PDFs of the same pages: adds rendering each page with pdftoppm.
        "pdf_time_ratio_vs_tesseract_1_thread": per_page["pdf"] / raw["1 thread"],
    }


def bench_rerun(pages: int, workdir: Path) -> dict:
    """Wall time of ``vanban run`` on an unchanged batch of ``pages`` pages (3-page PDFs)."""
    rendered = _scan_pages(pages, seed=202)
    batch = workdir / "rerun_batch"
    batch.mkdir()
    for i in range(0, len(rendered), 3):
        write_pdf(rendered[i:i + 3], batch / f"doc{i // 3:02d}.pdf", 300)
    out = workdir / "rerun"
    first = _vanban_run([str(batch), "--out", str(out)])
    again = _vanban_run([str(batch), "--out", str(out)])
    if again["summary"]["unchanged"] != len(list(batch.iterdir())) or again["summary"]["pages_read"]:
        raise RuntimeError(f"the re-run was not a no-op: {again['summary']}")
    return {"pages": pages, "documents": len(list(batch.iterdir())), "first_run_s": first["wall_s"],
            "rerun_s": again["wall_s"]}


def bench_memory(pages: int, workdir: Path, workers: int = 2) -> dict:
    """Peak RSS per worker (worker + children, sampled every 50 ms) on one ``pages``-page PDF."""
    pdf = write_pdf(_scan_pages(pages, seed=303), workdir / f"big{pages}.pdf", 300)
    run = _vanban_run([str(pdf), "--out", str(workdir / "memory"), "--workers", str(workers)],
                      sample_workers=True)
    peaks = sorted(run["worker_peak_mb"].values(), reverse=True)
    return {"pages": pages, "pdf_mb": pdf.stat().st_size / 2**20, "workers": workers,
            "wall_s": run["wall_s"], "worker_peak_mb": peaks,
            "max_worker_peak_mb": peaks[0] if peaks else None,
            "parent_peak_mb": run["parent_peak_mb"],
            "worker_self_peak_mb": run["summary"]["worker_peak_mb"]}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m corpus.bench``."""
    parser = argparse.ArgumentParser(prog="python -m corpus.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3, help="pages per level (default 3)")
    parser.add_argument("--level", default="clean", help="degradation level of the pages")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--quick", action="store_true",
                        help="small batches: 4-page worker batch, 6-page re-run, 6-page memory PDF")
    parser.add_argument("--no-batch", action="store_true", help="skip the `vanban run` batch figures")
    parser.add_argument("--no-search", action="store_true", help="skip the `vanban search` figures")
    parser.add_argument("--worker-pages", type=int,
                        help=f"pages of the 1-vs-2-worker batch (default {WORKER_PAGES})")
    args = parser.parse_args(argv)
    worker_pages = args.worker_pages or (4 if args.quick else WORKER_PAGES)
    rerun_pages, memory_pages = (6, 6) if args.quick else (30, 40)
    figures: dict = {"cpus": os.cpu_count(), "load_avg_at_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        ocr = bench_ocr(args.pages, args.level, Path(tmp))
    rest = bench_restore()
    cleanup = bench_cleanup(pages=args.pages)
    figures.update(ocr=ocr, restore=rest, cleanup=cleanup)
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
    print(f"cleanup: {cleanup['cleanup_s_per_page']:.2f} s/page = "
          f"{100 * cleanup['ratio']:.0f}% of Tesseract's own time on the cleaned page "
          f"(target <= 30%: {'ok' if cleanup['within_budget'] else 'ABOVE TARGET'}), "
          f"{100 * cleanup['ratio_vs_raw']:.0f}% of Tesseract's time on the page as scanned")
    if not args.no_batch:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "a").mkdir(), (work / "b").mkdir(), (work / "c").mkdir()
            scale = bench_workers(worker_pages, work / "a")
            rerun = bench_rerun(rerun_pages, work / "b")
            memory = bench_memory(memory_pages, work / "c")
        figures.update(workers=scale, rerun=rerun, memory=memory)
        _print_batch(scale, rerun, memory)
    if not args.no_search:
        figures["search"] = bench_search(pages=600 if args.quick else 10_000)
        print_search(figures["search"])
    figures["load_avg_at_end"] = os.getloadavg()
    print(f"load average at start {figures['load_avg_at_start'][0]:.2f}, "
          f"at end {figures['load_avg_at_end'][0]:.2f} on {figures['cpus']} cores")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


def _print_batch(scale: dict, rerun: dict, memory: dict) -> None:
    runs = scale["runs"]
    print(f"\nvanban run on {scale['pages']} pages, empty store each time:")
    for name, run in runs.items():
        what = "two-page PDFs" if name.startswith("pdf") else "PNG files"
        parent = run.get("parent_cpu_s")
        print(f"  {what:13s} --workers {name[-1]}: {run['wall_s']:6.1f} s  {run['pages_per_min']:5.1f} "
              f"pages/min (reading phase {run['read_pages_per_min']:5.1f} pages/min"
              + (f"; parent process {parent:.1f} CPU s" if parent is not None else "") + ")")
    ok = "ok" if scale["speedup_2_vs_1"] >= 1.7 else "BELOW TARGET"
    print(f"  speed-up 2 vs 1 worker (PDFs): {scale['speedup_2_vs_1']:.2f}x (target >= 1.7x: {ok})")
    raw = scale["tesseract_s_per_page"]
    ratio = scale["time_ratio_vs_tesseract_1_thread"]
    per_page = scale["vanban_s_per_page_1_worker"]
    print(f"  wall time per page, 1 worker, whole run: vanban {per_page['png']:.2f} s on the PNGs, "
          f"{per_page['pdf']:.2f} s on the PDFs; raw tesseract on the PNGs {raw['1 thread']:.2f} s "
          f"(1 thread) / {raw['default threads']:.2f} s (default threads)")
    print(f"  vanban / raw tesseract, same PNGs: {ratio:.2f}x (1 thread; target <= 1.3x: "
          f"{'ok' if ratio <= 1.3 else 'ABOVE TARGET'}), "
          f"{scale['time_ratio_vs_tesseract_default']:.2f}x against default threads; "
          f"from the PDFs {scale['pdf_time_ratio_vs_tesseract_1_thread']:.2f}x")
    print(f"  CPU time per page (less sensitive to other jobs): vanban {scale['vanban_cpu_s_per_page_png']:.2f} s, "
          f"raw tesseract {scale['tesseract_cpu_s_per_page']['1 thread']:.2f} s "
          f"-> {scale['cpu_ratio_vs_tesseract_1_thread']:.2f}x")
    print("  1-minute load average before each run: "
          + ", ".join(f"{name} {run['load_avg_1min']:.2f}" for name, run in runs.items()))
    print(f"re-run of an unchanged {rerun['pages']}-page batch ({rerun['documents']} PDFs): "
          f"{rerun['rerun_s']:.2f} s (first run {rerun['first_run_s']:.1f} s; target < 5 s: "
          f"{'ok' if rerun['rerun_s'] < 5 else 'ABOVE TARGET'})")
    peak = memory["max_worker_peak_mb"] or 0.0
    print(f"peak memory per worker on a {memory['pages']}-page 300-DPI PDF ({memory['pdf_mb']:.1f} MB, "
          f"{memory['workers']} workers, {memory['wall_s']:.0f} s): {peak:.0f} MB worker+children "
          f"(target <= 1536 MB: {'ok' if peak <= 1536 else 'ABOVE TARGET'}); "
          f"worker alone {memory['worker_self_peak_mb']:.0f} MB; parent {memory['parent_peak_mb']:.0f} MB")


if __name__ == "__main__":
    raise SystemExit(main())
