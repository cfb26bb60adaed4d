"""Synthetic scans of Vietnamese documents with exact ground truth.

Text is laid out on A4 in a Times-like font (13 pt by default, as Decree
30/2020/NĐ-CP asks), rasterised at the requested DPI, then passed through
:func:`corpus.degrade.degrade` to look scanned. Each :class:`RenderedPage`
carries the exact lines drawn on it, which is the OCR ground truth.

Input conventions (what the seeds in ``corpus/seeds`` use):

* every non-empty input line starts a new paragraph, word-wrapped to the page
  width; blank lines only add a little vertical space;
* whitespace runs (including tabs of table rows) become one space;
* Markdown-style ``**bold**`` and ``*italic*`` are rendered in that style and
  the markers are not part of the ground truth (a ``**`` span may cross lines).

CLI::

    python -m corpus.generate --out DIR [--pages N] [--seed S] [--level clean]
"""
from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from PIL import Image, ImageDraw, ImageFont

from corpus.degrade import LEVELS, degrade
from corpus.fonts import check_glyphs, find_font, require_glyphs

__all__ = [
    "RenderedPage", "render_pages", "write_pdf", "write_image", "write_ground_truth",
    "degrade", "find_font", "check_glyphs", "generate", "main",
]

A4_MM = (210.0, 297.0)
MM_PER_INCH = 25.4
# Multiple of the font size (Word's "single" for Times is ~1.15). Below ~1.4 the
# stacked marks of capitals (Ể, Ỉ) nearly touch the descenders of the line
# above, and Tesseract --psm 6 then misreads whole all-caps headings.
LINE_SPACING = 1.5
PARAGRAPH_GAP = 0.35  # extra lines of space for a blank input line
SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
# Seeds rendered by the CLI; 001 is garbled legacy OCR and would make bad ground truth.
CLI_SEEDS = ("003", "004")
# Fixed PDF dates so that the same seed gives byte-identical files.
_PDF_DATE = time.struct_time((2020, 1, 1, 0, 0, 0, 2, 1, 0))


@dataclass(frozen=True)
class Segment:
    """A piece of a word in one font style."""

    text: str
    style: str = "regular"


Word = tuple[Segment, ...]


@dataclass(frozen=True)
class Line:
    """One drawn line: words joined by single spaces; ``gap_before`` in line heights."""

    words: tuple[Word, ...]
    gap_before: float = 0.0

    @property
    def text(self) -> str:
        """The line as ground truth (no style markers)."""
        return " ".join("".join(s.text for s in w) for w in self.words)


@dataclass
class RenderedPage:
    """A rendered page image and the exact text drawn on it (lines joined by "\\n")."""

    image: Image.Image
    text: str
    dpi: int = 300

    @property
    def lines(self) -> list[str]:
        """Ground-truth lines of this page."""
        return self.text.split("\n") if self.text else []


# ---------------------------------------------------------------- text parsing

_WS = re.compile(r"\s+")
# ``**`` toggles bold; a single ``*`` toggles italic only when it touches a word
# (so a lone " * " stays a literal asterisk).
_MARKER = re.compile(r"\*\*|(?<=\S)\*|\*(?=\S)")


def _style(bold: bool, italic: bool) -> str:
    return {(False, False): "regular", (True, False): "bold",
            (False, True): "italic", (True, True): "bolditalic"}[(bold, italic)]


def _parse_line(line: str, bold: bool) -> tuple[list[Word], bool]:
    """Split one input line into styled words; returns the bold state after it."""
    italic = False  # italics never cross lines in the seeds; bold blocks do
    words: list[Word] = []
    current: list[Segment] = []
    pos = 0
    tokens = [(m.start(), m.end(), m.group()) for m in _MARKER.finditer(line)]
    tokens.append((len(line), len(line), ""))
    for start, end, marker in tokens:
        for i, chunk in enumerate(re.split(r"(\s+)", line[pos:start])):
            if i % 2:  # a whitespace separator ends the current word
                if current:
                    words.append(tuple(current))
                current = []
            elif chunk:
                current.append(Segment(chunk, _style(bold, italic)))
        if marker == "**":
            bold = not bold
        elif marker == "*":
            italic = not italic
        pos = end
    if current:
        words.append(tuple(current))
    return words, bold


def parse_paragraphs(text: str) -> list[tuple[list[Word], float]]:
    """Turn input text into paragraphs of styled words, each with its gap before it."""
    text = unicodedata.normalize("NFC", text)
    paragraphs: list[tuple[list[Word], float]] = []
    bold = False
    gap = 0.0
    for raw in text.splitlines():
        line = _WS.sub(" ", raw).strip()
        words, bold = _parse_line(line, bold) if line else ([], bold)
        if not words:
            gap = PARAGRAPH_GAP if paragraphs else 0.0
            continue
        paragraphs.append((words, gap))
        gap = 0.0
    return paragraphs


# ---------------------------------------------------------------- layout

