"""The `vanban` command line: run, ocr, restore, extract, query.

I/O lives here and in the store; the stages below never print.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from . import __version__
from .cli_train import train_lm_command
from .document import Document, InputError, Page
from .errors import ExitCode, Interrupted, VanbanError
from .ingest import decode_text
from .names import printable, shown_path
from .process import Settings, extract_document, read_document, restore_document

err_console = Console(stderr=True)


def _out() -> Console:
    """Console for results: wide enough for whole file names when piped to a file."""
    return Console() if sys.stdout.isatty() else Console(width=200)


def _fail(message: str, code: int = ExitCode.nothing_processed, label: str = "error") -> NoReturn:
    """One-line error on stderr, then exit with ``code``."""
    err_console.print(f"[red]{label}:[/red] {message}", highlight=False, soft_wrap=True)
    sys.exit(int(code))


class _Commands(click.Group):
    """Every expected error ends a command with one line and its exit code (pipeline/errors.py)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            exc = Interrupted("stopped by the user; every document saved before is kept")
            _fail(str(exc), exc.exit_code, exc.label)
        except VanbanError as exc:
            _fail(str(exc), exc.exit_code, exc.label)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vanban")
@click.option("-v", "--verbose", is_flag=True, help="Log every skipped file and page.")
def main(verbose: bool) -> None:
    """vanban: scanned Vietnamese government documents to searchable text and tables."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_time=False, show_path=False)],
    )


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(path_type=Path),
              help="Folder for vanban.sqlite and tables/.")
@click.option("--force", is_flag=True, help="Redo every file and page, even when unchanged.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local processes reading pages (default: cores).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Read pages on this Dask distributed cluster instead (shared file paths).")
@click.option("--log", "log_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Append the run's events to FILE as JSON lines.")
@click.option("--keep-images", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Keep the cleaned page images in this folder.")
@click.option("--max-pixels", type=click.IntRange(min=1), default=None,
              help="Refuse pages that decode to more pixels (default 200,000,000).")
def run(inputs: tuple[Path, ...], out_dir: Path, force: bool, workers: int | None,
        scheduler: str | None, log_path: Path | None, keep_images: Path | None,
        max_pixels: int | None) -> None:
    """Process files and folders (PDF, PNG/JPEG/TIFF, .txt) into OUT/vanban.sqlite."""
    from .batch import STORE_NAME, run_batch
    from .workers import check_scheduler

    if scheduler:
        check_scheduler(scheduler)
    if max_pixels:
        os.environ["VANBAN_MAX_PIXELS"] = str(max_pixels)  # inherited by the worker processes
    try:
        summary = run_batch(list(inputs), out_dir, Settings(), force=force, console=err_console,
                            workers=workers, scheduler=scheduler, log_path=log_path,
                            keep_images=keep_images)
    except OSError as exc:  # an unwritable --log, --keep-images: the store's own errors are StoreError
        _fail(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
    _print_run_summary(summary, out_dir / STORE_NAME)
    if summary.nothing_processed:
        sys.exit(int(ExitCode.nothing_processed))


def _print_run_summary(summary, store_path: Path) -> None:
    out = _out()
    table = Table(title=f"vanban run → {store_path}")
    for col in ("document", "kind", "pages", "text from", "restored",
                "doc_refs", "dates", "counts", "money"):
        table.add_column(col, justify="right" if col not in ("document", "kind", "text from") else "left")
    for r in summary.processed:
        table.add_row(shown_path(r.path.name), r.kind, str(r.pages), r.source, "yes" if r.restored else "no",
                      *(str(r.mentions[k]) for k in ("doc_refs", "dates", "counts", "money")))
    out.print(table)
    for path, why in summary.skipped:
        out.print(f"skipped {shown_path(path)}: {printable(why)}", highlight=False, soft_wrap=True)
    for path, why in summary.failed:
        out.print(f"FAILED {shown_path(path)}: {printable(why)}", highlight=False, soft_wrap=True)
    out.print(
        f"{len(summary.processed)} documents, {summary.pages} pages processed, "
        f"{len(summary.skipped)} skipped, {len(summary.failed)} failed "
        f"in {summary.seconds:.1f} s ({summary.pages_per_minute:.1f} pages/min)",
        highlight=False,
    )
    if summary.pages_read or summary.pages_cached:
        out.print(
            f"pages read: {summary.pages_read} by {summary.workers or 'no worker'} "
            f"({summary.read_pages_per_minute:.1f} pages/min), {summary.pages_cached} from the cache; "
            f"peak memory per worker {summary.worker_peak_mb:.0f} MB "
            f"+ {summary.child_peak_mb:.0f} MB tesseract/pdftoppm",
            highlight=False,
        )


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
def ocr(file: Path) -> None:
    """Print the text of a PDF or image; pages are separated by a form-feed line."""
    click.echo(_read_document(file).text)


@main.command()
@click.argument("file", default="-", type=click.Path(path_type=Path, allow_dash=True))
def restore(file: Path) -> None:
    """Restore Vietnamese diacritics of a text file (or stdin), line for line."""
    from .restore import restore_text

    text = _read_text_arg(file)
    click.echo(restore_text(text), nl=False)


@main.command()
@click.argument("file", default="-", type=click.Path(path_type=Path, allow_dash=True))
def extract(file: Path) -> None:
    """Print the extraction JSON (SCHEMA.md) of a text, PDF or image file (or stdin)."""
    if str(file) == "-" or file.suffix.lower() == ".txt":
        text = _read_text_arg(file)
        name = "stdin" if str(file) == "-" else file.name
        doc = Document(path=Path(name), sha256="", kind="text",
                       pages=[Page(number=1, text=text, source="text")])
    else:
        doc = _read_document(file)
    result = extract_document(restore_document(doc), doc)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))


def _read_document(file: Path) -> Document:
    """Read a PDF or image here, its temporary files in a run folder (pipeline/runs.py)."""
    from .runs import run_folder, temp_files_in

    with run_folder() as temp_dir, temp_files_in(temp_dir):
        return read_document(file, Settings())


def _read_text_arg(file: Path) -> str:
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise InputError(file, exc.strerror or str(exc)) from None
    return decode_text(data, file)


@main.command()
@click.argument("sql")
@click.option("--db", default="out/vanban.sqlite", show_default=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="The store written by `vanban run`.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
def query(sql: str, db: Path, as_csv: bool) -> None:
    """Run an SQL query on the store and print the result (nothing can change the store)."""
    import pandas as pd

    from .store import read_query

    frame = read_query(db, sql)
    if as_csv:
        click.echo(frame.to_csv(index=False), nl=False)
        return
    table = Table(show_lines=False)
    for col in frame.columns:
        table.add_column(str(col))
    for row in frame.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    _out().print(table)


main.add_command(train_lm_command)


@main.command(name="eval")
@click.option("--level", "levels", multiple=True, type=click.Choice(["clean", "moderate", "heavy"]),
              help="Degradation level(s) to measure (default: all three).")
@click.option("--docs-per-level", default=6, show_default=True, help="Generated documents per level.")
@click.option("--seed", default=0, show_default=True, help="Seed of the generated corpus.")
@click.option("--workers", type=int, default=None, help="Processes for OCR (default: cores).")
@click.option("--out", "out_dir", default="out/eval", show_default=True, type=click.Path(path_type=Path),
              help="Folder for the generated corpus and the JSON report.")
@click.option("--json", "json_path", type=click.Path(path_type=Path),
              help="Where to write the JSON report (default: OUT/eval.json).")
@click.option("--archive", "archive", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Text files/folders of your own archive: restoration is measured again with an LM "
                   "trained on them (as `vanban train-lm` would; written under OUT, not installed).")
@click.option("--real", "real", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Instead: score header fields and the stored text's line CER on real scanned pages "
                   "(a folder like ../shared/realscans: manifest.tsv, scans/, truth/).")
@click.option("--cache", "cache", type=click.Path(file_okay=False, path_type=Path),
              help="With --real: keep each page's OCR here, so re-scoring after an extractor change "
                   "skips Tesseract (keyed by the OCR settings).")
def eval_(levels, docs_per_level, seed, workers, out_dir, json_path, archive, real, cache) -> None:
    """Measure OCR, restoration and extraction against exact ground truth."""
    if real is not None:
        from corpus.eval_real import run_real_eval

        report = run_real_eval(real, workers or os.cpu_count() or 1, cache)
        json_path = json_path or out_dir / "eval_real.json"
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        _print_real(report)
        _out().print(f"report written to {json_path}", highlight=False)
        return
    from .evaluate import DEFAULT_SHARED, LEVELS, run_eval

    report = run_eval(out_dir, tuple(levels) or LEVELS, docs_per_level, seed, workers, DEFAULT_SHARED,
                      archive=list(archive) or None)
    json_path = json_path or out_dir / "eval.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    _print_eval(report)
    _out().print(f"report written to {json_path}", highlight=False)


def _print_real(report: dict) -> None:
    """Per-field outcomes and per-page line CER of ``vanban eval --real``."""
    from corpus.eval_real import OUTCOMES

    out = _out()
    tab = Table(title=f"Header fields on {report['pages']} real pages ({report['root']}): "
                      f"right {_pct(report['header_right'])} of {report['scored']}")
    tab.add_column("field")
    for col in OUTCOMES + ("right share", "wrong in filled-in"):
        tab.add_column(col, justify="right")
    for name, t in report["fields"].items():
        n = sum(t.values())
        filled = t["right"] + t["wrong"] + t["unsure"] + t["invented"]
        tab.add_row(name, *(str(t[o]) for o in OUTCOMES), _pct(t["right"] / n if n else None),
                    f"{t['wrong'] + t['invented']} / {filled}")
    out.print(tab)
    pages = Table(title="Pages")
    for col in ("page", "s", "line CER", "not right"):
        pages.add_column(col, justify="left" if col in ("page", "not right") else "right")
    for row in report["rows"]:
        bad = ", ".join(f"{f}={o}:{row['predicted'].get(f)!r}" for f, o in row["outcomes"].items()
                        if o != "right")
        cer = row.get("line_cer")
        pages.add_row(row["stem"][:40], f"{row['seconds']:.1f}", "-" if cer is None else f"{cer:.4f}",
                      row["error"] or bad)
    out.print(pages)
    if report["transcribed_pages"]:
        out.print(f"stored-text line CER on {report['transcribed_pages']} transcribed pages: mean "
                  f"{report['line_cer_mean']:.4f}, max {report['line_cer_max']:.4f}", highlight=False)
    out.print(f"eval --real finished in {report['seconds']:.0f} s", highlight=False)


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


# The restoration figures of `vanban eval`, as its tables name them.
_RESTORATION_LABELS = {"001_vs_gold": "001 garbled OCR vs gold/001_restored.txt",
                       "003_stripped": "003 with all diacritics stripped",
                       "004_stripped": "004 with all diacritics stripped"}


def _print_archive(archive: dict, shipped_seeds: dict | None, shipped_levels: dict) -> None:
    """Restoration with the shipped model beside the same with the archive's LM added."""
    out = _out()
    title = (f"Restoration with an LM trained on {', '.join(archive['archive'])} "
             f"({archive['train_s']:.0f} s to train) vs the shipped model")
    tab = Table(title=title)
    for col in ("text", "shipped model", "with the archive LM"):
        tab.add_column(col, justify="left" if col == "text" else "right")
    if archive["seeds"]:
        for key, value in archive["seeds"].items():
            tab.add_row(f"{_RESTORATION_LABELS.get(key, key)}: word accuracy",
                        _pct((shipped_seeds or {}).get(key)), _pct(value))
    for level, row in archive["levels"].items():
        tab.add_row(f"generated {level}: WER cleanup+OCR → restored",
                    f"{_pct(shipped_levels[level]['wer_ocr'])} → {_pct(shipped_levels[level]['wer_restored'])}",
                    f"{_pct(row['wer_ocr'])} → {_pct(row['wer_restored'])}")
    out.print(tab)


