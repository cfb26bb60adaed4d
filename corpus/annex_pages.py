"""Annex pages ("Phụ lục" lists of OCOP products) with exact truth, and how well they read.

:func:`annex_page` draws an A4 page at 300 DPI the way the annexes of the OCOP
reports look: a bold centred "PHỤ LỤC" / "Danh sách sản phẩm OCOP …" title, an
italic "(Kèm theo …)" line, then a table ruled with 3-px lines::

    STT | Tên sản phẩm | Chủ thể | Địa chỉ | Số sao

and ``n_rows`` rows composed from the small word lists below (written for this
module, not taken from the seed documents).  Long names wrap to two lines inside
their cell, as in the real annexes; the truth of a cell is its lines joined by
one space.  Everything is a pure function of ``seed``.

:func:`score_annex_page` runs the real pipeline steps on one such page scanned at
a :data:`corpus.degrade.SCAN_LEVELS` level — :func:`corpus.degrade.degrade_scan`
→ :func:`pipeline.image.cleanup.clean_page` → :func:`pipeline.image.tables.read_tables`, the
same calls as :func:`pipeline.run.process.read_page` — and scores the cells read
against the truth; :func:`tally_annex` sums such scores (``vanban eval``'s annex table).
"""
from __future__ import annotations

import functools
import random
import time

from PIL import Image, ImageDraw, ImageFont

from corpus.fonts import find_font, require_glyphs

__all__ = ["HEADER", "compose_rows", "render_annex", "annex_page", "score_annex_page", "tally_annex"]

HEADER = ["STT", "Tên sản phẩm", "Chủ thể", "Địa chỉ", "Số sao"]
# Column widths in mm (sum 165 = A4 width minus the 30/15 mm margins of Decree 30).
COL_MM = (13.0, 44.0, 46.0, 44.0, 18.0)
LEFT_MM, TOP_MM = 30.0, 22.0
BODY_PT = 12.0
PAD_MM = (2.0, 1.6)  # cell padding: horizontal, vertical
RULE_PX = 3  # at 300 DPI (0.25 mm)
LINE_SPACING = 1.3
MAX_CELL_LINES = 2

# ---------------------------------------------------------------- word lists

# Product kinds and what follows them in a product's name.
_PRODUCTS: dict[str, tuple[str, ...]] = {
    "Nước mắm": ("nhỉ cá cơm", "truyền thống", "cá cơm than", "loại đặc biệt", "nguyên chất"),
    "Mật ong": ("rừng", "hoa cà phê", "nguyên chất", "ngâm chanh", "hoa nhãn"),
    "Bánh tráng": ("mè đen", "nước dừa", "gạo lứt", "nướng giòn", "cuốn thịt heo"),
    "Dầu phộng": ("ép thủ công", "nguyên chất", "rang xay"),
    "Trà": ("xanh thượng hạng", "hoa vàng", "túi lọc", "gừng mật ong", "lá vối"),
    "Chè": ("búp khô", "móc câu", "xanh sấy lạnh"),
    "Gạo": ("thơm hữu cơ", "lứt đỏ", "đặc sản ruộng bậc thang", "nếp cái hoa vàng"),
    "Tinh dầu": ("sả chanh", "quế", "tràm", "bưởi"),
    "Nấm": ("linh chi sấy khô", "bào ngư tươi", "mối rừng"),
    "Cà phê": ("bột nguyên chất", "hạt rang mộc", "phin giấy"),
    "Rượu": ("ngô men lá", "cần", "chuối hột"),
    "Miến": ("dong", "sắn dây"),
    "Bò khô": ("miếng", "sợi cay"),
    "Tỏi": ("cô đơn", "đen lên men"),
    "Quế": ("thanh", "bột", "điếu"),
    "Mạch nha": ("gạo nếp", "đậu phộng"),
}
_BRANDS = ("Hương Quê", "Sông Trà", "Đất Mũi", "Núi Ấn", "Bếp Mẹ", "Làng Xưa", "An Khang", "Thiên Lộc",
           "Phúc Hưng", "Mộc Nhiên", "Ba Làng", "Vạn Lợi")
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
_MIDDLE_F = ("Thị", "Thị Thu", "Thị Kim", "Ngọc", "Thị Mỹ")
_MIDDLE_M = ("Văn", "Minh", "Quốc", "Đức", "Công", "Hữu")
_GIVEN_F = ("Lan", "Hoa", "Hằng", "Nga", "Thảo", "Dung", "Yến", "Tuyết", "Hương", "Liên")
_GIVEN_M = ("Hùng", "Dũng", "Tâm", "Phước", "Lợi", "Thắng", "Hải", "Tuấn", "Khánh", "Sơn")
_COMPANIES = ("Minh Long", "Thành Đạt", "Hoàng Phát", "Tân Tiến", "Gia Huy", "Phú Thịnh", "Đại Việt",
              "Hưng Thịnh", "Kim Ngân", "Quang Minh")
