"""The `vanban` command line: run, ocr, restore, extract, query (search: cli/search.py, serve: cli/serve.py).

I/O lives here and in the store; the stages below never print.
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from .. import __version__
from .export import pdf_command
from .train import train_lm_command
from ..document import MENTION_FIELDS, Document, InputError, Page
from ..errors import ExitCode, Interrupted, VanbanError
from ..io.ingest import decode_text
from ..io.names import printable, shown_path
from ..io.tools import use_tool_environment
from ..options import RasterSettings, Settings
from ..run.process import check_models, extract_document, final_pages, read_document, restore_document

err_console = Console(stderr=True)


def _out() -> Console:
    """Console for results: wide enough for whole file names when piped to a file."""
    return Console() if sys.stdout.isatty() else Console(width=200)


def _settings(max_pixels: int | None = None) -> Settings:
    """The options of this command, built from its flags; environment variables are only the
    flags' defaults, read here (``VANBAN_MAX_PIXELS``: ``--max-pixels``, also for ``ocr`` and
    ``extract``, which have no such flag)."""
    return Settings(raster=RasterSettings(max_pixels=max_pixels or _default_max_pixels()))


def _default_max_pixels() -> int:
    """``--max-pixels``'s default: ``VANBAN_MAX_PIXELS`` when it is a number, else 200,000,000."""
    default = RasterSettings.max_pixels
    try:
        return int(os.environ.get("VANBAN_MAX_PIXELS", default))
    except ValueError:
        return default


def _restorer():
    """The restorer a command uses: the product's models (pipeline/resources.py: $VANBAN_MODELS,
    else the checkout's models/built, else the per-user folder) and the user LM when there is one."""
    from ..restore.restorer import Restorer, RestorerOptions

    return Restorer(RestorerOptions.find())


def _fail(message: str, code: int = ExitCode.nothing_processed, label: str = "error") -> NoReturn:
    """One-line error on stderr, then exit with ``code``."""
    err_console.print(f"[red]{label}:[/red] {message}", highlight=False, soft_wrap=True)
    sys.exit(int(code))


def _checkout_commands() -> dict[str, str]:
    """Commands that are not the product's (``vanban eval``), name -> "module:attribute": the
    ``vanban.commands`` entry points that pyproject.toml declares, found in the installed
    package's metadata, so the product never names the module that holds them."""
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group="vanban.commands")}


def _unavailable(name: str, target: str, why: str) -> click.Command:
    """Stand-in for a checkout command that cannot be imported: one line and its exit code."""
    def fail(**_) -> None:
        _fail(f"vanban {name} needs the project's checkout ({target}: {why}): run it from a checkout",
              ExitCode.bad_args)

    return click.Command(name, callback=fail, context_settings={"ignore_unknown_options": True,
                                                                "allow_extra_args": True},
                         help="Not available here: needs the project's checkout.")