def _print_eval(report: dict) -> None:
    out = _out()
    scans = report["scans"]
    table = Table(title=f"OCR on the generated corpus ({scans['pages']} pages, "
                        f"{scans['pages_per_min']:.1f} pages/min with {scans['workers']} workers)")
    ocrmypdf = scans.get("ocrmypdf") is True
    cols = ["level", "pages", "CER raw"] + (["CER OCRmyPDF"] if ocrmypdf else []) + [
        "CER cleanup+OCR", "CER restored", "WER raw"] + (["WER OCRmyPDF"] if ocrmypdf else []) + [
        "WER cleanup+OCR", "WER restored", "pages/min (1 core)"]
    for col in cols:
        table.add_column(col, justify="left" if col == "level" else "right")
    stages = ("raw", "ocrmypdf", "ocr", "restored") if ocrmypdf else ("raw", "ocr", "restored")
    for level, row in scans["levels"].items():
        table.add_row(level, str(row["pages"]),
                      *(_pct(row.get(f"{m}_{s}")) for m in ("cer", "wer") for s in stages),
                      f"{row['pages_per_min_one_core']:.1f}")
    out.print(table)

    ext = Table(title="Extraction against ground truth (P / R / F1)")
    for col in ("source", "doc_refs", "dates", "counts", "money", "header right"):
        ext.add_column(col, justify="left" if col == "source" else "right")

    def add(source: str, scores: dict) -> None:
        cells = [f"{s['precision']:.2f} / {s['recall']:.2f} / {s['f1']:.2f}"
                 for s in (scores[f] for f in ("doc_refs", "dates", "counts", "money"))]
        ext.add_row(source, *cells, _pct(scores["header"]["accuracy"]))

    seeds = report.get("seeds")
    if seeds:
        for prefix, scores in seeds["extraction"].items():
            add(f"seed {prefix} (text)", scores)
    for level, row in scans["levels"].items():
        if row["extraction"]:
            add(f"generated {level} (OCR+restore)", row["extraction"])
    out.print(ext)
    if seeds:
        rest = Table(title="Diacritic restoration: word accuracy")
        rest.add_column("text")
        rest.add_column("word accuracy", justify="right")
        for key, value in seeds["restoration"].items():
            rest.add_row(_RESTORATION_LABELS.get(key, key), _pct(value))
        out.print(rest)
    archive = report.get("archive")
    if archive:
        _print_archive(archive, seeds["restoration"] if seeds else None, scans["levels"])
    annex = report.get("annex")
    if annex:
        tab = Table(title=f"Annex tables (Phụ lục): {annex['pages_per_level']} generated pages a level, "
                          f"{annex['rows_per_page']} rows x 5 columns, cleanup + read_tables")
        for col in ("level", "pages", "tables found", "upright", "grid shape right", "cells exactly right",
                    "cell CER", "s/page (1 core)"):
            tab.add_column(col, justify="left" if col == "level" else "right")
        for level, row in annex["levels"].items():
            tab.add_row(level, str(row["pages"]), f"{row['tables_found']} / {row['pages']}",
                        f"{row['upright']} / {row['pages']}",
                        f"{row['grid_ok']} / {row['pages']}", _pct(row["cell_exact_rate"]),
                        _pct(row["cell_cer"]), f"{row['seconds_per_page']:.1f}")
        out.print(tab)
    if report.get("note"):
        out.print(report["note"], highlight=False)
    if isinstance(scans.get("ocrmypdf"), str):
        out.print(f"OCRmyPDF {scans['ocrmypdf']}", highlight=False)
    out.print(f"eval finished in {report['total_s']:.0f} s", highlight=False)
