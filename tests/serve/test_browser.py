"""/document/<id> in a real headless browser (Debian's chromium): the screenshot's pixels show the
page image, and each money item's outline around the ink of that amount as it was drawn on the
generated page, and nowhere else.

Where the amounts lie is computed from how tests/export/conftest.py drew them (font, DPI, line
positions), not from the store: the outlines are checked against the scan itself.
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.serve.document import CONFIDENCE_BANDS, HEADER_CSS_HEIGHT, ITEM_KINDS, PAGE_CSS_WIDTH
from tests.export.conftest import DPI, FONT, KNOWN_WORD, LINES, draw_page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make setup installs it)")

WINDOW = (1400, 1300)  # CSS pixels at scale 1: the whole first page (800 x 1131) and the side column
AMOUNTS = ("446 triệu đồng,", "324 triệu đồng.")  # the money items, as the words OCR boxes hold them


def screenshot(url: str, tmp_path) -> np.ndarray:
    """RGB pixels of ``url`` in headless chromium, at one device pixel per CSS pixel."""
    target = tmp_path / "shot.png"
    proc = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--force-device-scale-factor=1", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                           "--virtual-time-budget=10000", f"--user-data-dir={tmp_path / 'profile'}",
                           f"--screenshot={target}", url], capture_output=True, text=True, timeout=180)
    assert target.is_file(), proc.stderr[-2000:]
    return np.asarray(Image.open(target).convert("RGB")).astype(int)


def drawn_boxes(text: str) -> list[tuple[float, float, float, float]]:
    """Every place ``text`` was drawn on the generated page, in CSS pixels of the screenshot."""
    page, _ = draw_page()
    font = ImageFont.truetype(FONT, round(13 * DPI / 72))
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    scale = PAGE_CSS_WIDTH / page.width
    boxes = []
    for i, line in enumerate(LINES):  # as draw_page lays the lines out
        if text in line:
            x, y = 1.0 * DPI + draw.textlength(line[:line.index(text)], font=font), 1.2 * DPI + i * 0.33 * DPI
            x0, y0, x1, y1 = draw.textbbox((x, y), text, font=font)
            boxes.append((x0 * scale, y0 * scale + HEADER_CSS_HEIGHT, x1 * scale, y1 * scale + HEADER_CSS_HEIGHT))
    return boxes


def colour_mask(pixels: np.ndarray, hex_colour: str, tolerance: int = 60) -> np.ndarray:
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return (np.abs(pixels - rgb) <= tolerance).all(axis=2)


def _covered(mask: np.ndarray, rows: slice, cols: slice, axis: int) -> float:
    """Share of the band's columns (axis 0) or rows (axis 1) holding a masked pixel."""
    return float(mask[rows, cols].any(axis=axis).mean())


def check_outlines(pixels: np.ndarray, boxes, colour: str) -> None:
    """An outline of ``colour`` on all four sides of each box (a few pixels outside it), none elsewhere."""
    mask = colour_mask(pixels, colour)
    near = np.zeros_like(mask)
    for x0, y0, x1, y1 in boxes:
        X0, Y0, X1, Y1 = round(x0), round(y0), round(x1), round(y1)
        mid_x = slice(X0 + (X1 - X0) // 5, X1 - (X1 - X0) // 5)
        mid_y = slice(Y0 + (Y1 - Y0) // 4, Y1 - (Y1 - Y0) // 4)
        sides = {"top": _covered(mask, slice(Y0 - 12, Y0 + 2), mid_x, 0),
                 "bottom": _covered(mask, slice(Y1 - 2, Y1 + 12), mid_x, 0),
                 "left": _covered(mask, mid_y, slice(X0 - 12, X0 + 2), 1),
                 "right": _covered(mask, mid_y, slice(X1 - 4, X1 + 14), 1)}
        assert min(sides.values()) >= 0.9, (x0, y0, x1, y1, sides)
        near[Y0 - 16:Y1 + 16, X0 - 16:X1 + 18] = True
    page_height = round(PAGE_CSS_WIDTH * 11.69 / 8.27)
    page = np.zeros_like(mask)
    page[HEADER_CSS_HEIGHT:HEADER_CSS_HEIGHT + page_height, :PAGE_CSS_WIDTH] = True
    stray = mask & page & ~near
    assert stray.sum() <= 3, f"{stray.sum()} pixels of {colour} away from the items, e.g. {np.argwhere(stray)[:5]}"


def test_money_outlined_on_the_scan_and_words_tinted(served, tmp_path):
    pixels = screenshot(f"{served.url}/document/{served.ids['upright.pdf']}", tmp_path)
    boxes = [b for text in AMOUNTS for b in drawn_boxes(text)]
    assert len(boxes) == 6
    for x0, y0, x1, y1 in boxes:  # the page image is there, under the boxes: the amount's ink
        ink = pixels[round(y0):round(y1), round(x0):round(x1)].sum(axis=2) < 250
        assert ink.mean() > 0.08, (x0, y0, x1, y1, ink.mean())
    check_outlines(pixels, boxes, ITEM_KINDS["money"][1])
    # "Giám" (read surely) is tinted green: its paper is greener than it is red or blue
    (x0, y0, x1, y1), = [b for b in drawn_boxes(KNOWN_WORD[0]) if b[1] < 200 + HEADER_CSS_HEIGHT]
    paper = pixels[round(y0):round(y1), round(x0):round(x1)].reshape(-1, 3)
    paper = paper[paper.sum(axis=1) > 550]
    assert CONFIDENCE_BANDS[0][1] == "high" and len(paper)
    r, g, b = paper.mean(axis=0)
    assert g - r > 15 and g - b > 10, (r, g, b)
    assert (pixels[HEADER_CSS_HEIGHT + 40, 40] == 255).all()  # the page's margin: paper, no tint


def test_a_moved_original_still_shows_where_the_items_were(served, tmp_path):
    pixels = screenshot(f"{served.url}/document/{served.ids['gone.pdf']}", tmp_path)
    boxes = [b for text in AMOUNTS for b in drawn_boxes(text)]
    check_outlines(pixels, boxes, ITEM_KINDS["money"][1])
    x0, y0, x1, y1 = boxes[0]  # no page image: no ink inside the outline
    assert (pixels[round(y0):round(y1), round(x0):round(x1)].sum(axis=2) < 250).mean() < 0.01
