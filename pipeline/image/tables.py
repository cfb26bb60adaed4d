"""Ruled tables in scanned pages (the "Phụ lục" lists of products): grid detection and cell OCR.

``detect_tables(image)`` finds tables drawn with ruling lines: the page is
binarised, long horizontal and vertical strokes are kept by morphological
opening with line-shaped kernels, and every connected group of such lines that
holds at least two of each becomes a :class:`TableGrid` (row and column
boundaries plus the cells, merged cells included: a boundary with no line
drawn along it does not split its cells).

``read_table_cells(image, grid)`` OCRs each cell on its own (Tesseract ``vie``,
``--psm 7`` for one-line cells, ``--psm 6`` for taller ones) and returns
:class:`Cell` rows ready for a table such as ``annex_cells(document_id, page_id,
table_no, row, col, text, bbox…)``.  ``table_rows`` lays them out as a list of
rows of strings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable, cast

import cv2
import numpy as np

from ..document import TableCell
from ..options import OcrSettings
from .orientation import shrink

__all__ = ["TableGrid", "GridCell", "Cell", "detect_tables", "read_table_cells", "table_rows"]

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels


@dataclass
class GridCell:
    """One cell of a grid: its top-left grid position, spans and pixel box."""

    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: Box


@dataclass
class TableGrid:
    """A ruled table: outer box, row boundaries (y), column boundaries (x) and its cells."""

    bbox: Box
    rows: list[int]  # y of each horizontal boundary, top to bottom (n_rows + 1 values)
    cols: list[int]  # x of each vertical boundary, left to right (n_cols + 1 values)
    cells: list[GridCell] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows) - 1

    @property
    def n_cols(self) -> int:
        return len(self.cols) - 1


@dataclass
class Cell:
    """One read cell: grid position, text and pixel box (what a row of ``annex_cells`` holds)."""

    row: int
    col: int
    text: str
    bbox: Box
    rowspan: int = 1
    colspan: int = 1
    confidence: float | None = None


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return image


def _binary(gray: np.ndarray) -> np.ndarray:
    """Ink = 255 on a 0 background; adaptive so that uneven scans keep their lines."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def _rule_lengths(h: int, w: int) -> tuple[int, int]:
    """Shortest horizontal and vertical ruling lines: far longer than any glyph stroke,
    a few percent of the page."""
    return max(25, w // 35), max(25, h // 50)


def _may_have_grid(gray: np.ndarray) -> bool:
    """Cheap test on a 1/4 copy (~3 ms instead of ~60 ms for the full search): is there
    any vertical stroke as long as a ruling line?  A grid needs three; a page of text
    has none (its tallest glyphs are shorter, its underlines are horizontal)."""
    _, vlen = _rule_lengths(*gray.shape)
    small = shrink(gray, 4)
    # a 1-px rule is a quarter as dark at 1/4 size: a local threshold 10 levels under the
    # neighbourhood still sees it
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 9, 10)
    # A rule vlen px long in one column darkens at least (vlen - 3) // 4 whole 4x4 blocks
    # in a row; one block less leaves room for a block edge.  (Bold capitals with their
    # marks reach ~13 blocks at 300 DPI, a rule 16.)
    length = max(3, (vlen - 3) // 4 - 1)
    return cv2.countNonZero(cv2.erode(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))) > 0


def _line_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hlen, vlen = _rule_lengths(*ink.shape)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hlen, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vlen)))
    # Bridge the small gaps a scan leaves in a line and thicken it by a pixel or two.
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vert = cv2.dilate(vert, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    return horiz, vert


def _boundaries(profile: np.ndarray, min_cover: float, min_gap: int) -> list[int]:
    """Centres of the runs of ``profile`` (line coverage per pixel row/column) above ``min_cover``."""
    on = np.flatnonzero(profile >= min_cover)
    if on.size == 0:
        return []
    runs: list[list[int]] = [[int(on[0]), int(on[0])]]
    for v in on[1:]:
        if v - runs[-1][1] <= min_gap:
            runs[-1][1] = int(v)
        else:
            runs.append([int(v), int(v)])
    return [(a + b) // 2 for a, b in runs]


def _coverage(mask: np.ndarray, horizontal: bool, at: int, lo: int, hi: int, band: int = 4) -> float:
    """Share of ``[lo, hi)`` along which a line is drawn at ``at`` (a y for horizontal lines, an x else)."""
    if hi <= lo:
        return 0.0
    if horizontal:
        strip = mask[max(0, at - band):at + band + 1, lo:hi]
        return float(np.count_nonzero(strip.max(axis=0))) / (hi - lo)
    strip = mask[lo:hi, max(0, at - band):at + band + 1]
    return float(np.count_nonzero(strip.max(axis=1))) / (hi - lo)


def _cells(grid_rows: list[int], grid_cols: list[int], horiz: np.ndarray, vert: np.ndarray) -> list[GridCell]:
    """Grid cells with merges: neighbours not separated by a drawn line are one cell."""
    nr, nc = len(grid_rows) - 1, len(grid_cols) - 1
    # A residual skew of up to ~1 degree moves a line away from its mean position by
    # up to this much at the table's far end.
    hband = max(4, int(0.009 * (grid_cols[-1] - grid_cols[0])))
    vband = max(4, int(0.009 * (grid_rows[-1] - grid_rows[0])))
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(nr):
        y0, y1 = grid_rows[r], grid_rows[r + 1]
        pad = (y1 - y0) // 5
        for c in range(nc - 1):
            if _coverage(vert, False, grid_cols[c + 1], y0 + pad, y1 - pad, vband) < 0.5:
                union(r * nc + c, r * nc + c + 1)
    for c in range(nc):
        x0, x1 = grid_cols[c], grid_cols[c + 1]
        pad = (x1 - x0) // 5
        for r in range(nr - 1):
            if _coverage(horiz, True, grid_rows[r + 1], x0 + pad, x1 - pad, hband) < 0.5:
                union(r * nc + c, (r + 1) * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))
    cells = []
    for members in groups.values():
        rs = [r for r, _ in members]
        cs = [c for _, c in members]
        r0, r1, c0, c1 = min(rs), max(rs), min(cs), max(cs)
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1,
                              (grid_cols[c0], grid_rows[r0], grid_cols[c1 + 1], grid_rows[r1 + 1])))
    cells.sort(key=lambda g: (g.row, g.col))
    return cells


