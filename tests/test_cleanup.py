"""Cleanup: skew estimation, upscaling and binarisation on rendered pages."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.cleanup import binarize, clean_page, estimate_skew, to_grayscale, upscale
from pipeline.document import PageImage


def _gray(page) -> np.ndarray:
    return np.asarray(page.image.convert("L"))


@pytest.mark.parametrize("angle", [-2.0, 0.0, 1.3, 3.5])
def test_estimates_skew_within_a_fifth_of_a_degree(short_scan_pages, angle):
    img = Image.fromarray(_gray(short_scan_pages[0])).rotate(angle, fillcolor=255, expand=False)
    assert estimate_skew(np.asarray(img)) == pytest.approx(-angle, abs=0.2)


def test_clean_page_levels_a_skewed_page(short_scan_pages):
    img = Image.fromarray(_gray(short_scan_pages[0])).rotate(2.0, fillcolor=255)
    cleaned = clean_page(PageImage(1, np.asarray(img.convert("RGB")), 300))
    assert cleaned.notes["skew_deg"] == pytest.approx(-2.0, abs=0.2)
    assert estimate_skew(cleaned.image) == pytest.approx(0.0, abs=0.2)
    assert cleaned.image.ndim == 2 and set(np.unique(cleaned.image)) <= {0, 255}


def test_upscales_low_resolution_scans_to_300_dpi(short_scan_pages):
    small = Image.fromarray(_gray(short_scan_pages[0])).reduce(2)  # 150 DPI
    page = upscale(to_grayscale(PageImage(1, np.asarray(small), 150)))
    assert page.dpi == 300 and page.notes["source_dpi"] == 150
    assert page.image.shape[1] == pytest.approx(small.width * 2, abs=1)


def test_binarize_keeps_ink_and_paper_apart(short_scan_pages):
    gray = _gray(short_scan_pages[0])
    bw = binarize(PageImage(1, gray, 300)).image
    ink_share = (bw == 0).mean()
    assert 0.005 < ink_share < 0.2  # text, not a black or blank page
