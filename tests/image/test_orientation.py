"""Orientation: a page turned 90/180/270° is found and turned back, without Tesseract OSD."""
from __future__ import annotations

import numpy as np
import pytest

from corpus.degrade import degrade_scan
from pipeline.image.cleanup import orient
from pipeline.document import PageImage
from pipeline.image.orientation import detect_orientation, rotate_quarter


@pytest.fixture(scope="module")
def upright(short_scan_pages) -> np.ndarray:
    """A moderately degraded 200-DPI scan of the short page, upright (gray)."""
    scanned = degrade_scan(short_scan_pages[0].image.convert("RGB"), "moderate", seed=3, out_dpi=200)
    return np.asarray(scanned.image.convert("L"))


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_detects_a_turned_page(upright, turn):
    turned = np.ascontiguousarray(np.rot90(upright, k=turn // 90))  # counter-clockwise
    assert detect_orientation(turned) == turn


@pytest.mark.parametrize("turn", [90, 270])
def test_orient_step_turns_the_page_back_and_notes_it(upright, turn):
    turned = np.ascontiguousarray(np.rot90(upright, k=turn // 90))
    page = orient(PageImage(1, turned, 200))
    assert page.notes["rotation"] == turn
    assert page.image.shape == upright.shape
    assert np.array_equal(page.image, upright)


def test_heavy_scan_turned_upside_down(short_scan_pages):
    """Blur, speckle, dark uneven light and JPEG q~25 at 150 DPI: still read as upside down."""
    scanned = degrade_scan(short_scan_pages[0].image.convert("RGB"), "heavy", seed=11, out_dpi=150)
    gray = rotate_quarter(np.asarray(scanned.image.convert("L")), scanned.notes["rotated"])
    assert detect_orientation(gray) == 0
    assert detect_orientation(np.ascontiguousarray(np.rot90(gray, 2))) == 180


def test_rotate_quarter_undoes_a_counter_clockwise_turn():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for turn in (0, 90, 180, 270):
        assert np.array_equal(rotate_quarter(np.rot90(img, k=turn // 90), turn), img)


def test_blank_page_is_left_as_it_is():
    assert detect_orientation(np.full((800, 600), 245, np.uint8)) == 0


def test_orientation_is_cheap(upright):
    import time

    start = time.perf_counter()
    detect_orientation(np.ascontiguousarray(np.rot90(upright)))
    assert time.perf_counter() - start < 1.0  # OSD takes ~1 s; this ~0.1 s
