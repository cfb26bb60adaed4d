"""Totals and their parts (tổng số và chi tiết): which figure a breakdown belongs to.

Rows are mentions, so a headline and its breakdown are separate figures: "13 sản phẩm
đạt OCOP 3 sao của các huyện: Tư Nghĩa (04 sản phẩm), Bình Sơn (01 sản phẩm) và thành phố
Quảng Ngãi (08 sản phẩm)" is four counts of which only one should be summed.  Each figure
(count or amount of money) gets a ``role``:

* ``total``   a headline with at least one part linked to it;
* ``part``    one item of a breakdown; ``parent`` is the index of its total in the same list
              (a part may have parts of its own: a subtotal);
* ``repeat``  the same dated or starred count stated again in a later sentence (see
              :func:`mark_repeats`); ``parent`` is the first statement;
* ``single``  none of these.

So figures with ``parent`` None (roles total and single) add up without double counting.  A
parent always comes before its part in reading order, so links never form a cycle.

A breakdown is found from how Vietnamese reports write one, not from particular words of
a document:

1. an opener after the total in its sentence: "trong đó (có)", "(bao) gồm", "cụ thể",
   "chia ra", or a bare ":" after a plural phrase ("… của các huyện:");
2. its items: the rest of that sentence ("…, trong đó: 03 doanh nghiệp; 07 hợp tác xã …."),
   or, when the opener ends its line ("Tổng kinh phí được giao: 446 triệu đồng, trong
   đó:"), the bullet lines ("+ …", "- …") right below it, up to the next line that is not
   a deeper bullet;
3. "Trong đó …" opening a sentence breaks down the last figure of the sentence before.

A part must fit its total (a count of the same unit, a producer kind under "chủ thể", a
star level within the total's); parts that add up to more than the total make the link
doubtful and none is made (reported in ``uncertain``).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pipeline.extract.text import Folded, Mention, sentence_bounds, sentence_of

@dataclass
class Figure(Mention):
    """A mention that can be summed: a count or an amount of money, with its place in a breakdown."""

    role: str = field(default="single", kw_only=True)
    parent: int | None = field(default=None, kw_only=True)  # index of the total in the same list

    def link_fields(self) -> dict:
        """The hierarchy keys of the extraction JSON item."""
        return {"role": self.role, "parent": self.parent}


F = TypeVar("F", bound=Figure)

# "trong đó (có)", "bao gồm", "gồm", "cụ thể", "chia ra" (folded), with an optional ":".
_OPENER_RE = re.compile(r"\b(?:trong\s+do(?:\s+co)?|bao\s+gom|gom(?:\s+co)?|cu\s+the(?:\s+nhu\s+sau)?|chia\s+ra)\b"
                        r"[ \t*_]*:?")
# A bare ":" opens a list when the phrase before it is plural: "13 sản phẩm … của các huyện:".
_PLURAL_COLON_RE = re.compile(r"\b(?:cac|nhung)\b[^,;.:]{0,60}:")
# Nothing but emphasis and spaces up to the end of the line: the items are the lines below.
_LINE_END_RE = re.compile(r"[ \t*_]*(?:\n|$)")
_TEXT_RE = re.compile(r"\S")
_BULLET_RE = re.compile(r"[ \t]*((?:[-+•*][ \t]+)+)")
# A line that opens a numbered heading ("2. …", "II. …", "a) …", "(3) …").
_NUMBERED_RE = re.compile(r"\s*(?:\d+(?:\.\d+)*\.|[ivx]+\.|[a-zđ]\)|\(\d+\))\s")


@dataclass
class Doubt:
    """A breakdown not linked because its parts add up to more than its total."""

    total: Figure
    total_value: int
    parts_sum: int


def link_parts(items: Sequence[F], folded: Folded, value: Callable[[F], int],
               fits: Callable[[F, F], bool] | None = None) -> list[Doubt]:
    """Set ``role`` and ``parent`` of ``items`` (reading order, offsets into ``folded.source``).

    ``value``: what a figure adds to a sum; ``fits(total, part)``: whether a figure can be a
    part of that total (every figure can when None).  Returns the breakdowns left unlinked
    because their parts add up to more than their total.
    """
    low = folded.text
    starts = [folded.at(it.start) for it in items]
    ends = [folded.at(it.end) for it in items]
    bounds = sentence_bounds(low, semicolons=False)
    found = []  # (total index, [start, end) of its items) for each opener
    for m, looks_back in _openers(low):
        ss, _ = sentence_of(bounds, m.start(), len(low))
        head = ss
        if looks_back and not low[ss:m.start()].strip(" \t\n*_-+•"):
            head, _ = sentence_of(bounds, max(ss - 1, 0), len(low))  # "… 124 sản phẩm. Trong đó có …"
        i = bisect.bisect_left(starts, m.start()) - 1
        if i < 0 or starts[i] < head or ends[i] > m.start():
            continue
        found.append((i, _items_span(low, bounds, m.end())))
    doubts = []
    # Later breakdowns first: a nested one ("+ 20 sản phẩm …, trong đó: 03 …" under a
    # heading) claims its own items before the outer one looks at what is left.
    for t, (s, e) in reversed(found):
        total = items[t]
        parts = [j for j in range(bisect.bisect_left(starts, s), bisect.bisect_left(starts, e))
                 if j != t and items[j].parent is None and (fits is None or fits(total, items[j]))]
        if not parts:
            continue
        added = sum(value(items[j]) for j in parts)
        if added > value(total):
            doubts.append(Doubt(total, value(total), added))
            continue
        for j in parts:
            items[j].parent = t
    parents = {it.parent for it in items}
    for n, it in enumerate(items):
        it.role = "part" if it.parent is not None else "total" if n in parents else "single"
    return doubts


def _openers(low: str) -> list[tuple[re.Match, bool]]:
    """Breakdown openers in reading order, each with whether it may open a sentence and break
    down the sentence before ("Trong đó …" may; a plural ":", "Các huyện: …", may not)."""
    found = {m.end(): (m, True) for m in _OPENER_RE.finditer(low)}
    for m in _PLURAL_COLON_RE.finditer(low):
        found.setdefault(m.end(), (m, False))
    return [found[k] for k in sorted(found)]


def _items_span(low: str, bounds: list[int], at: int) -> tuple[int, int]:
    """Folded ``[start, end)`` of the items of a breakdown whose opener ends at ``at``."""
    pos = low.find("\n", at)
    text_below = _TEXT_RE.search(low, pos) if pos >= 0 else None
    below = text_below.start() if text_below else len(low)  # where the next line with text starts
    if not _LINE_END_RE.match(low, at) or not _marker(low, low.rfind("\n", 0, below) + 1):
        # Items in the same sentence; a text wrapped by hand ("… trong đó:" ending a line of
        # 003 and its items on the next) goes on past the line end.
        return at, sentence_of(bounds, at, len(low))[1]
    # A heading: the bullet lines below it that are deeper than the heading's own bullet.
    own = _marker(low, low.rfind("\n", 0, at) + 1)
    end = at
    while pos >= 0:
        nxt = low.find("\n", pos + 1)
        line_end = len(low) if nxt < 0 else nxt
        line = low[pos + 1:line_end]
        if line.strip():
            marker = _marker(low, pos + 1)
            if marker and own and own.startswith(marker):
                break  # a bullet at the heading's level or above: a sibling, not an item
            # A line without a bullet goes on the item above when that item has not ended
            # ("+ Kinh phí được phân bổ tại Quyết định … của UBND" / "tỉnh: 320 triệu đồng …"
            # as OCR lines a wrapped item of 004's scan); otherwise the list is over.
            ended = low[max(at, end - 40):end].rstrip(" \t*_")[-1:] in (".", ";", ":", "!", "?")
            if not marker and (end == at or ended or _NUMBERED_RE.match(line)):
                break
            end = line_end
        pos = nxt
    return at, end


def _marker(low: str, line_start: int) -> str:
    """A line's bullet marks without spaces ("-", "+", "-+" for " - + …"); "" for no bullet."""
    m = _BULLET_RE.match(low, line_start)
    return re.sub(r"\s", "", m[1]) if m else ""


def mark_repeats(items: Sequence[F], folded: Folded, key: Callable[[F], tuple | None]) -> None:
    """Mark a total or single figure whose ``key`` equals that of one in an earlier sentence as
    ``repeat`` of it (a headline of the summary stated again in the body).

    ``key`` returns None for a figure too plain to be told apart from another ("01 công
    chức" at district and at commune level are two people, not one stated twice).  Equal
    figures in one sentence are items of a list ("Trà Bồng (8 sản phẩm), Sơn Tịnh (8 sản
    phẩm)"), never a restatement.
    """
    bounds = sentence_bounds(folded.text, semicolons=False)
    first: dict[tuple, tuple[int, int]] = {}  # key -> (index, sentence) of its first statement
    for n, it in enumerate(items):
        if it.parent is not None:
            continue
        k = key(it)
        if k is None:
            continue
        sentence = bisect.bisect_right(bounds, folded.at(it.start))
        if k not in first:
            first[k] = (n, sentence)
        elif first[k][1] != sentence:
            it.role, it.parent = "repeat", first[k][0]
