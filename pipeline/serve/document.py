"""``GET /document/<id>``: one document's pages with its words and extracted items drawn on them.

Pure functions from store rows (dicts, as :mod:`pipeline.serve.app` reads them) to HTML.  Each
page is an SVG whose ``viewBox`` is the ORIGINAL page's pixel size (the raster
:mod:`pipeline.io.rasterize` makes: a PDF page at 300 DPI, an image file's own pixels): the page
image (rendered on demand, smaller) is stretched over it, and every box stored in the OCR'd
image's pixels is mapped there by :class:`pipeline.export.words.Frame`, the map hOCR, ALTO and the
PDF text layer use.  Words are tinted by Tesseract's confidence (:data:`CONFIDENCE_BANDS`); each
extracted item is outlined in the colour of its kind (:data:`ITEM_KINDS`) and links to its row.

The layout is fixed so a screenshot can be measured: the pages in a column
:data:`PAGE_CSS_WIDTH` CSS pixels wide at the left, the first one :data:`HEADER_CSS_HEIGHT`
below the top; the fields, the items and the legend in a column to the right.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Callable, Iterable

from ..document import Page
from ..export.words import Frame

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 on the original page, pixels

PAGE_CSS_WIDTH = 800  # CSS pixels: an A4 page at ~97 DPI, legible without zoom
HEADER_CSS_HEIGHT = 48  # the title bar above the first page
OUTLINE_CSS_WIDTH = 3  # stroke of an item's outline, CSS pixels whatever the zoom
OUTLINE_CSS_PAD = 3  # outlines drawn this far outside the item's box, so they never cover its ink

# Word tints by Tesseract confidence (0-100), highest band first: (lowest conf, name, colour).
# A reader's guide, not a measured cut: 85 is where pipeline/run/process.py tells print from pen
# digits (PRINTED_DIGITS_CONF: typed numbers read 91-96 on the real pages), 60 marks the doubtful.
CONFIDENCE_BANDS = ((85.0, "high", "#2e9e44"), (60.0, "medium", "#f0a000"), (float("-inf"), "low", "#e0301e"))
TINT_OPACITY = 0.28

# Extracted items: table -> (label, outline colour).  Saturated colours none of the tints (light
# at TINT_OPACITY over paper) nor the scan's gray ink come near, so a screenshot tells them apart.
ITEM_KINDS = {
    "header": ("header field", "#ff5a00"),
    "doc_refs": ("document number", "#0050e6"),
    "dates": ("date", "#8e24d8"),
    "counts": ("count", "#00a3a3"),
    "money": ("money", "#e0007a"),
}
# What each mention table's row says, shortest first: the label of its outline.
_MENTION_VALUE = {"doc_refs": "number", "dates": "value", "counts": "value", "money": "value_vnd"}

# The document's header fields have no box of their own in `documents`: each is outlined by the
# box of the layout region it was read from (pipeline/ocr/layout.py), and links to the documents row.
HEADER_REGIONS = {
    "header_left": ("issuer_parent", "issuer"),
    "number_line": ("number",),
    "date_line": ("place", "date"),
    "title": ("type", "subject"),
    "signature": ("signer_title", "signer"),
}


@dataclass(frozen=True)
class Outline:
    """One extracted item on a page."""

    kind: str  # a key of ITEM_KINDS
    box: Box
    label: str
    href: str


@dataclass
class PageView:
    """One page as drawn: its size, image, tinted words and outlined items."""

    number: int
    width: float  # the original page, pixels (the SVG's viewBox)
    height: float
    image: str | None  # URL of the rendered page, None when it cannot be shown
    words: list[tuple[str, float, Box]] = field(default_factory=list)  # text, conf, box
    outlines: list[Outline] = field(default_factory=list)
    text: str = ""


def confidence_band(conf: float | None) -> tuple[str, str]:
    """(band name, colour) of a word confidence (unknown, -1, counts as low)."""
    value = -1.0 if conf is None else float(conf)
    return next((name, colour) for floor, name, colour in CONFIDENCE_BANDS if value >= floor)


def page_frame(page: dict) -> Frame | None:
    """The map from the OCR'd image back to the original page, from a `pages` row (None: the page
    was not OCR'd, so nothing on it has a box)."""
    if page.get("source") != "ocr" or not page.get("width") or not page.get("height"):
        return None
    quality = json.loads(page["quality"]) if isinstance(page.get("quality"), str) else (page.get("quality") or {})
    return Frame.of(Page(number=page["number"], text="", source="ocr", width=page["width"],
                         height=page["height"], dpi=page.get("dpi") or 0, quality=quality))


