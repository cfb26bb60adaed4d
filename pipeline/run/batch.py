"""The main job: many inputs → one SQLite store and its table exports, with progress.

A run (1) collects the inputs, reports the files an earlier run found in its folders
that are gone now (moved, renamed or deleted: their documents are kept), and skips
the contents already stored with this pipeline key (a file whose path is new is
recorded as another path of its content: nothing is read again), (2) plans the
other contents, one file each: copies in the batch are read once (kind, page count:
cheap, in this process), (3) reads their pages in a pool of worker processes or on a Dask
cluster — pages already in the store's OCR cache are not read again, nor pages
another run on the same store is reading (it claimed them: they are taken from
the cache when that run has read them) — and
(4) as each document's last page arrives, assembles, restores and extracts it
here and saves it in one transaction.  Killed at any point, the store holds
whole documents only; the next run redoes the rest, reusing every cached page.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn,
)
from rich.text import Text

from ..document import MENTION_FIELDS, InputError, Page
from ..errors import StoreError
from ..export import outputs
from ..io.ingest import SUPPORTED_SUFFIXES, sha256_of
from ..io.names import printable, shown_path, stored_path
from .process import (
    DocumentPlan, Settings, assemble_document, check_models, document_parts, finish_document, plan_document,
    warm_up,
)
from ..restore.restorer import Restorer, RestorerOptions
from .adapt import refresh_store_lm
from .runs import run_folder, this_run
from .store import Store
from .workers import PageTask, WorkerLost, make_pool

log = logging.getLogger(__name__)

STORE_NAME = "vanban.sqlite"
# Pages in flight per worker: enough that a worker never waits for the parent, few
# enough that finished pages (words and all) do not pile up in memory.
IN_FLIGHT_PER_WORKER = 2
# A page whose worker died this many times fails its document instead of killing more workers.
MAX_PAGE_ATTEMPTS = 2
# How often a run looks in the store for the pages another run on it is reading.
CLAIM_POLL_S = 0.5


@dataclass
class DocumentResult:
    """What one processed file produced (for the summary table)."""

    path: Path
    kind: str
    pages: int
    source: str
    restored: bool
    mentions: dict[str, int]


@dataclass
class RunSummary:
    """The outcome of a run: processed, skipped (with why) and failed (with why)."""

    processed: list[DocumentResult] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    unchanged: int = 0  # files skipped because their stored result is current
    gone: list[tuple[Path, str]] = field(default_factory=list)  # files an earlier run found here, not this one
    pages: int = 0  # pages of the documents processed in this run
    pages_read: int = 0  # pages read by a worker in this run (the rest came from the cache)
    pages_cached: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0  # wall time of the page-reading phase
    workers: str = ""
    worker_peak_mb: float = 0.0  # largest worker process RSS seen
    child_peak_mb: float = 0.0  # largest Tesseract/pdftoppm child RSS seen

    @property
    def nothing_processed(self) -> bool:
        """True when files failed and none was processed or already up to date."""
        return bool(self.failed) and not self.processed and not self.unchanged

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages / self.seconds if self.seconds > 0 else 0.0

    @property
    def read_pages_per_minute(self) -> float:
        """Pages read by workers per minute of the reading phase (OCR throughput)."""
        return 60 * self.pages_read / self.read_seconds if self.read_seconds > 0 else 0.0


class EventLog:
    """``--log FILE``: one JSON object per line, flushed at once so a killed run keeps its log."""

    def __init__(self, path: Path | None):
        self._fh: IO[str] | None = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(path, "a", encoding="utf-8")

    def emit(self, event: str, **fields) -> None:
        if self._fh is None:
            return
        # Paths and texts in their stored form: a name that is not UTF-8 cannot be written as JSON.
        record = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                  "event": event, **{k: (stored_path(v) if isinstance(v, (Path, str)) else v)
                                     for k, v in fields.items()}}
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def collect_inputs(inputs: list[Path]) -> tuple[list[Path], list[tuple[Path, str]], list[tuple[Path, str]]]:
    """Files to process from files and folders (recursively, sorted), what was skipped, and what failed.

    Files named explicitly are always attempted (so a bad one is reported);
    inside folders, hidden files and unsupported formats are skipped with a reason.
    A folder that cannot be listed fails with a reason (the rest of the batch goes on), and so
    does a file whose stored name (NFC, :mod:`pipeline.io.names`) is another file's.
    """
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    failed: list[tuple[Path, str]] = []

    def unreadable(exc: OSError) -> None:
        failed.append((Path(exc.filename), f"cannot read folder: {(exc.strerror or str(exc)).lower()}"))

    for item in (Path(p).absolute() for p in inputs):
        if item.is_dir():
            found = []
            # os.walk, not rglob: rglob passes over a folder it cannot list in silence.
            for folder, subfolders, names in os.walk(item, onerror=unreadable):
                subfolders[:] = [d for d in subfolders if not d.startswith(".")]
                found += [Path(folder, n) for n in names if not n.startswith(".")]
            for path in sorted(p for p in found if p.is_file()):
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    skipped.append((path, f"unsupported format '{path.suffix or path.name}'"))
                    continue
                files.append(path)
        else:
            files.append(item)  # missing or unreadable files fail with their own reason
    seen: set[Path] = set()
    unique = []
    for p in files:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            unique.append(p)
    named: dict[str, Path] = {}
    for path in unique:
        twin = named.setdefault(stored_path(path), path)
        if twin != path:  # the same name written composed and decomposed, say
            failed.append((path, f"same name as {shown_path(twin)} once stored (names are stored NFC): "
                                 f"rename one"))
    clashing = {p for p, _ in failed}
    return [p for p in unique if p not in clashing], skipped, failed


class _PagesPerMinute(ProgressColumn):
    """OCR'd pages per minute (the bar counts pages to OCR only: see _BatchReader)."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed * 60:5.1f} pages/min" if speed else "  -- pages/min")


