"""Ruled annex tables: grids found on pages rendered here, cells read with Tesseract."""
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from corpus.fonts import find_font
from pipeline.image.tables import detect_tables, read_table_cells, table_rows

HEADER = ["STT", "Tên sản phẩm", "Chủ thể", "Số sao"]
ROWS = [
    ["1", "Dầu phụng", "HTX Phổ Phong", "3"],
    ["2", "Nước mắm nhỉ", "Cơ sở Hải Tân", "4"],
    ["3", "Bánh tráng mè", "Hộ kinh doanh Lan", "3"],
    ["4", "Mật ong rừng", "Công ty Minh Long", "4"],
]
COLS = [150, 290, 900, 1550, 1900]  # x of the vertical rules at 200 dpi on an A4 page


def _font(size=34):
    return ImageFont.truetype(str(find_font("regular")), size)


def _page(draw_table, w=2100, h=2970):
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    f = _font()
    d.text((150, 120), "Phụ lục", font=f, fill=0)
    d.text((150, 180), "Danh sách sản phẩm được công nhận đạt OCOP năm 2024", font=f, fill=0)
    draw_table(d, f)
    d.text((150, 1500), "Ghi chú: danh sách trên gồm 04 sản phẩm.", font=f, fill=0)
    return img


def _simple_table(d, f, top=300, row_h=80):
    ys = [top + i * row_h for i in range(len(ROWS) + 2)]
    for y in ys:
        d.line([(COLS[0], y), (COLS[-1], y)], fill=0, width=3)
    for x in COLS:
        d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=3)
    for r, values in enumerate([HEADER] + ROWS):
        for c, v in enumerate(values):
            d.text((COLS[c] + 14, ys[r] + 20), v, font=f, fill=0)
    return ys


def test_detects_grid_of_a_simple_annex():
    img = np.array(_page(_simple_table))
    tables = detect_tables(img)
    assert len(tables) == 1
    t = tables[0]
    assert (t.n_rows, t.n_cols) == (5, 4)
    assert all(abs(a - b) <= 4 for a, b in zip(t.cols, COLS))
    assert len(t.cells) == 20 and all(c.rowspan == c.colspan == 1 for c in t.cells)
    x0, y0, x1, y1 = next(c.bbox for c in t.cells if (c.row, c.col) == (2, 1))
    assert abs(x0 - COLS[1]) <= 4 and abs(x1 - COLS[2]) <= 4 and abs(y0 - 460) <= 4


def test_merged_header_cells():
    # "Đăng ký sản phẩm" spans the two star columns; "TT" and "Tên" span two header rows.
    cols = [150, 300, 1000, 1300, 1600]
    ys = [300, 380, 460, 540, 620]

    def draw(d, f):
        for y in (ys[0], ys[2], ys[3], ys[4]):
            d.line([(cols[0], y), (cols[-1], y)], fill=0, width=3)
        d.line([(cols[2], ys[1]), (cols[4], ys[1])], fill=0, width=3)  # under the merged cell only
        for x in (cols[0], cols[1], cols[2], cols[4]):
            d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=3)
        d.line([(cols[3], ys[1]), (cols[3], ys[-1])], fill=0, width=3)
        d.text((cols[0] + 10, ys[0] + 20), "TT", font=f, fill=0)
        d.text((cols[2] + 10, ys[0] + 20), "Đăng ký sản phẩm", font=f, fill=0)

    t = detect_tables(np.array(_page(draw)))[0]
    assert (t.n_rows, t.n_cols) == (4, 4)
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in t.cells}
    assert spans[(0, 0)] == (2, 1) and spans[(0, 1)] == (2, 1)
    assert spans[(0, 2)] == (1, 2)
    assert spans[(1, 2)] == (1, 1) and spans[(1, 3)] == (1, 1)
    assert len(t.cells) == 4 * 4 - 1 - 1 - 1


def test_text_only_page_has_no_table():
    def draw(d, f):
        for i in range(12):
            d.text((150, 300 + 60 * i), "Thực hiện Kế hoạch số 69/KH-UBND ngày 22/3/2024 của UBND tỉnh.",
                   font=f, fill=0)
        d.line([(800, 1100), (1300, 1100)], fill=0, width=2)  # a signature underline is not a table

    assert detect_tables(np.array(_page(draw))) == []


def test_read_cells_with_injected_ocr_keeps_grid_positions():
    img = np.array(_page(_simple_table))
    grid = detect_tables(img)[0]
    seen = []

    def fake(crop, psm):
        seen.append(psm)
        return "x", 0.9

    cells = read_table_cells(img, grid, ocr=fake)
    assert len(cells) == 20 and {c.text for c in cells} == {"x"}
    assert seen.count(10) == 8 and set(seen) == {7, 10}  # one-glyph cells (STT, stars), one-line cells
    assert table_rows(cells)[0] == ["x"] * 4


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_read_cells_with_tesseract():
    img = np.array(_page(_simple_table).convert("RGB"))[:, :, ::-1].copy()  # BGR like cv2.imread
    grid = detect_tables(img)[0]
    rows = table_rows(read_table_cells(img, grid))
    assert rows[0] == HEADER
    assert [r[1] for r in rows[1:]] == [r[1] for r in ROWS]
    assert [r[3] for r in rows[1:]] == ["3", "4", "3", "4"]
    assert rows[1][2] == "HTX Phổ Phong"


def test_grid_survives_scan_noise_and_slight_skew():
    page = _page(_simple_table).rotate(0.6, resample=Image.BICUBIC, fillcolor=255)
    rng = np.random.default_rng(0)
    img = np.array(page).astype(np.int16) + rng.normal(0, 18, (page.height, page.width)).astype(np.int16)
    img = np.clip(img, 0, 255).astype(np.uint8)
    tables = detect_tables(img)
    assert len(tables) == 1 and (tables[0].n_rows, tables[0].n_cols) == (5, 4)
    assert len(tables[0].cells) == 20


def test_run_stores_annex_cells_with_their_page(tmp_path):
    """End to end: a scanned annex page → rows of ``annex_cells`` in the SQLite store."""
    import sqlite3

    from pipeline.run.batch import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    _page(_simple_table).save(folder / "phu_luc.png", dpi=(300, 300))
    run_batch([folder], tmp_path / "out", workers=1)
    conn = sqlite3.connect(tmp_path / "out" / "vanban.sqlite")
    rows = conn.execute("SELECT c.row, c.col, c.text, p.number FROM annex_cells c "
                        "JOIN pages p ON p.id = c.page_id ORDER BY c.row, c.col").fetchall()
    assert len(rows) == 20 and {r[3] for r in rows} == {1}
    by_pos = {(r, c): text for r, c, text, _ in rows}
    assert by_pos[(0, 1)] == HEADER[1]
    assert by_pos[(1, 1)] == ROWS[0][1]
