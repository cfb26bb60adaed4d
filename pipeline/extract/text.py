"""Shared text plumbing for the extractors: folded views, line numbers, provenance.

Every extractor matches on a *folded* view of the input (diacritics stripped,
optionally lower-cased) so that clean Vietnamese, restored OCR and garbled
OCR ("Ké hoach", "ngay") meet the same patterns.  A folded view keeps a map
from each of its characters back to the original text, so a match found in it
is reported with exact offsets into the text the caller gave us.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from pipeline.document import PAGE_BREAK
from pipeline.script import fold, strip_diacritics


# Per-character folds already worked out (shared by every Folded of the process).
_FOLD_LOWER: dict[int, str] = {}
_FOLD_KEEP_CASE: dict[int, str] = {}


class Folded:
    """A diacritic-free view of a text with a map back to original offsets:
    :func:`pipeline.script.fold` (with ``lower=False``, :func:`pipeline.script.strip_diacritics`)
    applied character by character, a combining mark of NFD input folding to nothing."""

    def __init__(self, text: str, lower: bool = True):
        table = _FOLD_LOWER if lower else _FOLD_KEEP_CASE
        chars = set(text)
        for c in chars:
            if ord(c) not in table:
                table[ord(c)] = fold(c) if lower else strip_diacritics(c)
        folded = text.translate(table)
        if all(len(table[ord(c)]) == 1 for c in chars):
            # NFC text folds one character to one (ư -> u, Đ -> D): offsets are unchanged.
            back: list[int] | range = range(len(text) + 1)
        else:
            back = []
            for i, c in enumerate(text):
                back.extend([i] * len(table[ord(c)]))
            back.append(len(text))
        self.text = folded
        self._back = back
        self.source = text

    def orig(self, i: int) -> int:
        """Original offset of folded offset ``i`` (``len(folded)`` maps to ``len(text)``)."""
        return self._back[i]

    def at(self, orig_offset: int) -> int:
        """Folded offset of original offset ``orig_offset`` (first folded char at or after it)."""
        return bisect.bisect_left(self._back, orig_offset)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering the folded ``[start, end)``."""
        if end <= start:
            o = self._back[start]
            return o, o
        return self._back[start], self._back[end - 1] + 1


class Lines:
    """Offset -> 1-based line number and page for one text."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._breaks: list[int] | None = None  # 1-based lines holding only a page break

    def line(self, offset: int) -> int:
        """1-based line holding character ``offset``."""
        return bisect.bisect_right(self.starts, offset)

    def page(self, line: int) -> int:
        """1-based page of a 1-based line (page breaks are lines holding only "\\f", as
        :attr:`pipeline.document.Document.text` writes them)."""
        if self._breaks is None:
            self._breaks = [n for n, ln in enumerate(self.text.split("\n"), 1) if ln == PAGE_BREAK]
        return 1 + bisect.bisect_left(self._breaks, line)

    def provenance(self, start: int, end: int, confidence: float) -> dict:
        """The provenance fields every extracted item carries."""
        line = self.line(start)
        return {
            "line": line,
            "raw": self.text[start:end],
            "span": [start, end],
            "page": self.page(line),
            "confidence": round(confidence, 2),
        }


@dataclass
class Mention:
    """Base of every extracted item: where it is and how sure we are."""

    start: int
    end: int
    confidence: float


class SpanIndex:
    """Spans to test others against for overlap in O(log n), not by trying each: a text of
    a million characters has thousands (1,040,000 characters of a two-line report repeated,
    26,000 mentions: extraction 27 s with the linear test, 5 s with this one)."""

    def __init__(self, spans: list[tuple[int, int]]):
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._reach = list(itertools.accumulate((e for _, e in ordered), max))  # furthest end so far

    def overlaps(self, a: tuple[int, int]) -> bool:
        """True when ``a`` overlaps one of the spans."""
        i = bisect.bisect_left(self._starts, a[1])  # spans starting before a ends
        return i > 0 and self._reach[i - 1] > a[0]


# Clause/sentence ends: punctuation, or a new line opening a bullet or a numbered item.
_BOUNDARY_RE = re.compile(
    r"[.;!?](?=\s)|\n\s*(?=[-+•*]\s|\(\d+\)|\d+(?:\.\d+)*\.\s|[a-zđ]\)\s|[IVX]+\.\s)"
)
_LONG_BOUNDARY_RE = re.compile(
    r"[.!?](?=\s)|\n\s*(?=[-+•*]\s|\(\d+\)|\d+(?:\.\d+)*\.\s|[a-zđ]\)\s|[IVX]+\.\s)"
)


def sentence_bounds(text: str, semicolons: bool = True) -> list[int]:
    """Sorted offsets where a new sentence or list item starts (0 included); ";" ends one unless told not to."""
    rx = _BOUNDARY_RE if semicolons else _LONG_BOUNDARY_RE
    return [0] + [m.end() for m in rx.finditer(text)]


def sentence_of(bounds: list[int], offset: int, text_len: int) -> tuple[int, int]:
    """``[start, end)`` of the sentence holding ``offset``."""
    i = bisect.bisect_right(bounds, offset) - 1
    end = bounds[i + 1] if i + 1 < len(bounds) else text_len
    return bounds[i], end


# A page break as Document.text writes it, with the page number printed at the top or
# bottom of the page next to it ("2", "- 2 -", "Trang 2"): furniture, not text.
_PAGE_FURNITURE_RE = re.compile(
    r"(?:(?<=\n)[ \t]*(?:-\s*)?(?:trang\s+)?\d{1,3}(?:\s*-)?[ \t]*\n(?=\s*\f))"
    r"|(?:(?<=\f\n)[ \t]*\n?[ \t]*(?:-\s*)?(?:trang\s+)?\d{1,3}(?:\s*-)?[ \t]*(?=\n))",
    re.IGNORECASE,
)


def mask_page_furniture(text: str) -> str:
    """``text`` with page numbers next to page breaks blanked out (same length, offsets kept).

    A phrase broken by a page break ("17 sản\\n\\f\\n2\\nphẩm") then reads as one phrase
    with only whitespace inside.
    """
    return _PAGE_FURNITURE_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