_GROUP_KINDS = ("làm bánh tráng", "nuôi ong", "chế biến nước mắm", "trồng nấm")
_HTX_KINDS = ("nông nghiệp", "dịch vụ nông nghiệp", "sản xuất và thương mại", "nuôi ong")
_COMMUNES = ("An Phú", "Tân Hiệp", "Hòa Bình", "Phước Lộc", "Đông Sơn", "Thạch Bàn", "Bình Minh",
             "Tịnh Hòa", "Nghĩa Lâm", "Hành Thiện", "Phú Mỹ", "Xuân Lộc", "Long Hiệp", "Đức Tân")
_DISTRICTS = ("Sơn Hà", "Mộ Đức", "Tư Nghĩa", "Ba Tơ", "Minh Long", "Nghĩa Hành", "Bình Sơn",
              "Trà Bồng", "Sơn Tây", "Lý Sơn")


def _person(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE_F)} {rng.choice(_GIVEN_F)}"
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE_M)} {rng.choice(_GIVEN_M)}"


def _product(rng: random.Random) -> str:
    kind = rng.choice(sorted(_PRODUCTS))
    name = f"{kind} {rng.choice(_PRODUCTS[kind])}"
    if rng.random() < 0.35:
        name += f" {rng.choice(_BRANDS)}"
    return name


def _producer(rng: random.Random, commune: str) -> str:
    kind = rng.choice(("HTX", "Công ty TNHH", "Hộ kinh doanh", "Cơ sở", "Tổ hợp tác"))
    if kind == "HTX":
        return f"HTX {rng.choice(_HTX_KINDS)} {commune}"
    if kind == "Công ty TNHH":
        return f"Công ty TNHH {rng.choice(_COMPANIES)}"
    if kind == "Tổ hợp tác":
        return f"Tổ hợp tác {rng.choice(_GROUP_KINDS)} {commune}"
    return f"{kind} {_person(rng)}"


def _address(rng: random.Random, commune: str) -> str:
    roll = rng.random()
    if roll < 0.35:
        return f"Xã {commune}"
    if roll < 0.5:
        return f"Thị trấn {commune}"
    return f"Xã {commune}, huyện {rng.choice(_DISTRICTS)}"


def compose_rows(seed: int, n_rows: int = 10, fits=None) -> list[list[str]]:
    """Header and ``n_rows`` body rows of an annex table (strings, NFC), a pure function of ``seed``.

    ``fits(row) -> bool``: a row it refuses (a cell too long for its column) is drawn again."""
    rng = random.Random(f"annex-{seed}")
    rows = [list(HEADER)]
    for i in range(1, n_rows + 1):
        for _ in range(100):
            commune = rng.choice(_COMMUNES)
            row = [str(i), _product(rng), _producer(rng, commune), _address(rng, commune),
                   str(rng.choice((3, 3, 3, 4, 4, 5)))]
            if fits is None or fits(row):
                break
        else:
            raise RuntimeError(f"no row {i} fits its columns (seed {seed})")
        rows.append(row)
    return rows


# ---------------------------------------------------------------- rendering

@functools.lru_cache(maxsize=16)
def _font(style: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(find_font(style)), size_px)