@dataclass
class _DocState:
    """A document whose pages are being read."""

    plan: DocumentPlan
    pages: dict[int, Page]
    missing: set[int]
    started: float
    error: str | None = None
    in_flight: int = 0
    mended: dict[int, str] = field(default_factory=dict)  # OCR pages mended by the workers


def run_batch(inputs: list[Path], out_dir: Path, settings: Settings = Settings(),
              force: bool = False, console: Console | None = None, workers: int | None = None,
              scheduler: str | None = None, log_path: Path | None = None,
              keep_images: Path | None = None, pool=None, restorer: Restorer | None = None,
              exports: outputs.Requested | None = None) -> RunSummary:
    """Process every input into ``out_dir/vanban.sqlite`` and ``out_dir/tables/``.

    ``workers``: local processes (default: cores); ``scheduler``: a Dask scheduler
    address instead; ``pool``: a ready pool from :mod:`pipeline.run.workers` (tests, bench);
    ``force``: redo every file and every page; ``log_path``: JSON-lines event log;
    ``keep_images``: folder to keep the cleaned page images in; ``restorer``: the run's
    restorer (default: one over the product's models, :meth:`RestorerOptions.find`), handed
    to the workers as its options; unused when ``settings.restore`` is off; ``exports``: the
    archivist's outputs to write as each document is saved (``--pdf/--alto/--hocr``,
    :func:`pipeline.export.outputs.requested`).
    """
    out_dir = Path(out_dir)
    if not settings.restore:
        restorer = None
    elif restorer is None:
        restorer = Restorer(RestorerOptions.find(store=out_dir / STORE_NAME))
    elif (adapted := restorer.options.for_store(out_dir / STORE_NAME)) != restorer.options:
        restorer = Restorer(adapted)  # the store's own LM (pipeline/run/adapt.py) joins the run's models
    check_models(restorer)  # a model `make setup` did not build: one line, no store
    console = console or Console(stderr=True)
    events = EventLog(log_path)
    summary = RunSummary()
    started = time.monotonic()
    key, ocr_key = settings.key(restorer.options if restorer else None), settings.ocr_key()
    events.emit("started", inputs=[stored_path(p) for p in inputs], out=out_dir, pipeline_key=key,
                ocr_key=ocr_key, force=force, workers=workers, scheduler=scheduler)
    files, summary.skipped, unlisted = collect_inputs(inputs)
    for path, why in summary.skipped:
        log.info("skipped %s: %s", shown_path(path), printable(why))
        events.emit("skipped", path=path, reason=why)
    try:
        with run_folder() as temp_dir, Store(out_dir / STORE_NAME) as store:
            contents = {path: _content(path) for path in files}
            moved = _report_gone(store, inputs, files, unlisted, contents, summary, events)
            plans, aliases = [], {}
            for sha, paths in _by_content(files, contents):
                if sha is not None and not force and store.is_current(sha, key):
                    _unchanged(store, paths, sha, moved, ocr_key, exports, summary, events)
                    continue
                for n, path in enumerate(paths):  # the first that plans is read; the others are its aliases
                    try:
                        plans.append(plan_document(path, settings, sha))
                    except InputError as exc:
                        _fail(store, summary, events, path, exc.reason)
                        continue
                    if sha is not None:
                        aliases[sha] = paths[n:]
                    break
            if plans:
                job = _Job(store, settings, restorer, key, ocr_key, force, console, events,
                           summary, workers, scheduler, keep_images, temp_dir, exports, aliases)
                _BatchReader(plans, job, pool).run()  # every page not cached read, each document saved
            for path, why in unlisted:  # after the documents: a clashing name's twin is saved first
                _fail(store, summary, events, path, why)
            if restorer is not None and (trained := refresh_store_lm(store)) is not None:
                console.print(f"store language model trained on {trained.words:,} trusted words: "
                              f"{shown_path(trained.path)}; the next run restores with it")
                log.info("store language model trained on %d trusted words: %s", trained.words, trained.path)
                events.emit("store_lm", path=trained.path, words=trained.words)
            tables = out_dir / "tables"
            if not store.exports_current(tables):
                store.export(tables)
    finally:
        summary.seconds = time.monotonic() - started
        events.emit("summary", documents=len(summary.processed), pages=summary.pages,
                    pages_read=summary.pages_read, pages_cached=summary.pages_cached,
                    skipped=len(summary.skipped), unchanged=summary.unchanged, gone=len(summary.gone),
                    failed=[{"path": stored_path(p), "reason": r} for p, r in summary.failed],
                    seconds=round(summary.seconds, 3), read_seconds=round(summary.read_seconds, 3),
                    workers=summary.workers,
                    worker_peak_mb=round(summary.worker_peak_mb, 1),
                    child_peak_mb=round(summary.child_peak_mb, 1),
                    parent_cpu_s=round(_own_cpu_seconds(), 3))
        events.close()
    return summary


