"""``vanban serve``: Datasette on the store, read-only, plus ``GET /document/<id>``.

Datasette (the SQLite browser) serves every table, with the descriptions of
:mod:`pipeline.serve.metadata` and the lines' full-text search.  The store is opened read-only
(``mode=ro``: a run writing the store meanwhile is seen consistently through its WAL; Datasette
runs only SELECTs and has no write API before 1.0), or immutable when its folder cannot be
written (SQLite then cannot make the WAL index a read needs), as ``vanban query`` opens it
(:func:`pipeline.run.store.read_only_uri`).

vanban's own parts are one Datasette plugin, registered in this process (:class:`_Plugin`): the
SQL function the search uses, the search box of ``lines``, links from a document's name to its
page, and the routes ``/document/<id>`` (:mod:`pipeline.serve.document`) and
``/document/<id>/page/<n>.png`` (the page image, :mod:`pipeline.serve.images`).
"""
from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from datasette import hookimpl
from datasette.app import Datasette
from datasette.filters import FilterArguments
from datasette.plugins import pm
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from ..document import MENTION_FIELDS, InputError
from ..errors import StoreError
from ..options import RasterSettings
from ..run.store import open_read_only, store_error
from . import images
from .document import document_html, not_found_html, page_views
from .metadata import LINE_OF_MATCH, MATCH_SQL, fts_match, metadata

_PLUGIN = "vanban.serve"


@dataclass(frozen=True)
class ServeOptions:
    """What ``vanban serve`` serves, where, and how page images are rendered."""

    db: Path = Path("out/vanban.sqlite")
    host: str = "127.0.0.1"
    port: int = 8001
    # PDF pages for the browser: A4 at 150 DPI is 1240 px, sharp in the 800-CSS-pixel page column
    # on a 1.5x screen, and renders in ~0.3 s (300 DPI, as OCR reads it, takes ~4x that).
    display_dpi: int = 150
    max_width: int = 1600  # image files are shrunk to this many pixels wide (2x the page column)
    max_pixels: int = RasterSettings.max_pixels