class _Fonts:
    """PIL fonts per style at one pixel size, loaded lazily."""

    def __init__(self, size_px: int, family: str | None = None):
        self.size_px = size_px
        self.family = family
        self._cache: dict[str, ImageFont.FreeTypeFont] = {}

    def __getitem__(self, style: str) -> ImageFont.FreeTypeFont:
        if style not in self._cache:
            self._cache[style] = ImageFont.truetype(str(find_font(style, self.family)), self.size_px)
        return self._cache[style]

    def word_width(self, word: Word) -> float:
        return sum(self[s.style].getlength(s.text) for s in word)

    @property
    def space(self) -> float:
        return self["regular"].getlength(" ")


def _split_long_word(word: Word, fonts: _Fonts, width: float) -> list[Word]:
    """Hard-break a word wider than the line (URLs, long codes) by characters."""
    pieces: list[Word] = []
    current: list[Segment] = []
    used = 0.0
    for seg in word:
        font = fonts[seg.style]
        buf = ""
        for ch in seg.text:
            w = font.getlength(ch)
            if used + w > width and (buf or current):
                pieces.append(tuple(current + ([Segment(buf, seg.style)] if buf else [])))
                current, buf, used = [], "", 0.0
            buf += ch
            used += w
        if buf:
            current.append(Segment(buf, seg.style))
    if current:
        pieces.append(tuple(current))
    return pieces


def wrap_paragraph(words: Sequence[Word], fonts: _Fonts, width: float) -> list[tuple[Word, ...]]:
    """Greedy word wrap of one paragraph into lines no wider than ``width`` pixels."""
    lines: list[tuple[Word, ...]] = []
    current: list[Word] = []
    used = 0.0
    for word in words:
        for piece in (_split_long_word(word, fonts, width)
                      if fonts.word_width(word) > width else [word]):
            w = fonts.word_width(piece)
            needed = w if not current else used + fonts.space + w
            if current and needed > width:
                lines.append(tuple(current))
                current, needed = [], w
            current.append(piece)
            used = needed
    if current:
        lines.append(tuple(current))
    return lines


def layout_lines(text: str, fonts: _Fonts, width: float) -> list[Line]:
    """All lines of the document, wrapped, with paragraph gaps attached."""
    out: list[Line] = []
    for words, gap in parse_paragraphs(text):
        for i, line_words in enumerate(wrap_paragraph(words, fonts, width)):
            out.append(Line(line_words, gap if i == 0 else 0.0))
    return out


def paginate(lines: Sequence[Line], lines_height: float, line_h: float) -> list[list[Line]]:
    """Split lines into pages that fit ``lines_height`` pixels (gaps dropped at page tops)."""
    pages: list[list[Line]] = []
    current: list[Line] = []
    used = 0.0
    for line in lines:
        gap = line.gap_before * line_h if current else 0.0
        if current and used + gap + line_h > lines_height:
            pages.append(current)
            current, used, gap = [], 0.0, 0.0
        current.append(Line(line.words, gap / line_h if current else 0.0))
        used += gap + line_h
    if current:
        pages.append(current)
    return pages


# ---------------------------------------------------------------- rendering

def _mm_to_px(mm: float, dpi: int) -> int:
    return round(mm / MM_PER_INCH * dpi)


def _draw_page(lines: Sequence[Line], fonts: _Fonts, size: tuple[int, int],
               left: int, top: int, line_h: float) -> Image.Image:
    """Pristine black-on-white raster of one page."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    # Baseline low in the line box: stacked Vietnamese marks (Ấ, Ỗ) rise ~1 em.
    baseline_offset = line_h * 0.78
    y = float(top)
    for line in lines:
        y += line.gap_before * line_h
        x = float(left)
        for i, word in enumerate(line.words):
            if i:
                x += fonts.space
            for seg in word:
                font = fonts[seg.style]
                draw.text((x, y + baseline_offset), seg.text, font=font, fill=0, anchor="ls")
                x += font.getlength(seg.text)
        y += line_h
    return image


def _check_fonts(lines: Iterable[Line], family: str | None = None) -> None:
    """Fail loudly if any style's font lacks a glyph we are about to draw."""
    by_style: dict[str, set[str]] = {}
    for line in lines:
        for word in line.words:
            for seg in word:
                by_style.setdefault(seg.style, set()).update(seg.text)
    for style, chars in by_style.items():
        require_glyphs(find_font(style, family), "".join(chars))


