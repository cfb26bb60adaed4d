"""The page view composed from store rows: confidence bands, boxes mapped to the original page,
header fields outlined by their regions, links, escaping, a page without boxes."""
from __future__ import annotations

import json

from pipeline.serve.document import confidence_band, document_html, page_views

DOC = {"id": 7, "name": "a<b>.pdf", "number": "69/KH-UBND", "date": "2024-03-22", "place": None, "type": None,
       "issuer_parent": None, "issuer": None, "subject": None, "signer_title": None, "signer": None}
# An OCR'd page cleanup upscaled 1.5x: stored boxes are 1.5x the original page's pixels.
PAGE = {"number": 1, "source": "ocr", "width": 3000, "height": 4500, "dpi": 450,
        "quality": json.dumps({"scale": 1.5}), "text": "Số: 69/KH-UBND"}
WORDS = [{"page": 1, "text": "<Số:>", "conf": 91.0, "left": 150, "top": 300, "width": 90, "height": 30},
         {"page": 1, "text": "69/KH-UBND", "conf": 42.0, "left": 300, "top": 300, "width": 300, "height": 30}]
REGIONS = [{"page": 1, "kind": "number_line", "bbox_x0": 150, "bbox_y0": 300, "bbox_x1": 600, "bbox_y1": 330},
           {"page": 1, "kind": "signature", "bbox_x0": 1500, "bbox_y0": 3000, "bbox_x1": 2400, "bbox_y1": 3300}]
MONEY = {"id": 3, "page": 1, "line": 9, "span_start": 0, "bbox_x0": 300, "bbox_y0": 600, "bbox_x1": 750,
         "bbox_y1": 645, "value_vnd": 446_000_000, "raw": "446 triệu đồng"}


def row_url(table: str, row_id: int) -> str:
    return f"/vanban/{table}/{row_id}"


def test_confidence_bands():
    assert [confidence_band(c)[0] for c in (99, 85, 84.9, 60, 59.9, 0, -1, None)] == [
        "high", "high", "medium", "medium", "low", "low", "low", "low"]


def test_boxes_on_the_original_page_and_header_fields_by_region():
    view, = page_views(DOC, [PAGE], WORDS, REGIONS, {"money": [MONEY]}, lambda n: f"/p/{n}.png", row_url)
    assert (view.width, view.height) == (2000, 3000)
    assert view.words[1] == ("69/KH-UBND", 42.0, (200.0, 200.0, 400.0, 220.0))
    header, money = view.outlines
    # the number is set: its line is outlined and links to the document; the signer is not: no outline
    assert (header.kind, header.box, header.href) == ("header", (100.0, 200.0, 400.0, 220.0), "/vanban/documents/7")
    assert "number: 69/KH-UBND" in header.label
    assert (money.kind, money.box, money.href) == ("money", (200.0, 400.0, 500.0, 430.0), "/vanban/money/3")
    assert money.label == "money: 446.000.000 (446 triệu đồng)"


def test_html_links_every_outline_and_escapes_text():
    views = page_views(DOC, [PAGE], WORDS, REGIONS, {"money": [MONEY]}, lambda n: f"/p/{n}.png", row_url)
    page = document_html(DOC, views, {"money": [MONEY]}, row_url)
    assert '<a href="/vanban/money/3"><rect class="item item-money"' in page
    assert '<a href="/vanban/documents/7"><rect class="item item-header"' in page
    assert 'viewBox="0 0 2000 3000"' in page and '<image href="/p/1.png"' in page
    assert "conf-high" in page and "conf-low" in page
    assert "<b>a&lt;b&gt;.pdf</b>" in page and "&lt;Số:&gt;" in page and "<Số:>" not in page


def test_without_an_image_or_boxes():
    views = page_views(DOC, [PAGE], WORDS, REGIONS, {"money": [MONEY]}, None, row_url)
    page = document_html(DOC, views, {"money": [MONEY]}, row_url, message="The original file is not at /x.pdf")
    assert "<image" not in page and 'class="no-image"' in page and "The original file is not at /x.pdf" in page
    text_layer = {**PAGE, "source": "text-layer", "width": None, "height": None}
    view, = page_views(DOC, [text_layer], [], REGIONS, {"money": [MONEY]}, lambda n: f"/p/{n}.png", row_url)
    assert view.width == 0 and not view.words and not view.outlines
    assert '<img src="/p/1.png"' in document_html(DOC, [view], {}, row_url)