def _box(frame: Frame, x0, y0, x1, y1) -> Box | None:
    if None in (x0, y0, x1, y1) or x1 <= x0 or y1 <= y0:
        return None
    return frame.box(x0, y0, x1, y1)


def _label(table: str, row: dict) -> str:
    value = row.get(_MENTION_VALUE[table])
    shown = f"{value:,}".replace(",", ".") if table == "money" and isinstance(value, int) else value
    raw = row.get("raw")
    return f"{ITEM_KINDS[table][0]}: {shown}" + (f" ({raw})" if raw and str(raw) != str(value) else "")


def page_views(document: dict, pages: list[dict], words: list[dict], regions: list[dict],
               mentions: dict[str, list[dict]], image_url: Callable[[int], str] | None,
               row_url: Callable[[str, int], str]) -> list[PageView]:
    """Every page of a document as drawn, from its store rows.

    ``words``/``regions``/``mentions`` (table -> rows): the document's rows of those tables;
    ``image_url(page number)``: where the page image is served (None: not shown);
    ``row_url(table, id)``: the Datasette page of a row.
    """
    views = []
    for page in pages:
        number = page["number"]
        frame = page_frame(page)
        view = PageView(number, frame.width if frame else 0, frame.height if frame else 0,
                        image_url(number) if image_url else None, text=page.get("text") or "")
        if frame is not None:
            for w in words:
                if w["page"] == number and None not in (w["left"], w["top"], w["width"], w["height"]):
                    box = _box(frame, w["left"], w["top"], w["left"] + w["width"], w["top"] + w["height"])
                    if box:
                        view.words.append((w["text"], w["conf"], box))
            for region in regions:
                fields = [f for f in HEADER_REGIONS.get(region["kind"], ()) if document.get(f)]
                box = _box(frame, region["bbox_x0"], region["bbox_y0"], region["bbox_x1"], region["bbox_y1"])
                if region["page"] == number and fields and box:
                    label = "; ".join(f"{f}: {document[f]}" for f in fields)
                    view.outlines.append(Outline("header", box, label, row_url("documents", document["id"])))
            for table, rows in mentions.items():
                for row in rows:
                    box = _box(frame, row["bbox_x0"], row["bbox_y0"], row["bbox_x1"], row["bbox_y1"])
                    if row["page"] == number and box:
                        view.outlines.append(Outline(table, box, _label(table, row), row_url(table, row["id"])))
        views.append(view)
    return views


def _svg(view: PageView) -> str:
    """The page as an SVG: image, word tints, item outlines (each a link)."""
    w, h = view.width, view.height
    css_height = round(PAGE_CSS_WIDTH * h / w, 2)
    pad = OUTLINE_CSS_PAD * w / PAGE_CSS_WIDTH  # CSS pixels in the page's own pixels
    out = [f'<svg class="page" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:g} {h:g}" '
           f'width="{PAGE_CSS_WIDTH}" height="{css_height:g}">']
    if view.image:
        out.append(f'<image href="{escape(view.image)}" x="0" y="0" width="{w:g}" height="{h:g}" '
                   'preserveAspectRatio="none"/>')
    else:
        out.append(f'<rect class="no-image" x="0" y="0" width="{w:g}" height="{h:g}"/>')
    out.append('<g class="words">')
    for text, conf, (x0, y0, x1, y1) in view.words:
        band, _ = confidence_band(conf)
        out.append(f'<rect class="conf-{band}" x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
                   f'height="{y1 - y0:.1f}"><title>{escape(text)} ({conf:g})</title></rect>')
    out.append('</g><g class="items">')
    for o in view.outlines:
        x0, y0, x1, y1 = o.box
        out.append(f'<a href="{escape(o.href)}"><rect class="item item-{o.kind}" x="{x0 - pad:.1f}" '
                   f'y="{y0 - pad:.1f}" width="{x1 - x0 + 2 * pad:.1f}" height="{y1 - y0 + 2 * pad:.1f}">'
                   f'<title>{escape(o.label)}</title></rect></a>')
    out.append("</g></svg>")
    return "".join(out)