def render_pages(text: str, *, dpi: int = 300, font_size_pt: float = 13,
                 margins_mm: tuple[float, float, float, float] = (20, 20, 30, 15),
                 seed: int = 0, level: str = "clean",
                 line_spacing: float = LINE_SPACING,
                 max_pages: int | None = None, font: str | None = None) -> list[RenderedPage]:
    """Lay out ``text`` on A4 pages and return scanned-looking images with ground truth.

    ``margins_mm`` is (top, bottom, left, right) as in Decree 30/2020/NĐ-CP;
    ``level`` is a :data:`corpus.degrade.LEVELS` key; ``line_spacing`` is in ems;
    ``max_pages`` stops after that many pages (rasterising is the slow part);
    ``font`` a :data:`corpus.fonts.FAMILIES` face (default: the first installed).
    Page ``i`` is degraded with seed ``seed * 100003 + i`` so that pages differ
    but the whole document is a pure function of the arguments.
    Raises :class:`corpus.fonts.MissingGlyphsError` instead of drawing tofu.
    """
    top, bottom, left, right = (_mm_to_px(m, dpi) for m in margins_mm)
    size = (_mm_to_px(A4_MM[0], dpi), _mm_to_px(A4_MM[1], dpi))
    fonts = _Fonts(round(font_size_pt * dpi / 72), font)
    line_h = fonts.size_px * line_spacing
    lines = layout_lines(text, fonts, size[0] - left - right)
    _check_fonts(lines, font)
    pages = []
    laid_out = paginate(lines, size[1] - top - bottom, line_h)
    for i, page_lines in enumerate(laid_out[:max_pages] if max_pages else laid_out):
        pristine = _draw_page(page_lines, fonts, size, left, top, line_h)
        image = degrade(pristine, level, seed * 100003 + i, dpi=dpi)
        pages.append(RenderedPage(image, "\n".join(ln.text for ln in page_lines), dpi))
    return pages


# ---------------------------------------------------------------- output

def _image_of(page: RenderedPage | Image.Image) -> Image.Image:
    return page.image if isinstance(page, RenderedPage) else page


def write_pdf(pages: Sequence[RenderedPage | Image.Image], path: str | Path,
              dpi: int = 300, *, quality: int = 80) -> Path:
    """Write an image-only (scanned) multi-page PDF, JPEG-compressed, at ``dpi``."""
    if not pages:
        raise ValueError("no pages to write")
    path = Path(path)
    images = [_image_of(p) for p in pages]
    images[0].save(path, format="PDF", save_all=True, append_images=images[1:],
                   resolution=float(dpi), quality=quality,
                   creationDate=_PDF_DATE, modDate=_PDF_DATE, producer="vanban corpus")
    return path


def write_image(page: RenderedPage | Image.Image, path: str | Path,
                dpi: int | None = None) -> Path:
    """Write one page as PNG, JPEG or TIFF (chosen by suffix), tagged with its DPI."""
    path = Path(path)
    image = _image_of(page)
    dpi = dpi or (page.dpi if isinstance(page, RenderedPage) else 300)
    suffix = path.suffix.lower()
    options: dict = {"dpi": (dpi, dpi)}
    if suffix in (".jpg", ".jpeg"):
        options.update(format="JPEG", quality=90)
    elif suffix in (".tif", ".tiff"):
        options.update(format="TIFF", compression="tiff_lzw")
    elif suffix == ".png":
        options.update(format="PNG", compress_level=3)  # noise compresses poorly; favour speed
    else:
        raise ValueError(f"unsupported image type {suffix!r}; use .png, .jpg or .tif")
    image.save(path, **options)
    return path


def write_ground_truth(pages: Sequence[RenderedPage], path: str | Path) -> Path:
    """Write page texts separated by a line holding only a form feed ("\\f")."""
    path = Path(path)
    path.write_text("\n\f\n".join(p.text for p in pages) + "\n", encoding="utf-8")
    return path


def gt_path(output: Path) -> Path:
    """Ground truth of a generated scan: ``DIR/scans/x.pdf -> DIR/truth/x.gt.txt``.

    Truth lives outside ``scans/`` so that ``vanban run DIR/scans`` sees only scans.
    """
    return output.parent.parent / "truth" / f"{output.stem}.gt.txt"


# ---------------------------------------------------------------- CLI

def seed_text(prefix: str, seeds_dir: Path = SEEDS_DIR) -> str:
    """Text of the seed document whose file name starts with ``prefix``."""
    matches = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
    if not matches:
        raise FileNotFoundError(f"no seed {prefix}_*.txt in {seeds_dir}")
    return matches[0].read_text(encoding="utf-8")


def generate(out: Path, *, pages: int | None = None, seed: int = 0, dpi: int = 300,
             level: str = "clean") -> list[Path]:
    """Write scans to ``out/scans`` and their truth to ``out/truth``; return their paths."""
    scans = out / "scans"
    for folder in (scans, out / "truth"):
        folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for number, prefix in enumerate(CLI_SEEDS):
        rendered = render_pages(seed_text(prefix), dpi=dpi, seed=seed + number, level=level,
                                max_pages=pages)
        pdf = write_pdf(rendered, scans / f"{prefix}_scan.pdf", dpi)
        written += [pdf, write_ground_truth(rendered, gt_path(pdf))]
    png = write_image(rendered[0], scans / f"{CLI_SEEDS[-1]}_page1.png")
    written += [png, write_ground_truth(rendered[:1], gt_path(png))]
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m corpus.generate``."""
    parser = argparse.ArgumentParser(prog="python -m corpus.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--pages", type=int, default=None, help="max pages per document (default all)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--dpi", type=int, default=300, help="raster resolution (default 300)")
    parser.add_argument("--level", choices=sorted(LEVELS), default="clean", help="degradation level")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    for path in generate(args.out, pages=args.pages, seed=args.seed, dpi=args.dpi, level=args.level):
        print(path)
    print(f"done in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
