"""A page's final words on its ORIGINAL raster: what hOCR, ALTO and the PDF text layer write.

OCR read the page as cleanup left it (:mod:`pipeline.image.cleanup`): turned a quarter turn
upright (``quality["rotation"]``), deskewed on a grown canvas (``skew_deg``,
``deskew_offset``), upscaled (``scale``).  :class:`Frame` undoes those steps, so a word box
found on the cleaned image lands on the word of the page as scanned (the raster
:mod:`pipeline.io.rasterize` made: the PDF page at 300 DPI, the image file's own pixels).

The text of each word is vanban's final text: the stored page text (Tesseract's marks mended,
or diacritics restored) token by token.  Mending keeps the tokens of every line, so token i of
a line is word i of that line (:func:`final_words`); a line whose token count differs is
aligned word by word, words without a token dropped, tokens without a word joined to their
neighbour, so the text layer always says exactly what the store holds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..document import Page, Word
from ..script import fold

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Frame:
    """The map from the cleaned page OCR read back to the original raster (``width`` x ``height``)."""

    width: float  # original raster, pixels
    height: float
    scale: float = 1.0  # cleanup's upscale
    rotation: int = 0  # counter-clockwise quarter turn cleanup undid (0/90/180/270)
    skew: float = 0.0  # degrees deskew turned the page (counter-clockwise), 0 when not turned
    offset: tuple[float, float] = (0.0, 0.0)  # deskew's grown-canvas shift

    @classmethod
    def of(cls, page: Page) -> "Frame":
        """The frame of an OCR'd page, from its size and what cleanup noted in ``page.quality``."""
        q = page.quality or {}
        k = float(q.get("scale") or 1.0)
        rotation = int(q.get("rotation") or 0) % 360
        w, h = page.width / k, page.height / k  # the deskewed page before upscaling
        skew, offset = 0.0, (0.0, 0.0)
        if q.get("deskew_offset"):
            skew = float(q.get("skew_deg") or 0.0)
            offset = (float(q["deskew_offset"][0]), float(q["deskew_offset"][1]))
            w, h = w - 2 * offset[0], h - 2 * offset[1]
        if rotation in (90, 270):
            w, h = h, w
        return cls(width=round(w), height=round(h), scale=k, rotation=rotation, skew=skew, offset=offset)

    @property
    def identity(self) -> bool:
        return self.scale == 1.0 and not self.rotation and not self.skew

    def point(self, x: float, y: float) -> tuple[float, float]:
        """A point of the cleaned page on the original raster."""
        x, y = x / self.scale, y / self.scale
        # the upright page before deskew is (w, h); original (W, H) turned upright
        upright_w, upright_h = ((self.height, self.width) if self.rotation in (90, 270)
                                else (self.width, self.height))
        if self.skew:
            # deskew: p' = R(skew) (p - c) + c + offset about the upright page's centre c
            # (cv2.getRotationMatrix2D: counter-clockwise on screen, y down)
            cx, cy = upright_w / 2, upright_h / 2
            a = math.radians(self.skew)
            dx, dy = x - self.offset[0] - cx, y - self.offset[1] - cy
            # inverse of [[cos, sin], [-sin, cos]] is its transpose
            x = math.cos(a) * dx - math.sin(a) * dy + cx
            y = math.sin(a) * dx + math.cos(a) * dy + cy
        # orientation: cleanup turned the scan with np.rot90(k = -rotation/90)
        if self.rotation == 90:  # turned clockwise: (x, y) -> (H - y, x); undo
            return y, self.height - x
        if self.rotation == 180:
            return self.width - x, self.height - y
        if self.rotation == 270:  # turned counter-clockwise: (x, y) -> (y, W - x); undo
            return self.width - y, x
        return x, y

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        """The axis-aligned box on the original raster of a box of the cleaned page."""
        if self.identity:
            return (x0, y0, x1, y1)
        corners = [self.point(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return (max(0.0, min(xs)), max(0.0, min(ys)), min(self.width, max(xs)), min(self.height, max(ys)))

    @property
    def text_angle(self) -> float:
        """Direction of the text lines on the original raster, degrees counter-clockwise."""
        (ax, ay), (bx, by) = self.point(0, 0), self.point(1000, 0)
        return math.degrees(math.atan2(-(by - ay), bx - ax))


@dataclass(frozen=True)
class OutWord:
    text: str
    conf: float  # 0-100, -1 unknown
    box: Box  # on the original raster


@dataclass(frozen=True)
class OutLine:
    words: tuple[OutWord, ...]
    box: Box
    baseline: tuple[float, float] | None = None  # hOCR "baseline slope intercept" (from box bottom-left)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class OutBlock:
    kind: str  # the layout region (header_left, body, recipients, ...)
    lines: tuple[OutLine, ...]

    @property
    def box(self) -> Box:
        return _union([line.box for line in self.lines])


@dataclass(frozen=True)
class OutPage:
    """One page as written out: blocks of lines of words, on the original raster."""

    number: int  # 1-based in its file
    width: float  # original raster, pixels
    height: float
    dpi: int
    angle: float  # text direction, degrees counter-clockwise (a multiple of 90, skew aside)
    blocks: tuple[OutBlock, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "\n".join(line.text for b in self.blocks for line in b.lines)

    @property
    def quarter_turn(self) -> int:
        return int(round(self.angle / 90.0)) % 4 * 90


def _union(boxes) -> Box:
    boxes = list(boxes)
    if not boxes:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def final_words(page: Page, text: str | None = None) -> list[list[Word]]:
    """The page's words line by line with the final ``text`` (default: the page's own text).

    ``page.words`` carry OCR's text and the line of the page text each sits on; ``text`` is the
    stored page text (mended or restored), whose lines are the same lines.  Words keep their
    boxes and confidences and take the final text's tokens.
    """
    text = page.text if text is None else text
    lines = text.split("\n")
    by_line: dict[int, list[Word]] = {}
    for w in page.words:
        by_line.setdefault(w.line, []).append(w)
    out: list[list[Word]] = []
    for number, line in enumerate(lines):
        tokens = line.split()
        words = sorted(by_line.get(number, []), key=lambda w: w.box[0])
        if not tokens:
            out.append([])
        elif len(tokens) == len(words):
            out.append([Word(t, w.conf, w.box, number) for t, w in zip(tokens, words)])
        elif not words:
            out.append([])  # a line without boxes (cannot be placed)
        else:
            out.append(_aligned(tokens, words, number))
    return out


def _aligned(tokens: list[str], words: list[Word], line: int) -> list[Word]:
    """Tokens laid on the words of one line when their counts differ (folded-text alignment)."""
    matcher = SequenceMatcher(None, [fold(w.text) for w in words], [fold(t) for t in tokens], autojunk=False)
    out: list[Word] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "delete":
            continue  # a word the final text does not have
        if op == "insert":  # tokens without a word: with the word before (or after)
            extra = " ".join(tokens[b0:b1])
            if out:
                last = out[-1]
                out[-1] = Word(f"{last.text} {extra}", last.conf, last.box, line)
            elif a0 < len(words):
                w = words[a0]
                out.append(Word(extra, w.conf, (w.box[0], w.box[1], 0, w.box[3]), line))
            continue
        if a1 - a0 == b1 - b0:
            out.extend(Word(t, w.conf, w.box, line) for t, w in zip(tokens[b0:b1], words[a0:a1]))
            continue
        group = words[a0:a1]  # n words for m tokens: the tokens over the words' joint box
        x0, y0 = min(w.box[0] for w in group), min(w.box[1] for w in group)
        x1 = max(w.box[0] + w.box[2] for w in group)
        y1 = max(w.box[1] + w.box[3] for w in group)
        out.append(Word(" ".join(tokens[b0:b1]), min(w.conf for w in group), (x0, y0, x1 - x0, y1 - y0), line))
    # a zero-width word made for leading tokens takes the box up to the next word
    return [w if w.box[2] else Word(w.text, w.conf, (w.box[0], w.box[1], 1, w.box[3]), line) for w in out]


def out_page(page: Page, text: str | None = None, frame: Frame | None = None,
             dpi: int | None = None) -> OutPage:
    """An OCR'd page with its final ``text`` as blocks (one per layout region) of lines of words
    on the original raster; ``frame``: the map back (default :meth:`Frame.of` the page)."""
    frame = frame or Frame.of(page)
    dpi = dpi or _source_dpi(page)
    words = final_words(page, text)
    angle = frame.text_angle
    quarter = int(round(angle / 90.0)) % 4 * 90
    residual = (angle - quarter + 180) % 360 - 180

    def line_of(ws: list[Word]) -> OutLine | None:
        ws = [w for w in ws if w.text]
        if not ws:
            return None
        out_words = tuple(OutWord(w.text, w.conf, frame.box(w.box[0], w.box[1], w.box[0] + w.box[2],
                                                             w.box[1] + w.box[3])) for w in ws)
        x0 = min(w.box[0] for w in ws)
        y0 = min(w.box[1] for w in ws)
        x1 = max(w.box[0] + w.box[2] for w in ws)
        y1 = max(w.box[1] + w.box[3] for w in ws)
        box = frame.box(x0, y0, x1, y1)
        baseline = None
        if quarter == 0 and abs(residual) > 0.05:
            # a page deskewed by cleanup: its lines slope on the scan; hOCR's baseline is
            # y = slope * (x - left) + intercept, measured from the box's bottom-left corner
            slope = -math.tan(math.radians(residual))
            bx, by = frame.point(x0, y1)
            baseline = (round(slope, 5), round(by + slope * (box[0] - bx) - box[3], 2))
        return OutLine(out_words, box, baseline)

    covered: set[int] = set()
    spans: list[tuple[int, int, str]] = []
    for region in page.regions:
        first, end = region.lines
        if end > first:
            spans.append((first, end, region.kind))
            covered.update(range(first, end))
    run_start = None
    for i in range(len(words) + 1):  # lines no region holds (a page laid out without regions)
        inside = i < len(words) and i not in covered
        if inside and run_start is None:
            run_start = i
        elif not inside and run_start is not None:
            spans.append((run_start, i, "text"))
            run_start = None
    blocks = []
    for first, end, kind in sorted(spans):
        lines = tuple(line for line in (line_of(words[i]) for i in range(first, min(end, len(words))))
                      if line is not None)
        if lines:
            blocks.append(OutBlock(kind, lines))
    return OutPage(page.number, frame.width, frame.height, dpi, angle, tuple(blocks))


def _source_dpi(page: Page) -> int:
    """The original raster's DPI: the PDF's rendering DPI or the image's tag."""
    q = page.quality or {}
    return int(q.get("source_dpi") or (page.dpi / float(q.get("scale") or 1.0)) or 300)