class _Commands(click.Group):
    """Every expected error ends a command with one line and its exit code (pipeline/errors.py).

    The commands of the checkout (``vanban eval``) are listed with the product's and imported
    by name only when run or listed, so the product never depends on them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(_checkout_commands()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        target = None if command else _checkout_commands().get(name)
        if target is None:
            return command
        module, _, attribute = target.partition(":")
        try:
            return getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError) as exc:
            return _unavailable(name, target, str(exc))

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
    # The programs the commands run (here for `ocr`, `extract`, `eval`; in the processes they
    # start for `run`) with one Tesseract thread each: pipeline/io/tools.py.
    use_tool_environment()
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
              help="Refuse pages that decode to more pixels (default: $VANBAN_MAX_PIXELS, else 200,000,000).")
@click.option("--pdf", is_flag=True, help="Also write OUT/pdf/<name>.pdf: each scan as a searchable PDF/A.")
@click.option("--alto", is_flag=True, help="Also write OUT/alto/<name>.xml: each scan's words as ALTO XML v4.")
@click.option("--hocr", is_flag=True, help="Also write OUT/hocr/<name>.hocr: each scan's words as hOCR.")
def run(inputs: tuple[Path, ...], out_dir: Path, force: bool, workers: int | None,
        scheduler: str | None, log_path: Path | None, keep_images: Path | None,
        max_pixels: int | None, pdf: bool = False, alto: bool = False, hocr: bool = False) -> None:
    """Process files and folders (PDF, PNG/JPEG/TIFF, .txt) into OUT/vanban.sqlite."""
    from ..export.outputs import requested
    from ..run.batch import STORE_NAME, run_batch
    from ..run.workers import check_scheduler

    if scheduler:
        check_scheduler(scheduler)
    try:
        summary = run_batch(list(inputs), out_dir, _settings(max_pixels), force=force,
                            console=err_console, workers=workers, scheduler=scheduler,
                            log_path=log_path, keep_images=keep_images, restorer=_restorer(),
                            exports=requested(out_dir, pdf=pdf, alto=alto, hocr=hocr))
    except OSError as exc:  # an unwritable --log, --keep-images: the store's own errors are StoreError
        _fail(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
    _print_run_summary(summary, out_dir / STORE_NAME)
    if summary.nothing_processed:
        sys.exit(int(ExitCode.nothing_processed))


def _print_run_summary(summary, store_path: Path) -> None:
    out = _out()
    table = Table(title=f"vanban run → {store_path}")
    for col in ("document", "kind", "pages", "text from", "restored", *MENTION_FIELDS):
        table.add_column(col, justify="right" if col not in ("document", "kind", "text from") else "left")
    for r in summary.processed:
        table.add_row(shown_path(r.path.name), r.kind, str(r.pages), r.source, "yes" if r.restored else "no",
                      *(str(r.mentions[k]) for k in MENTION_FIELDS))
    out.print(table)
    for path, why in summary.skipped:
        out.print(f"skipped {shown_path(path)}: {printable(why)}", highlight=False, soft_wrap=True)
    for path, why in summary.failed:
        out.print(f"FAILED {shown_path(path)}: {printable(why)}", highlight=False, soft_wrap=True)
    for path, why in summary.gone:
        out.print(f"gone {shown_path(path)}: {printable(why)}", highlight=False, soft_wrap=True)
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
@click.option("--raw", is_flag=True, help="Print the text as OCR read it, before marks are mended or restored.")
def ocr(file: Path, raw: bool) -> None:
    """Print the text `vanban run` stores for a PDF or image; pages are separated by a form-feed line."""
    restorer = None if raw else _restorer()
    check_models(restorer)
    doc = _read_document(file)
    if not raw:
        doc = replace(doc, pages=final_pages(doc, restorer, _settings()))
    click.echo(doc.text)


@main.command()
@click.argument("file", default="-", type=click.Path(path_type=Path, allow_dash=True))
def restore(file: Path) -> None:
    """Restore Vietnamese diacritics of a text file (or stdin), line for line."""
    restorer = _restorer()
    check_models(restorer, digits=False)
    text = _read_text_arg(file)
    click.echo(restorer.restore_text(text), nl=False)


@main.command()
@click.argument("file", default="-", type=click.Path(path_type=Path, allow_dash=True))
def extract(file: Path) -> None:
    """Print the extraction JSON of a text, PDF or image file (or stdin).

    Every key, and how `vanban eval` scores it: docs/extraction.md in vanban's source.
    """
    text_input = str(file) == "-" or file.suffix.lower() == ".txt"
    restorer = _restorer()
    check_models(restorer, digits=not text_input)
    if text_input:
        text = _read_text_arg(file)
        name = "stdin" if str(file) == "-" else file.name
        doc = Document(path=Path(name), sha256="", kind="text",
                       pages=[Page(number=1, text=text, source="text")])
    else:
        doc = _read_document(file)
    result = extract_document(restore_document(doc, restorer), doc, _settings())
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))


def _read_document(file: Path) -> Document:
    """Read a PDF or image here, its temporary files in a run folder (pipeline/run/runs.py)."""
    from ..run.runs import run_folder, temp_files_in

    with run_folder() as temp_dir, temp_files_in(temp_dir):
        return read_document(file, _settings())


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

    from ..run.store import read_query

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


from .search import search_command  # noqa: E402 (the commands live in their own modules)
from .serve import serve_command  # noqa: E402

main.add_command(search_command)
main.add_command(pdf_command)
main.add_command(serve_command)
