"""Rule-based extraction of document numbers, dates, counts, money and the own header.

``extract_text(text, doc)`` returns one JSON-ready dict per
/work/shared/SCHEMA.md; every item carries its provenance (line, raw, span,
page, confidence).
"""
from __future__ import annotations

from collections import defaultdict

from pipeline.extract.confidence import SpanReader, assess, unread
from pipeline.extract.counts import find_counts, is_part_of, restatement_key
from pipeline.extract.dates import find_dates
from pipeline.extract.header import read_header
from pipeline.extract.hierarchy import link_parts, mark_repeats
from pipeline.extract.money import find_money
from pipeline.extract.nlp import CHUNK_CHARS
from pipeline.extract.numbers import find_numbers, number_key
from pipeline.extract.page_header import HeaderLayout, read_page_header
from pipeline.extract.text import Folded, Lines

__all__ = ["HeaderLayout", "SpanReader", "extract_text"]


def extract_text(text: str, doc: str = "", layout: HeaderLayout | None = None,
                 chunk_chars: int = CHUNK_CHARS, reader: SpanReader = unread, explain: bool = False) -> dict:
    """Extract the schema fields from one document's text (clean, restored or garbled OCR), of any length.

    ``layout``: the header and footer regions of a scan's pages, when known: the header
    is then read region by region (:mod:`pipeline.extract.page_header`).  ``chunk_chars``:
    the most characters spaCy parses at once (longer texts go in pieces, offsets kept).
    ``reader``: how each span of ``text`` was read (OCR word confidences, restoration's
    changes), weighed into each item's confidence (:mod:`pipeline.extract.confidence`);
    ``explain``: keep that evidence on each item.
    """
    folded = Folded(text)
    lines = Lines(text)
    dates = find_dates(text, folded)
    numbers = find_numbers(text, dates, folded)
    money = find_money(text, folded)
    # Quantities inside dates, document numbers and money are not counts.
    exclude = [(d.start, d.end) for d in dates] + [(n.start, n.end) for n in numbers] + [
        (m.start, m.end) for m in money]
    counts = find_counts(text, exclude, folded, chunk_chars)
    # Totals and their breakdowns (role, parent): summing figures without a parent counts each once.
    doubts = link_parts(counts, folded, lambda c: c.value, is_part_of)
    mark_repeats(counts, folded, restatement_key)
    doubts += link_parts(money, folded, lambda m: m.value_vnd)
    header = read_header(text, numbers, dates)
    if layout is not None:
        header = read_page_header(layout, header)
        if header.get("number") and not any(n.own for n in numbers):
            # The "Số:" line read from the layout names the document's own number: its first
            # mention in the text is that line, not a citation.
            key = number_key(header["number"])
            first = next((n for n in numbers if number_key(n.number) == key), None)
            if first is not None:
                first.own = True

    refs = [n for n in numbers if not n.own]
    # What the rules doubt about an item, by (list, index); the header's doubts name no item.
    doubted: dict[tuple[str, int], list[str]] = defaultdict(list)
    uncertain = []
    ref_index = {id(n): i for i, n in enumerate(refs)}
    for n in numbers:
        if n.confidence < 0.6:
            why = f"document number {n.number!r} read with OCR repair"
            if n.own:
                uncertain.append({"line": lines.line(n.start), "why": why})
            else:
                doubted[("doc_refs", ref_index[id(n)])].append(why)
    for name in ("number", "date"):
        if header.get(f"{name}_uncertain") and header.get(name):
            uncertain.append({"line": 1, "why": f"header {name} {header[name]!r} read from handwriting or a blurred blank"})
    for i, c in enumerate(counts):
        if c.confidence < 0.6:
            doubted[("counts", i)].append(f"unit {c.unit!r} matched with OCR tolerance")
    figure_index = {id(f): (name, i) for name, figures in (("counts", counts), ("money", money))
                    for i, f in enumerate(figures)}
    for d in doubts:
        doubted[figure_index[id(d.total)]].append(f"breakdown adds up to {d.parts_sum:,}, more than its total "
                                                  f"{d.total_value:,}: parts not linked")
    result = {
        "doc": doc,
        "self": header,
        "doc_refs": [n.to_dict(lines) for n in refs],
        "dates": [d.to_dict(lines) for d in dates],
        "counts": [c.to_dict(lines) for c in counts],
        "money": [m.to_dict(lines) for m in money],
    }
    uncertain += assess(result, reader, doubted, explain)
    result["uncertain"] = sorted(uncertain, key=lambda u: u["line"] or 0)
    return result