def _px(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _cell_width(c: int, dpi: int) -> int:
    return _px(COL_MM[c], dpi) - 2 * _px(PAD_MM[0], dpi)


def _row_fits(row: list[str], dpi: int) -> bool:
    font = _font("regular", round(BODY_PT / 72 * dpi))
    return all(len(_wrap(v, font, _cell_width(c, dpi))) <= MAX_CELL_LINES for c, v in enumerate(row))


def render_annex(rows: list[list[str]], *, dpi: int = 300,
                 seed: int = 0) -> tuple[Image.Image, list[list[list[str]]]]:
    """Draw ``rows`` (header first) as an annex page; returns the grayscale page and each
    cell's drawn lines.  Raises ValueError when a cell needs more than two lines."""
    rng = random.Random(f"annex-page-{seed}")
    size = (_px(210, dpi), _px(297, dpi))
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    body_px = round(BODY_PT / 72 * dpi)
    regular, bold = _font("regular", body_px), _font("bold", body_px)
    italic, title = _font("italic", body_px), _font("bold", round(13 / 72 * dpi))
    line_h = round(LINE_SPACING * body_px)
    left = _px(LEFT_MM, dpi)
    xs = [left]
    for mm in COL_MM:
        xs.append(xs[-1] + _px(mm, dpi))
    centre = (xs[0] + xs[-1]) / 2
    year = rng.choice((2023, 2024, 2025))
    district = rng.choice(_DISTRICTS)
    heading = [("PHỤ LỤC", title, "bold"),
               (f"Danh sách sản phẩm OCOP được công nhận năm {year}", title, "bold"),
               (f"(Kèm theo Quyết định số {rng.randint(12, 980)}/QĐ-UBND ngày {rng.randint(1, 28)}/"
                f"{rng.randint(1, 12)}/{year} của UBND huyện {district})", italic, "italic")]
    for text, _, style in heading:
        require_glyphs(find_font(style), text)
    for style, row_set in (("bold", rows[:1]), ("regular", rows[1:])):
        require_glyphs(find_font(style), " ".join(v for row in row_set for v in row))
    y = _px(TOP_MM, dpi)
    for text, font, _ in heading:
        draw.text((centre - font.getlength(text) / 2, y), text, font=font, fill=0)
        y += round(1.45 * font.size)
    y += line_h

    pad_x, pad_y = _px(PAD_MM[0], dpi), _px(PAD_MM[1], dpi)
    cell_lines: list[list[list[str]]] = []
    for r, values in enumerate(rows):
        font = bold if r == 0 else regular
        lines = [_wrap(v, font, _cell_width(c, dpi)) for c, v in enumerate(values)]
        if max(len(ls) for ls in lines) > MAX_CELL_LINES:
            raise ValueError(f"row {r} needs more than {MAX_CELL_LINES} lines: {values}")
        cell_lines.append(lines)
    ys = [y]
    for lines in cell_lines:
        ys.append(ys[-1] + max(len(ls) for ls in lines) * line_h + 2 * pad_y)
    if ys[-1] > size[1] - _px(20, dpi):
        raise ValueError("table does not fit on the page")
    for yy in ys:
        draw.line([(xs[0], yy), (xs[-1], yy)], fill=0, width=RULE_PX)
    for xx in xs:
        draw.line([(xx, ys[0]), (xx, ys[-1])], fill=0, width=RULE_PX)
    # Ink of a line of text sits between ascent - cap height and the baseline; centring the
    # font's line box (ascent + descent) is close enough for rows a few lines tall.
    for r, lines in enumerate(cell_lines):
        font = bold if r == 0 else regular
        for c, ls in enumerate(lines):
            block = len(ls) * line_h
            top = ys[r] + (ys[r + 1] - ys[r] - block) / 2 + (line_h - body_px) / 2
            for i, text in enumerate(ls):
                width = font.getlength(text)
                if r == 0 or c in (0, 4):  # header and number columns are centred
                    x = (xs[c] + xs[c + 1] - width) / 2
                else:
                    x = xs[c] + pad_x
                draw.text((x, top + i * line_h), text, font=font, fill=0)
    return page, cell_lines


def annex_page(seed: int, n_rows: int = 10, dpi: int = 300) -> tuple[Image.Image, list[list[str]]]:
    """A rendered annex page (grayscale PIL image at ``dpi``) and its truth rows (header first),
    a pure function of (seed, n_rows, dpi).  The truth of a wrapped cell is its drawn lines
    joined by one space."""
    rows = compose_rows(seed, n_rows, fits=lambda row: _row_fits(row, dpi))
    page, lines = render_annex(rows, dpi=dpi, seed=seed)
    return page, [[" ".join(ls) for ls in row] for row in lines]


# ---------------------------------------------------------------- scoring

def score_annex_page(level: str, seed: int, n_rows: int = 10) -> dict:
    """Scan annex page ``seed`` at ``level``, clean it and read its tables as the pipeline does.

    Returns counts to be summed (:func:`tally_annex`): ``tables`` found, ``grid_ok`` (one
    table of exactly the drawn rows x columns, no merged cells), ``cells`` / ``cells_exact``
    (truth cells and those read exactly, after NFC and whitespace collapse, looked up at
    their grid position), ``upright`` (cleanup undid exactly the scan's quarter turn: an
    upside-down 11 x 5 grid still has the right shape), ``char_errors`` / ``chars`` (edit
    distance between all truth
    cells and all read cells, row by row, each concatenated), the seconds cleanup and
    table reading took, and the ``misread`` cells as [row, col, truth, read].
    """
    import numpy as np

    from corpus.degrade import degrade_scan
    from pipeline.image.tables import read_tables
    from pipeline.image.cleanup import clean_page
    from pipeline.document import PageImage
    from corpus.metrics import edit_counts, normalize_for_cer

    image, truth = annex_page(seed, n_rows)
    scanned = degrade_scan(image, level, seed=seed * 31 + 7, dpi=300)
    started = time.perf_counter()
    cleaned = clean_page(PageImage(number=1, image=np.asarray(scanned.image), dpi=scanned.dpi))
    cells = read_tables(cleaned.image)
    seconds = time.perf_counter() - started
    tables = sorted({c.table for c in cells})
    first = [c for c in cells if c.table == (tables[0] if tables else 1)]
    n_cols = len(truth[0])
    shape = (max((c.row + c.rowspan for c in first), default=0),
             max((c.col + c.colspan for c in first), default=0))
    grid_ok = (len(tables) == 1 and shape == (len(truth), n_cols)
               and all(c.rowspan == c.colspan == 1 for c in first))
    by_pos = {(c.row, c.col): c.text for c in first}
    misread = [[r, c, text, by_pos.get((r, c), "")] for r, row in enumerate(truth)
               for c, text in enumerate(row)
               if normalize_for_cer(by_pos.get((r, c), "")) != normalize_for_cer(text)]
    exact = len(truth) * n_cols - len(misread)
    reference = "\n".join(text for row in truth for text in row)
    hypothesis = "\n".join(c.text for c in sorted(cells, key=lambda c: (c.table, c.row, c.col)))
    errors, chars = edit_counts(reference, hypothesis, "char")
    return {"level": level, "seed": seed, "tables": len(tables), "grid_ok": bool(grid_ok),
            "shape": list(shape), "truth_shape": [len(truth), n_cols],
            "cells": len(truth) * n_cols, "cells_exact": int(exact),
            "char_errors": errors, "chars": chars, "seconds": seconds,
            "dpi": scanned.dpi, "rotated": scanned.notes.get("rotated", 0),
            "upright": cleaned.notes.get("rotation", 0) == scanned.notes.get("rotated", 0),
            "skew_deg": scanned.notes.get("skew_deg", 0.0), "misread": misread}


def tally_annex(scores: list[dict]) -> dict:
    """Per level: pages, tables found (one expected per page), pages turned upright, grids of the right shape,
    share of cells read exactly, cell CER (micro-averaged) and seconds a page."""
    levels: dict[str, dict] = {}
    for s in scores:
        t = levels.setdefault(s["level"], {"pages": 0, "tables_found": 0, "pages_one_table": 0,
                                           "upright": 0, "grid_ok": 0, "cells": 0, "cells_exact": 0,
                                           "char_errors": 0, "chars": 0, "seconds": 0.0})
        t["pages"] += 1
        t["tables_found"] += s["tables"]
        t["pages_one_table"] += s["tables"] == 1
        t["grid_ok"] += s["grid_ok"]
        t["upright"] += s["upright"]
        for key in ("cells", "cells_exact", "char_errors", "chars", "seconds"):
            t[key] += s[key]
    out = {}
    for level, t in levels.items():
        out[level] = {"pages": t["pages"], "tables_found": t["tables_found"],
                      "pages_one_table": t["pages_one_table"], "upright": t["upright"],
                      "grid_ok": t["grid_ok"],
                      "cells": t["cells"], "cells_exact": t["cells_exact"],
                      "cell_exact_rate": t["cells_exact"] / t["cells"] if t["cells"] else 0.0,
                      "cell_cer": t["char_errors"] / t["chars"] if t["chars"] else 0.0,
                      "seconds_per_page": t["seconds"] / t["pages"]}
    return out
