"""Bounding boxes for extracted items: where on the scanned page a mention was read.

``attach_boxes(extraction, doc)`` adds ``"bbox": [x0, y0, x1, y1]`` (page pixels,
the union of the OCR words covering the item's character span) and ``"page"`` to
every item of ``doc_refs``, ``dates``, ``counts`` and ``money`` whose span falls on
an OCR'd page.  Spans index ``doc.text``: pages joined by ``"\\n\\f\\n"``, each
page's text being its lines of words joined by single spaces (what
:func:`pipeline.ocr.tesseract.ocr_page` writes), so word ``k`` of line ``i`` of a page sits
at a computable offset.  When a page's text does not follow that layout (it was
edited after OCR) the words are found by a left-to-right search of their text
instead; pages without words (text layer, plain text) get no box.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from pipeline.document import MENTION_FIELDS, PAGE_BREAK, Document, Page

_SEPARATOR = f"\n{PAGE_BREAK}\n"


@dataclass
class _PageWords:
    start: int  # offset of the page's text in the document text
    end: int
    starts: list[int]  # document offsets of each word, sorted
    ends: list[int]
    boxes: list[tuple[int, int, int, int]]  # x0, y0, x1, y1
    confs: list[float]  # Tesseract's confidence of each word, 0-100 (-1: unknown)


def _word_offsets(page: Page) -> list[tuple[int, int, int]] | None:
    """(start, end, word index) of every word in ``page.text``, or None without words."""
    if not page.words:
        return None
    text = page.text
    out: list[tuple[int, int, int]] = []
    # Fast path: the page text is the words joined by spaces, lines by "\n".
    lines = text.split("\n")
    line_starts = [0]
    for ln in lines[:-1]:
        line_starts.append(line_starts[-1] + len(ln) + 1)
    cursor: dict[int, int] = {}
    ok = True
    for k, w in enumerate(page.words):
        if not w.text.strip():
            continue
        if not (0 <= w.line < len(lines)):
            ok = False
            break
        pos = lines[w.line].find(w.text, cursor.get(w.line, 0))
        if pos < 0:
            ok = False
            break
        cursor[w.line] = pos + len(w.text)
        s = line_starts[w.line] + pos
        out.append((s, s + len(w.text), k))
    if ok:
        return out
    # Fallback: find each word in reading order anywhere after the previous one.
    out, pos = [], 0
    for k, w in enumerate(page.words):
        if not w.text.strip():
            continue
        at = text.find(w.text, pos)
        if at < 0:
            continue
        out.append((at, at + len(w.text), k))
        pos = at + len(w.text)
    return out


def word_index(doc: Document) -> list[_PageWords | None]:
    """Per page of ``doc``: where its OCR words sit in ``doc.text`` (None for a page without words)."""
    pages: list[_PageWords | None] = []
    offset = 0
    for page in doc.pages:
        found = _word_offsets(page)
        if found is None:
            pages.append(None)
        else:
            found.sort()
            boxes = []
            for _, _, k in found:
                left, top, width, height = page.words[k].box
                boxes.append((left, top, left + width, top + height))
            pages.append(_PageWords(offset, offset + len(page.text), [offset + s for s, _, _ in found],
                                    [offset + e for _, e, _ in found], boxes,
                                    [page.words[k].conf for _, _, k in found]))
        offset += len(page.text) + len(_SEPARATOR)
    return pages


def span_words(pages: list[_PageWords | None], start: int, end: int) -> tuple[int, _PageWords | None, range]:
    """(1-based page, its words, indices of the words overlapping ``[start, end)``) for a document span.

    A span that crosses a page break gets the words of its part on the first page; a span on
    no OCR'd page gets (0, None, an empty range).
    """
    for number, pw in enumerate(pages, start=1):
        if pw is None or not (pw.start <= start <= pw.end):
            continue
        first = bisect.bisect_right(pw.ends, start)  # first word ending after start
        return number, pw, range(first, bisect.bisect_left(pw.starts, min(end, pw.end), lo=first))
    return 0, None, range(0)


def span_box(pages: list[_PageWords | None], start: int, end: int) -> tuple[int, list[int] | None]:
    """(1-based page, union box of the words overlapping ``[start, end)``) for a document span."""
    number, pw, under = span_words(pages, start, end)
    if pw is None or not under:
        return number, None
    boxes = [pw.boxes[i] for i in under]
    return number, [min(b[0] for b in boxes), min(b[1] for b in boxes),
                    max(b[2] for b in boxes), max(b[3] for b in boxes)]


def span_confidences(pages: list[_PageWords | None], start: int, end: int) -> list[float]:
    """Tesseract's confidences (0-100) of the OCR words under a document span; unknown ones left out."""
    _, pw, under = span_words(pages, start, end)
    return [] if pw is None else [pw.confs[i] for i in under if pw.confs[i] >= 0]


def attach_boxes(extraction: dict, doc: Document) -> dict:
    """Add ``bbox`` (and the 1-based ``page``) to every item with a ``span`` on an OCR'd page.

    ``extraction`` is modified in place and returned.  ``doc`` must be the document
    whose ``text`` the spans index (the OCR'd original when the extraction was
    mapped back from restored text, which keeps the same words and boxes).
    """
    pages = word_index(doc)
    if not any(pages):
        return extraction
    for name in MENTION_FIELDS:
        for item in extraction.get(name) or []:
            span = item.get("span")
            if not span:
                continue
            number, box = span_box(pages, span[0], span[1])
            if box is not None:
                item["bbox"] = box
                item["page"] = number
    return extraction
