"""`vanban search QUERY`: full-text search over the stored lines (pipeline/run/search.py).

Registered in :mod:`pipeline.cli.main` as ``main.add_command(search_command)``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from ..run.search import DEFAULT_LIMIT, Result, search


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--db", default="out/vanban.sqlite", show_default=True,
              type=click.Path(path_type=Path, dir_okay=False), help="The store written by `vanban run`.")
@click.option("--type", "doc_type", metavar="TYPE",
              help="Only documents of this type (công văn, Báo cáo…: marks and case do not matter).")
@click.option("--from", "date_from", metavar="DATE",
              help="Only documents dated DATE or later (YYYY-MM-DD, YYYY-MM, YYYY).")
@click.option("--to", "date_to", metavar="DATE", help="Only documents dated DATE or earlier.")
@click.option("--limit", type=click.IntRange(min=1), default=DEFAULT_LIMIT, show_default=True,
              help="Lines to show at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search_command(query: tuple[str, ...], db: Path, doc_type: str | None, date_from: str | None,
                   date_to: str | None, limit: int, as_json: bool) -> None:
    """Find the lines that hold every word of QUERY, typed with or without marks, in any case;
    a document number (69/KH-UBND, "148/QD-TTg") finds the documents with that number first,
    then the lines that cite it.  "Words in quotes" are a phrase, word* a prefix.

    One line per hit: the document, page, line and the line with the match marked.  The store
    is only read.
    """
    result = search(db, " ".join(query), doc_type=doc_type, date_from=date_from, date_to=date_to, limit=limit)
    if as_json:
        click.echo(json.dumps([h.as_json() for h in result.hits], ensure_ascii=False, indent=1))
    elif sys.stdout.isatty():
        out = Console(highlight=False, soft_wrap=True)
        for hit in result.hits:
            text, marks = hit.snippet()
            snippet = Text(text)
            for start, end in marks:
                snippet.stylize("bold red", start, end)
            out.print(Text.assemble((f"{hit.document} p.{hit.page} l.{hit.line}: ", "cyan"), snippet))
    else:
        for hit in result.hits:
            click.echo(f"{hit.document} p.{hit.page} l.{hit.line}: {hit.marked()}")
    click.echo(_count_line(result, limit), err=True)


def _count_line(result: Result, limit: int) -> str:
    """What was found, on stderr: "3 lines", "20 of 1,234 lines (--limit N shows more)"."""
    if not result.hits:
        return "no line matches"
    shown = len(result.hits)
    line = f"{shown:,} of {result.total:,} lines" if result.more else f"{shown:,} line{'s' * (shown != 1)}"
    if result.ranked:
        line += (f"; ranked among the {result.ranked:,} of the documents stored last "
                 "(add words or --type/--from/--to to rank them all)")
    if result.more and shown == limit:
        line += "; --limit N shows more"
    return line