def check_store(path: Path) -> None:
    """:class:`StoreError` (one line naming the file) unless ``path`` is a vanban store."""
    conn = open_read_only(path)
    try:
        conn.execute("SELECT id, path, first_page FROM documents LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        fault = store_error(path, exc)
        raise (StoreError(path, "not a vanban store (no documents table)") if "no such" in str(exc)
               else fault) from None
    finally:
        conn.close()


def build(options: ServeOptions) -> Datasette:
    """The Datasette instance serving ``options.db`` with vanban's plugin registered."""
    path = Path(options.db).absolute()
    check_store(path)
    # Datasette names a database after its file's stem; read-only as in read_only_uri.
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    ds = Datasette(files=[str(path)] if writable else [], immutables=[] if writable else [str(path)],
                   metadata=metadata(path.stem), settings={"default_page_size": 50})
    if path.stem not in ds.databases:
        raise StoreError(path, f"Datasette named it otherwise ({', '.join(ds.databases)})")
    _no_rich_tracebacks()
    if pm.get_plugin(_PLUGIN) is not None:  # one plugin per process: the instance built last
        pm.unregister(name=_PLUGIN)
    pm.register(_Plugin(options, path.stem), name=_PLUGIN)
    return ds


def _no_rich_tracebacks() -> None:
    """Datasette 0.65.5 prints every exception it turns into an error page (each 404 too) with
    ``rich.get_console().print_exception()`` outside an ``except`` block; rich 15 raises
    ValueError there, so every 404 became a 500.  Without rich it prints nothing and answers."""
    import datasette.handle_exception

    datasette.handle_exception.rich = None


def _rows(result) -> list[dict]:
    return [dict(r) for r in result.rows]


class _Plugin:
    """vanban's Datasette hooks, for the one store ``database`` this process serves."""

    __name__ = _PLUGIN  # Datasette lists its plugins by module name (/-/plugins)

    def __init__(self, options: ServeOptions, database: str):
        self.options = options
        self.database = database

    @hookimpl
    def prepare_connection(self, conn, database):
        if database == self.database:
            conn.create_function(MATCH_SQL, 1, fts_match, deterministic=True)

    @hookimpl(trylast=True)  # after Datasette's own search filter, so its "no search here" is overridden
    def filters_from_request(self, request, database, table):
        """The search box of `lines`: ?_search= read as `vanban search` reads a query."""
        if database != self.database or table != "lines":
            return None
        query = request.args.get("_search")
        if not query:
            return FilterArguments([], extra_context={"supports_search": True})
        clause = (f"id IN (SELECT l.id FROM lines_search s JOIN lines l ON {LINE_OF_MATCH} "
                  f"WHERE lines_search MATCH {MATCH_SQL}(:vanban_search))")
        return FilterArguments([clause], {"vanban_search": query}, [f'search matches "{query}"'],
                               {"supports_search": True, "search": query})

    @hookimpl
    def render_cell(self, row, value, column, table, database):
        """A document's name links to its page (in `documents` and in the `search` query)."""
        if database != self.database or column != "name" or value is None:
            return None
        keys = row.keys()
        doc_id = row["id"] if table == "documents" else row["document_id"] if "document_id" in keys else None
        if doc_id is None or table not in ("documents", None):
            return None
        return Markup(f'<a href="/document/{int(doc_id)}">{escape(value)}</a>')

    @hookimpl
    def register_routes(self):
        return [(r"^/document/(?P<id>\d+)$", self.document),
                (r"^/document/(?P<id>\d+)/page/(?P<page>\d+)\.png$", self.page_image)]

    async def _document(self, datasette, doc_id: int) -> dict | None:
        result = await datasette.get_database(self.database).execute(
            "SELECT * FROM documents WHERE id = ?", [doc_id])
        row = result.first()
        return dict(row) if row is not None else None

    async def document(self, datasette, request):
        """``/document/<id>``: the document's pages, words and items (404: no such document)."""
        doc_id = int(request.url_vars["id"])
        document = await self._document(datasette, doc_id)
        if document is None:
            return Response.html(not_found_html(f"No document {doc_id} in {self.options.db}."), status=404)
        db = datasette.get_database(self.database)

        async def rows(sql: str) -> list[dict]:
            return _rows(await db.execute(sql, [doc_id]))

        pages = await rows("SELECT number, source, width, height, dpi, quality, text FROM pages "
                           "WHERE document_id = ? ORDER BY number")
        words = await rows("SELECT page, text, conf, left, top, width, height FROM words WHERE document_id = ?")
        regions = await rows("SELECT page, kind, bbox_x0, bbox_y0, bbox_x1, bbox_y1 FROM regions "
                             "WHERE document_id = ? ORDER BY page, seq")
        mentions = {t: await rows(f"SELECT * FROM {t} WHERE document_id = ? ORDER BY page, line, span_start")
                    for t in MENTION_FIELDS}
        path = images.original_file(document)
        state = images.file_state(path) if document["kind"] != "text" else None
        message = None
        if document["kind"] != "text" and state is None:
            message = (f"The original file is not at {path} (moved or deleted): its pages cannot be shown, "
                       "the text and the items read from it are.")
        elif state is not None and await _in_thread(images.file_sha256, path, state) != document["sha256"]:
            message = f"{path} has changed since it was read: the boxes may not lie on the page shown."

        def image_url(number: int) -> str:
            return f"/document/{doc_id}/page/{number}.png"

        def row_url(table: str, row_id: int) -> str:
            return datasette.urls.row(self.database, table, str(row_id))

        views = page_views(document, pages, words, regions, mentions, image_url if state else None, row_url)
        return Response.html(document_html(document, views, mentions, row_url, message))

    async def page_image(self, datasette, request):
        """``/document/<id>/page/<n>.png``: page n of the document, rendered from its original file."""
        doc_id, number = int(request.url_vars["id"]), int(request.url_vars["page"])
        document = await self._document(datasette, doc_id)
        if document is None or document["kind"] == "text" or not 1 <= number <= document["n_pages"]:
            return Response.text(f"no page {number} of document {doc_id}", status=404)
        path = images.original_file(document)
        state = images.file_state(path)
        if state is None:
            return Response.text(f"the original file is not at {path}", status=404)
        o = self.options
        try:
            png = await _in_thread(images.page_png, path, document["kind"], (document["first_page"] or 1) + number - 1,
                                   state, o.display_dpi, o.max_width, o.max_pixels)
        except InputError as exc:
            return Response.text(str(exc), status=404)
        return Response(png, content_type="image/png", headers={"Cache-Control": "max-age=60"})


async def _in_thread(function, *args):
    """Run a blocking call (rendering, hashing) off the server's event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args))
