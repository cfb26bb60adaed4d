"""The main job: many inputs → one SQLite store and its table exports, with progress."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn,
)
from rich.text import Text

from .document import InputError
from .ingest import SUPPORTED_SUFFIXES, sha256_of
from .process import Settings, count_pages, process_file
from .store import Store

log = logging.getLogger(__name__)

STORE_NAME = "vanban.sqlite"


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
    pages: int = 0
    seconds: float = 0.0

    @property
    def nothing_processed(self) -> bool:
        """True when files failed and none was processed or already up to date."""
        return bool(self.failed) and not self.processed and not self.unchanged

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages / self.seconds if self.seconds > 0 else 0.0


def collect_inputs(inputs: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files to process from files and folders (recursively, sorted), and what was skipped.

    Files named explicitly are always attempted (so a bad one is reported);
    inside folders, hidden files and unsupported formats are skipped with a reason.
    """
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for item in (Path(p).absolute() for p in inputs):
        if item.is_dir():
            for path in sorted(p for p in item.rglob("*") if p.is_file()):
                rel = path.relative_to(item)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    skipped.append((path, f"unsupported format '{path.suffix or path.name}'"))
                    continue
                files.append(path)
        else:
            files.append(item)  # missing or unreadable files fail with their own reason
    seen: set[Path] = set()
    unique = [p for p in files if not (p.resolve() in seen or seen.add(p.resolve()))]
    return unique, skipped


class _PagesPerMinute(ProgressColumn):
    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed * 60:5.1f} pages/min" if speed else "  -- pages/min")


def run_batch(inputs: list[Path], out_dir: Path, settings: Settings = Settings(),
              force: bool = False, console: Console | None = None) -> RunSummary:
    """Process every input into ``out_dir/vanban.sqlite`` and ``out_dir/tables/``."""
    console = console or Console(stderr=True)
    out_dir = Path(out_dir)
    summary = RunSummary()
    files, summary.skipped = collect_inputs(inputs)
    for path, why in summary.skipped:
        log.info("skipped %s: %s", path, why)
    key = settings.key()
    started = time.monotonic()
    with Store(out_dir / STORE_NAME) as store:
        todo = []
        for path in files:
            if not force and path.is_file() and _unchanged(store, path, key):
                summary.skipped.append((path, "unchanged since the last run"))
                summary.unchanged += 1
                log.info("skipped %s: unchanged since the last run", path)
            else:
                todo.append(path)
        total_pages = sum(count_pages(p) for p in todo)
        progress = Progress(
            TextColumn("[bold]{task.description:<28.28}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("pages"), _PagesPerMinute(), TimeRemainingColumn(),
            console=console, transient=False,
        )
        with progress:
            task = progress.add_task("starting", total=total_pages)
            for path in todo:
                progress.update(task, description=path.name)
                expected = count_pages(path)
                done = 0

                def on_page(_page, _task=task):
                    nonlocal done
                    done += 1
                    progress.advance(_task)

                try:
                    doc, extraction = process_file(path, settings, on_page)
                except InputError as exc:
                    summary.failed.append((path, exc.reason))
                    store.record_failure(path, exc.reason)
                    log.error("failed %s", exc)
                    progress.advance(task, max(expected - done, 0))
                    continue
                store.save_document(doc, extraction, key)
                progress.advance(task, max(expected - done, 0))
                summary.pages += len(doc.pages)
                summary.processed.append(DocumentResult(
                    path=path, kind=doc.kind, pages=len(doc.pages),
                    source="+".join(sorted({p.source for p in doc.pages})),
                    restored=doc.restored,
                    mentions={f: len(extraction.get(f, [])) for f in
                              ("doc_refs", "dates", "counts", "money")},
                ))
        store.export(out_dir / "tables")
    summary.seconds = time.monotonic() - started
    return summary


def _unchanged(store: Store, path: Path, key: str) -> bool:
    try:
        return store.is_current(path, sha256_of(path), key)
    except OSError:
        return False
