"""The `vanban` command line: run, ocr, restore, extract, query.

I/O lives here and in the store; the stages below never print.
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from . import __version__
from .document import Document, InputError, Page
from .ingest import decode_text
from .process import Settings, extract_document, read_document, restore_document

err_console = Console(stderr=True)


def _fail(message: str) -> None:
    """One-line error on stderr, exit status 1."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--force", is_flag=True, help="Redo files even when unchanged since the last run.")
def run(inputs: tuple[Path, ...], out_dir: Path, force: bool) -> None:
    """Process files and folders (PDF, PNG/JPEG/TIFF, .txt) into OUT/vanban.sqlite."""
    from .batch import STORE_NAME, run_batch

    summary = run_batch(list(inputs), out_dir, Settings(), force=force, console=err_console)
    out = Console()
    table = Table(title=f"vanban run → {out_dir / STORE_NAME}")
    for col in ("document", "kind", "pages", "text from", "restored",
                "doc_refs", "dates", "counts", "money"):
        table.add_column(col, justify="right" if col not in ("document", "kind", "text from") else "left")
    for r in summary.processed:
        table.add_row(r.path.name, r.kind, str(r.pages), r.source, "yes" if r.restored else "no",
                      *(str(r.mentions[k]) for k in ("doc_refs", "dates", "counts", "money")))
    out.print(table)
    for path, why in summary.skipped:
        out.print(f"skipped {path}: {why}", highlight=False, soft_wrap=True)
    for path, why in summary.failed:
        out.print(f"FAILED {path}: {why}", highlight=False, soft_wrap=True)
    out.print(
        f"{len(summary.processed)} documents, {summary.pages} pages processed, "
        f"{len(summary.skipped)} skipped, {len(summary.failed)} failed "
        f"in {summary.seconds:.1f} s ({summary.pages_per_minute:.1f} pages/min)",
        highlight=False,
    )
    if summary.nothing_processed:
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
def ocr(file: Path) -> None:
    """Print the text of a PDF or image; pages are separated by a form-feed line."""
    try:
        doc = read_document(file, Settings())
    except InputError as exc:
        _fail(str(exc))
    click.echo(doc.text)


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
    try:
        if str(file) == "-" or file.suffix.lower() == ".txt":
            text = _read_text_arg(file)
            name = "stdin" if str(file) == "-" else file.name
            doc = Document(path=Path(name), sha256="", kind="text",
                           pages=[Page(number=1, text=text, source="text")])
        else:
            doc = read_document(file, Settings())
        result = extract_document(restore_document(doc), doc)
    except InputError as exc:
        _fail(str(exc))
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))


def _read_text_arg(file: Path) -> str:
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else Path(file).read_bytes()
        return decode_text(data, file)
    except InputError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{file}: {exc.strerror or exc}")
    return ""  # unreachable: _fail exits


@main.command()
@click.argument("sql")
@click.option("--db", default="out/vanban.sqlite", show_default=True,
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="The store written by `vanban run`.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
def query(sql: str, db: Path, as_csv: bool) -> None:
    """Run an SQL query on the store and print the result."""
    import sqlite3

    import pandas as pd

    # Read-only: an analyst's typo must never modify the store.
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        frame = pd.read_sql_query(sql, conn)
    except (sqlite3.Error, pd.errors.DatabaseError) as exc:
        _fail(f"{db}: {str(exc).splitlines()[-1]}")
    finally:
        conn.close()
    if as_csv:
        click.echo(frame.to_csv(index=False), nl=False)
        return
    table = Table(show_lines=False)
    for col in frame.columns:
        table.add_column(str(col))
    for row in frame.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    Console().print(table)