def _style() -> str:
    tints = "".join(f".conf-{name}{{fill:{colour};fill-opacity:{TINT_OPACITY}}}"
                    for _, name, colour in CONFIDENCE_BANDS)
    outlines = "".join(f".item-{kind}{{stroke:{colour}}}" for kind, (_, colour) in ITEM_KINDS.items())
    return (
        "body{margin:0;font:14px/1.4 sans-serif;color:#222;background:#fff}"
        f"header{{height:{HEADER_CSS_HEIGHT}px;box-sizing:border-box;padding:12px 16px;overflow:hidden;"
        "white-space:nowrap;background:#f4f4f4;border-bottom:1px solid #ccc}"
        f".pages{{position:absolute;left:0;top:{HEADER_CSS_HEIGHT}px;width:{PAGE_CSS_WIDTH}px}}"
        "svg.page{display:block;outline:1px solid #bbb}.page-caption{margin:4px 8px 16px}"
        f"aside{{position:absolute;left:{PAGE_CSS_WIDTH + 24}px;top:{HEADER_CSS_HEIGHT}px;right:16px}}"
        ".no-image{fill:#f2f2f2}.message{color:#a40000;font-weight:bold}"
        f".item{{fill:none;stroke-width:{OUTLINE_CSS_WIDTH};vector-effect:non-scaling-stroke}}"
        ".item:hover{fill:#ffff00;fill-opacity:.25}"
        "table{border-collapse:collapse;margin-bottom:12px}td,th{border:1px solid #ddd;padding:2px 6px;"
        "text-align:left;vertical-align:top}.swatch{display:inline-block;width:14px;height:14px;"
        "vertical-align:middle;margin-right:4px}pre{white-space:pre-wrap}"
        + tints + outlines
    )


def _legend() -> str:
    """The colours of the page: word tints by confidence, item outlines by kind."""
    items = []
    for i, (floor, name, colour) in enumerate(CONFIDENCE_BANDS):
        above = f"below {CONFIDENCE_BANDS[i - 1][0]:g}" if floor == float("-inf") else f"{floor:g} and above"
        items.append(f'<li><span class="swatch" style="background:{colour};opacity:{TINT_OPACITY * 2}"></span>'
                     f"word read with confidence {escape(name)} ({above})</li>")
    for label, colour in ITEM_KINDS.values():
        items.append(f'<li><span class="swatch" style="border:{OUTLINE_CSS_WIDTH}px solid {colour}"></span>'
                     f"{escape(label)} (click: its row)</li>")
    return '<h3>Legend</h3><ul class="legend">' + "".join(items) + "</ul>"


def _rows(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """An HTML table of cells already escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


_HEADER_FIELDS = ("number", "date", "place", "type", "issuer_parent", "issuer", "subject", "signer_title", "signer")


def document_html(document: dict, views: list[PageView], mentions: dict[str, list[dict]],
                  row_url: Callable[[str, int], str], message: str | None = None) -> str:
    """The whole page: title bar, pages (SVG) on the left; header fields, items and legend on the right.

    ``message``: what the reader must know about the page images (the original file is missing
    or changed since it was read), or None.
    """
    name = escape(document.get("name") or "")
    doc_link = f'<a href="{escape(row_url("documents", document["id"]))}">row</a>'
    fields = _rows(("field", "value"), ((escape(f), escape(str(document[f])))
                                        for f in _HEADER_FIELDS if document.get(f) is not None))
    sections = []
    for table, rows in mentions.items():
        if rows:
            sections.append(f"<h3>{escape(ITEM_KINDS[table][0])} ({len(rows)})</h3>" + _rows(
                ("page", "value", "as written"),
                ((str(r["page"] or ""), f'<a href="{escape(row_url(table, r["id"]))}">'
                  f'{escape(str(r[_MENTION_VALUE[table]]))}</a>', escape(r.get("raw") or "")) for r in rows)))
    pages = []
    for view in views:
        if view.width and view.height:
            picture = _svg(view)
        elif view.image:  # a page with no boxes (a text layer): the image alone
            picture = f'<img src="{escape(view.image)}" width="{PAGE_CSS_WIDTH}" alt="page {view.number}">'
        else:
            picture = ""
        pages.append(f'<section id="page-{view.number}">{picture}<div class="page-caption">page {view.number}'
                     f"<details><summary>text</summary><pre>{escape(view.text)}</pre></details></div></section>")
    note = f'<p class="message">{escape(message)}</p>' if message else ""
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{name}</title>'
        f"<style>{_style()}</style></head><body>"
        f'<header><a href="/">vanban</a> › <b>{name}</b> · {len(views)} page{"s" * (len(views) != 1)} · '
        f"{doc_link}</header>"
        f'<div class="pages">{"".join(pages)}</div>'
        f"<aside>{note}<h3>Header</h3>{fields}{''.join(sections)}{_legend()}</aside></body></html>"
    )


def not_found_html(what: str) -> str:
    """The 404 page: what was not found."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Not found</title></head><body>'
            f'<h1>Not found</h1><p>{escape(what)}</p><p><a href="/">vanban</a></p></body></html>')