def detect_tables(image: np.ndarray, min_rows: int = 2, min_cols: int = 2) -> list[TableGrid]:
    """Ruled tables on a page image (gray or BGR), top to bottom.

    A table needs at least ``min_rows`` rows and ``min_cols`` columns of cells;
    boxes drawn around a single paragraph or a stamp's frame are not tables.
    """
    gray = _gray(image)
    if not _may_have_grid(gray):  # most pages: no need for the full-resolution search
        return []
    ink = _binary(gray)
    horiz, vert = _line_masks(ink)
    grid = cv2.bitwise_or(horiz, vert)
    contours, _ = cv2.findContours(grid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    h, w = gray.shape
    tables = []
    for contour in contours:
        x, y, bw, bh = cv2.boundingRect(contour)
        if bw < w * 0.15 or bh < max(20, h * 0.02):
            continue
        sub_h = horiz[y:y + bh, x:x + bw]
        sub_v = vert[y:y + bh, x:x + bw]
        # A boundary is a line drawn along at least a tenth of the table (sub-header lines
        # under a merged "Đăng ký sản phẩm" cell cover only some columns).
        rows = _boundaries(np.count_nonzero(sub_h, axis=1) / bw, 0.1, 6)
        cols = _boundaries(np.count_nonzero(sub_v, axis=0) / bh, 0.1, 6)
        if len(rows) < min_rows + 1 or len(cols) < min_cols + 1:
            continue
        rows = [y + r for r in rows]
        cols = [x + c for c in cols]
        cells = _cells(rows, cols, horiz, vert)
        tables.append(TableGrid((x, y, x + bw, y + bh), rows, cols, cells))
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables


def _tesseract(crop: np.ndarray, psm: int,
               settings: OcrSettings = OcrSettings()) -> tuple[str, float | None]:
    import pytesseract

    data = pytesseract.image_to_data(crop, lang=settings.lang, config=f"--oem {settings.oem} --psm {psm}",
                                     output_type=pytesseract.Output.DICT)
    words, confs = [], []
    line_key = None
    text = ""
    for i, word in enumerate(data["text"]):
        if not word.strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if line_key is not None and key != line_key:
            text += "\n"
        elif text:
            text += " "
        text += word
        line_key = key
        words.append(word)
        conf = float(data["conf"][i])
        if conf >= 0:
            confs.append(conf)
    return text, (sum(confs) / len(confs) / 100 if confs else None)


OcrFn = Callable[[np.ndarray, int], "tuple[str, float | None] | str"]


def read_table_cells(image: np.ndarray, grid: TableGrid, ocr: OcrFn | None = None,
                     inset: int = 4, scale_to: int = 48, settings: OcrSettings = OcrSettings()) -> list[Cell]:
    """OCR every cell of ``grid`` on ``image``; blank cells come back with text "".

    ``ocr(crop, psm)`` may be given (tests, another engine); it returns the text
    or (text, confidence); without it Tesseract reads them with ``settings`` (its ``lang``
    and ``oem``).  Each crop is cut inside the ruling lines, padded with
    white and scaled so that a one-line cell is about ``scale_to`` pixels high.
    """
    gray = _gray(image)
    ocr = ocr or partial(_tesseract, settings=settings)
    heights = sorted(b - a for a, b in zip(grid.rows, grid.rows[1:]))
    row_h = heights[len(heights) // 2] if heights else 0
    out = []
    for gc in grid.cells:
        x0, y0, x1, y1 = gc.bbox
        crop = gray[y0 + inset:y1 - inset + 1, x0 + inset:x1 - inset + 1]
        text, conf = "", None
        if crop.size and _has_ink(crop):
            crop = _strip_border_lines(crop)
            psm = _psm(crop, (y1 - y0) <= 1.5 * row_h)
            line_h = min(row_h or crop.shape[0], crop.shape[0])
            factor = max(1.0, min(3.0, scale_to / max(1.0, line_h)))
            if factor > 1.05:
                crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
            crop = cv2.copyMakeBorder(crop, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)
            got = ocr(crop, psm)
            text, conf = got if isinstance(got, tuple) else (got, None)
            text = " ".join(text.split()) if psm != 6 else "\n".join(" ".join(ln.split())
                                                                  for ln in text.splitlines() if ln.strip())
        out.append(Cell(gc.row, gc.col, text, gc.bbox, gc.rowspan, gc.colspan, conf))
    _fix_numeric_columns(out)
    return out


# What Tesseract reads for a lone digit when it guesses a letter.
_DIGIT_LOOKALIKES = str.maketrans({"A": "4", "O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5",
                                   "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "g": "9", "q": "9"})


def _fix_numeric_columns(cells: list[Cell]) -> None:
    # In a column of numbers (STT, số sao, số lượng) a short cell that reads as a digit
    # look-alike ("A" for "4") is that digit.
    by_col: dict[int, list[Cell]] = {}
    for c in cells:
        if c.colspan == 1 and c.text:
            by_col.setdefault(c.col, []).append(c)
    for col in by_col.values():
        short = [c for c in col if len(c.text) <= 3]  # the header ("Số sao") does not vote
        numeric = sum(c.text.isdigit() for c in short)
        if numeric < 2 or numeric < 0.5 * len(short):
            continue
        for c in col:
            if len(c.text) <= 3 and not c.text.isdigit():
                fixed = c.text.translate(_DIGIT_LOOKALIKES)
                if fixed.isdigit():
                    c.text = fixed


def _has_ink(crop: np.ndarray) -> bool:
    ink = crop < 128
    return bool(np.count_nonzero(ink) > max(8, crop.size * 0.002))


def _psm(crop: np.ndarray, one_row: bool) -> int:
    """Tesseract page segmentation for a cell: 10 one glyph ("4"), 7 one line, 6 a block."""
    ink = (crop < 128).astype(np.uint8)
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        return 7
    h = int(ys.max() - ys.min() + 1)
    w = int(xs.max() - xs.min() + 1)
    if w <= 1.3 * h and _ink_lines(ink, h) <= 1:
        return 10
    return 7 if one_row and _ink_lines(ink, h) <= 1 else 6


def _ink_lines(ink: np.ndarray, glyph_h: int) -> int:
    """Number of text lines: row runs of ink once diacritics are merged with their letters."""
    k = max(3, min(glyph_h, 40) // 3)
    merged = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    rows = np.count_nonzero(merged, axis=1) > 0
    return int(np.count_nonzero(rows[1:] & ~rows[:-1]) + (1 if rows.size and rows[0] else 0))


def _strip_border_lines(crop: np.ndarray) -> np.ndarray:
    """Whiten remains of ruling lines along the crop's edges (a skewed scan leaves slivers)."""
    crop = crop.copy()
    dark = crop < 128
    h, w = crop.shape
    for y in list(range(min(6, h))) + list(range(max(0, h - 6), h)):
        if np.count_nonzero(dark[y]) > 0.6 * w:
            crop[y] = 255
    for x in list(range(min(6, w))) + list(range(max(0, w - 6), w)):
        if np.count_nonzero(dark[:, x]) > 0.6 * h:
            crop[:, x] = 255
    return crop


def table_rows(cells: list[Cell]) -> list[list[str]]:
    """The cells as rows of strings (a merged cell's text in its top-left position)."""
    if not cells:
        return []
    n_rows = max(c.row + c.rowspan for c in cells)
    n_cols = max(c.col + c.colspan for c in cells)
    rows = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for c in cells:
        rows[c.row][c.col] = c.text
    return rows


def read_tables(image: np.ndarray, settings: OcrSettings = OcrSettings()) -> list[TableCell]:
    """Every ruled table of a cleaned page image, cell by cell (empty when there is none);
    ``settings``: the page's OCR settings (their ``lang`` and ``oem`` read the cells)."""
    cells: list[TableCell] = []
    for number, grid in enumerate(detect_tables(image), 1):
        for cell in read_table_cells(image, grid, settings=settings):
            cells.append(TableCell(table=number, row=cell.row, col=cell.col, text=cell.text,
                                   box=cast(Box, tuple(int(v) for v in cell.bbox)), rowspan=cell.rowspan,
                                   colspan=cell.colspan, conf=cell.confidence))
    return cells