@dataclass
class _Job:
    """What every step of reading a batch shares: the store, the options, the keys pages and
    documents are saved under, and where progress and events go."""

    store: Store
    settings: Settings
    restorer: Restorer | None
    key: str  # the pipeline key documents are saved with
    ocr_key: str  # the key cached pages are saved with
    force: bool
    console: Console
    events: EventLog
    summary: RunSummary
    workers: int | None
    scheduler: str | None
    keep_images: Path | None
    temp_dir: Path
    exports: outputs.Requested | None = None  # --pdf/--alto/--hocr
    aliases: dict[str, list[Path]] = field(default_factory=dict)  # content -> every path of it in this run


class _BatchReader:
    """The pages of a batch read in the workers, each document saved as its last page arrives.

    What the steps share (documents being read, pages in flight, pages another run on the
    store is reading) lives on the object; each step is one method.  Pages are fed to the
    workers before finished documents are restored and saved, so no worker waits for the parent.
    """

    def __init__(self, plans: list[DocumentPlan], job: _Job, pool=None) -> None:
        self.plans, self.job = plans, job
        self.cached_counts = {} if job.force else {p.sha256: job.store.cached_count(p.sha256, job.ocr_key)
                                                   for p in plans if p.kind != "text"}
        # The bar counts the pages to OCR, nothing else: a text file, a page in the cache or a PDF
        # page with a text layer takes milliseconds, and counting them made a run of text files
        # show "1637 pages/min" and an ETA that OCR'd pages then blew.  Pages that turn out not
        # to need OCR (a text layer, read by another run, a failed document's) leave the total.
        self.to_ocr = sum(p.n_pages - min(self.cached_counts.get(p.sha256, 0), p.n_pages)
                          for p in plans if p.kind != "text")
        self.own_pool = pool is None
        self._pool = pool
        self.keep = str(job.keep_images) if job.keep_images else None
        self.states: dict[int, _DocState] = {}
        self.waiting: dict[tuple[str, int], list[int]] = {}  # page key → documents waiting for it
        self.in_flight: dict = {}  # future → (PageTask, attempts)
        self.suspects: deque = deque()  # pages in flight when a worker died: retried one at a time
        self.elsewhere: dict[tuple[str, int], PageTask] = {}  # pages another run on this store is reading
        self.run_id = this_run()
        self.exhausted = False
        self.capacity = IN_FLIGHT_PER_WORKER
        self.progress = Progress(
            TextColumn("[bold]{task.description:<28.28}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("pages to OCR"), _PagesPerMinute(), TimeRemainingColumn(),
            console=job.console, transient=False,
        )
        self.task_id = self.progress.add_task("starting", total=self.to_ocr)
        self.warm: threading.Thread | None = None
        self.source: Iterator[tuple[int, PageTask]] = iter(())

    def pool(self):
        """The worker pool, started only when a page must really be read."""
        if self._pool is None:
            job = self.job
            self._pool = make_pool(job.workers, job.scheduler, job.temp_dir)
            job.summary.workers = self._pool.describe()
            job.events.emit("workers", description=job.summary.workers, capacity=self._pool.capacity)
        return self._pool

    def run(self) -> None:
        """Read and save everything; the pool this reader started is closed (cancelled on error)."""
        job = self.job
        if self.to_ocr:
            self.pool()
        self.warm = _start_warm_up(job.restorer)
        self.source = self.tasks()
        self.capacity = (self._pool.capacity if self._pool else 1) * IN_FLIGHT_PER_WORKER
        read_started = time.monotonic()
        try:
            with self.progress:
                while True:
                    self.refill()
                    if not self.in_flight:
                        if self.exhausted and not self.suspects and not self.elsewhere:
                            break
                        if self.elsewhere:
                            time.sleep(CLAIM_POLL_S)
                            self.poll_elsewhere()
                        continue
                    arrived = []
                    for future in pool_wait(self.pool(), self.in_flight):
                        if future not in self.in_flight:
                            continue  # dropped by a pool restart and queued again
                        task, attempts = self.in_flight.pop(future)
                        try:
                            arrived.append((task, self.pool().result(future)))
                        except WorkerLost as exc:
                            self.worker_lost(task, attempts, str(exc))
                    self.refill()
                    for task, outcome in arrived:
                        self.page_read(task, outcome)
                    if self.elsewhere:
                        self.poll_elsewhere()
            job.summary.read_seconds = time.monotonic() - read_started
        except BaseException:
            if self.own_pool and self._pool is not None:
                self._pool.close(cancel=True)
            raise
        finally:
            with contextlib.suppress(StoreError):  # a dead run's claims are taken over anyway
                job.store.release_claims(self.run_id)
        if self.own_pool and self._pool is not None:
            self._pool.close()

    def tasks(self) -> Iterator[tuple[int, PageTask]]:
        """Pages to read, document by document; documents with nothing to read finish here."""
        job = self.job
        for index, plan in enumerate(self.plans):
            pages = {p.number: p for p in plan.pages}
            if plan.kind != "text" and not job.force:
                # Looked up again here: an identical file earlier in this batch may have filled it.
                pages.update({n: p for n, p in job.store.cached_pages(plan.sha256, job.ocr_key).items()
                              if n <= plan.n_pages})
                job.summary.pages_cached += len(pages)
                self.not_to_ocr(len(pages) - min(self.cached_counts.get(plan.sha256, 0), plan.n_pages))
            missing = set(range(1, plan.n_pages + 1)) - set(pages)
            self.states[index] = _DocState(plan, pages, missing, time.monotonic())
            self.progress.update(self.task_id, description=shown_path(plan.path.name))
            if not missing:
                self.finish(index)
                continue
            for number in sorted(missing):
                if index not in self.states or self.states[index].error is not None:
                    break  # the document already failed: leave its other pages unread
                yield index, PageTask(str(plan.path), plan.kind, number, plan.sha256,
                                      job.restorer.options if job.restorer else None)

    def refill(self) -> None:
        """Keep every worker fed: pages are submitted before finished documents are saved,
        so restoring and extracting one document never leaves a worker idle."""
        if self.suspects:
            if not self.in_flight:
                self.submit(*self.suspects.popleft())
            return
        while len(self.in_flight) < self.capacity and not self.exhausted:
            item = next(self.source, None)
            if item is None:
                self.exhausted = True
                break
            index, task = item
            self.states[index].in_flight += 1
            if task.key in self.waiting:  # same content in two files: read the page once
                self.waiting[task.key].append(index)
                continue
            self.waiting[task.key] = [index]
            self.read_once(task)

    def submit(self, task: PageTask, attempts: int) -> None:
        future = self.pool().submit(task, self.job.settings, self.keep)
        self.in_flight[future] = (task, attempts)

    def read_once(self, task: PageTask) -> None:
        """Read a page unless another run on this store has read it or is reading it."""
        job = self.job
        status = "claimed" if job.force else job.store.claim_page(task.sha256, task.number, job.ocr_key,
                                                                  self.run_id)
        if status == "claimed":
            self.submit(task, 1)
        elif status == "busy":
            self.elsewhere[task.key] = task
        else:
            job.summary.pages_cached += 1
            self.not_to_ocr(1)
            self.page_arrived(task, job.store.cached_page(task.sha256, task.number, job.ocr_key), None)

    def not_to_ocr(self, pages: int) -> None:
        """``pages`` counted as pages to OCR turned out not to need it: the bar's total drops."""
        if pages:
            self.to_ocr -= pages
            self.progress.update(self.task_id, total=self.to_ocr)

    def poll_elsewhere(self) -> None:
        """Pages other runs were reading: from the cache once read, read here if their run ended."""
        job = self.job
        for key, task in list(self.elsewhere.items()):
            if job.store.claim_page(task.sha256, task.number, job.ocr_key, self.run_id) == "busy":
                continue
            del self.elsewhere[key]
            self.read_once(task)

    def page_read(self, task: PageTask, outcome) -> None:
        """A worker's outcome for one page: cached (or its claim released) and handed on."""
        job, summary = self.job, self.job.summary
        summary.worker_peak_mb = max(summary.worker_peak_mb, outcome.worker_peak_mb)
        summary.child_peak_mb = max(summary.child_peak_mb, outcome.child_peak_mb)
        if outcome.page is not None and outcome.page.source != "ocr":
            self.not_to_ocr(1)  # a PDF page's text layer: no OCR
        else:
            self.progress.advance(self.task_id)  # a failed page took a worker's time as well
        if outcome.page is not None:
            job.store.cache_page(task.sha256, job.ocr_key, outcome.page)
            summary.pages_read += 1
            job.events.emit("page_done", path=task.path, page=task.number,
                            source=outcome.page.source, seconds=round(outcome.seconds, 3),
                            mean_conf=outcome.page.quality.get("mean_conf"),
                            worker=outcome.worker,
                            worker_peak_mb=round(outcome.worker_peak_mb, 1),
                            child_peak_mb=round(outcome.child_peak_mb, 1),
                            worker_cpu_s=round(outcome.worker_cpu_s, 3))
        else:
            job.store.release_claims(self.run_id, task.sha256, task.number)
            job.events.emit("page_failed", path=task.path, page=task.number,
                            reason=outcome.error, worker=outcome.worker)
        self.page_arrived(task, outcome.page, outcome.error, outcome.mended)

    def page_arrived(self, task: PageTask, page: Page | None, error: str | None,
                     mended: str | None = None) -> None:
        """A page (or why it could not be read) reaches every document waiting for it."""
        for index in self.waiting.pop(task.key, []):
            state = self.states.get(index)
            if state is None:
                continue
            state.in_flight -= 1
            state.missing.discard(task.number)
            if error is not None and state.error is None:
                state.error = error if error.startswith("page ") else f"page {task.number}: {error}"
            elif page is not None:
                state.pages[task.number] = page
                if mended is not None:
                    state.mended[task.number] = mended
            if not state.missing or (state.error is not None and state.in_flight == 0):
                self.finish(index)

    def worker_lost(self, task: PageTask, attempts: int, why: str) -> None:
        self.job.events.emit("worker_lost", path=task.path, page=task.number, attempt=attempts, reason=why)
        lost = [(task, attempts)]
        if self.pool().restart():
            # A broken local pool fails every page in it; which one killed the worker
            # is unknown, so each is retried alone and only a repeat offender fails.
            lost += list(self.in_flight.values())
            self.in_flight.clear()
        for page_task, tries in lost:
            if tries >= MAX_PAGE_ATTEMPTS:
                self.progress.advance(self.task_id)
                self.page_arrived(page_task, None, f"page {page_task.number}: the worker process died "
                                                   f"reading it (killed or out of memory)")
            else:
                self.suspects.append((page_task, tries + 1))

    def finish(self, index: int) -> None:
        """A document whose pages are all in: restored, extracted and saved (or failed)."""
        job = self.job
        if self.warm is not None:
            self.warm.join()  # the restorer and extractors are loaded once, not raced for
        state = self.states.pop(index)
        plan = state.plan
        if state.error is None:
            try:
                whole = assemble_document(plan, list(state.pages.values()))
                results = []
                for part, first, mended in document_parts(whole, state.mended):
                    results.append((*finish_document(part, job.restorer, job.settings, mended), first))
            except InputError as exc:
                state.error = exc.reason
            except Exception as exc:  # noqa: BLE001 - a bug on one document must not stop the batch
                log.exception("%s: restoration or extraction crashed", shown_path(plan.path))
                first_line = (str(exc).strip().splitlines() or [""])[0]
                state.error = f"internal error in restoration/extraction ({type(exc).__name__}: {first_line})"
        paths = job.aliases.get(plan.sha256, [plan.path])
        if state.error is not None:
            self.not_to_ocr(len(state.missing))  # pages that will not be read now
            for path in paths:
                _fail(job.store, job.summary, job.events, path, state.error)
            return
        job.store.save_documents(results, job.key, paths)
        outputs.document_saved(whole, results, job.exports)  # --pdf/--alto/--hocr (a failure is one warning)
        for path in paths[1:]:
            _skip(job.summary, job.events, path, f"same content as {shown_path(plan.path)}: stored once")
            outputs.document_unchanged(job.store, path, plan.sha256, job.ocr_key, job.exports)
        mentions = {f: sum(len(r[1].get(f, [])) for r in results) for f in MENTION_FIELDS}
        if len(results) > 1:
            log.info("%s holds %d documents (pages %s)", plan.path, len(results),
                     ", ".join(str(r[2]) for r in results))
        job.summary.pages += len(whole.pages)
        job.summary.processed.append(DocumentResult(
            path=plan.path, kind=whole.kind, pages=len(whole.pages),
            source="+".join(sorted({p.source for p in whole.pages})),
            restored=whole.restored, mentions=mentions,
        ))
        job.events.emit("document_done", path=plan.path, sha256=plan.sha256, kind=whole.kind,
                        pages=len(whole.pages), restored=whole.restored, mentions=mentions,
                        seconds=round(time.monotonic() - state.started, 3))


def _own_cpu_seconds() -> float:
    """CPU seconds of this (parent) process: what restoring, extracting and storing cost."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _start_warm_up(restorer: Restorer | None) -> threading.Thread:
    """Load restoration and extraction models in the background (see :func:`warm_up`)."""
    def run() -> None:
        try:
            warm_up(restorer)
        except Exception:  # noqa: BLE001 - the first document will report the real error
            log.debug("warm-up failed", exc_info=True)

    thread = threading.Thread(target=run, name="vanban-warm-up", daemon=True)
    thread.start()
    return thread


def pool_wait(pool, in_flight: dict) -> list:
    """Done futures, in submission order (so documents finish in input order when they can)."""
    done = pool.wait(list(in_flight))
    return [f for f in in_flight if f in done]


def _fail(store: Store, summary: RunSummary, events: EventLog, path: Path, reason: str) -> None:
    reason = printable(reason)  # a library's message may quote a name that is not UTF-8
    summary.failed.append((path, reason))
    store.record_failure(path, reason)
    log.error("failed %s: %s", shown_path(path), reason)
    events.emit("failed", path=path, reason=reason)


def _skip(summary: RunSummary, events: EventLog, path: Path, why: str) -> None:
    summary.skipped.append((path, why))
    log.info("skipped %s: %s", shown_path(path), printable(why))
    events.emit("skipped", path=path, reason=why)


def _content(path: Path) -> str | None:
    """The file's SHA-256, None when it cannot be read (planning it says why)."""
    try:
        return sha256_of(path) if path.is_file() else None
    except OSError:
        return None


def _by_content(files: list[Path], contents: dict[Path, str | None]) -> list[tuple[str | None, list[Path]]]:
    """The files grouped by content, in input order: a content is read and stored once, whatever
    paths hold it.  Files that cannot be read stay one a group."""
    groups: dict[str | Path, tuple[str | None, list[Path]]] = {}
    for path in files:
        sha = contents[path]
        groups.setdefault(sha if sha is not None else path, (sha, []))[1].append(path)
    return list(groups.values())


def _unchanged(store: Store, paths: list[Path], sha: str, moved: dict[str, str], ocr_key: str,
               exports: outputs.Requested | None, summary: RunSummary, events: EventLog) -> None:
    """Files whose content is stored, made with this run's pipeline key: recorded (a new path is a
    copy, a move or a rename of a stored content), nothing read again."""
    new = set(store.see_files(paths, sha))
    primary = store.primary_path(sha)
    for path in paths:
        if path not in new:
            why = "unchanged since the last run"
        elif sha in moved:
            why = f"moved or renamed from {shown_path(moved[sha])}: its documents kept, nothing read again"
        else:
            why = f"same content as {shown_path(primary or '?')}: stored once"
        summary.unchanged += 1
        _skip(summary, events, path, why)
        outputs.document_unchanged(store, path, sha, ocr_key, exports)  # --pdf/--alto/--hocr, when missing


def _report_gone(store: Store, inputs: list[Path], files: list[Path], unlisted: list[tuple[Path, str]],
                 contents: dict[Path, str | None], summary: RunSummary, events: EventLog) -> dict[str, str]:
    """Files an earlier run found in this run's folders and this one does not: marked gone in the
    store (their documents are kept) and reported, once.  Returns content -> gone path of those
    whose content this run finds under another path (moved or renamed)."""
    folders = [Path(p).absolute() for p in inputs if Path(p).is_dir()]
    present = {stored_path(p) for p in files}
    unread = tuple(stored_path(p).rstrip("/") + "/" for p, _ in unlisted)  # their files were not looked for
    found = {sha: path for path, sha in reversed(list(contents.items())) if sha is not None}
    moved = {}
    for path, sha in store.mark_gone(folders, present, unread):
        if sha in found:
            moved[sha] = path
            why = f"moved or renamed: its content is now {shown_path(found[sha])}"
        else:
            why = "gone from the inputs: its documents are kept in the store"
            log.warning("%s: %s", shown_path(path), why)
        summary.gone.append((Path(path), why))
        events.emit("gone", path=path, reason=why)
    return moved


